// What the matrix kernels do to each output before storing it, so a bias,
// a residual or a SiLU gate needs no dispatch of its own: bit 0 of
// `p.epilogue` adds bias[col] (a [m] vector); bit 1 adds other[row, col]
// (a residual, [n, m]); bit 2 multiplies by silu(other[row, col]) (the
// gate of a gated MLP: silu(gate) * up with up this product, as
// elementwise.wgsl's silu_mul). Bits 1 and 2 are not set together. Unused
// bindings hold a small placeholder buffer.

@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> other: array<f32>;

fn epilogue(row: u32, col: u32, v: f32) -> f32 {
    var out = v;
    if ((p.epilogue & 1u) != 0u) {
        out = out + bias[col];
    }
    if ((p.epilogue & 2u) != 0u) {
        out = out + other[row * p.m + col];
    }
    if ((p.epilogue & 4u) != 0u) {
        let g = other[row * p.m + col];
        out = g / (1.0 + exp(-g)) * out;
    }
    return out;
}
