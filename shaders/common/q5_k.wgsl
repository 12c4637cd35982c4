// Q5_K (ggml/GGUF layout): 176-byte blocks of 256 values: f16 d, f16 dmin,
// scales[12] (eight 6-bit scale/min pairs, packed as in ggml's
// get_scale_min_k4, as Q4_K), qh[32] (fifth bits), qs[128] (low nibbles).
// Value j, with chunk c = j / 64 and sub-block s = j / 32:
//   q = (nibble s % 2 of qs[32c + j % 32]) | ((qh[j % 32] >> s) & 1) << 4
//   value = (d * scale[s]) * q - dmin * min[s]
// (candle's BlockQ5K::to_float). 176 bytes is a whole number of words, so
// every block starts on a word boundary and `block_quad` reads `w` words.
// Needs `w_byte`, `w_half`, `bytes4`, `nibbles4`.

const BLOCK_VALUES: u32 = 256u;
const BLOCK_BYTES: u32 = 176u;

// (scale, min) of sub-block `s` (0..8) from the 12 packed bytes at `sc`.
fn q5_k_scale_min(sc: u32, s: u32) -> vec2<u32> {
    if (s < 4u) {
        return vec2<u32>(w_byte(sc + s) & 63u, w_byte(sc + s + 4u) & 63u);
    }
    let d = (w_byte(sc + s + 4u) & 15u) | ((w_byte(sc + s - 4u) >> 6u) << 4u);
    let m = (w_byte(sc + s + 4u) >> 4u) | ((w_byte(sc + s) >> 6u) << 4u);
    return vec2<u32>(d, m);
}

fn block_value(start: u32, j: u32) -> f32 {
    let s = j >> 5u;
    let lo = (w_byte(start + 48u + 32u * (j >> 6u) + (j & 31u)) >> ((s & 1u) * 4u)) & 15u;
    let hi = (w_byte(start + 16u + (j & 31u)) >> s) & 1u;
    let sm = q5_k_scale_min(start + 4u, s);
    let d1 = w_half(start) * f32(sm.x);
    let m1 = w_half(start + 2u) * f32(sm.y);
    return d1 * f32(lo | (hi << 4u)) - m1;
}

// Values j..j+3 (j % 4 == 0): one qs word, one qh word, the (d, dmin) word.
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let s = j >> 5u;
    let lo = nibbles4(w[(start + 48u + 32u * (j >> 6u) + (j & 31u)) >> 2u], (s & 1u) * 4u);
    let hi = (bytes4(w[(start + 16u + (j & 31u)) >> 2u]) >> vec4<u32>(s)) & vec4<u32>(1u);
    let sm = q5_k_scale_min(start + 4u, s);
    let dm = unpack2x16float(w[start >> 2u]);
    let d1 = dm.x * f32(sm.x);
    let m1 = dm.y * f32(sm.y);
    return d1 * vec4<f32>(lo | (hi << vec4<u32>(4u))) - vec4<f32>(m1);
}
