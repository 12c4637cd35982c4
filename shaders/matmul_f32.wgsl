// y = x · wᵀ with f32 weights: x [n, k], w [m, k], y [n, m].
// One workgroup per output value, the k axis split across the workgroup.

struct Params {
    n: u32,
    k: u32,
    m: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = group_index(wid, nwg);
    let in_range = g < p.n * p.m;
    let row = g / p.m;
    let col = g % p.m;
    let len = select(0u, p.k, in_range);
    var acc = 0.0;
    for (var j = lid; j < len; j = j + WG) {
        acc = acc + x[row * p.k + j] * w[col * p.k + j];
    }
    let total = reduce_sum(acc, lid);
    if (in_range && lid == 0u) {
        y[row * p.m + col] = total;
    }
}
