//! Token sampling: temperature, top-k, top-p, with a seeded generator so
//! that a seed reproduces a run on every platform.

use kaoshi_model::host_top_k;

use crate::logits::argmax;

/// Sampling settings. `temperature <= 0` means greedy.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingParams {
    /// Softmax temperature; 0 or less is greedy (argmax).
    pub temperature: f32,
    /// Keep only the `top_k` most likely tokens (0 = all).
    pub top_k: usize,
    /// Keep the smallest set of tokens whose probability reaches `top_p` (1 = all).
    pub top_p: f32,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for SamplingParams {
    fn default() -> Self {
        Self { temperature: 0.0, top_k: 0, top_p: 1.0, seed: 0 }
    }
}

/// xoshiro256** seeded through splitmix64 (Blackman & Vigna,
/// <https://prng.di.unimi.it/>): small, fast, identical on every target.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Self { s: [next(), next(), next(), next()] }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Picks the next token from `logits`.
pub fn sample(logits: &[f32], params: &SamplingParams, rng: &mut Rng) -> u32 {
    if params.temperature <= 0.0 || logits.is_empty() {
        return argmax(logits) as u32;
    }
    let k = if params.top_k > 0 { params.top_k } else { logits.len() };
    sample_candidates(&host_top_k(logits, k), params, rng)
}

/// Picks the next token from `candidates`: a row's most likely tokens as
/// `(index, logit)` in the rank order of [`host_top_k`] (what
/// `Backend::top_k_rows` gives), at least the `top_k` first when `top_k >
/// 0`, else the whole row. With `temperature > 0` this is exactly
/// [`sample`] on the row, so a backend that selects the top-k on the
/// device samples what the host would.
pub fn sample_candidates(candidates: &[(u32, f32)], params: &SamplingParams, rng: &mut Rng) -> u32 {
    let mut kept = candidates;
    if params.top_k > 0 && kept.len() > params.top_k {
        kept = &kept[..params.top_k];
    }
    let Some(&(first, max)) = kept.first() else {
        return 0;
    };
    if params.temperature <= 0.0 {
        return first;
    }
    let t = f64::from(params.temperature);
    let max = f64::from(max);
    let mut probs: Vec<f64> = kept.iter().map(|&(_, l)| ((f64::from(l) - max) / t).exp()).collect();
    let total: f64 = probs.iter().sum();
    probs.iter_mut().for_each(|p| *p /= total);
    if params.top_p < 1.0 {
        let mut cum = 0.0;
        let mut keep = probs.len();
        for (i, p) in probs.iter().enumerate() {
            cum += p;
            if cum >= f64::from(params.top_p) {
                keep = i + 1;
                break;
            }
        }
        probs.truncate(keep);
        kept = &kept[..keep];
        let total: f64 = probs.iter().sum();
        probs.iter_mut().for_each(|p| *p /= total);
    }
    let r = rng.next_f64();
    let mut cum = 0.0;
    for (p, &(i, _)) in probs.iter().zip(kept) {
        cum += p;
        if r < cum {
            return i;
        }
    }
    kept[kept.len() - 1].0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_is_argmax_and_seed_reproduces() {
        let logits = [0.1, 2.0, 1.9, -3.0];
        let mut rng = Rng::new(1);
        assert_eq!(sample(&logits, &SamplingParams::default(), &mut rng), 1);
        let p = SamplingParams { temperature: 1.0, seed: 7, ..Default::default() };
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..50).map(|_| sample(&logits, &p, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn top_k_one_and_tiny_top_p_are_greedy() {
        let logits = [0.1, 2.0, 1.9, -3.0];
        let mut rng = Rng::new(3);
        for params in [
            SamplingParams { temperature: 1.0, top_k: 1, ..Default::default() },
            SamplingParams { temperature: 1.0, top_p: 0.01, ..Default::default() },
        ] {
            for _ in 0..20 {
                assert_eq!(sample(&logits, &params, &mut rng), 1);
            }
        }
    }

    #[test]
    fn sampling_follows_the_distribution() {
        // p = softmax([0, ln 3]) = [0.25, 0.75]
        let logits = [0.0, 3f32.ln()];
        let p = SamplingParams { temperature: 1.0, ..Default::default() };
        let mut rng = Rng::new(42);
        let n = 20_000;
        let ones = (0..n).filter(|_| sample(&logits, &p, &mut rng) == 1).count();
        let frac = ones as f64 / n as f64;
        // 4 standard deviations of a binomial(20000, 0.75) proportion ~ 0.012.
        assert!((frac - 0.75).abs() < 0.012, "{frac}");
    }

    /// Logits with many ties (values from a few levels), signed zeros and
    /// infinities, from a seeded generator.
    fn tie_heavy_row(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| match rng.next_u64() % 10 {
                0 => 0.0,
                1 => -0.0,
                2 => f32::INFINITY,
                3 => f32::NEG_INFINITY,
                _ => (rng.next_u64() % 7) as f32 - 3.0,
            })
            .collect()
    }

    #[test]
    fn host_top_k_is_the_prefix_of_a_full_stable_sort() {
        for (n, seed) in [(1, 1), (17, 2), (300, 3), (1000, 4)] {
            let row = tie_heavy_row(n, seed);
            // Reference: a stable sort by logit, largest first (ties keep
            // index order).
            let mut all: Vec<usize> = (0..n).collect();
            all.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
            for k in [0, 1, 5, 40, n, n + 3] {
                let got = host_top_k(&row, k);
                let want: Vec<(u32, f32)> = all.iter().take(k).map(|&i| (i as u32, row[i])).collect();
                assert_eq!(got.len(), want.len());
                for (g, w) in got.iter().zip(&want) {
                    assert_eq!((g.0, g.1.to_bits()), (w.0, w.1.to_bits()), "n {n} k {k}");
                }
            }
        }
        // +0 ranks above -0 (total order), +inf above both.
        let top = host_top_k(&[-0.0, 0.0, f32::INFINITY], 3);
        assert_eq!(top.iter().map(|t| t.0).collect::<Vec<_>>(), vec![2, 1, 0]);
    }

    #[test]
    fn sampling_from_candidates_equals_sampling_the_row() {
        // A candidate list longer than top_k (as a backend may give) and one
        // of exactly top_k both sample what `sample` does on the row.
        let row: Vec<f32> = tie_heavy_row(500, 9).iter().map(|v| if v.is_infinite() { 1.5 } else { *v }).collect();
        for params in [
            SamplingParams { temperature: 0.8, top_k: 40, top_p: 0.95, seed: 0 },
            SamplingParams { temperature: 1.3, top_k: 7, top_p: 1.0, seed: 0 },
            SamplingParams { temperature: 1.0, top_k: 1, top_p: 1.0, seed: 0 },
        ] {
            let exact = host_top_k(&row, params.top_k);
            let longer = host_top_k(&row, params.top_k + 25);
            let (mut a, mut b, mut c) = (Rng::new(11), Rng::new(11), Rng::new(11));
            for _ in 0..200 {
                let want = sample(&row, &params, &mut a);
                assert_eq!(sample_candidates(&exact, &params, &mut b), want, "{params:?}");
                assert_eq!(sample_candidates(&longer, &params, &mut c), want, "{params:?}");
            }
        }
    }
}
