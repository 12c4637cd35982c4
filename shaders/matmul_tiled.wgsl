// y = x · wᵀ for many rows of x (prefill): x [n, k], w [m, k] in any stored
// type (raw GGUF bytes in u32 words, read through the decoder's
// block_quad), y [n, m]; n, m arbitrary, k whole blocks.
//
// Each workgroup computes a TR x TN output tile (rows of x by weight rows)
// with a GY x GX grid of invocations, 4 x 4 outputs each (WG 256: 64 x 64;
// 64: 32 x 32; 32: 16 x 32). k goes in chunks of KC: the workgroup stages
// the x chunk and the dequantized weight chunk in shared memory, k-major
// as vec4s of 4 rows, (TR + TN) * KC * 4 bytes <= 16 KiB, then each
// invocation runs KC outer products of a vec4 of x by a vec4 of w. The
// next chunk's global reads (two x and two w quads per invocation) are
// issued before the current chunk's FMAs. Every weight value is
// dequantized once per tile, not once per row of x. Accumulators and
// prefetched quads are named variables, not private arrays: a private
// array indexed in a loop can end up in slow local memory (3x slower on an
// H100). Tile sizes are mirrored by KernelSpec::matmul_tile. Needs a
// decoder, common/matmul_io.wgsl and common/matmul_tile.wgsl.

const GX: u32 = 1u << ((countTrailingZeros(WG) + 1u) / 2u);
const GY: u32 = WG / GX;
const TN: u32 = 4u * GX;
const TR: u32 = 4u * GY;
// k chunk: a power of two <= 4096 / (TR + TN) (shared memory <= 16 KiB),
// at most 32, and small enough that each invocation reads at most two x
// quads and two w quads a chunk (WG >= 4).
const KC: u32 = max(4u, min(min(32u, 1u << firstLeadingBit(4096u / (TR + TN))), 8u * WG / max(TR, TN)));
const XQ: u32 = TR * KC / 4u;
const WQ: u32 = TN * KC / 4u;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let tiles_m = (p.m + TN - 1u) / TN;
    let g = group_index(wid, nwg);
    // Surplus workgroups of a folded dispatch compute nothing but still
    // reach every barrier.
    let live = g < tiles_m * ((p.n + TR - 1u) / TR);
    let r0 = (g / tiles_m) * TR;
    let c0 = (g % tiles_m) * TN;
    let tx = lid % GX;
    let ty = lid / GX;
    // Each invocation's two x and two w quads of the chunk, read one chunk
    // ahead so that the reads are in flight during the FMAs.
    var xa = load_x(lid, r0, 0u, live);
    var xb = load_x(lid + WG, r0, 0u, live);
    var wa = load_w(lid, c0, 0u, live);
    var wb = load_w(lid + WG, c0, 0u, live);
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var k0 = 0u; k0 < p.k; k0 = k0 + KC) {
        store_x(lid, xa);
        store_x(lid + WG, xb);
        store_w(lid, wa);
        store_w(lid + WG, wb);
        workgroupBarrier();
        let next = k0 + KC;
        if (next < p.k) {
            xa = load_x(lid, r0, next, live);
            xb = load_x(lid + WG, r0, next, live);
            wa = load_w(lid, c0, next, live);
            wb = load_w(lid + WG, c0, next, live);
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
    store_row(live, r0 + 4u * ty, c0 + 4u * tx, acc0);
    store_row(live, r0 + 4u * ty + 1u, c0 + 4u * tx, acc1);
    store_row(live, r0 + 4u * ty + 2u, c0 + 4u * tx, acc2);
    store_row(live, r0 + 4u * ty + 3u, c0 + 4u * tx, acc3);
}

