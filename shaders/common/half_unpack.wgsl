// The IEEE half stored at byte offset `byte` (even) of the little-endian
// word `word`, widened to f32 without the f16 extension.

fn half_at(word: u32, byte: u32) -> f32 {
    let h = unpack2x16float(word);
    return f32(select(h.x, h.y, (byte & 2u) != 0u));
}
