//! Aggregating sample records into task metrics.
//!
//! Names follow lm-evaluation-harness (`acc,none`, `acc_stderr,none`, ...).
//! `acc` is the micro average (every item weighs the same); `acc_macro` the
//! mean of per-subject accuracies (every subject weighs the same), as the
//! C-Eval and CMMLU papers report. The standard error of a mean is
//! lm-evaluation-harness's `mean_stderr`: sample standard deviation over
//! sqrt(n).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::record::SampleRecord;

/// Accuracy of a group of items.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScore {
    /// Items.
    pub n: usize,
    /// Accuracy.
    pub acc: f64,
}

/// The metrics of one task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskMetrics {
    /// Metric name -> value, lm-evaluation-harness style keys.
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

/// Mean and its standard error (sample std / sqrt(n)).
pub fn mean_stderr(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

fn group_scores(items: impl Iterator<Item = (String, bool)>) -> BTreeMap<String, GroupScore> {
    let mut acc: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (k, ok) in items {
        let e = acc.entry(k).or_default();
        e.0 += 1;
        e.1 += usize::from(ok);
    }
    acc.into_iter().map(|(k, (n, c))| (k, GroupScore { n, acc: c as f64 / n as f64 })).collect()
}

/// Aggregates `records`; `breakdown_fields` names item fields to break
/// accuracy down by.
pub fn aggregate(records: &[SampleRecord], breakdown_fields: &[&str]) -> TaskMetrics {
    let mut metrics = BTreeMap::new();
    let scored: Vec<&SampleRecord> = records.iter().filter(|r| r.correct.is_some()).collect();
    let mut subjects = BTreeMap::new();
    let mut breakdowns = BTreeMap::new();
    if !scored.is_empty() {
        let acc: Vec<f64> = scored.iter().map(|r| f64::from(u8::from(r.correct == Some(true)))).collect();
        let (m, se) = mean_stderr(&acc);
        metrics.insert("acc,none".into(), m);
        metrics.insert("acc_stderr,none".into(), se);
        let norm: Vec<f64> = scored.iter().filter_map(|r| r.correct_norm).map(|c| f64::from(u8::from(c))).collect();
        if norm.len() == scored.len() {
            let (m, se) = mean_stderr(&norm);
            metrics.insert("acc_norm,none".into(), m);
            metrics.insert("acc_norm_stderr,none".into(), se);
        }
        subjects = group_scores(scored.iter().map(|r| (r.subject.clone(), r.correct == Some(true))));
        let macro_acc = subjects.values().map(|g| g.acc).sum::<f64>() / subjects.len() as f64;
        metrics.insert("acc_macro,none".into(), macro_acc);
        for f in breakdown_fields {
            let groups = group_scores(
                scored.iter().filter_map(|r| r.fields.get(*f).map(|v| (v.clone(), r.correct == Some(true)))),
            );
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
    crate::special::add(records, &mut metrics);
    let n_unextracted = records.iter().filter(|r| r.generated.is_some() && r.prediction.is_none()).count();
    TaskMetrics { metrics, subjects, breakdowns, n: records.len(), n_unextracted }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kaoshi_eval::{Answer, Mode};

    fn rec(subject: &str, correct: bool, norm: bool) -> SampleRecord {
        SampleRecord {
            task: "t".into(),
            doc_id: format!("{subject}{correct}{norm}"),
            subject: subject.into(),
            mode: Mode::Loglik,
            prompt: String::new(),
            choices: vec![],
            logprobs: None,
            is_greedy: None,
            generated: None,
            prediction: None,
            prediction_norm: None,
            gold: Answer::Choice(0),
            correct: Some(correct),
            correct_norm: Some(norm),
            nll: None,
            n_tokens: None,
            n_bytes: None,
            n_chars: None,
            fields: BTreeMap::new(),
        }
    }

    #[test]
    fn micro_macro_and_norm_by_hand() {
        // Subject a: 3 items, 3 right; subject b: 1 item, 0 right.
        let rs = vec![rec("a", true, false), rec("a", true, true), rec("a", true, true), rec("b", false, true)];
        let m = aggregate(&rs, &[]);
        assert_eq!(m.metrics["acc,none"], 0.75); // micro: 3/4
        assert_eq!(m.metrics["acc_macro,none"], 0.5); // macro: (1 + 0) / 2
        assert_eq!(m.metrics["acc_norm,none"], 0.75);
        // std of [1,1,1,0] with ddof 1 = 0.5; / sqrt(4) = 0.25
        assert!((m.metrics["acc_stderr,none"] - 0.25).abs() < 1e-12);
        assert_eq!(m.subjects["b"], GroupScore { n: 1, acc: 0.0 });
    }
}
