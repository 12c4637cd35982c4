// What the two matrix-vector kernels (matvec.wgsl, matvec_lanes.wgsl) share:
// bindings, the team layout, the folded RMS norm and the team's sum and
// store. A team of TEAM consecutive invocations computes one output column
// (one weight row) for all n <= MAX_ROWS rows of x; each lane leaves its
// partial sums in `part` (row r at part[r * WG + lid]) and `team_store`
// adds them up in shared memory (no assumption on subgroup size) and
// writes y through the epilogue. Needs common/matmul_epilogue.wgsl and the
// generated `NORM`.
//
// With NORM (one row of x; Op::MatVecNorm) x is RMS-normalized on the way
// in, as rms_norm.wgsl would: every team reads each value of x once, so
// each lane adds up the squares of the values it reads (`normed`) and
// multiplies them by the norm's weights, and `team_store` scales the sum by
// 1 / sqrt(mean square + eps). That saves the norm's dispatch and the
// normalized copy of x.

struct Params {
    n: u32,
    k: u32,
    m: u32,
    epilogue: u32,
    eps: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read> norm: array<vec4<f32>>;
@group(0) @binding(6) var<uniform> p: Params;

// Norm weights i..i+3 (as x_at in common/matmul_io.wgsl reads x).
fn norm_at(i: u32) -> vec4<f32> {
    if ((p.k & 3u) == 0u) {
        return norm[i >> 2u];
    }
    let j = vec4<u32>(i) + vec4<u32>(0u, 1u, 2u, 3u);
    return vec4<f32>(norm[j.x >> 2u][j.x & 3u], norm[j.y >> 2u][j.y & 3u], norm[j.z >> 2u][j.z & 3u], norm[j.w >> 2u][j.w & 3u]);
}

// Values i..i+3 of the one row of x as read (`v`, zero past k): with NORM
// their squares go into `ss` and they come back times the norm's weights.
fn normed(v: vec4<f32>, i: u32, ss: ptr<function, f32>) -> vec4<f32> {
    if (NORM) {
        *ss = *ss + dot(v, v);
        return v * norm_at(i);
    }
    return v;
}

// Lanes per output column and columns per workgroup.
const TEAM: u32 = min(WG, 32u);
const COLS: u32 = WG / TEAM;
// Rows of x per dispatch: 8, fewer for WG > 512 so that `part` stays
// within 16 KiB (mirrored by KernelSpec::matvec_max_rows).
const MAX_ROWS: u32 = min(8u, 4096u / WG);

var<workgroup> part: array<f32, MAX_ROWS * WG>;

// Lane `lid` (lane t of its team, column `col`) parks the sums of rows
// 0..3 (`lo`) and 4..7 (`hi`): sums for several rows live in vec4
// components, not a private array (one indexed in a loop may live in slow
// memory; see matmul_tiled.wgsl).
fn park_rows(lid: u32, rows: u32, lo: vec4<f32>, hi: vec4<f32>) {
    for (var r = 0u; r < rows; r = r + 1u) {
        part[r * WG + lid] = select(lo, hi, r >= 4u)[r & 3u];
    }
}

// Adds each row's partial sums over the team and stores them (lane 0).
// With NORM (rows is 1) row 1 of `part` holds the lanes' sums of squares.
// Every invocation must call it (it has barriers).
fn team_store(lid: u32, t: u32, col: u32, rows: u32) {
    let sums = rows + u32(NORM);
    workgroupBarrier();
    for (var s = TEAM / 2u; s > 0u; s = s / 2u) {
        if (t < s) {
            for (var r = 0u; r < sums; r = r + 1u) {
                part[r * WG + lid] = part[r * WG + lid] + part[r * WG + lid + s];
            }
        }
        workgroupBarrier();
    }
    if (t == 0u && col < p.m) {
        var scale = 1.0;
        if (NORM) {
            scale = 1.0 / sqrt(part[WG + lid] / f32(p.k) + p.eps);
        }
        for (var r = 0u; r < rows; r = r + 1u) {
            y[r * p.m + col] = epilogue(r, col, part[r * WG + lid] * scale);
        }
    }
}

// Adds `s` to component r of the row sums (rows 0..3 in lo, 4..7 in hi).
fn add_row(r: u32, s: f32, lo: ptr<function, vec4<f32>>, hi: ptr<function, vec4<f32>>) {
    let v = vec4<f32>(s);
    *lo = *lo + select(vec4<f32>(0.0), v, vec4<u32>(r) == vec4<u32>(0u, 1u, 2u, 3u));
    *hi = *hi + select(vec4<f32>(0.0), v, vec4<u32>(r) == vec4<u32>(4u, 5u, 6u, 7u));
}
