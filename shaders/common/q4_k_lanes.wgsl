// Q4_K as matvec_lanes.wgsl's lanes (contract there; layout in q4_k.wgsl).
// Lane t reads qs word t (block word 4 + t): chunk c = t / 8, position
// 4 (t % 8) of sub-blocks 2c (low nibbles) and 2c + 1 (high nibbles).

fn lane_at(t: u32) -> vec2<u32> {
    let at = 64u * (t >> 3u) + 4u * (t & 7u);
    return vec2<u32>(at, at + 32u);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let b = start >> 2u;
    let q = w[b + 4u + t];
    let s = 2u * (t >> 3u);
    let w1 = w[b + 1u];
    let w2 = w[b + 2u];
    let w3 = w[b + 3u];
    let sa = k_scale_min(w1, w2, w3, s);
    let sb = k_scale_min(w1, w2, w3, s + 1u);
    let dm = unpack2x16float(w[b]);
    var l: Lane;
    l.a = vec4<f32>(nibbles4(q, 0u));
    l.b = vec4<f32>(nibbles4(q, 4u));
    l.sm = vec4<f32>(dm.x, dm.y, dm.x, dm.y) * vec4<f32>(vec4<u32>(sa, sb));
    return l;
}
