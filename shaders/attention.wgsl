// Scaled dot-product attention with grouped K/V heads and per-row key
// spans, one workgroup per (query row, head), for many query rows (few go
// to the split-KV kernels, attention_partial.wgsl). q [n, H*D], k/v
// [t, KV*D], spans: (shared, own_start, own_end) per row; key j is visible
// when j < shared or own_start <= j < own_end.
//
// One pass over the keys with an online softmax (Milakov & Gimelshein,
// "Online normalizer calculation for softmax", 2018; as in FlashAttention):
// keys come in tiles of 4 x WG, four scores per invocation; the running max
// m, each invocation's share of the running sum and the output
// accumulators are rescaled by exp(m_old - m_new) when a tile raises the
// max, and the shares are added up once at the end. One workgroup max per
// tile is the only reduction inside the loop. No scratch memory: a long
// prompt needs nothing proportional to rows x keys. Invocation i keeps the
// output dimensions i, i + WG, ... (at most PER_LANE of them: the host
// checks head_dim <= PER_LANE * WG).
// Needs reduce_sum, reduce_max and key_spans.wgsl (visible).

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
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

// Output dimensions per invocation (mirrored by ATTENTION_DIMS_PER_LANE).
const PER_LANE: u32 = 8u;

var<workgroup> probs: array<f32, 4 * WG>;

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
    // Keys past the row's last visible one are skipped: causal prefill
    // row i reads i + 1 keys, not all of them.
    let srow = select(0u, row, in_range);
    let keys = select(0u, min(p.t, max(spans[srow * 3u], spans[srow * 3u + 2u])), in_range);
    let q_off = (row * p.n_heads + head) * d;

    var m = -3.0e38;
    var l_share = 0.0;
    var acc: array<f32, PER_LANE>;
    for (var i = 0u; i < PER_LANE; i = i + 1u) {
        acc[i] = 0.0;
    }
    for (var first = 0u; first < keys; first = first + 4u * WG) {
        // Scores of keys first + lid + r * WG, r = 0..3.
        var s = vec4<f32>(-3.0e38);
        var live = vec4<bool>(false);
        for (var r = 0u; r < 4u; r = r + 1u) {
            let j = first + lid + r * WG;
            if (j < keys && visible(row, j)) {
                var dot = 0.0;
                let k_off = j * kv_cols + kv_head * d;
                for (var e = 0u; e < d; e = e + 1u) {
                    dot = dot + q[q_off + e] * k[k_off + e];
                }
                s[r] = dot * p.scale;
                live[r] = true;
            }
        }
        let m_new = max(m, reduce_max(max(max(s.x, s.y), max(s.z, s.w)), lid));
        let e_s = select(vec4<f32>(0.0), exp(s - vec4<f32>(m_new)), live);
        for (var r = 0u; r < 4u; r = r + 1u) {
            probs[lid + r * WG] = e_s[r];
        }
        let alpha = exp(m - m_new);
        l_share = l_share * alpha + e_s.x + e_s.y + e_s.z + e_s.w;
        m = m_new;
        workgroupBarrier();
        let tile = min(4u * WG, keys - first);
        for (var i = 0u; i < PER_LANE; i = i + 1u) {
            let e = lid + i * WG;
            if (e < d) {
                var sum = 0.0;
                for (var jj = 0u; jj < tile; jj = jj + 1u) {
                    sum = sum + probs[jj] * v[(first + jj) * kv_cols + kv_head * d + e];
                }
                acc[i] = acc[i] * alpha + sum;
            }
        }
        // Everyone has read probs[] before the next tile writes it.
        workgroupBarrier();
    }
    let l = reduce_sum(l_share, lid);
    for (var i = 0u; i < PER_LANE; i = i + 1u) {
        let e = lid + i * WG;
        if (in_range && e < d) {
            out[q_off + e] = select(0.0, acc[i] / l, l > 0.0);
        }
    }
}
