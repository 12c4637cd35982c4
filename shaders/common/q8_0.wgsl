// Q8_0 (ggml/GGUF layout): 34-byte blocks of 32 values, an f16 scale d then
// 32 signed bytes; value j = d * q[j]. Blocks start at 0 or 2 mod 4.
// Needs `w_byte`, `w_half`, `w_u32`, `sbytes4`.

const BLOCK_VALUES: u32 = 32u;
const BLOCK_BYTES: u32 = 34u;

fn block_value(start: u32, j: u32) -> f32 {
    return w_half(start) * f32(extractBits(i32(w_byte(start + 2u + j)), 0u, 8u));
}

fn block_quad(start: u32, j: u32) -> vec4<f32> {
    return w_half(start) * sbytes4(w_u32(start + 2u + j));
}
