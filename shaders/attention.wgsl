// Scaled dot-product attention with grouped K/V heads and per-row key
// spans, one workgroup per (query row, head). q [n, H*D], k/v [t, KV*D],
// spans: (shared, own_start, own_end) per row; key j is visible when
// j < shared or own_start <= j < own_end. `scores` is scratch [n*H, t].
// Straightforward (not flash) attention: three passes over the keys.
// Needs reduce_sum and reduce_max.

struct Params {
    n: u32,
    t: u32,
    n_heads: u32,
    n_kv_heads: u32,
    head_dim: u32,
    scale: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> spans: array<u32>;
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;

fn visible(row: u32, j: u32) -> bool {
    return j < spans[row * 3u] || (j >= spans[row * 3u + 1u] && j < spans[row * 3u + 2u]);
}

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
    let keys = select(0u, p.t, in_range);
    let q_off = (row * p.n_heads + head) * d;
    let s_off = g * p.t;

    var local_max = -3.0e38;
    for (var j = lid; j < keys; j = j + WG) {
        if (visible(row, j)) {
            var dot = 0.0;
            for (var e = 0u; e < d; e = e + 1u) {
                dot = dot + q[q_off + e] * k[j * kv_cols + kv_head * d + e];
            }
            let s = dot * p.scale;
            scores[s_off + j] = s;
            local_max = max(local_max, s);
        }
    }
    let m = reduce_max(local_max, lid);

    // Each invocation rereads only the scores it wrote itself.
    var local_sum = 0.0;
    for (var j = lid; j < keys; j = j + WG) {
        var e = 0.0;
        if (visible(row, j)) {
            e = exp(scores[s_off + j] - m);
        }
        scores[s_off + j] = e;
        local_sum = local_sum + e;
    }
    let total = reduce_sum(local_sum, lid);
    storageBarrier();

    let dims = select(0u, d, in_range);
    for (var e = lid; e < dims; e = e + WG) {
        var acc = 0.0;
        for (var j = 0u; j < p.t; j = j + 1u) {
            acc = acc + scores[s_off + j] * v[j * kv_cols + kv_head * d + e];
        }
        out[q_off + e] = acc / total;
    }
}
