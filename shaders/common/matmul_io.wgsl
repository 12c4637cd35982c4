// Quad reads shared by the matrix kernels (matvec.wgsl, matmul_tiled.wgsl):
// x [n, k] as vec4s, the weight `w` through the decoder's block_quad. Where
// k % 4 != 0 (F32 and F16 only: other blocks hold a multiple of 4 values) a
// row ends in a partial quad: the reads run on past the row's end (into the
// next row, or out of bounds, which WGSL makes safe) and `tail` zeroes the
// values from k on. The branch on k is uniform, so the main loops stay free
// of divergent code (which costs, e.g. 2.5x on lavapipe, even never taken).
// Needs a decoder and the op's `x`, `w`, `p`.

// x values i..i+3 (i % 4 == 0 when k % 4 == 0: one vec4 read).
fn x_at(i: u32) -> vec4<f32> {
    if ((p.k & 3u) == 0u) {
        return x[i >> 2u];
    }
    let j = vec4<u32>(i) + vec4<u32>(0u, 1u, 2u, 3u);
    return vec4<f32>(x[j.x >> 2u][j.x & 3u], x[j.y >> 2u][j.y & 3u], x[j.z >> 2u][j.z & 3u], x[j.w >> 2u][j.w & 3u]);
}

// Values v..v+3 (v % 4 == 0) of the weight row at byte `row`.
fn w_at(row: u32, v: u32) -> vec4<f32> {
    return block_quad(row + (v / BLOCK_VALUES) * BLOCK_BYTES, v % BLOCK_VALUES);
}

// `q`, values v..v+3 of a row, with those from k on set to 0.
fn tail(q: vec4<f32>, v: u32) -> vec4<f32> {
    if ((p.k & 3u) == 0u) {
        return q;
    }
    return select(vec4<f32>(0.0), q, vec4<u32>(v) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(p.k));
}
