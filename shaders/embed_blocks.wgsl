// Embedding gather with dequantization of block-quantized (or F16) rows:
// out[r, c] = row ids[r] of the table `w`, value c. Needs a decoder from
// common/ (BLOCK_VALUES, BLOCK_BYTES, block_value).

struct Params {
    n: u32,
    cols: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read> w: array<u32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = flat_index(wid, nwg, lid);
    if (i < p.n) {
        let c = i % p.cols;
        let blocks = p.cols / BLOCK_VALUES;
        let start = (ids[i / p.cols] * blocks + c / BLOCK_VALUES) * BLOCK_BYTES;
        out[i] = block_value(start, c % BLOCK_VALUES);
    }
}
