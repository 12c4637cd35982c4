// y = x · wᵀ for many rows of x (prefill), as matmul_tiled.wgsl but with
// 8 x 8 outputs per invocation: tiles of 128 x 128 at 256 invocations
// (64 x 64 at 64, 32 x 64 at 32). Each step of the inner loop reads two x
// and two w vec4s from shared memory for 64 FMAs (4 x 4 outputs: two for
// 16), so shared-memory traffic per FMA is halved and each dequantized
// weight value serves twice as many rows of x; the price is 64 accumulators
// per invocation (16 named vec4s) and chunks of k half as long. Tile sizes
// are mirrored by KernelSpec::matmul_tile. Tiles, chunks and their loads:
// common/matmul_tile.wgsl.

const PER: u32 = 8u;

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
    // cIJ: output row 8 ty + I, columns 8 tx + 4J .. + 4.
    var c00 = vec4<f32>(0.0);
    var c01 = vec4<f32>(0.0);
    var c10 = vec4<f32>(0.0);
    var c11 = vec4<f32>(0.0);
    var c20 = vec4<f32>(0.0);
    var c21 = vec4<f32>(0.0);
    var c30 = vec4<f32>(0.0);
    var c31 = vec4<f32>(0.0);
    var c40 = vec4<f32>(0.0);
    var c41 = vec4<f32>(0.0);
    var c50 = vec4<f32>(0.0);
    var c51 = vec4<f32>(0.0);
    var c60 = vec4<f32>(0.0);
    var c61 = vec4<f32>(0.0);
    var c70 = vec4<f32>(0.0);
    var c71 = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < p.k; k0 = k0 + KC) {
        stage(lid, share);
        if (k0 + KC < p.k) {
            share = load_share(lid, t, k0 + KC);
        }
        for (var kk = 0u; kk < KC; kk = kk + 1u) {
            let a = xs[kk * (TR / 4u) + 2u * ty];
            let e = xs[kk * (TR / 4u) + 2u * ty + 1u];
            let b = ws[kk * (TN / 4u) + 2u * tx];
            let d = ws[kk * (TN / 4u) + 2u * tx + 1u];
            c00 = c00 + a.x * b;
            c01 = c01 + a.x * d;
            c10 = c10 + a.y * b;
            c11 = c11 + a.y * d;
            c20 = c20 + a.z * b;
            c21 = c21 + a.z * d;
            c30 = c30 + a.w * b;
            c31 = c31 + a.w * d;
            c40 = c40 + e.x * b;
            c41 = c41 + e.x * d;
            c50 = c50 + e.y * b;
            c51 = c51 + e.y * d;
            c60 = c60 + e.z * b;
            c61 = c61 + e.z * d;
            c70 = c70 + e.w * b;
            c71 = c71 + e.w * d;
        }
        workgroupBarrier();
    }
    let row = t.r0 + 8u * ty;
    let col = t.c0 + 8u * tx;
    let live = t.live;
    store_row(live, row, col, c00);
    store_row(live, row, col + 4u, c01);
    store_row(live, row + 1u, col, c10);
    store_row(live, row + 1u, col + 4u, c11);
    store_row(live, row + 2u, col, c20);
    store_row(live, row + 2u, col + 4u, c21);
    store_row(live, row + 3u, col, c30);
    store_row(live, row + 3u, col + 4u, c31);
    store_row(live, row + 4u, col, c40);
    store_row(live, row + 4u, col + 4u, c41);
    store_row(live, row + 5u, col, c50);
    store_row(live, row + 5u, col + 4u, c51);
    store_row(live, row + 6u, col, c60);
    store_row(live, row + 6u, col + 4u, c61);
    store_row(live, row + 7u, col, c70);
    store_row(live, row + 7u, col + 4u, c71);
}
