//! Row-wise operations written out on f32 slices: the reference semantics
//! for the GPU kernels.

use kaoshi_model::RopeSpec;

/// RMS-normalizes each consecutive `weight.len()` values of `data` in place
/// and multiplies by `weight`. The mean of squares is accumulated in f64, as
/// ggml does (`ggml_float`).
pub fn rms_norm(data: &mut [f32], weight: &[f32], eps: f32) {
    for chunk in data.chunks_mut(weight.len()) {
        let ss: f64 = chunk.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
        let scale = 1.0 / ((ss / chunk.len() as f64) as f32 + eps).sqrt();
        for (v, w) in chunk.iter_mut().zip(weight) {
            *v = *v * scale * w;
        }
    }
}

/// Applies rotary embeddings to every head of every row of `data`
/// (`cols` values a row, heads of `head_dim`), row `i` at `positions[i]`.
pub fn rope(data: &mut [f32], cols: usize, positions: &[usize], head_dim: usize, spec: &RopeSpec) {
    let half = spec.rot_dim / 2;
    for (row, &pos) in data.chunks_mut(cols).zip(positions) {
        let p = pos as f32 * spec.position_scale;
        let (sin, cos): (Vec<f32>, Vec<f32>) = spec.inv_freq.iter().map(|f| (p * f).sin_cos()).unzip();
        for head in row.chunks_mut(head_dim) {
            for i in 0..half {
                let (a, b) = if spec.neox { (i, i + half) } else { (2 * i, 2 * i + 1) };
                let (x0, x1) = (head[a], head[b]);
                head[a] = x0 * cos[i] - x1 * sin[i];
                head[b] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rms_norm_gives_unit_rms_times_weight() {
        let mut x = vec![3.0, 4.0, 0.0, 0.0, 1.0, 1.0];
        rms_norm(&mut x, &[1.0, 2.0], 0.0);
        // Group (3, 4): rms = sqrt(12.5).
        let r = 12.5f32.sqrt();
        assert!((x[0] - 3.0 / r).abs() < 1e-6 && (x[1] - 8.0 / r).abs() < 1e-6);
        // Group (1, 1): rms = 1.
        assert_eq!(&x[4..], &[1.0, 2.0]);
    }

    #[test]
    fn rope_rotates_pairs_by_position_times_frequency() {
        let spec = RopeSpec { inv_freq: vec![1.0, 0.5], neox: false, rot_dim: 4, position_scale: 1.0 };
        let mut x = vec![1.0, 0.0, 1.0, 0.0];
        rope(&mut x, 4, &[2], 4, &spec);
        assert!((x[0] - 2f32.cos()).abs() < 1e-6 && (x[1] - 2f32.sin()).abs() < 1e-6);
        assert!((x[2] - 1f32.cos()).abs() < 1e-6 && (x[3] - 1f32.sin()).abs() < 1e-6);
        let neox = RopeSpec { neox: true, ..spec };
        let mut y = vec![1.0, 1.0, 0.0, 0.0];
        rope(&mut y, 4, &[2], 4, &neox);
        assert!((y[0] - 2f32.cos()).abs() < 1e-6 && (y[2] - 2f32.sin()).abs() < 1e-6);
        assert!((y[1] - 1f32.cos()).abs() < 1e-6 && (y[3] - 1f32.sin()).abs() < 1e-6);
    }
}
