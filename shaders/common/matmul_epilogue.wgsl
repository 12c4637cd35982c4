// What the matrix kernels add to each output before storing it, so a bias
// or a residual needs no dispatch of its own: bit 0 of `p.epilogue` adds
// bias[col] (a [m] vector), bit 1 adds residual[row, col] (an [n, m]
// tensor). Unused bindings hold a small placeholder buffer.

@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> residual: array<f32>;

fn epilogue(row: u32, col: u32, v: f32) -> f32 {
    var out = v;
    if ((p.epilogue & 1u) != 0u) {
        out = out + bias[col];
    }
    if ((p.epilogue & 2u) != 0u) {
        out = out + residual[row * p.m + col];
    }
    return out;
}
