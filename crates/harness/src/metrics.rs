//! Aggregating sample records into task metrics.
//!
//! Names follow lm-evaluation-harness (`acc,none`, `acc_stderr,none`, ...).
//! `acc` is the micro average (every item weighs the same); `acc_macro` the
//! mean of per-subject accuracies (every subject weighs the same), as the
//! C-Eval and CMMLU papers report. The standard error of a mean is
//! lm-evaluation-harness's `mean_stderr`: sample standard deviation over
//! sqrt(n).
//!
//! An item's score is its partial credit when the record has one
//! ([`SampleRecord::credit`], GAOKAO-Bench), else 1 for right and 0 for
//! wrong; `acc`, `acc_macro`, per-subject and breakdown accuracies are means
//! of these scores.
//!
//! `acc_macro_stderr` is a bootstrap standard error (lm-evaluation-harness
//! bootstraps statistics that have no closed form, `bootstrap_stderr` in
//! lm_eval/api/metrics.py): [`BOOTSTRAP_ITERS`] resamples with seed
//! [`BOOTSTRAP_SEED`], each drawing items with replacement *within each
//! subject* (a stratified bootstrap: the subjects and their sizes are fixed
//! by the benchmark's design, not sampled, and every resample then has every
//! subject, so the macro average is always defined), and the macro average
//! recomputed. It converges to `sqrt(Σ_s se_s²) / S` over the `S` subjects;
//! with one subject it is the bootstrap of the micro mean, within a few per
//! cent of `acc_stderr`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use kaoshi_eval::SuiteMetric;
use kaoshi_eval::metrics::bootstrap::{self, bootstrap_stderr_stratified, macro_mean};

use crate::record::SampleRecord;

/// Bootstrap resamples for `acc_macro_stderr` (lm-evaluation-harness's
/// default `bootstrap_iters` for its bootstrapped metrics is 100000; 1000
/// already gives the standard error to a few per cent).
pub const BOOTSTRAP_ITERS: usize = 1000;
/// The fixed seed of the bootstrap, so results are reproducible.
pub const BOOTSTRAP_SEED: u64 = 1234;

/// Accuracy of a group of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupScore {
    /// Items.
    pub n: usize,
    /// Accuracy.
    pub acc: f64,
}

/// The metrics of one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskMetrics {
    /// Metric name -> value, lm-evaluation-harness style keys. Undefined
    /// values (NaN) are written as JSON `null` and read back as NaN.
    #[serde(deserialize_with = "nulls_as_nan")]
    pub metrics: BTreeMap<String, f64>,
    /// Per-subject accuracy.
    pub subjects: BTreeMap<String, GroupScore>,
    /// Accuracy by the values of item fields (e.g. grade, reasoning_step).
    pub breakdowns: BTreeMap<String, BTreeMap<String, GroupScore>>,
    /// Items aggregated.
    pub n: usize,
    /// Generated answers from which nothing could be extracted (counted wrong).
    pub n_unextracted: usize,
}

fn nulls_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
    let m: BTreeMap<String, Option<f64>> = Deserialize::deserialize(d)?;
    Ok(m.into_iter().map(|(k, v)| (k, v.unwrap_or(f64::NAN))).collect())
}

/// Mean and its standard error (sample std / sqrt(n); NaN below 2 values).
pub fn mean_stderr(xs: &[f64]) -> (f64, f64) {
    (bootstrap::mean(xs), bootstrap::mean_stderr(xs))
}

/// An item's score: its partial credit, else 1 right / 0 wrong.
fn item_score(r: &SampleRecord) -> f64 {
    r.credit.unwrap_or(f64::from(u8::from(r.correct == Some(true))))
}

/// The scores of each group, groups in key order.
fn grouped(items: impl Iterator<Item = (String, f64)>) -> BTreeMap<String, Vec<f64>> {
    let mut groups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (k, score) in items {
        groups.entry(k).or_default().push(score);
    }
    groups
}

fn group_scores(groups: &BTreeMap<String, Vec<f64>>) -> BTreeMap<String, GroupScore> {
    groups
        .iter()
        .map(|(k, v)| (k.clone(), GroupScore { n: v.len(), acc: v.iter().sum::<f64>() / v.len() as f64 }))
        .collect()
}

