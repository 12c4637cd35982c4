//! How far a variant's next-token distributions are from the reference's,
//! position by position, with the statistics `llama-perplexity
//! --kl-divergence` reports (llama.cpp `tools/perplexity/perplexity.cpp`:
//! `log_softmax` with the base log-probabilities, `kl_divergence`):
//!
//! - KL divergence `KL(P_ref || P_var) = Σ_i p_ref(i) (ln p_ref(i) − ln p_var(i))`;
//!   mean ± its standard error, and quantiles with linear interpolation
//!   between order statistics (the median is the mean of the two middle
//!   values for an even count, as there);
//! - the share of positions whose most likely token is the same ("same
//!   top p"), ± `sqrt(p (1 − p) / (n − 1))`;
//! - Δp, the variant's probability of the correct token minus the
//!   reference's: mean, RMS (with `0.5 / rms` times the error of the mean
//!   square) and quantiles;
//! - both perplexities over these positions, `ln(PPL(var)/PPL(ref))` with
//!   an error that counts their covariance, and the correlation of the two
//!   models' per-token losses.
//!
//! Errors of means follow llama.cpp's `mean_and_uncertainty` (zero for ten
//! values or fewer) and `covariance` (zero under ten).
//!
//! One difference, on purpose: llama.cpp stores the reference's
//! log-probabilities as 16-bit integers and skips every term whose
//! reference log-probability is at or below −16; here they are f32 and the
//! sum runs over the whole vocabulary in f64, so the KL divergence is the
//! exact one (the skipped terms hold at most `vocab x e^-16` of
//! probability, 0.5 % for a 49k vocabulary).

use kaoshi_model::host_argmax;
use serde::{Deserialize, Serialize};

/// One scored position of a variant, compared with the reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    /// KL divergence of the variant's distribution from the reference's.
    pub kld: f64,
    /// `p_var(target) − p_ref(target)`.
    pub p_diff: f64,
    /// The two distributions have the same most likely token (the first
    /// index among equal maxima, on both sides).
    pub same_top: bool,
    /// The variant's loss on the target, `−ln p_var(target)`.
    pub nll: f64,
    /// The reference's loss, `−ln p_ref(target)`.
    pub nll_ref: f64,
}

/// The log-softmax of a row of logits, in f64 (the reference's row as
/// stored, before the cast to f32).
pub fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let sum: f64 = logits.iter().map(|&x| (x as f64 - max).exp()).sum();
    let lse = max + sum.ln();
    logits.iter().map(|&x| x as f64 - lse).collect()
}

/// Compares the variant's `logits` at a position with the reference's
/// log-probabilities there, for the true next token `target`. Rows of
/// different lengths or a target outside them are the caller's error.
pub fn compare(reference: &[f32], logits: &[f32], target: usize) -> Result<Position, String> {
    if reference.len() != logits.len() {
        return Err(format!(
            "the reference has {} log-probabilities, the variant {} logits",
            reference.len(),
            logits.len()
        ));
    }
    if target >= logits.len() {
        return Err(format!("target token {target} is outside the vocabulary of {}", logits.len()));
    }
    let var = log_softmax(logits);
    let kld: f64 = reference
        .iter()
        .zip(&var)
        .map(|(&r, &v)| {
            let r = r as f64;
            if r == f64::NEG_INFINITY { 0.0 } else { r.exp() * (r - v) }
        })
        .sum();
    let nll = -var[target];
    let nll_ref = -(reference[target] as f64);
    Ok(Position {
        kld,
        p_diff: (-nll).exp() - (-nll_ref).exp(),
        same_top: host_argmax(reference) == host_argmax(logits),
        nll,
        nll_ref,
    })
}

/// A quantile of a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantile {
    /// The fraction, 0 (minimum) to 1 (maximum).
    pub q: f64,
    /// The value.
    pub value: f64,
}

/// The statistics of one variant over the compared positions of one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FidelitySummary {
    /// Positions compared.
    pub n: usize,
    /// Mean KL divergence.
    pub kld_mean: f64,
    /// Its standard error.
    pub kld_mean_err: f64,
    /// Median KL divergence.
    pub kld_median: f64,
    /// 99th percentile.
    pub kld_p99: f64,
    /// Largest.
    pub kld_max: f64,
    /// Quantiles 0, 0.01, 0.05, 0.10, 0.5, 0.9, 0.95, 0.99, 0.999, 1.
    pub kld_quantiles: Vec<Quantile>,
    /// Share of positions with the reference's most likely token.
    pub same_top: f64,
    /// Its standard error.
    pub same_top_err: f64,
    /// Mean Δp.
    pub dp_mean: f64,
    /// Its standard error.
    pub dp_mean_err: f64,
    /// Root mean square of Δp.
    pub dp_rms: f64,
    /// Its error.
    pub dp_rms_err: f64,
    /// Quantiles 0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.
    pub dp_quantiles: Vec<Quantile>,
    /// The variant's perplexity over these positions.
    pub ppl: f64,
    /// The reference's perplexity over these positions.
    pub ppl_ref: f64,
    /// `ln(ppl / ppl_ref)`.
    pub ln_ppl_ratio: f64,
    /// Its standard error.
    pub ln_ppl_ratio_err: f64,
    /// Correlation of the two models' per-position losses.
    pub ln_ppl_cor: f64,
}

