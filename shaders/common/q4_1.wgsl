// Q4_1 (ggml/GGUF layout): 20-byte blocks of 32 values, f16 scale d, f16
// minimum m, then 16 bytes of nibbles (low: values 0..15, high: 16..31);
// value = q * d + m. Needs `w_byte`, `w_half`, `nibbles4`.

const BLOCK_VALUES: u32 = 32u;
const BLOCK_BYTES: u32 = 20u;

fn block_value(start: u32, j: u32) -> f32 {
    let q = (w_byte(start + 4u + (j & 15u)) >> ((j >> 4u) * 4u)) & 15u;
    return f32(q) * w_half(start) + w_half(start + 2u);
}

// Every field is word-aligned (20-byte blocks).
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let q = nibbles4(w[(start + 4u + (j & 15u)) >> 2u], (j >> 4u) * 4u);
    let dm = unpack2x16float(w[start >> 2u]);
    return vec4<f32>(q) * dm.x + dm.y;
}
