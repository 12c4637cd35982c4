// Rotary position embedding, one invocation per output value, for one
// tensor or two at once (queries and keys: one dispatch instead of two;
// invocations from `n` on rotate the second tensor, `x2` into `out2`, whose
// rows have `cols2` values). Pairs are (d, d + rot/2) for NeoX or (2i, 2i + 1)
// otherwise; dimensions of a head from rot_dim on are copied. `pos` holds
// position * position_scale per row.

struct Params {
    n: u32,
    cols: u32,
    head_dim: u32,
    rot_dim: u32,
    neox: u32,
    n2: u32,
    cols2: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> x2: array<f32>;
@group(0) @binding(2) var<storage, read> pos: array<f32>;
@group(0) @binding(3) var<storage, read> inv_freq: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> out2: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

fn load(second: bool, i: u32) -> f32 {
    if (second) {
        return x2[i];
    }
    return x[i];
}

fn store(second: bool, i: u32, v: f32) {
    if (second) {
        out2[i] = v;
    } else {
        out[i] = v;
    }
}

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let flat = flat_index(wid, nwg, lid);
    let second = flat >= p.n;
    let i = select(flat, flat - p.n, second);
    let cols = select(p.cols, p.cols2, second);
    if (i >= select(p.n, p.n2, second)) {
        return;
    }
    let row = i / cols;
    let d = (i % cols) % p.head_dim;
    if (d >= p.rot_dim) {
        store(second, i, load(second, i));
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
    let cs = cos_sin(pos[row] * inv_freq[pair]);
    let c = cs.x;
    let s = cs.y;
    if (first) {
        store(second, i, load(second, i) * c - load(second, partner) * s);
    } else {
        store(second, i, load(second, partner) * s + load(second, i) * c);
    }
}

// cos and sin to about 1 ulp for |x| < 2^16 * pi/2: WGSL's built-ins may be
// off by 2^-11 (SwiftShader is). Cody-Waite reduction by pi/2 in three parts
// (q * 1.5703125 is exact), then Cephes' polynomials on [-pi/4, pi/4].
fn cos_sin(x: f32) -> vec2<f32> {
    let q = round(x * 0.636619772367581343);
    let r = ((x - q * 1.5703125) - q * 4.837512969970703125e-4) - q * 7.54978995489188216e-8;
    let z = r * r;
    let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
    let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
    switch (i32(q) & 3) {
        case 0: { return vec2<f32>(c, s); }
        case 1: { return vec2<f32>(-s, c); }
        case 2: { return vec2<f32>(-c, -s); }
        default: { return vec2<f32>(s, -c); }
    }
}
