//! Label distributions: how often each label (e.g. a CRiskEval risk level
//! 1-4 of the chosen option) occurs, as counts and fractions.

use std::collections::BTreeMap;

use serde::Serialize;

/// Counts per label, in label order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Distribution<L: Ord> {
    /// Occurrences of each label (labels passed to [`Distribution::with_labels`]
    /// appear even with a zero count).
    pub counts: BTreeMap<L, usize>,
    /// All occurrences.
    pub total: usize,
}

impl<L: Ord + Clone> Distribution<L> {
    /// The distribution of `labels`.
    pub fn of(labels: impl IntoIterator<Item = L>) -> Self {
        Self::with_labels(labels, &[])
    }

    /// The distribution of `labels`, listing every label of `known` even when
    /// it does not occur (so reports show a 0 for an unused risk level).
    pub fn with_labels(labels: impl IntoIterator<Item = L>, known: &[L]) -> Self {
        let mut counts: BTreeMap<L, usize> = known.iter().map(|l| (l.clone(), 0)).collect();
        let mut total = 0;
        for l in labels {
            *counts.entry(l).or_insert(0) += 1;
            total += 1;
        }
        Self { counts, total }
    }

    /// Occurrences of `label`.
    pub fn count(&self, label: &L) -> usize {
        self.counts.get(label).copied().unwrap_or(0)
    }

    /// Share of `label` among all occurrences; NaN when there are none.
    pub fn fraction(&self, label: &L) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        self.count(label) as f64 / self.total as f64
    }

    /// The share of every label, in label order (NaN when there are none).
    pub fn fractions(&self) -> BTreeMap<L, f64> {
        self.counts.keys().map(|l| (l.clone(), self.fraction(l))).collect()
    }
}

impl<L: Ord + Copy + Into<f64>> Distribution<L> {
    /// The mean label, for numeric labels such as risk levels; NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        self.counts.iter().map(|(&l, &c)| l.into() * c as f64).sum::<f64>() / self.total as f64
    }
}
