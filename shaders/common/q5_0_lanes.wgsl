// Q5_0 as matvec_lanes.wgsl's lanes (contract there; layout in q5_0.wgsl):
// four lanes a block, lane t taking quant word t (bytes 6 + 4t; blocks
// start at 0 or 2 mod 4, so via w_u32): values 4t.. (low nibbles) and
// 16 + 4t.. (high), fifth bits 4t.. and 16 + 4t.. of qh. The 16 is taken
// off the integers (no offset to cancel).

fn lane_at(t: u32) -> vec2<u32> {
    return vec2<u32>(4u * t, 16u + 4u * t);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let q = w_u32(start + 6u + 4u * t);
    let qh = vec4<u32>(w_u32(start + 2u) >> (4u * t)) >> vec4<u32>(0u, 1u, 2u, 3u);
    let d = w_half(start);
    let ha = (qh & vec4<u32>(1u)) << vec4<u32>(4u);
    let hb = ((qh >> vec4<u32>(16u)) & vec4<u32>(1u)) << vec4<u32>(4u);
    var l: Lane;
    l.a = vec4<f32>(vec4<i32>(nibbles4(q, 0u) | ha) - vec4<i32>(16));
    l.b = vec4<f32>(vec4<i32>(nibbles4(q, 4u) | hb) - vec4<i32>(16));
    l.sm = vec4<f32>(d, 0.0, d, 0.0);
    return l;
}
