// y = x · wᵀ for many rows of x (prefill): x [n, k], w [m, k] in any stored
// type (raw GGUF bytes in u32 words, read through the decoder's
// block_quad), y [n, m]; n, m arbitrary, k whole blocks. Tiles, chunks and
// their loads: common/matmul_tile.wgsl.
//
// 4 x 4 outputs per invocation (tiles of 64 x 64 at 256 invocations, 32 x
// 32 at 64, 16 x 32 at 32): each invocation runs KC outer products of a
// vec4 of x by a vec4 of w a chunk. Every weight value is dequantized once
// per tile, not once per row of x. Accumulators are named variables, not a
// private array: a private array indexed in a loop can end up in slow
// local memory (3x slower on an H100). matmul_tiled8.wgsl has 8 x 8.

const PER: u32 = 4u;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let t = tile_of(wid, nwg);
    let tx = lid % GX;
    let ty = lid / GX;
    var share = load_share(lid, t, 0u);
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < p.k; k0 = k0 + KC) {
        stage(lid, share);
        if (k0 + KC < p.k) {
            share = load_share(lid, t, k0 + KC);
        }
        for (var kk = 0u; kk < KC; kk = kk + 1u) {
            let a = xs[kk * (TR / 4u) + ty];
            let b = ws[kk * (TN / 4u) + tx];
            acc0 = acc0 + a.x * b;
            acc1 = acc1 + a.y * b;
            acc2 = acc2 + a.z * b;
            acc3 = acc3 + a.w * b;
        }
        workgroupBarrier();
    }
    store_row(t.live, t.r0 + 4u * ty, t.c0 + 4u * tx, acc0);
    store_row(t.live, t.r0 + 4u * ty + 1u, t.c0 + 4u * tx, acc1);
    store_row(t.live, t.r0 + 4u * ty + 2u, t.c0 + 4u * tx, acc2);
    store_row(t.live, t.r0 + 4u * ty + 3u, t.c0 + 4u * tx, acc3);
}
