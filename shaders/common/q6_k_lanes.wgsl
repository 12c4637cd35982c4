// Q6_K as matvec_lanes.wgsl's lanes (contract there; layout in q6_k.wgsl).
// Lane t reads ql word t (bytes 4t..4t+4): half h = t / 16, u = (t / 8) % 2,
// positions l = 4 (t % 8) .. + 4 of quarters u (low nibbles) and u + 2
// (high nibbles), with their two high bits from qh bytes 32h + l (bits 2u
// and 2u + 4). Blocks start at 0 or 2 mod 4 (210 bytes): words via w_u32.
// value = (d * scale) * (q - 32): the 32 is taken off the integers, so the
// lane has no offset (subtracting 32 d scale Σ x after the sum would cancel).

fn lane_at(t: u32) -> vec2<u32> {
    let at = 128u * (t >> 4u) + 32u * ((t >> 3u) & 1u) + 4u * (t & 7u);
    return vec2<u32>(at, at + 64u);
}

fn lane_values(start: u32, t: u32) -> Lane {
    let h = t >> 4u;
    let u = (t >> 3u) & 1u;
    let i = t & 7u;
    let ql = w_u32(start + 4u * t);
    let qh = bytes4(w_u32(start + 128u + 32u * h + 4u * i)) >> vec4<u32>(2u * u);
    let sc = start + 192u + 8u * h + (i >> 2u) + 2u * u;
    let d = w_half(start + 208u);
    let da = d * f32(extractBits(i32(w_byte(sc)), 0u, 8u));
    let db = d * f32(extractBits(i32(w_byte(sc + 4u)), 0u, 8u));
    var l: Lane;
    let qa = nibbles4(ql, 0u) | ((qh & vec4<u32>(3u)) << vec4<u32>(4u));
    let qb = nibbles4(ql, 4u) | (qh & vec4<u32>(48u));
    l.a = vec4<f32>(vec4<i32>(qa) - vec4<i32>(32));
    l.b = vec4<f32>(vec4<i32>(qb) - vec4<i32>(32));
    l.sm = vec4<f32>(da, 0.0, db, 0.0);
    return l;
}
