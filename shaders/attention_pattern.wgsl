// Attention probabilities softmax(q kᵀ * scale) per (query row, head),
// written out: the `hook_pattern` capture. One workgroup per (row, head);
// out is [n, H * width], row after row, head after head; keys the row's
// span hides and keys t..width (not in k) get 0. q [n, H*D], k [t, KV*D],
// spans as in attention.wgsl.
// Three passes over the row's keys, each invocation reading back only what
// it wrote: scores and their max, exponentials and their sum, division.
// Needs reduce_sum, reduce_max and key_spans.wgsl (visible).

struct Params {
    n: u32,
    t: u32,
    n_heads: u32,
    n_kv_heads: u32,
    head_dim: u32,
    scale: f32,
    width: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> spans: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = group_index(wid, nwg);
    let in_range = g < p.n * p.n_heads;
    let row = g / p.n_heads;
    let head = g % p.n_heads;
    let kv_head = head / (p.n_heads / p.n_kv_heads);
    let d = p.head_dim;
    let kv_cols = p.n_kv_heads * d;
    let keys = select(0u, p.width, in_range);
    let q_off = (row * p.n_heads + head) * d;
    let out_off = (row * p.n_heads + head) * p.width;

    var m = -3.0e38;
    for (var j = lid; j < keys; j = j + WG) {
        var s = -3.0e38;
        if (j < p.t && visible(row, j)) {
            var dot = 0.0;
            let k_off = j * kv_cols + kv_head * d;
            for (var e = 0u; e < d; e = e + 1u) {
                dot = dot + q[q_off + e] * k[k_off + e];
            }
            s = dot * p.scale;
            m = max(m, s);
        }
        out[out_off + j] = s;
    }
    m = reduce_max(m, lid);
    var sum = 0.0;
    for (var j = lid; j < keys; j = j + WG) {
        let e = select(0.0, exp(out[out_off + j] - m), j < p.t && visible(row, j));
        out[out_off + j] = e;
        sum = sum + e;
    }
    sum = reduce_sum(sum, lid);
    for (var j = lid; j < keys; j = j + WG) {
        out[out_off + j] = out[out_off + j] / sum;
    }
}
