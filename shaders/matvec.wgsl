// y = x · wᵀ for few rows of x (decode, small scoring batches): x [n, k]
// with n <= MAX_ROWS, w [m, k] in any stored type (raw GGUF bytes in u32
// words, read through the decoder's block_quad), y [n, m].
//
// A team of TEAM consecutive invocations computes one output column (one
// weight row) for all n rows of x; the team's lanes stride over the row in
// quads so that consecutive lanes read consecutive words, and each weight
// word is read once per workgroup for all n rows. Partial sums meet in
// shared memory (no assumption on subgroup size). One row of x (decoding)
// has its own loop: pairs of adjacent quads, two pairs in flight. Sums for
// several rows live in vec4 components, not a private array (see
// matmul_tiled.wgsl). Needs a decoder and common/matmul_io.wgsl.

struct Params {
    n: u32,
    k: u32,
    m: u32,
    epilogue: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

// Lanes per output column and columns per workgroup.
const TEAM: u32 = min(WG, 32u);
const COLS: u32 = WG / TEAM;
// Rows of x per dispatch: 8, fewer for WG > 512 so that `part` stays
// within 16 KiB (mirrored by KernelSpec::matvec_max_rows).
const MAX_ROWS: u32 = min(8u, 4096u / WG);

var<workgroup> part: array<f32, MAX_ROWS * WG>;

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
        var acc = 0.0;
        let d = 8u * TEAM;
        var v = 8u * t;
        for (; v + d + 4u < 4u * quads; v = v + 2u * d) {
            let w0 = tail(w_at(row, v), v);
            let w1 = tail(w_at(row, v + 4u), v + 4u);
            let w2 = tail(w_at(row, v + d), v + d);
            let w3 = tail(w_at(row, v + d + 4u), v + d + 4u);
            let s0 = dot(w0, tail(x_at(v), v)) + dot(w1, tail(x_at(v + 4u), v + 4u));
            let s1 = dot(w2, tail(x_at(v + d), v + d)) + dot(w3, tail(x_at(v + d + 4u), v + d + 4u));
            acc = acc + (s0 + s1);
        }
        for (; v < 4u * quads; v = v + d) {
            acc = acc + dot(tail(w_at(row, v), v), tail(x_at(v), v));
            if (v + 4u < 4u * quads) {
                acc = acc + dot(tail(w_at(row, v + 4u), v + 4u), tail(x_at(v + 4u), v + 4u));
            }
        }
        part[lid] = acc;
    } else {
        // Rows 0..3 and 4..7 in the components of two vec4s (a private
        // array indexed in a loop may live in slow memory).
        var lo = vec4<f32>(0.0);
        var hi = vec4<f32>(0.0);
        for (var q = t; q < quads; q = q + TEAM) {
            let v = q * 4u;
            let wq = tail(w_at(row, v), v);
            for (var r = 0u; r < rows; r = r + 1u) {
                let s = vec4<f32>(dot(wq, tail(x_at(r * p.k + v), v)));
                lo = lo + select(vec4<f32>(0.0), s, vec4<u32>(r) == vec4<u32>(0u, 1u, 2u, 3u));
                hi = hi + select(vec4<f32>(0.0), s, vec4<u32>(r) == vec4<u32>(4u, 5u, 6u, 7u));
            }
        }
        for (var r = 0u; r < rows; r = r + 1u) {
            part[r * WG + lid] = select(lo, hi, r >= 4u)[r & 3u];
        }
    }
    workgroupBarrier();
    for (var s = TEAM / 2u; s > 0u; s = s / 2u) {
        if (t < s) {
            for (var r = 0u; r < rows; r = r + 1u) {
                part[r * WG + lid] = part[r * WG + lid] + part[r * WG + lid + s];
            }
        }
        workgroupBarrier();
    }
    if (t == 0u && col < p.m) {
        for (var r = 0u; r < rows; r = r + 1u) {
            y[r * p.m + col] = epilogue(r, col, part[r * WG + lid]);
        }
    }
}
