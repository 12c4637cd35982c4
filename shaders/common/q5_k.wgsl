// Q5_K (ggml/GGUF layout): 176-byte blocks of 256 values: f16 d, f16 dmin,
// scales[12] (eight 6-bit scale/min pairs, packed as in ggml's
// get_scale_min_k4, as Q4_K), qh[32] (fifth bits), qs[128] (low nibbles).
// Value j, with chunk c = j / 64 and sub-block s = j / 32:
//   q = (nibble s % 2 of qs[32c + j % 32]) | ((qh[j % 32] >> s) & 1) << 4
//   value = (d * scale[s]) * q - dmin * min[s]
// (candle's BlockQ5K::to_float). 176 bytes is a whole number of words, so
// every block starts on a word boundary and `block_quad` reads `w` words.
// Needs `w_byte`, `bytes4`, `nibbles4` and common/k_scales.wgsl.

const BLOCK_VALUES: u32 = 256u;
const BLOCK_BYTES: u32 = 176u;

fn block_value(start: u32, j: u32) -> f32 {
    let s = j >> 5u;
    let lo = (w_byte(start + 48u + 32u * (j >> 6u) + (j & 31u)) >> ((s & 1u) * 4u)) & 15u;
    let hi = (w_byte(start + 16u + (j & 31u)) >> s) & 1u;
    let b = start >> 2u;
    let sm = k_scale_min(w[b + 1u], w[b + 2u], w[b + 3u], s);
    let dm = unpack2x16float(w[b]);
    return (dm.x * f32(sm.x)) * f32(lo | (hi << 4u)) - dm.y * f32(sm.y);
}

// Values j..j+3 (j % 4 == 0): one qs word, one qh word, the (d, dmin) word.
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let s = j >> 5u;
    let lo = nibbles4(w[(start + 48u + 32u * (j >> 6u) + (j & 31u)) >> 2u], (s & 1u) * 4u);
    let hi = (bytes4(w[(start + 16u + (j & 31u)) >> 2u]) >> vec4<u32>(s)) & vec4<u32>(1u);
    let b = start >> 2u;
    let sm = k_scale_min(w[b + 1u], w[b + 2u], w[b + 3u], s);
    let dm = unpack2x16float(w[b]);
    let d1 = dm.x * f32(sm.x);
    let m1 = dm.y * f32(sm.y);
    return d1 * vec4<f32>(lo | (hi << vec4<u32>(4u))) - vec4<f32>(m1);
}
