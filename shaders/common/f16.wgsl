// F16 (IEEE half) weights as a block decoder: one value of 2 bytes per
// "block", widened with unpack2x16float (no shader-f16 needed). Rows of an
// odd number of values start at 2-byte boundaries. Needs `w_half`, `w_u32`.

const BLOCK_VALUES: u32 = 1u;
const BLOCK_BYTES: u32 = 2u;

fn block_value(start: u32, j: u32) -> f32 {
    return w_half(start);
}

// Four consecutive values from `start` (j is 0: one value a block).
fn block_quad(start: u32, j: u32) -> vec4<f32> {
    return vec4<f32>(unpack2x16float(w_u32(start)), unpack2x16float(w_u32(start + 4u)));
}
