// out[r, c] = x[r, c] * factor[c] for the rows whose mask is 1, x[r, c]
// elsewhere: chosen neurons of chosen rows scaled (an intervention that
// zeroes or enhances MLP neurons). factor is 1 for the columns left alone.

struct Params {
    n: u32,
    cols: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> factor: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = flat_index(wid, nwg, lid);
    if (i < p.n) {
        out[i] = select(x[i], x[i] * factor[i % p.cols], mask[i / p.cols] != 0.0);
    }
}
