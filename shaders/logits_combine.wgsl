// Second pass of the logits reduction: see logits_partial.wgsl.
// Needs reduce_sum and reduce_max.

struct Params {
    rows: u32,
    cols: u32,
    chunks: u32,
    n_picks: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> picks: array<u32>;
@group(0) @binding(2) var<storage, read> part: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = group_index(wid, nwg);
    let in_range = g < p.n_picks;
    let pick = select(0u, g, in_range);
    let row = picks[2u * pick];
    let chunks = select(0u, p.chunks, in_range);
    let base = row * p.chunks;
    var local_max = -3.0e38;
    for (var c = lid; c < chunks; c = c + WG) {
        local_max = max(local_max, part[3u * (base + c)]);
    }
    let m = reduce_max(local_max, lid);
    var local_sum = 0.0;
    var first = -3.0e38;
    for (var c = lid; c < chunks; c = c + WG) {
        let mc = part[3u * (base + c)];
        local_sum = local_sum + part[3u * (base + c) + 1u] * exp(mc - m);
        if (mc == m) {
            first = max(first, -f32(c));
        }
    }
    let total = reduce_sum(local_sum, lid);
    let c = reduce_max(first, lid);
    if (in_range && lid == 0u) {
        let token = picks[2u * pick + 1u];
        out[2u * pick] = bitcast<u32>(x[row * p.cols + token] - m - log(total));
        out[2u * pick + 1u] = u32(part[3u * (base + u32(-c)) + 2u]);
    }
}