/// The quantile fractions reported for the KL divergence (llama.cpp's, and
/// 0.9, 0.95).
pub const KLD_QUANTILES: [f64; 10] = [0.0, 0.01, 0.05, 0.10, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0];
/// The quantile fractions reported for Δp (llama.cpp's).
pub const DP_QUANTILES: [f64; 13] = [0.0, 0.001, 0.01, 0.05, 0.10, 0.25, 0.5, 0.75, 0.90, 0.95, 0.99, 0.999, 1.0];

/// Collects [`Position`]s and sums them up.
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    kld: Vec<f64>,
    p_diff: Vec<f64>,
    same_top: usize,
    sum_nll: f64,
    sum_nll2: f64,
    sum_nll_ref: f64,
    sum_nll_ref2: f64,
    sum_nll_nll_ref: f64,
}

/// `(mean, standard error)` as llama.cpp's `mean_and_uncertainty`.
fn mean_and_err(sum: f64, sum2: f64, n: usize) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = sum / n as f64;
    let var = sum2 / n as f64 - mean * mean;
    (mean, if var > 0.0 && n > 10 { (var / (n - 1) as f64).sqrt() } else { 0.0 })
}

/// The covariance of two means, as llama.cpp's `covariance`.
fn covariance(sum_a: f64, sum_b: f64, sum_ab: f64, n: usize) -> f64 {
    if n < 10 {
        return 0.0;
    }
    let n = n as f64;
    (sum_ab / n - (sum_a / n) * (sum_b / n)) / (n - 1.0)
}

/// The value at fraction `q` of sorted `values`, linearly interpolated
/// between order statistics.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => {
            let p = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let i = p.floor() as usize;
            let frac = p - i as f64;
            let next = sorted[(i + 1).min(n - 1)];
            (1.0 - frac) * sorted[i] + frac * next
        }
    }
}

impl Accumulator {
    /// Adds one position.
    pub fn push(&mut self, p: Position) {
        self.kld.push(p.kld);
        self.p_diff.push(p.p_diff);
        self.same_top += usize::from(p.same_top);
        self.sum_nll += p.nll;
        self.sum_nll2 += p.nll * p.nll;
        self.sum_nll_ref += p.nll_ref;
        self.sum_nll_ref2 += p.nll_ref * p.nll_ref;
        self.sum_nll_nll_ref += p.nll * p.nll_ref;
    }

    /// Positions added.
    pub fn len(&self) -> usize {
        self.kld.len()
    }

    /// No position yet.
    pub fn is_empty(&self) -> bool {
        self.kld.is_empty()
    }

