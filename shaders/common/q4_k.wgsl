// Q4_K (ggml/GGUF layout): 144-byte blocks of 256 values: f16 d, f16 dmin,
// scales[12] (eight 6-bit scale/min pairs, packed as in ggml's
// get_scale_min_k4), qs[128]. Value j, with chunk c = j / 64 and sub-block
// s = j / 32: q = nibble (j % 64) / 32 of qs[32c + j % 32], and
//   value = (d * scale[s]) * q - dmin * min[s]
// (candle's BlockQ4K::to_float). Needs `w_byte`, `nibbles4` and
// common/k_scales.wgsl.

const BLOCK_VALUES: u32 = 256u;
const BLOCK_BYTES: u32 = 144u;

fn block_value(start: u32, j: u32) -> f32 {
    let s = j >> 5u;
    let q = (w_byte(start + 16u + 32u * (j >> 6u) + (j & 31u)) >> ((s & 1u) * 4u)) & 15u;
    let b = start >> 2u;
    let sm = k_scale_min(w[b + 1u], w[b + 2u], w[b + 3u], s);
    let dm = unpack2x16float(w[b]);
    return (dm.x * f32(sm.x)) * f32(q) - dm.y * f32(sm.y);
}

// Every field is word-aligned (144-byte blocks): the header is 4 words
// (d and dmin, then the 12 scale bytes), qs starts at word 4.
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let b = start >> 2u;
    let s = j >> 5u;
    let q = nibbles4(w[b + 4u + 8u * (j >> 6u) + ((j & 31u) >> 2u)], (s & 1u) * 4u);
    let sm = k_scale_min(w[b + 1u], w[b + 2u], w[b + 3u], s);
    let dm = unpack2x16float(w[b]);
    return (dm.x * f32(sm.x)) * vec4<f32>(q) - vec4<f32>(dm.y * f32(sm.y));
}
