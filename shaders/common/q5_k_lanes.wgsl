// Q5_K as matvec_lanes.wgsl's lanes (contract there; layout in q5_k.wgsl).
// Lane t reads qs word t (block word 12 + t) as Q4_K's lanes do, and the
// fifth bits of its positions from qh word t % 8 (block word 4 + t % 8):
// bits 2c and 2c + 1 for sub-blocks 2c and 2c + 1, c = t / 8.

fn lane_at(t: u32) -> vec2<u32> {
    let at = 64u * (t >> 3u) + 4u * (t & 7u);
    return vec2<u32>(at, at + 32u);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let b = start >> 2u;
    let q = w[b + 12u + t];
    let s = 2u * (t >> 3u);
    let h = bytes4(w[b + 4u + (t & 7u)]) >> vec4<u32>(s);
    let w1 = w[b + 1u];
    let w2 = w[b + 2u];
    let w3 = w[b + 3u];
    let sa = k_scale_min(w1, w2, w3, s);
    let sb = k_scale_min(w1, w2, w3, s + 1u);
    let dm = unpack2x16float(w[b]);
    var l: Lane;
    l.a = vec4<f32>(nibbles4(q, 0u) | ((h & vec4<u32>(1u)) << vec4<u32>(4u)));
    l.b = vec4<f32>(nibbles4(q, 4u) | ((h & vec4<u32>(2u)) << vec4<u32>(3u)));
    l.sm = vec4<f32>(dm.x, dm.y, dm.x, dm.y) * vec4<f32>(vec4<u32>(sa, sb));
    return l;
}
