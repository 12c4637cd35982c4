// The eight 6-bit (scale, min) pairs of a Q4_K or Q5_K block, packed in 12
// bytes as ggml's get_scale_min_k4 reads them. `w1`, `w2`, `w3` are the three
// scale words (bytes 4..16 of the block, word-aligned in both types); the
// pair of sub-block `s` (0..8) sits in byte s % 4 of each: for s < 4 scale
// and min are the low 6 bits of bytes s and s + 4; for s >= 4 their low 4
// bits are the nibbles of byte s + 4 and their top 2 bits the top bits of
// bytes s - 4 and s.

fn k_scale_min(w1: u32, w2: u32, w3: u32, s: u32) -> vec2<u32> {
    let t = (s & 3u) * 8u;
    let a = extractBits(w1, t, 8u);
    let c = extractBits(w2, t, 8u);
    let e = extractBits(w3, t, 8u);
    let lo = s < 4u;
    let sc = select((e & 15u) | ((a >> 6u) << 4u), a & 63u, lo);
    let mn = select((e >> 4u) | ((c >> 6u) << 4u), c & 63u, lo);
    return vec2<u32>(sc, mn);
}

// For matvec_lanes.wgsl's lanes of Q4_K and Q5_K (the same layout of
// values): lane t takes quant word t of the block's 32, chunk c = t / 8,
// positions 4 (t % 8) .. + 4 of sub-blocks 2c (low nibbles) and 2c + 1
// (high nibbles).
fn k_lane_at(t: u32) -> vec2<u32> {
    let at = 64u * (t >> 3u) + 4u * (t & 7u);
    return vec2<u32>(at, at + 32u);
}

// Lane t's (scale, offset) pairs for its two runs: d * scale and dmin * min
// of sub-blocks 2c and 2c + 1, from the block at word `b` (d and dmin in
// word b, the scales in words b + 1 .. b + 3).
fn k_lane_scales(b: u32, t: u32) -> vec4<f32> {
    let s = 2u * (t >> 3u);
    let w1 = w[b + 1u];
    let w2 = w[b + 2u];
    let w3 = w[b + 3u];
    let sa = k_scale_min(w1, w2, w3, s);
    let sb = k_scale_min(w1, w2, w3, s + 1u);
    let dm = unpack2x16float(w[b]);
    return vec4<f32>(dm.x, dm.y, dm.x, dm.y) * vec4<f32>(vec4<u32>(sa, sb));
}
