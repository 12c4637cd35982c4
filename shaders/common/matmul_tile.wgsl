// What the tiled matrix kernels (matmul_tiled.wgsl: PER = 4 outputs per
// invocation each way, matmul_tiled8.wgsl: PER = 8) share: bindings, the
// tile layout, the shared-memory chunks of x and of the dequantized weight,
// their global reads and stores, and the output store. Needs the body's
// PER, a decoder and common/matmul_io.wgsl.
//
// A workgroup computes a TR x TN output tile (rows of x by weight rows)
// with a GY x GX grid of invocations, PER x PER outputs each. k goes in
// chunks of KC: the workgroup stages the x chunk and the dequantized
// weight chunk in shared memory, k-major as vec4s of 4 rows,
// (TR + TN) * KC * 4 bytes <= 16 KiB; each invocation loads its share of
// the next chunk (two x and two w quads at most) before the current
// chunk's FMAs, so that the reads are in flight meanwhile. Tile sizes are
// mirrored by KernelSpec::matmul_tile.

const GX: u32 = 1u << ((countTrailingZeros(WG) + 1u) / 2u);
const GY: u32 = WG / GX;
const TN: u32 = PER * GX;
const TR: u32 = PER * GY;
// k chunk: a power of two <= 4096 / (TR + TN) (shared memory <= 16 KiB),
// at most 32, and small enough that each invocation reads at most two x
// quads and two w quads a chunk (WG >= 4 for PER 4, >= 32 for PER 8).
const KC: u32 = max(4u, min(min(32u, 1u << firstLeadingBit(4096u / (TR + TN))), 8u * WG / max(TR, TN)));
const XQ: u32 = TR * KC / 4u;
const WQ: u32 = TN * KC / 4u;

struct Params {
    n: u32,
    k: u32,
    m: u32,
    epilogue: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

// xs[kk * TR / 4 + i] = x rows 4i..4i+3 of the tile at chunk column kk;
// ws likewise for weight rows.
var<workgroup> xs: array<vec4<f32>, KC * TR / 4u>;
var<workgroup> ws: array<vec4<f32>, KC * TN / 4u>;

// Quad q (< XQ) of the x chunk at k0: row q / (KC / 4), values kq..kq+3.
fn load_x(q: u32, r0: u32, k0: u32, live: bool) -> vec4<f32> {
    let row = r0 + q / (KC / 4u);
    let v = k0 + (q % (KC / 4u)) * 4u;
    if (live && q < XQ && row < p.n && v < p.k) {
        return tail(x_at(row * p.k + v), v);
    }
    return vec4<f32>(0.0);
}

fn load_w(q: u32, c0: u32, k0: u32, live: bool) -> vec4<f32> {
    let col = c0 + q / (KC / 4u);
    let v = k0 + (q % (KC / 4u)) * 4u;
    if (live && q < WQ && col < p.m && v < p.k) {
        return tail(w_at(col * (p.k / BLOCK_VALUES) * BLOCK_BYTES, v), v);
    }
    return vec4<f32>(0.0);
}

fn store_x(q: u32, v: vec4<f32>) {
    if (q < XQ) {
        let r = q / (KC / 4u);
        let kq = (q % (KC / 4u)) * 4u;
        xs[kq * (TR / 4u) + r / 4u][r % 4u] = v.x;
        xs[(kq + 1u) * (TR / 4u) + r / 4u][r % 4u] = v.y;
        xs[(kq + 2u) * (TR / 4u) + r / 4u][r % 4u] = v.z;
        xs[(kq + 3u) * (TR / 4u) + r / 4u][r % 4u] = v.w;
    }
}

fn store_w(q: u32, v: vec4<f32>) {
    if (q < WQ) {
        let c = q / (KC / 4u);
        let kq = (q % (KC / 4u)) * 4u;
        ws[kq * (TN / 4u) + c / 4u][c % 4u] = v.x;
        ws[(kq + 1u) * (TN / 4u) + c / 4u][c % 4u] = v.y;
        ws[(kq + 2u) * (TN / 4u) + c / 4u][c % 4u] = v.z;
        ws[(kq + 3u) * (TN / 4u) + c / 4u][c % 4u] = v.w;
    }
}

// The workgroup's tile: first row of x and first weight row, and whether it
// has one (surplus workgroups of a folded dispatch compute nothing but still
// reach every barrier).
struct Tile {
    r0: u32,
    c0: u32,
    live: bool,
}

fn tile_of(wid: vec3<u32>, nwg: vec3<u32>) -> Tile {
    let tiles_m = (p.m + TN - 1u) / TN;
    let g = group_index(wid, nwg);
    return Tile((g / tiles_m) * TR, (g % tiles_m) * TN, g < tiles_m * ((p.n + TR - 1u) / TR));
}

// An invocation's share of a chunk: two quads of x and two of w.
struct Share {
    xa: vec4<f32>,
    xb: vec4<f32>,
    wa: vec4<f32>,
    wb: vec4<f32>,
}

// Reads invocation `lid`'s share of the chunk at k0 from global memory.
fn load_share(lid: u32, t: Tile, k0: u32) -> Share {
    return Share(
        load_x(lid, t.r0, k0, t.live),
        load_x(lid + WG, t.r0, k0, t.live),
        load_w(lid, t.c0, k0, t.live),
        load_w(lid + WG, t.c0, k0, t.live),
    );
}

// Puts a share into the shared-memory chunk and waits for the workgroup's.
fn stage(lid: u32, s: Share) {
    store_x(lid, s.xa);
    store_x(lid + WG, s.xb);
    store_w(lid, s.wa);
    store_w(lid + WG, s.wb);
    workgroupBarrier();
}

fn store_row(live: bool, row: u32, col: u32, v: vec4<f32>) {
    if (live && row < p.n) {
        for (var j = 0u; j < 4u; j = j + 1u) {
            if (col + j < p.m) {
                y[row * p.m + col + j] = epilogue(row, col + j, v[j]);
            }
        }
    }
}
