// Q8_0 as matvec_lanes.wgsl's lanes (contract there; layout in q8_0.wgsl):
// four lanes a block, lane t taking values 8t..8t+8 (quant bytes at
// 2 + 8t; blocks start at 0 or 2 mod 4, so words via w_u32).

fn lane_at(t: u32) -> vec2<u32> {
    return vec2<u32>(8u * t, 8u * t + 4u);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let q = start + 2u + 8u * t;
    let d = w_half(start);
    var l: Lane;
    l.a = sbytes4(w_u32(q));
    l.b = sbytes4(w_u32(q + 4u));
    l.sm = vec4<f32>(d, 0.0, d, 0.0);
    return l;
}
