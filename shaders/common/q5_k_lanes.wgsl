// Q5_K as matvec_lanes.wgsl's lanes (contract there; layout in q5_k.wgsl):
// lane t reads qs word t (block word 12 + t), its values and scales as
// k_lane_at / k_lane_scales (common/k_scales.wgsl) give them, and the fifth
// bits of its positions from qh word t % 8 (block word 4 + t % 8): bits 2c
// and 2c + 1 for sub-blocks 2c and 2c + 1, c = t / 8.

fn lane_at(t: u32) -> vec2<u32> {
    return k_lane_at(t);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let b = start >> 2u;
    let q = w[b + 12u + t];
    let h = bytes4(w[b + 4u + (t & 7u)]) >> vec4<u32>(2u * (t >> 3u));
    var l: Lane;
    l.a = vec4<f32>(nibbles4(q, 0u) | ((h & vec4<u32>(1u)) << vec4<u32>(4u)));
    l.b = vec4<f32>(nibbles4(q, 4u) | ((h & vec4<u32>(2u)) << vec4<u32>(3u)));
    l.sm = k_lane_scales(b, t);
    return l;
}
