// F32 weights as a block decoder: one value of 4 bytes per "block", the
// word's bits reinterpreted (exact). Rows start on word boundaries.

const BLOCK_VALUES: u32 = 1u;
const BLOCK_BYTES: u32 = 4u;

fn block_value(start: u32, j: u32) -> f32 {
    return bitcast<f32>(w[start >> 2u]);
}

// Four consecutive values from `start` (j is 0: one value a block).
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    let i = start >> 2u;
    return bitcast<vec4<f32>>(vec4<u32>(w[i], w[i + 1u], w[i + 2u], w[i + 3u]));
}
