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
    if values.is_empty() || iters < 2 {
        return f64::NAN;
    }
    let mut rng = SplitMix64::new(seed);
    let mut sample = vec![0.0; values.len()];
    let stats: Vec<f64> = (0..iters)
        .map(|_| {
            for s in sample.iter_mut() {
                *s = values[rng.below(values.len())];
            }
            statistic(&sample)
        })
        .collect();
    sample_stddev(&stats)
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
