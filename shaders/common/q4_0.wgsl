// Q4_0 (ggml/GGUF layout): 18-byte blocks of 32 values, an f16 scale d then
// 16 bytes of nibbles; low nibbles are values 0..15, high nibbles 16..31;
// value = (q - 8) * d. Needs `w_byte`, `w_half`, `w_u32`, `nibbles4`.

const BLOCK_VALUES: u32 = 32u;
const BLOCK_BYTES: u32 = 18u;

fn block_value(start: u32, j: u32) -> f32 {
    let q = (w_byte(start + 2u + (j & 15u)) >> ((j >> 4u) * 4u)) & 15u;
    return (f32(q) - 8.0) * w_half(start);
}

fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let q = nibbles4(w_u32(start + 2u + (j & 15u)), (j >> 4u) * 4u);
    return (vec4<f32>(q) - 8.0) * w_half(start);
}
