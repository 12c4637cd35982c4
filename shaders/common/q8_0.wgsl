// Q8_0 (ggml/GGUF layout): blocks of 34 bytes, an f16 scale then 32 signed
// bytes; value j of a block is scale * q[j]. The tensor's bytes are uploaded
// unchanged, packed little-endian into u32 words (tail padded with zeros),
// so a block may start at any even byte offset. Needs `half_at`.

const Q8_0_BLOCK: u32 = 32u;
const Q8_0_BYTES: u32 = 34u;

// The signed byte at byte offset `byte` of the word `word`, as f32.
fn q8_0_quant(word: u32, byte: u32) -> f32 {
    return f32(extractBits(i32(word), (byte & 3u) * 8u, 8u));
}
