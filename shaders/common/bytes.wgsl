// Byte and half reads from the module's `w: array<u32>` binding, which holds
// a tensor's raw GGUF bytes packed little-endian (tail padded with zeros).
// Any byte offset works for `w_byte`; `w_half` needs an even one. Needs
// `half_at`.

fn w_byte(byte: u32) -> u32 {
    return extractBits(w[byte >> 2u], (byte & 3u) * 8u, 8u);
}

fn w_half(byte: u32) -> f32 {
    return half_at(w[byte >> 2u], byte);
}

// The little-endian u32 at any byte offset (e.g. Q5_0's qh at offset 2).
fn w_u32(byte: u32) -> u32 {
    return w_byte(byte) | (w_byte(byte + 1u) << 8u) | (w_byte(byte + 2u) << 16u) | (w_byte(byte + 3u) << 24u);
}
