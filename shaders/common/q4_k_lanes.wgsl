// Q4_K as matvec_lanes.wgsl's lanes (contract there; layout in q4_k.wgsl):
// lane t reads qs word t (block word 4 + t), its values and scales as
// k_lane_at / k_lane_scales (common/k_scales.wgsl) give them.

fn lane_at(t: u32) -> vec2<u32> {
    return k_lane_at(t);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let b = start >> 2u;
    let q = w[b + 4u + t];
    var l: Lane;
    l.a = vec4<f32>(nibbles4(q, 0u));
    l.b = vec4<f32>(nibbles4(q, 4u));
    l.sm = k_lane_scales(b, t);
    return l;
}
