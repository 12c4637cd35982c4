// F16 (IEEE half) weights as a block decoder: one value of 2 bytes per
// "block", widened with unpack2x16float (no shader-f16 needed). Rows of an
// odd number of values start at 2-byte boundaries. Needs `w_half`.

const BLOCK_VALUES: u32 = 1u;
const BLOCK_BYTES: u32 = 2u;

fn block_value(start: u32, j: u32) -> f32 {
    return w_half(start);
}
