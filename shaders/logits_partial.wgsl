// First pass of the logits reduction (logits_combine.wgsl is the second),
// which scores picked tokens on the device so only two numbers per pick are
// read back instead of a row of logits.
//
// `partial`: row r of x [rows, cols] is cut into chunks of CHUNK values,
// one workgroup each, and part[(r, c)] = (max, sum exp(x - max), first
// index of the max) of the chunk. `combine`: for pick i = (row, token),
//   out[2i] = bitcast<u32>(x[row, token] - M - log(sum_c l_c exp(m_c - M)))
//   out[2i + 1] = argmax of the row (the first index holding M, as the
//   host's argmax), M = max_c m_c.
// A 150k-entry vocabulary is then ~150 workgroups instead of one long loop.
// Needs reduce_sum and reduce_max.

struct Params {
    rows: u32,
    cols: u32,
    chunks: u32,
    n_picks: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> part: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

const CHUNK: u32 = WG * 16u;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = group_index(wid, nwg);
    let in_range = g < p.rows * p.chunks;
    let row = g / p.chunks;
    let first = (g % p.chunks) * CHUNK;
    let end = select(0u, min(first + CHUNK, p.cols), in_range);
    let base = row * p.cols;
    var local_max = -3.0e38;
    for (var j = first + lid; j < end; j = j + WG) {
        local_max = max(local_max, x[base + j]);
    }
    let m = reduce_max(local_max, lid);
    var local_sum = 0.0;
    var arg = -3.0e38;
    for (var j = first + lid; j < end; j = j + WG) {
        let v = x[base + j];
        local_sum = local_sum + exp(v - m);
        if (v == m) {
            arg = max(arg, -f32(j));
        }
    }
    let l = reduce_sum(local_sum, lid);
    let a = reduce_max(arg, lid);
    if (in_range && lid == 0u) {
        part[3u * g] = m;
        part[3u * g + 1u] = l;
        part[3u * g + 2u] = -a;
    }
}
