//! Reductions over a row of logits, computed on the host in f64.

/// `log_softmax(row)[i]` for every `i`.
pub fn log_softmax(row: &[f32]) -> Vec<f32> {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = row.iter().map(|&x| f64::from(x - max).exp()).sum();
    let lse = f64::from(max) + sum.ln();
    row.iter().map(|&x| (f64::from(x) - lse) as f32).collect()
}

/// `log_softmax(row)[target]` without building the whole vector.
pub fn log_prob(row: &[f32], target: usize) -> f64 {
    kaoshi_model::host_log_prob(row, target)
}

/// Index of the largest logit (the first one on ties, as llama.cpp's greedy sampler).
pub fn argmax(row: &[f32]) -> usize {
    kaoshi_model::host_argmax(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_softmax_matches_hand_computation() {
        let l = log_softmax(&[0.0, (2f32).ln()]);
        // softmax = [1/3, 2/3]
        assert!((l[0] - (1.0f32 / 3.0).ln()).abs() < 1e-6);
        assert!((l[1] - (2.0f32 / 3.0).ln()).abs() < 1e-6);
        assert!((log_prob(&[0.0, (2f32).ln()], 1) - (2.0f64 / 3.0).ln()).abs() < 1e-6);
        assert_eq!(argmax(&[1.0, 3.0, 3.0, -1.0]), 1);
    }
}
