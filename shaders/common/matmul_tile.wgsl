// What the tiled matrix kernels (matmul_tiled.wgsl: 4 x 4 outputs per
// invocation, matmul_tiled8.wgsl: 8 x 8) share: bindings, the shared-memory
// chunks of x and of the dequantized weight, their global reads and stores,
// and the output store. The body defines the tile: TR x TN outputs on a
// GY x GX grid, k in chunks of KC, XQ and WQ quads of x and w a chunk (each
// invocation loads at most two of each: XQ, WQ <= 2 WG). Needs a decoder
// and common/matmul_io.wgsl.

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

fn store_row(live: bool, row: u32, col: u32, v: vec4<f32>) {
    if (live && row < p.n) {
        for (var j = 0u; j < 4u; j = j + 1u) {
            if (col + j < p.m) {
                y[row * p.m + col + j] = epilogue(row, col + j, v[j]);
            }
        }
    }
}
