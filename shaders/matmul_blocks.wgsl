// y = x · wᵀ for block-quantized (or F16) weights: x [n, k], w [m, k] as raw
// GGUF bytes in u32 words, y [n, m]. One workgroup per output value, the
// blocks of the row split across the workgroup. Rows are addressed by byte
// offset, so they may start at any even byte. Needs a decoder from
// common/ (BLOCK_VALUES, BLOCK_BYTES, block_value) and reduce_sum.

struct Params {
    n: u32,
    k: u32,
    m: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
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
    let blocks = p.k / BLOCK_VALUES;
    let len = select(0u, blocks, in_range);
    var acc = 0.0;
    for (var b = lid; b < len; b = b + WG) {
        let start = (col * blocks + b) * BLOCK_BYTES;
        let xb = row * p.k + b * BLOCK_VALUES;
        for (var j = 0u; j < BLOCK_VALUES; j = j + 1u) {
            acc = acc + block_value(start, j) * x[xb + j];
        }
    }
    let total = reduce_sum(acc, lid);
    if (in_range && lid == 0u) {
        y[row * p.m + col] = total;
    }
}
