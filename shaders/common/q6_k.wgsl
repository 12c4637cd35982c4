// Q6_K (ggml/GGUF layout): 210-byte blocks of 256 values: ql[128] (low
// nibbles), qh[64] (2 high bits each), scales i8[16], f16 d. Value j, with
// half h = j / 128, quarter t = (j % 128) / 32, lane l = j % 32:
//   q = (nibble t / 2 of ql[64h + 32(t % 2) + l]) | ((qh[32h + l] >> 2t) & 3) << 4
//   value = d * scales[8h + l / 16 + 2t] * (q - 32)
// (candle's BlockQ6K::to_float). Needs `w_byte`, `w_half`, `w_u32`,
// `nibbles4`, `bytes4`.

const BLOCK_VALUES: u32 = 256u;
const BLOCK_BYTES: u32 = 210u;

fn block_value(start: u32, j: u32) -> f32 {
    let h = j >> 7u;
    let t = (j & 127u) >> 5u;
    let l = j & 31u;
    let lo = (w_byte(start + 64u * h + 32u * (t & 1u) + l) >> ((t >> 1u) * 4u)) & 15u;
    let hi = (w_byte(start + 128u + 32u * h + l) >> (2u * t)) & 3u;
    let q = i32(lo | (hi << 4u)) - 32;
    let sc = extractBits(i32(w_byte(start + 192u + 8u * h + (l >> 4u) + 2u * t)), 0u, 8u);
    return w_half(start + 208u) * f32(sc) * f32(q);
}

// Blocks start at 0 or 2 mod 4 (210 bytes): the quant words through w_u32.
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let h = j >> 7u;
    let t = (j & 127u) >> 5u;
    let l = j & 31u;
    let lo = nibbles4(w_u32(start + 64u * h + 32u * (t & 1u) + l), (t >> 1u) * 4u);
    let hi = (bytes4(w_u32(start + 128u + 32u * h + l)) >> vec4<u32>(2u * t)) & vec4<u32>(3u);
    let q = vec4<i32>(lo | (hi << vec4<u32>(4u))) - vec4<i32>(32);
    let sc = extractBits(i32(w_byte(start + 192u + 8u * h + (l >> 4u) + 2u * t)), 0u, 8u);
    return (w_half(start + 208u) * f32(sc)) * vec4<f32>(q);
}
