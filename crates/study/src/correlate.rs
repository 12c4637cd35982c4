//! Perplexity as a proxy for benchmark scores: Pearson's r and Spearman's
//! rho between the models' mean perplexity and each metric (Jin et al.,
//! "A Comprehensive Evaluation of Quantization Strategies for Large
//! Language Models", Findings of ACL 2024, section 5, report |r| between
//! average perplexity and each metric). With fewer than three models r is
//! undefined and reported as NaN; with a handful it is a description of
//! these models, not evidence (the report says so with the n).

use std::collections::BTreeMap;

use kaoshi_probe::rsa::{pearson, ranks};

use crate::doc::{Correlation, ModelRow};

/// Fewest models for a correlation to be computed at all.
pub const MIN_MODELS: usize = 3;

/// Models below this count make r a description, not a finding (the
/// report's caveat). The paper's figure pools 4- and 3-bit variants of
/// several model families, dozens of points.
pub const FEW_MODELS: usize = 8;

/// The correlation of `x` and `y` over pairs where both are finite.
pub fn correlate(metric: &str, x: &[f64], y: &[f64]) -> Correlation {
    let (xs, ys): (Vec<f64>, Vec<f64>) =
        x.iter().zip(y).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| (*a, *b)).unzip();
    let n = xs.len();
    let (pearson_r, spearman) =
        if n >= MIN_MODELS { (pearson(&xs, &ys), pearson(&ranks(&xs), &ranks(&ys))) } else { (f64::NAN, f64::NAN) };
    Correlation { metric: metric.to_string(), n, pearson: pearson_r, spearman }
}

/// Mean perplexity against each metric in `metrics`, over the models.
pub fn correlations(models: &[ModelRow], metrics: &[String]) -> Vec<Correlation> {
    let ppl: Vec<f64> = models.iter().map(ModelRow::mean_ppl).collect();
    metrics
        .iter()
        .map(|m| {
            let y: Vec<f64> = models.iter().map(|r| r.metrics.get(m).copied().unwrap_or(f64::NAN)).collect();
            correlate(m, &ppl, &y)
        })
        .collect()
}

/// The metrics every row has some of, in name order (a metric missing
/// from one model still counts; its correlation is over the others).
pub fn metric_keys(models: &[ModelRow]) -> Vec<String> {
    let mut keys: BTreeMap<&str, ()> = BTreeMap::new();
    for r in models {
        for k in r.metrics.keys() {
            keys.insert(k, ());
        }
    }
    keys.into_keys().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfectly_ordered_values_correlate_fully() {
        let c = correlate("m", &[10.0, 12.0, 20.0, 40.0], &[0.5, 0.45, 0.4, 0.2]);
        assert_eq!(c.n, 4);
        assert!((c.spearman + 1.0).abs() < 1e-12, "monotone decreasing: rho = -1");
        assert!(c.pearson < -0.9 && c.pearson > -1.0, "{}", c.pearson);
    }

    #[test]
    fn pearson_by_hand() {
        // x = 1,2,3; y = 1,3,2: sxy = 1, sxx = 2, syy = 2 -> r = 0.5.
        let c = correlate("m", &[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]);
        assert!((c.pearson - 0.5).abs() < 1e-12);
        assert!((c.spearman - 0.5).abs() < 1e-12);
    }

    #[test]
    fn missing_values_shrink_n_and_too_few_give_nan() {
        let c = correlate("m", &[1.0, 2.0, f64::NAN, 4.0], &[1.0, f64::NAN, 3.0, 2.0]);
        assert_eq!(c.n, 2);
        assert!(c.pearson.is_nan() && c.spearman.is_nan());
    }
}