/// Aggregates `records`; `breakdown_fields` names item fields to break
/// accuracy down by, `extra` the suite's own metrics ([`crate::special`]).
pub fn aggregate(records: &[SampleRecord], breakdown_fields: &[&str], extra: &[SuiteMetric]) -> TaskMetrics {
    let mut metrics = BTreeMap::new();
    let scored: Vec<&SampleRecord> = records.iter().filter(|r| r.correct.is_some()).collect();
    let mut subjects = BTreeMap::new();
    let mut breakdowns = BTreeMap::new();
    if !scored.is_empty() {
        let acc: Vec<f64> = scored.iter().map(|r| item_score(r)).collect();
        let (m, se) = mean_stderr(&acc);
        metrics.insert("acc,none".into(), m);
        metrics.insert("acc_stderr,none".into(), se);
        let norm: Vec<f64> = scored.iter().filter_map(|r| r.correct_norm).map(|c| f64::from(u8::from(c))).collect();
        if norm.len() == scored.len() {
            let (m, se) = mean_stderr(&norm);
            metrics.insert("acc_norm,none".into(), m);
            metrics.insert("acc_norm_stderr,none".into(), se);
        }
        let by_subject = grouped(scored.iter().map(|r| (r.subject.clone(), item_score(r))));
        subjects = group_scores(&by_subject);
        let macro_acc = subjects.values().map(|g| g.acc).sum::<f64>() / subjects.len() as f64;
        metrics.insert("acc_macro,none".into(), macro_acc);
        let strata: Vec<&[f64]> = by_subject.values().map(Vec::as_slice).collect();
        // Like acc_stderr, undefined for a single item.
        let macro_se = if scored.len() < 2 {
            f64::NAN
        } else {
            bootstrap_stderr_stratified(&strata, macro_mean, BOOTSTRAP_ITERS, BOOTSTRAP_SEED)
        };
        metrics.insert("acc_macro_stderr,none".into(), macro_se);
        for f in breakdown_fields {
            let groups = group_scores(&grouped(
                scored.iter().filter_map(|r| r.fields.get(*f).map(|v| (v.clone(), item_score(r)))),
            ));
            if !groups.is_empty() {
                breakdowns.insert((*f).to_string(), groups);
            }
        }
    }
    let ppl: Vec<&SampleRecord> = records.iter().filter(|r| r.nll.is_some()).collect();
    if !ppl.is_empty() {
        let nll: f64 = ppl.iter().filter_map(|r| r.nll).sum();
        let tokens: usize = ppl.iter().filter_map(|r| r.n_tokens).sum();
        let bytes: usize = ppl.iter().filter_map(|r| r.n_bytes).sum();
        let chars: usize = ppl.iter().filter_map(|r| r.n_chars).sum();
        let ln2 = std::f64::consts::LN_2;
        metrics.insert("token_perplexity,none".into(), (nll / tokens as f64).exp());
        metrics.insert("bits_per_byte,none".into(), nll / ln2 / bytes as f64);
        metrics.insert("bits_per_char,none".into(), nll / ln2 / chars as f64);
        metrics.insert("nll,none".into(), nll);
    }
    crate::special::add(records, extra, &mut metrics);
    let truncated = records.iter().filter(|r| r.fields.contains_key("truncated_prompt_tokens")).count();
    if truncated > 0 {
        metrics.insert("n_truncated_prompts,none".into(), truncated as f64);
    }
    let n_unextracted = records.iter().filter(|r| r.generated.is_some() && r.prediction.is_none()).count();
    TaskMetrics { metrics, subjects, breakdowns, n: records.len(), n_unextracted }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaoshi_eval::{Answer, Mode};

    fn rec(subject: &str, correct: bool, norm: bool) -> SampleRecord {
        let item = kaoshi_eval::Item {
            id: format!("{subject}{correct}{norm}"),
            subject: subject.into(),
            question: String::new(),
            choices: vec![],
            answer: Answer::Choice(0),
            fields: BTreeMap::new(),
        };
        let mut r = SampleRecord::new("t", &item, Mode::Loglik);
        r.correct = Some(correct);
        r.correct_norm = Some(norm);
        r
    }

    #[test]
    fn micro_macro_and_norm_by_hand() {
        // Subject a: 3 items, 3 right; subject b: 1 item, 0 right.
        let rs = vec![rec("a", true, false), rec("a", true, true), rec("a", true, true), rec("b", false, true)];
        let m = aggregate(&rs, &[], &[]);
        assert_eq!(m.metrics["acc,none"], 0.75); // micro: 3/4
        assert_eq!(m.metrics["acc_macro,none"], 0.5); // macro: (1 + 0) / 2
        assert_eq!(m.metrics["acc_norm,none"], 0.75);
        // std of [1,1,1,0] with ddof 1 = 0.5; / sqrt(4) = 0.25
        assert!((m.metrics["acc_stderr,none"] - 0.25).abs() < 1e-12);
        assert_eq!(m.subjects["b"], GroupScore { n: 1, acc: 0.0 });
        // Subject a never varies and b has one item: every resample gives 0.5.
        assert_eq!(m.metrics["acc_macro_stderr,none"], 0.0);
    }

    #[test]
    fn macro_bootstrap_stderr() {
        // All items correct: stderr 0.
        let all: Vec<SampleRecord> = (0..20).map(|i| rec(["a", "b"][i % 2], true, true)).collect();
        assert_eq!(aggregate(&all, &[], &[]).metrics["acc_macro_stderr,none"], 0.0);
        // One subject: the macro average is the micro mean, and its bootstrap
        // stderr is close to the analytic sqrt(p(1-p)/(n-1)) = 0.0461 (p = 0.3, n = 100).
        let one: Vec<SampleRecord> = (0..100).map(|i| rec("a", i % 10 < 3, true)).collect();
        let m = aggregate(&one, &[], &[]);
        let (analytic, boot) = (m.metrics["acc_stderr,none"], m.metrics["acc_macro_stderr,none"]);
        assert!((analytic - (0.21f64 / 99.0).sqrt()).abs() < 1e-12);
        assert!((boot - analytic).abs() / analytic < 0.10, "bootstrap {boot} vs analytic {analytic}");
        // Deterministic (fixed seed).
        assert_eq!(aggregate(&one, &[], &[]).metrics["acc_macro_stderr,none"], boot);
    }

    #[test]
    fn partial_credit_is_averaged_and_weighted_by_points() {
        // GAOKAO-style records: a multi-select item half right (credit 0.5),
        // a three-question item with two right (2/3), a single choice wrong.
        let mut rs = vec![rec("physics", false, false), rec("lit", false, false), rec("math", false, false)];
        for (r, (credit, kind, points, gold)) in rs.iter_mut().zip([
            (0.5, "multi_choice", "6", Answer::Choices(vec![1, 3])),
            (2.0 / 3.0, "multi_question_choice", "3", Answer::Choices(vec![2, 0, 3])),
            (0.0, "single_choice", "5", Answer::Choice(0)),
        ]) {
            r.credit = Some(credit);
            r.correct_norm = None;
            r.gold = gold;
            r.fields.insert("type".into(), kind.into());
            r.fields.insert("score".into(), points.into());
        }
        let m = aggregate(&rs, &["type"], &[SuiteMetric::ScoringRate]);
        let acc = (0.5 + 2.0 / 3.0 + 0.0) / 3.0;
        assert!((m.metrics["acc,none"] - acc).abs() < 1e-12);
        assert!((m.metrics["acc_macro,none"] - acc).abs() < 1e-12);
        assert_eq!(m.subjects["physics"], GroupScore { n: 1, acc: 0.5 });
        assert_eq!(m.breakdowns["type"]["multi_choice"].acc, 0.5);
        // Upstream scoring rate: (3 of 6) + (6 of 9) + (0 of 5) points = 9 / 20.
        assert!((m.metrics["scoring_rate,none"] - 9.0 / 20.0).abs() < 1e-12);
    }
}
