// Reads from the module's `w: array<u32>` binding, which holds a tensor's
// raw GGUF bytes packed little-endian (tail padded with zeros; rows are not
// padded, so a block may start at any multiple of 2 bytes). Needs `half_at`.
//
// Decoder contract: every common/<type>.wgsl defines BLOCK_VALUES and
// BLOCK_BYTES (the file's block), `block_value(start, j) -> f32` (value j of
// the block at byte `start`; embedding uses it) and `block_quad(start, j) ->
// vec4<f32>`: values j..j+3 (j % 4 == 0) of that block, for types of fewer
// than 4 values a block (F32, F16) values 0..3 of the blocks from `start` on.
// The matrix kernels call only block_quad, once per quad per workgroup, so it
// reads whole words: `w[i]` where the field is word-aligned in every block,
// `w_u32` where blocks start at 2 mod 4 (BLOCK_BYTES % 4 == 2), never a
// byte read per value; scales and mins are decoded once per quad. It must
// give the same values as block_value (tests/parity.rs checks both paths).

fn w_byte(byte: u32) -> u32 {
    return extractBits(w[byte >> 2u], (byte & 3u) * 8u, 8u);
}

fn w_half(byte: u32) -> f32 {
    return half_at(w[byte >> 2u], byte);
}

// The little-endian u32 at any byte offset (two word reads and shifts; the
// select avoids a shift by 32, which WGSL takes modulo 32).
fn w_u32(byte: u32) -> u32 {
    let i = byte >> 2u;
    let s = (byte & 3u) * 8u;
    return (w[i] >> s) | select(w[i + 1u] << (32u - s), 0u, s == 0u);
}

// The four bytes of `v`, low byte first.
fn bytes4(v: u32) -> vec4<u32> {
    return (vec4<u32>(v) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(255u);
}

// The four bytes of `v` as signed (i8) values, low byte first.
fn sbytes4(v: u32) -> vec4<f32> {
    return vec4<f32>((vec4<i32>(bitcast<i32>(v)) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}

// The low (shift 0) or high (shift 4) nibbles of the four bytes of `v`.
fn nibbles4(v: u32, shift: u32) -> vec4<u32> {
    return bytes4((v >> shift) & 0x0F0F0F0Fu);
}
