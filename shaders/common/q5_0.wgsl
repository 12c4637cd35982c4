// Q5_0 (ggml/GGUF layout): 22-byte blocks of 32 values, f16 scale d, a
// little-endian u32 qh of fifth bits (bit j for value j; not 4-byte aligned),
// then 16 bytes of nibbles (low: values 0..15, high: 16..31);
// value = ((nibble | bit << 4) - 16) * d. Needs `w_byte`, `w_half`, `w_u32`,
// `nibbles4`.

const BLOCK_VALUES: u32 = 32u;
const BLOCK_BYTES: u32 = 22u;

fn block_value(start: u32, j: u32) -> f32 {
    let lo = (w_byte(start + 6u + (j & 15u)) >> ((j >> 4u) * 4u)) & 15u;
    let hi = (w_u32(start + 2u) >> j) & 1u;
    return (f32(lo | (hi << 4u)) - 16.0) * w_half(start);
}

fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let lo = nibbles4(w_u32(start + 6u + (j & 15u)), (j >> 4u) * 4u);
    let hi = (vec4<u32>(w_u32(start + 2u) >> j) >> vec4<u32>(0u, 1u, 2u, 3u)) & vec4<u32>(1u);
    return (vec4<f32>(lo | (hi << vec4<u32>(4u))) - 16.0) * w_half(start);
}
