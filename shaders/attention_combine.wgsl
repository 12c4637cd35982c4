// Split-KV attention, second pass: one workgroup per (row, head) merges the
// chunks written by attention_partial.wgsl,
//   out[e] = sum_c acc_c[e] exp(m_c - M) / sum_c l_c exp(m_c - M),  M = max_c m_c.

struct Params {
    n: u32,
    n_heads: u32,
    head_dim: u32,
    chunks: u32,
}

@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = group_index(wid, nwg);
    if (g >= p.n * p.n_heads) {
        return;
    }
    let d = p.head_dim;
    let stride = d + 2u;
    let base = g * p.chunks * stride;
    var big_m = -3.0e38;
    for (var c = 0u; c < p.chunks; c = c + 1u) {
        big_m = max(big_m, part[base + c * stride]);
    }
    var total = 0.0;
    for (var c = 0u; c < p.chunks; c = c + 1u) {
        total = total + part[base + c * stride + 1u] * exp(part[base + c * stride] - big_m);
    }
    for (var e = lid; e < d; e = e + WG) {
        var acc = 0.0;
        for (var c = 0u; c < p.chunks; c = c + 1u) {
            acc = acc + part[base + c * stride + 2u + e] * exp(part[base + c * stride] - big_m);
        }
        out[g * d + e] = acc / total;
    }
}
