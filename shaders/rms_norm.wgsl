// RMS norm over consecutive groups of `group` values: one workgroup a group.
// out = x / sqrt(mean(x^2) + eps) * w. Needs reduce_sum.

struct Params {
    n_groups: u32,
    group: u32,
    eps: f32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = group_index(wid, nwg);
    // Surplus workgroups of the folded dispatch still reach the barriers.
    let len = select(0u, p.group, g < p.n_groups);
    let base = g * p.group;
    var ss = 0.0;
    for (var i = lid; i < len; i = i + WG) {
        let v = x[base + i];
        ss = ss + v * v;
    }
    let total = reduce_sum(ss, lid);
    let scale = 1.0 / sqrt(total / f32(p.group) + p.eps);
    for (var i = lid; i < len; i = i + WG) {
        out[base + i] = x[base + i] * scale * w[i];
    }
}
