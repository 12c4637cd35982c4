// Q3_K as matvec_lanes.wgsl's lanes (contract there; layout in q3_k.wgsl).
// The qs words are shared by two lanes as in Q2_K's lanes: lane t reads qs
// word i = t % 16 (chunk c = i / 8, positions l = 4 (i % 8) .. + 4) and
// takes shifts 2s and 2s + 2 with s = 2 (t / 16), the third bits from
// hmask bytes l.. (bits 4c + s and 4c + s + 1). Blocks start at 0 or 2 mod
// 4 (110 bytes): words via w_u32. The 4 is taken off the integers (no
// offset to cancel).

fn lane_at(t: u32) -> vec2<u32> {
    let at = 128u * ((t >> 3u) & 1u) + 64u * (t >> 4u) + 4u * (t & 7u);
    return vec2<u32>(at, at + 32u);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let s = 2u * (t >> 4u);
    let c = (t >> 3u) & 1u;
    let qs = bytes4(w_u32(start + 32u + 4u * (t & 15u)));
    let hm = bytes4(w_u32(start + 4u * (t & 7u))) >> vec4<u32>(4u * c + s);
    let at = lane_at(t);
    let d = w_half(start + 108u);
    let qa = vec4<i32>((qs >> vec4<u32>(2u * s)) & vec4<u32>(3u));
    let qb = vec4<i32>((qs >> vec4<u32>(2u * s + 2u)) & vec4<u32>(3u));
    var l: Lane;
    l.a = vec4<f32>(qa - select(vec4<i32>(4), vec4<i32>(0), (hm & vec4<u32>(1u)) != vec4<u32>(0u)));
    l.b = vec4<f32>(qb - select(vec4<i32>(4), vec4<i32>(0), (hm & vec4<u32>(2u)) != vec4<u32>(0u)));
    l.sm = vec4<f32>(d * q3_k_scale(start + 96u, at.x >> 4u), 0.0, d * q3_k_scale(start + 96u, at.y >> 4u), 0.0);
    return l;
}
