// Embedding gather with Q8_0 dequantization: out[r, c] = row ids[r] of the
// table, value c. Needs half_at and q8_0_quant.

struct Params {
    n: u32,
    cols: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<storage, read> table: array<u32>;
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
        let blocks = p.cols / Q8_0_BLOCK;
        let start = (ids[i / p.cols] * blocks + c / Q8_0_BLOCK) * Q8_0_BYTES;
        let byte = start + 2u + c % Q8_0_BLOCK;
        out[i] = half_at(table[start >> 2u], start) * q8_0_quant(table[byte >> 2u], byte);
    }
}
