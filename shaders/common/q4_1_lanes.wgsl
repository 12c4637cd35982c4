// Q4_1 as matvec_lanes.wgsl's lanes (contract there; layout in q4_1.wgsl):
// four lanes a block, lane t taking quant word t (block word 1 + t; blocks
// are word-aligned): values 4t.. (low nibbles) and 16 + 4t.. (high);
// value = d q + m, so the offset is -m.

fn lane_at(t: u32) -> vec2<u32> {
    return vec2<u32>(4u * t, 16u + 4u * t);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let b = start >> 2u;
    let q = w[b + 1u + t];
    let dm = unpack2x16float(w[b]);
    var l: Lane;
    l.a = vec4<f32>(nibbles4(q, 0u));
    l.b = vec4<f32>(nibbles4(q, 4u));
    l.sm = vec4<f32>(dm.x, -dm.y, dm.x, -dm.y);
    return l;
}
