// Q2_K as matvec_lanes.wgsl's lanes (contract there; layout in q2_k.wgsl).
// A qs word holds four 2-bit values per byte (shifts 0, 2, 4, 6 are four
// groups of 32 values), so two lanes share it: lane t reads qs word
// i = t % 16 (chunk c = i / 8, positions l = 4 (i % 8) .. + 4) and takes
// shifts 2s and 2s + 2 with s = 2 (t / 16): values 128c + 32s + l and
// 128c + 32 (s + 1) + l, scale bytes j / 16 of those.

fn lane_at(t: u32) -> vec2<u32> {
    let at = 128u * ((t >> 3u) & 1u) + 64u * (t >> 4u) + 4u * (t & 7u);
    return vec2<u32>(at, at + 32u);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let b = start >> 2u;
    let s = 2u * (t >> 4u);
    let qs = bytes4(w[b + 4u + (t & 15u)]);
    let at = lane_at(t);
    let sa = w_byte(start + (at.x >> 4u));
    let sb = w_byte(start + (at.y >> 4u));
    let dm = unpack2x16float(w[b + 20u]);
    var l: Lane;
    l.a = vec4<f32>((qs >> vec4<u32>(2u * s)) & vec4<u32>(3u));
    l.b = vec4<f32>((qs >> vec4<u32>(2u * s + 2u)) & vec4<u32>(3u));
    l.sm = vec4<f32>(dm.x, dm.y, dm.x, dm.y) * vec4<f32>(vec4<u32>(sa & 15u, sa >> 4u, sb & 15u, sb >> 4u));
    return l;
}
