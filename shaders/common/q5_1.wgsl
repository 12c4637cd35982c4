// Q5_1 (ggml/GGUF layout): 24-byte blocks of 32 values, f16 scale d, f16
// minimum m, a little-endian u32 qh of fifth bits (bit j for value j), then
// 16 bytes of nibbles (low: values 0..15, high: 16..31);
// value = (nibble | bit << 4) * d + m. Needs `w_byte`, `w_half`, `w_u32`,
// `nibbles4`.

const BLOCK_VALUES: u32 = 32u;
const BLOCK_BYTES: u32 = 24u;

fn block_value(start: u32, j: u32) -> f32 {
    let lo = (w_byte(start + 8u + (j & 15u)) >> ((j >> 4u) * 4u)) & 15u;
    let hi = (w_u32(start + 4u) >> j) & 1u;
    return f32(lo | (hi << 4u)) * w_half(start) + w_half(start + 2u);
}

// Every field is word-aligned (24-byte blocks).
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let b = start >> 2u;
    let lo = nibbles4(w[b + 2u + ((j & 15u) >> 2u)], (j >> 4u) * 4u);
    let hi = (vec4<u32>(w[b + 1u] >> j) >> vec4<u32>(0u, 1u, 2u, 3u)) & vec4<u32>(1u);
    let dm = unpack2x16float(w[b]);
    return vec4<f32>(lo | (hi << vec4<u32>(4u))) * dm.x + dm.y;
}
