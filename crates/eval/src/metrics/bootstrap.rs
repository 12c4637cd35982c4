//! Standard errors: analytic for a mean, bootstrap for any statistic.
//!
//! Both follow lm-evaluation-harness (lm_eval/api/metrics.py): `mean_stderr`
//! is `sample_stddev(arr) / sqrt(len(arr))` with the n−1 sample standard
//! deviation, and `bootstrap_stderr` resamples the values with replacement
//! `iters` times and returns the sample standard deviation of the statistic
//! over the resamples. lm-eval seeds Python's `random.Random` per chunk of
//! 1000 resamples; kaoshi uses its own seeded [`SplitMix64`], so the numbers
//! agree in distribution, not digit for digit.

/// The mean of `values`; NaN when empty. A ready `statistic` for
/// [`bootstrap_stderr`].
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation (n − 1 denominator); NaN for fewer than 2 values.
pub fn sample_stddev(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return f64::NAN;
    }
    let m = mean(values);
    (values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1) as f64).sqrt()
}

/// Standard error of the mean: `sample_stddev / sqrt(n)` (lm-eval
/// `mean_stderr`). For 0/1 accuracies this is `sqrt(p(1-p)/(n-1))`. NaN for
/// fewer than 2 values.
pub fn mean_stderr(values: &[f64]) -> f64 {
    sample_stddev(values) / (values.len() as f64).sqrt()
}

/// Bootstrap standard error of `statistic` over `values`: the sample standard
/// deviation of `statistic` on `iters` resamples (with replacement, same size)
/// drawn with a [`SplitMix64`] seeded by `seed`. Deterministic for a given
/// seed. NaN when `values` is empty or `iters < 2`.
pub fn bootstrap_stderr(values: &[f64], statistic: fn(&[f64]) -> f64, iters: usize, seed: u64) -> f64 {
    bootstrap_stderr_stratified(&[values], |s| statistic(&s[0]), iters, seed)
}

/// Stratified bootstrap standard error: each resample draws, *within each
/// group*, as many values as the group has, with replacement, and
/// `statistic` sees the resampled groups in order. With one group this is
/// [`bootstrap_stderr`] (the same draws, so the same number for a seed).
/// Groups keep their sizes, so a statistic over groups (a macro average over
/// subjects) is defined on every resample. Empty groups stay empty. NaN when
/// every group is empty or `iters < 2`.
pub fn bootstrap_stderr_stratified(
    groups: &[&[f64]],
    statistic: impl Fn(&[Vec<f64>]) -> f64,
    iters: usize,
    seed: u64,
) -> f64 {
    if groups.iter().all(|g| g.is_empty()) || iters < 2 {
        return f64::NAN;
    }
    let mut rng = SplitMix64::new(seed);
    let mut samples: Vec<Vec<f64>> = groups.iter().map(|g| vec![0.0; g.len()]).collect();
    let stats: Vec<f64> = (0..iters)
        .map(|_| {
            for (sample, values) in samples.iter_mut().zip(groups) {
                for s in sample.iter_mut() {
                    *s = values[rng.below(values.len())];
                }
            }
            statistic(&samples)
        })
        .collect();
    sample_stddev(&stats)
}

/// The macro average of groups: the mean of the groups' means, over the
/// non-empty groups (NaN when none). A ready statistic for
/// [`bootstrap_stderr_stratified`].
pub fn macro_mean(groups: &[Vec<f64>]) -> f64 {
    mean(&groups.iter().filter(|g| !g.is_empty()).map(|g| mean(g)).collect::<Vec<_>>())
}

/// SplitMix64 (Steele, Lea & Flood 2014; the constants of Vigna's public
/// domain `splitmix64.c`): a tiny, fast, seedable generator, good enough for
/// resampling.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (Lemire's multiply-shift; the bias, at most
    /// n / 2^64, is negligible here). `n` must be positive.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_with_one_group_is_the_plain_bootstrap() {
        let v: Vec<f64> = (0..50).map(|i| f64::from(u8::from(i % 3 == 0))).collect();
        let plain = bootstrap_stderr(&v, mean, 500, 7);
        let strat = bootstrap_stderr_stratified(&[&v], |g| mean(&g[0]), 500, 7);
        assert_eq!(plain, strat);
    }

    #[test]
    fn macro_mean_stderr_matches_the_analytic_formula() {
        // Two subjects, 200 and 50 items at 70% and 40%. The macro mean's
        // variance is (var_a / n_a + var_b / n_b) / 4 (independent subjects).
        let a: Vec<f64> = (0..200).map(|i| f64::from(u8::from(i % 10 < 7))).collect();
        let b: Vec<f64> = (0..50).map(|i| f64::from(u8::from(i % 5 < 2))).collect();
        assert!((macro_mean(&[a.clone(), b.clone()]) - 0.55).abs() < 1e-12);
        let analytic = ((mean_stderr(&a).powi(2) + mean_stderr(&b).powi(2)) / 4.0).sqrt();
        let boot = bootstrap_stderr_stratified(&[&a, &b], macro_mean, 2000, 1);
        assert!((boot - analytic).abs() / analytic < 0.10, "bootstrap {boot} vs analytic {analytic}");
        // All values equal: nothing varies.
        assert_eq!(bootstrap_stderr_stratified(&[&[1.0; 5], &[0.0; 3]], macro_mean, 100, 1), 0.0);
        assert!(bootstrap_stderr_stratified(&[&[], &[]], macro_mean, 100, 1).is_nan());
        assert!(macro_mean(&[]).is_nan());
    }
}
