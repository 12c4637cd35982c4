//! Accuracy: micro and macro averages, and lm-evaluation-harness's `acc` /
//! `acc_norm` choice among log-likelihoods.

use std::collections::BTreeMap;

use serde::Serialize;

/// One scored item: its subject (the unit of macro averages) and whether it
/// was answered correctly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    /// Subject / sub-task.
    pub subject: String,
    /// Whether the answer was right (an unextractable answer is wrong).
    pub correct: bool,
}

/// Accuracy of one group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupAccuracy {
    /// Items in the group.
    pub n: usize,
    /// Items answered correctly.
    pub correct: usize,
    /// `correct / n`.
    pub acc: f64,
}

/// Micro, macro and per-subject accuracy of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Correct items over all items ([`micro`]).
    pub micro: f64,
    /// Mean of the per-subject accuracies ([`macro_by`]).
    pub macro_avg: f64,
    /// Each subject's accuracy, by name.
    pub per_subject: BTreeMap<String, GroupAccuracy>,
}

impl Scored {
    /// Micro, macro and per-subject accuracy of `items`.
    pub fn summarize(items: &[Scored]) -> Summary {
        let pairs: Vec<(&str, bool)> = items.iter().map(|s| (s.subject.as_str(), s.correct)).collect();
        let correct: Vec<bool> = items.iter().map(|s| s.correct).collect();
        Summary { micro: micro(&correct), macro_avg: macro_by(&pairs), per_subject: per_group(&pairs) }
    }
}

/// Fraction of `true`s: correct items over all items. NaN when empty.
pub fn micro(correct: &[bool]) -> f64 {
    if correct.is_empty() {
        return f64::NAN;
    }
    correct.iter().filter(|&&c| c).count() as f64 / correct.len() as f64
}

/// Accuracy of each group of `(group, correct)` pairs, by group name.
pub fn per_group<S: AsRef<str>>(groups: &[(S, bool)]) -> BTreeMap<String, GroupAccuracy> {
    let mut out: BTreeMap<String, GroupAccuracy> = BTreeMap::new();
    for (g, c) in groups {
        let e = out.entry(g.as_ref().to_string()).or_insert(GroupAccuracy { n: 0, correct: 0, acc: 0.0 });
        e.n += 1;
        e.correct += usize::from(*c);
    }
    for e in out.values_mut() {
        e.acc = e.correct as f64 / e.n as f64;
    }
    out
}

/// Macro average: the unweighted mean of the per-group accuracies, so every
/// group (subject) counts the same however many items it has — how C-Eval,
/// CMMLU and MMLU report their "average" over subjects. NaN when empty.
pub fn macro_by<S: AsRef<str>>(groups: &[(S, bool)]) -> f64 {
    let per = per_group(groups);
    if per.is_empty() {
        return f64::NAN;
    }
    per.values().map(|g| g.acc).sum::<f64>() / per.len() as f64
}

/// The option picked by log-likelihood, as lm-evaluation-harness scores
/// multiple choice: `.0` is the `acc` prediction, `argmax(logprobs)`; `.1` the
/// `acc_norm` prediction, `argmax(logprobs[i] / lengths[i])`.
///
/// lm-evaluation-harness (lm_eval/api/task.py, `ConfigurableTask.process_results`,
/// `output_type == "multiple_choice"`) computes
/// `completion_len = np.array([float(len(i)) for i in choices])` and
/// `pred_norm = np.argmax(lls / completion_len)`: `len` of the Python string of
/// each *choice* (without the target delimiter), i.e. its length in Unicode
/// code points. Pass `choice.chars().count()` ([`choice_lengths`]) to match it;
/// pass `choice.len()` to normalize by UTF-8 bytes instead (the two differ only
/// when choices mix scripts: a CJK character is 3 bytes). A zero length is
/// taken as 1.
///
/// Ties go to the first index (`np.argmax`); a NaN never wins (numpy would
/// pick the first NaN). Panics if the slices differ in length or are empty.
pub fn loglik_choice(logprobs: &[f64], lengths: &[usize]) -> (usize, usize) {
    assert_eq!(logprobs.len(), lengths.len(), "one length per choice");
    assert!(!logprobs.is_empty(), "at least one choice");
    let norm: Vec<f64> = logprobs.iter().zip(lengths).map(|(lp, &n)| lp / n.max(1) as f64).collect();
    (argmax(logprobs), argmax(&norm))
}

/// The lengths lm-evaluation-harness divides by for `acc_norm`: code points.
pub fn choice_lengths<S: AsRef<str>>(choices: &[S]) -> Vec<usize> {
    choices.iter().map(|c| c.as_ref().chars().count()).collect()
}

/// Index of the largest value; the first on ties.
fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate().skip(1) {
        if x > v[best] || (v[best].is_nan() && !x.is_nan()) {
            best = i;
        }
    }
    best
}
