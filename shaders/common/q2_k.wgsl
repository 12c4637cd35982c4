// Q2_K (ggml/GGUF layout): 84-byte blocks of 256 values: scales[16] (one
// byte per 16 values: low nibble a 4-bit scale, high nibble a 4-bit min),
// qs[64] (four 2-bit values per byte), f16 d, f16 dmin. Value j, with chunk
// c = j / 128 and shift t = (j % 128) / 32: q = (qs[32c + j % 32] >> 2t) & 3,
// sc = scales[j / 16], and
//   value = (d * (sc & 15)) * q - dmin * (sc >> 4)
// (candle's BlockQ2K::to_float). 84 bytes is a whole number of words, so
// every block starts on a word boundary and `block_quad` reads `w` words.
// Needs `w_byte`, `w_half`, `bytes4`.

const BLOCK_VALUES: u32 = 256u;
const BLOCK_BYTES: u32 = 84u;

fn block_value(start: u32, j: u32) -> f32 {
    let q = (w_byte(start + 16u + 32u * (j >> 7u) + (j & 31u)) >> (2u * ((j >> 5u) & 3u))) & 3u;
    let sc = w_byte(start + (j >> 4u));
    let dl = w_half(start + 80u) * f32(sc & 15u);
    let ml = w_half(start + 82u) * f32(sc >> 4u);
    return dl * f32(q) - ml;
}

// Values j..j+3 (j % 4 == 0): one qs word, one scale byte, one (d, dmin) word.
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let qs = bytes4(w[(start + 16u + 32u * (j >> 7u) + (j & 31u)) >> 2u]);
    let q = (qs >> vec4<u32>(2u * ((j >> 5u) & 3u))) & vec4<u32>(3u);
    let sc = w_byte(start + (j >> 4u));
    let dm = unpack2x16float(w[(start + 80u) >> 2u]);
    let dl = dm.x * f32(sc & 15u);
    let ml = dm.y * f32(sc >> 4u);
    return dl * vec4<f32>(q) - vec4<f32>(ml);
}
