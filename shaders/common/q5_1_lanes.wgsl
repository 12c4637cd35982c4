// Q5_1 as matvec_lanes.wgsl's lanes (contract there; layout in q5_1.wgsl):
// four lanes a block, lane t taking quant word t (block word 2 + t; blocks
// are word-aligned): values 4t.. (low nibbles) and 16 + 4t.. (high), fifth
// bits 4t.. and 16 + 4t.. of qh (word 1); value = d q + m, offset -m.

fn lane_at(t: u32) -> vec2<u32> {
    return vec2<u32>(4u * t, 16u + 4u * t);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let b = start >> 2u;
    let q = w[b + 2u + t];
    let qh = vec4<u32>(w[b + 1u] >> (4u * t)) >> vec4<u32>(0u, 1u, 2u, 3u);
    let dm = unpack2x16float(w[b]);
    let ha = (qh & vec4<u32>(1u)) << vec4<u32>(4u);
    let hb = ((qh >> vec4<u32>(16u)) & vec4<u32>(1u)) << vec4<u32>(4u);
    var l: Lane;
    l.a = vec4<f32>(nibbles4(q, 0u) | ha);
    l.b = vec4<f32>(nibbles4(q, 4u) | hb);
    l.sm = vec4<f32>(dm.x, -dm.y, dm.x, -dm.y);
    return l;
}
