// Split-KV ("flash decoding") attention, first pass: for few query rows the
// keys are cut into chunks of WG and one workgroup handles one (row, head,
// chunk), so a decode step keeps the GPU busy instead of running one long
// loop per head. It writes the chunk's softmax statistics and weighted
// values, part[(row, head, chunk)] = (m, l, acc[0..D]) with
//   m = max score, l = sum exp(score - m), acc = sum exp(score - m) * v,
// over the chunk's visible keys (m = -3e38, l = 0 when none is visible);
// attention_combine.wgsl merges the chunks. Spans as in attention.wgsl.
// Needs reduce_sum, reduce_max and key_spans.wgsl (visible).

struct Params {
    n: u32,
    t: u32,
    n_heads: u32,
    n_kv_heads: u32,
    head_dim: u32,
    scale: f32,
    chunks: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> spans: array<u32>;
@group(0) @binding(4) var<storage, read_write> part: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

var<workgroup> probs: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = group_index(wid, nwg);
    let in_range = g < p.n * p.n_heads * p.chunks;
    let chunk = g % p.chunks;
    let rh = g / p.chunks;
    let row = rh / p.n_heads;
    let head = rh % p.n_heads;
    let kv_head = head / (p.n_heads / p.n_kv_heads);
    let d = p.head_dim;
    let kv_cols = p.n_kv_heads * d;
    let q_off = (row * p.n_heads + head) * d;
    let first = chunk * WG;
    let j = first + lid;
    let live = in_range && j < p.t && visible(row, j);

    var s = -3.0e38;
    if (live) {
        var dot = 0.0;
        let k_off = j * kv_cols + kv_head * d;
        for (var e = 0u; e < d; e = e + 1u) {
            dot = dot + q[q_off + e] * k[k_off + e];
        }
        s = dot * p.scale;
    }
    let m = reduce_max(s, lid);
    let e_s = select(0.0, exp(s - m), live);
    probs[lid] = e_s;
    let l = reduce_sum(e_s, lid);

    let keys = select(0u, min(WG, p.t - min(first, p.t)), in_range);
    let base = g * (d + 2u);
    for (var e = lid; in_range && e < d; e = e + WG) {
        var acc = 0.0;
        for (var i = 0u; i < keys; i = i + 1u) {
            acc = acc + probs[i] * v[(first + i) * kv_cols + kv_head * d + e];
        }
        part[base + 2u + e] = acc;
    }
    if (in_range && lid == 0u) {
        part[base] = m;
        part[base + 1u] = l;
    }
}
