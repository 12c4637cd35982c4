// Q4_K (ggml/GGUF layout): 144-byte blocks of 256 values: f16 d, f16 dmin,
// scales[12] (eight 6-bit scale/min pairs, packed as in ggml's
// get_scale_min_k4), qs[128]. Value j, with chunk c = j / 64 and sub-block
// s = j / 32: q = nibble (j % 64) / 32 of qs[32c + j % 32], and
//   value = (d * scale[s]) * q - dmin * min[s]
// (candle's BlockQ4K::to_float). Needs `w_byte`, `w_half`, `nibbles4`.

const BLOCK_VALUES: u32 = 256u;
const BLOCK_BYTES: u32 = 144u;

// (scale, min) of sub-block `s` (0..8) from the 12 packed bytes at `sc`.
fn q4_k_scale_min(sc: u32, s: u32) -> vec2<u32> {
    if (s < 4u) {
        return vec2<u32>(w_byte(sc + s) & 63u, w_byte(sc + s + 4u) & 63u);
    }
    let d = (w_byte(sc + s + 4u) & 15u) | ((w_byte(sc + s - 4u) >> 6u) << 4u);
    let m = (w_byte(sc + s + 4u) >> 4u) | ((w_byte(sc + s) >> 6u) << 4u);
    return vec2<u32>(d, m);
}

fn block_value(start: u32, j: u32) -> f32 {
    let s = j >> 5u;
    let q = (w_byte(start + 16u + 32u * (j >> 6u) + (j & 31u)) >> ((s & 1u) * 4u)) & 15u;
    let sm = q4_k_scale_min(start + 4u, s);
    let d1 = w_half(start) * f32(sm.x);
    let m1 = w_half(start + 2u) * f32(sm.y);
    return d1 * f32(q) - m1;
}

// Every field is word-aligned (144-byte blocks): the header is 4 words
// (d and dmin, then the 12 scale bytes), qs starts at word 4.
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let b = start >> 2u;
    let s = j >> 5u;
    let q = nibbles4(w[b + 4u + 8u * (j >> 6u) + ((j & 31u) >> 2u)], (s & 1u) * 4u);
    // Bytes t of the three scale words (t = s % 4); see q4_k_scale_min.
    let t = (s & 3u) * 8u;
    let a = extractBits(w[b + 1u], t, 8u);
    let c = extractBits(w[b + 2u], t, 8u);
    let e = extractBits(w[b + 3u], t, 8u);
    let lo = s < 4u;
    let sc = select((e & 15u) | ((a >> 6u) << 4u), a & 63u, lo);
    let mn = select((e >> 4u) | ((c >> 6u) << 4u), c & 63u, lo);
    let dm = unpack2x16float(w[b]);
    return (dm.x * f32(sc)) * vec4<f32>(q) - vec4<f32>(dm.y * f32(mn));
}
