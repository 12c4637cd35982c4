// Q3_K (ggml/GGUF layout): 110-byte blocks of 256 values: hmask[32] (third
// bits), qs[64] (four 2-bit values per byte), scales[12] (sixteen 6-bit
// scales: low nibbles in bytes 0..8, high bit pairs in bytes 8..12, as
// ggml's kmask1/kmask2 unpacking), f16 d. Value j, with chunk c = j / 128
// and shift t = (j % 128) / 32:
//   q = ((qs[32c + j % 32] >> 2t) & 3) - (bit j / 32 of hmask[j % 32] ? 0 : 4)
//   sc = (nibble i / 8 of scales[i % 8]) | ((scales[8 + i % 4] >> 2(i / 4)) & 3) << 4,
//        i = j / 16
//   value = (d * (sc - 32)) * q
// (candle's BlockQ3K::to_float). 110 bytes is 2 mod 4: blocks start at 0 or
// 2 mod 4, so `block_quad` reads its quant words through `w_u32`.
// Needs `w_byte`, `w_half`, `w_u32`, `bytes4`.

const BLOCK_VALUES: u32 = 256u;
const BLOCK_BYTES: u32 = 110u;

// Scale `i` (0..16), less its bias of 32, from the 12 packed bytes at `sc`.
fn q3_k_scale(sc: u32, i: u32) -> f32 {
    let lo = (w_byte(sc + (i & 7u)) >> ((i >> 3u) * 4u)) & 15u;
    let hi = (w_byte(sc + 8u + (i & 3u)) >> ((i >> 2u) * 2u)) & 3u;
    return f32(i32(lo | (hi << 4u)) - 32);
}

fn block_value(start: u32, j: u32) -> f32 {
    let q = (w_byte(start + 32u + 32u * (j >> 7u) + (j & 31u)) >> (2u * ((j >> 5u) & 3u))) & 3u;
    let h = (w_byte(start + (j & 31u)) >> (j >> 5u)) & 1u;
    let dl = w_half(start + 108u) * q3_k_scale(start + 96u, j >> 4u);
    return dl * f32(i32(q) - select(4, 0, h != 0u));
}

// Values j..j+3 (j % 4 == 0): one qs and one hmask u32, one scale, d.
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let qs = bytes4(w_u32(start + 32u + 32u * (j >> 7u) + (j & 31u)));
    let hm = bytes4(w_u32(start + (j & 31u)));
    let q = (qs >> vec4<u32>(2u * ((j >> 5u) & 3u))) & vec4<u32>(3u);
    let h = (hm >> vec4<u32>(j >> 5u)) & vec4<u32>(1u);
    let dl = w_half(start + 108u) * q3_k_scale(start + 96u, j >> 4u);
    let v = vec4<i32>(q) - select(vec4<i32>(4), vec4<i32>(0), h != vec4<u32>(0u));
    return dl * vec4<f32>(v);
}
