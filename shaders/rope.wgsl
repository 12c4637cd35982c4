// Rotary position embedding, one invocation per output value. Pairs are
// (d, d + rot/2) for NeoX or (2i, 2i + 1) otherwise; dimensions of a head
// from rot_dim on are copied. `pos` holds position * position_scale per row.

struct Params {
    n: u32,
    cols: u32,
    head_dim: u32,
    rot_dim: u32,
    neox: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> pos: array<f32>;
@group(0) @binding(2) var<storage, read> inv_freq: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = flat_index(wid, nwg, lid);
    if (i >= p.n) {
        return;
    }
    let row = i / p.cols;
    let d = (i % p.cols) % p.head_dim;
    if (d >= p.rot_dim) {
        out[i] = x[i];
        return;
    }
    let half = p.rot_dim / 2u;
    var pair: u32;
    var first: bool;
    var partner: u32;
    if (p.neox != 0u) {
        pair = d % half;
        first = d < half;
        partner = select(i - half, i + half, first);
    } else {
        pair = d / 2u;
        first = (d & 1u) == 0u;
        partner = select(i - 1u, i + 1u, first);
    }
    let angle = pos[row] * inv_freq[pair];
    let c = cos(angle);
    let s = sin(angle);
    if (first) {
        out[i] = x[i] * c - x[partner] * s;
    } else {
        out[i] = x[partner] * s + x[i] * c;
    }
}
