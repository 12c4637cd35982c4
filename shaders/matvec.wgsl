// y = x · wᵀ for few rows of x (decode, small scoring batches): x [n, k]
// with n <= MAX_ROWS, w [m, k] in any stored type (raw GGUF bytes in u32
// words, read through the decoder's block_quad), y [n, m]. Used for F32 and
// F16; the quantized types run matvec_lanes.wgsl. Bindings, team
// layout and the final sum: common/matvec_team.wgsl.
//
// The team's lanes stride over the weight row in quads so that consecutive
// lanes read consecutive words, and each weight word is read once per
// workgroup for all n rows. One row of x (decoding) has its own loop:
// pairs of adjacent quads, two pairs in flight. Needs a decoder and
// common/matmul_io.wgsl.

// Values v..v+3 of the one row of x (zero from k on), normalized with NORM.
fn x_row(v: u32, ss: ptr<function, f32>) -> vec4<f32> {
    return normed(tail(x_at(v), v), v, ss);
}

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let col = group_index(wid, nwg) * COLS + lid / TEAM;
    let t = lid % TEAM;
    let quads = select(0u, (p.k + 3u) / 4u, col < p.m);
    let row = col * (p.k / BLOCK_VALUES) * BLOCK_BYTES;
    let rows = min(p.n, MAX_ROWS);
    if (rows == 1u) {
        // Decoding: one row of x. Each lane takes pairs of adjacent quads
        // (one block, sub-block and scale: the decoder's header reads and
        // scale decoding are shared), two pairs an iteration so that their
        // weight reads are in flight together.
        // With NORM, x normalized on the way in (common/matvec_team.wgsl).
        var acc = 0.0;
        var ss = 0.0;
        let d = 8u * TEAM;
        var v = 8u * t;
        for (; v + d + 4u < 4u * quads; v = v + 2u * d) {
            let w0 = tail(w_at(row, v), v);
            let w1 = tail(w_at(row, v + 4u), v + 4u);
            let w2 = tail(w_at(row, v + d), v + d);
            let w3 = tail(w_at(row, v + d + 4u), v + d + 4u);
            let s0 = dot(w0, x_row(v, &ss)) + dot(w1, x_row(v + 4u, &ss));
            let s1 = dot(w2, x_row(v + d, &ss)) + dot(w3, x_row(v + d + 4u, &ss));
            acc = acc + (s0 + s1);
        }
        for (; v < 4u * quads; v = v + d) {
            acc = acc + dot(tail(w_at(row, v), v), x_row(v, &ss));
            if (v + 4u < 4u * quads) {
                acc = acc + dot(tail(w_at(row, v + 4u), v + 4u), x_row(v + 4u, &ss));
            }
        }
        part[lid] = acc;
        if (NORM) {
            part[WG + lid] = ss;
        }
    } else {
        var lo = vec4<f32>(0.0);
        var hi = vec4<f32>(0.0);
        for (var q = t; q < quads; q = q + TEAM) {
            let v = q * 4u;
            let wq = tail(w_at(row, v), v);
            for (var r = 0u; r < rows; r = r + 1u) {
                add_row(r, dot(wq, tail(x_at(r * p.k + v), v)), &lo, &hi);
            }
        }
        park_rows(lid, rows, lo, hi);
    }
    team_store(lid, t, col, rows);
}