    /// The statistics; `None` before any position.
    pub fn summary(&self) -> Option<FidelitySummary> {
        let n = self.kld.len();
        if n == 0 {
            return None;
        }
        let sorted = |v: &[f64]| {
            let mut s = v.to_vec();
            s.sort_by(f64::total_cmp);
            s
        };
        let kld = sorted(&self.kld);
        let dp = sorted(&self.p_diff);
        let (kld_mean, kld_mean_err) = mean_and_err(self.kld.iter().sum(), self.kld.iter().map(|x| x * x).sum(), n);
        let (dp_mean, dp_mean_err) = mean_and_err(self.p_diff.iter().sum(), self.p_diff.iter().map(|x| x * x).sum(), n);
        let (mse, mse_err) =
            mean_and_err(self.p_diff.iter().map(|x| x * x).sum(), self.p_diff.iter().map(|x| x.powi(4)).sum(), n);
        let dp_rms = mse.sqrt();
        let same_top = self.same_top as f64 / n as f64;
        let (ln_ppl, ln_ppl_err) = mean_and_err(self.sum_nll, self.sum_nll2, n);
        let (ln_ppl_ref, ln_ppl_ref_err) = mean_and_err(self.sum_nll_ref, self.sum_nll_ref2, n);
        let cov = covariance(self.sum_nll, self.sum_nll_ref, self.sum_nll_nll_ref, n);
        let ratio_var = ln_ppl_err * ln_ppl_err + ln_ppl_ref_err * ln_ppl_ref_err - 2.0 * cov;
        let quantiles =
            |s: &[f64], qs: &[f64]| qs.iter().map(|&q| Quantile { q, value: quantile(s, q) }).collect::<Vec<_>>();
        Some(FidelitySummary {
            n,
            kld_mean,
            kld_mean_err,
            kld_median: quantile(&kld, 0.5),
            kld_p99: quantile(&kld, 0.99),
            kld_max: kld[n - 1],
            kld_quantiles: quantiles(&kld, &KLD_QUANTILES),
            same_top,
            same_top_err: if n > 1 { (same_top * (1.0 - same_top) / (n - 1) as f64).sqrt() } else { 0.0 },
            dp_mean,
            dp_mean_err,
            dp_rms,
            dp_rms_err: if dp_rms > 0.0 { 0.5 / dp_rms * mse_err } else { 0.0 },
            dp_quantiles: quantiles(&dp, &DP_QUANTILES),
            ppl: ln_ppl.exp(),
            ppl_ref: ln_ppl_ref.exp(),
            ln_ppl_ratio: ln_ppl - ln_ppl_ref,
            ln_ppl_ratio_err: ratio_var.max(0.0).sqrt(),
            ln_ppl_cor: if ln_ppl_err > 0.0 && ln_ppl_ref_err > 0.0 {
                cov / (ln_ppl_err * ln_ppl_ref_err)
            } else {
                f64::NAN
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lp(logits: &[f32]) -> Vec<f32> {
        log_softmax(logits).iter().map(|&x| x as f32).collect()
    }

    #[test]
    fn identical_distributions_diverge_by_nothing() {
        let logits = [1.0f32, 3.0, -2.0, 0.5];
        let p = compare(&lp(&logits), &logits, 2).unwrap();
        assert!(p.kld.abs() < 1e-7, "{}", p.kld);
        assert!(p.p_diff.abs() < 1e-7 && p.same_top);
        assert!((p.nll - p.nll_ref).abs() < 1e-6);
    }

    #[test]
    fn kl_divergence_of_two_coins_by_hand() {
        // Reference (0.8, 0.2), variant (0.5, 0.5):
        // KL = 0.8 ln 1.6 + 0.2 ln 0.4 = 0.376003 - 0.183258 = 0.192745.
        let reference = [0.8f32.ln(), 0.2f32.ln()];
        let p = compare(&reference, &[0.0, 0.0], 0).unwrap();
        assert!((p.kld - 0.192_745).abs() < 1e-5, "{}", p.kld);
        assert!((p.p_diff - (0.5 - 0.8)).abs() < 1e-6);
        // argmax: reference 0, variant tie -> first index 0: same top.
        assert!(p.same_top);
        let q = compare(&reference, &[0.0, 1.0], 0).unwrap();
        assert!(!q.same_top);
        // The divergence is asymmetric: KL((0.5,0.5) || (0.8,0.2)) differs.
        let r = compare(&[0.5f32.ln(), 0.5f32.ln()], &[0.8f32.ln(), 0.2f32.ln()], 0).unwrap();
        assert!((r.kld - 0.223_144).abs() < 1e-5, "{}", r.kld);
    }

    #[test]
    fn mismatched_rows_are_errors() {
        assert!(compare(&[0.0], &[0.0, 1.0], 0).is_err());
        assert!(compare(&[0.0, -1.0], &[0.0, 1.0], 2).is_err());
    }

    #[test]
    fn quantiles_interpolate_like_llama_cpp() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&s, 0.5), 2.5, "even count: the mean of the middle two");
        assert_eq!(quantile(&s, 0.0), 1.0);
        assert_eq!(quantile(&s, 1.0), 4.0);
        assert!((quantile(&s, 0.9) - 3.7).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn summary_statistics_match_direct_computation() {
        let mut acc = Accumulator::default();
        let positions: Vec<Position> = (0..40)
            .map(|i| {
                let x = i as f64;
                Position {
                    kld: 0.01 * x,
                    p_diff: if i % 2 == 0 { 0.1 } else { -0.3 },
                    same_top: i % 4 != 0,
                    nll: 1.0 + 0.05 * x,
                    nll_ref: 1.0 + 0.04 * x,
                }
            })
            .collect();
        for p in &positions {
            acc.push(*p);
        }
        let s = acc.summary().unwrap();
        assert_eq!(s.n, 40);
        assert!((s.kld_mean - 0.195).abs() < 1e-12);
        // Standard error of the mean of 0.01*i, i = 0..39: sample-free
        // variance (sum2/n - mean^2) / (n - 1), as llama.cpp.
        let var = positions.iter().map(|p| p.kld * p.kld).sum::<f64>() / 40.0 - 0.195 * 0.195;
        assert!((s.kld_mean_err - (var / 39.0).sqrt()).abs() < 1e-12);
        assert!((s.kld_median - 0.195).abs() < 1e-12);
        assert!((s.kld_max - 0.39).abs() < 1e-12);
        assert!((s.same_top - 0.75).abs() < 1e-12);
        assert!((s.dp_mean - (-0.1)).abs() < 1e-12);
        assert!((s.dp_rms - ((0.01 + 0.09) / 2.0f64).sqrt()).abs() < 1e-12);
        // Losses grow together: perfectly correlated.
        assert!((s.ln_ppl_cor - 1.0).abs() < 1e-9, "{}", s.ln_ppl_cor);
        let mean_nll: f64 = 1.0 + 0.05 * 19.5;
        assert!((s.ppl - mean_nll.exp()).abs() < 1e-9);
        assert!((s.ln_ppl_ratio - (0.01 * 19.5)).abs() < 1e-12);
        assert!(Accumulator::default().summary().is_none());
    }
}
