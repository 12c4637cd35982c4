//! Language Activation Probability Entropy (Tang et al., "Language-Specific
//! Neurons: The Key to Multilingual Capabilities in Large Language Models",
//! ACL 2024; RUCAIBox/Language-Specific-Neurons, `activation.py` and
//! `identify.py`), apart from the model:
//!
//! - [`LapeCounts`]: per language, the tokens seen and, per neuron (block,
//!   index into the MLP), how many of them activated it: SiLU(gate) > 0,
//!   i.e. `mlp.hook_pre > 0`.
//! - [`select`]: p = count / tokens; p normalised over languages; LAPE =
//!   the entropy of that distribution (natural log); neurons whose p is
//!   above the `filter_rate` quantile of all p in no language are dropped;
//!   the `top_rate` fraction of all neurons with the lowest entropy is
//!   kept; each kept neuron belongs to every language whose p exceeds the
//!   `bar` quantile of all p.
//!
//! Where the authors' code leaves something open: quantiles are the
//! `round_half_even(len * rate)`-th smallest value (`torch.kthvalue` with
//! Python's `round`, at least the first); equal entropies are taken in
//! (block, neuron) order; a neuron dropped by the filter is never kept
//! (`identify.py` marks it with infinite entropy, which `topk` would still
//! take if fewer finite ones remained).

use std::collections::BTreeMap;

use serde::Serialize;

/// Activation counts of every MLP neuron, per language.
#[derive(Debug, Clone, PartialEq)]
pub struct LapeCounts {
    /// Language codes.
    pub langs: Vec<String>,
    /// Blocks.
    pub layers: usize,
    /// Neurons per block (the MLP width).
    pub neurons: usize,
    /// Tokens counted, per language.
    pub tokens: Vec<u64>,
    /// `over_zero[lang][layer * neurons + j]`: tokens on which neuron j of
    /// `layer` was active.
    pub over_zero: Vec<Vec<u64>>,
}

impl LapeCounts {
    /// Zero counts.
    pub fn new(langs: Vec<String>, layers: usize, neurons: usize) -> Self {
        let n = langs.len();
        Self { langs, layers, neurons, tokens: vec![0; n], over_zero: vec![vec![0; layers * neurons]; n] }
    }

    /// Counts the active neurons of `rows` tokens (`gate`: `[rows, neurons]`
    /// row-major, the gate projection before SiLU) of language `lang` in
    /// block `layer`. The tokens are counted once, with block 0.
    pub fn add(&mut self, lang: usize, layer: usize, gate: &[f32]) {
        let counts = &mut self.over_zero[lang][layer * self.neurons..(layer + 1) * self.neurons];
        for row in gate.chunks_exact(self.neurons) {
            for (c, &g) in counts.iter_mut().zip(row) {
                *c += u64::from(g > 0.0);
            }
        }
        if layer == 0 {
            self.tokens[lang] += (gate.len() / self.neurons.max(1)) as u64;
        }
    }

    /// `p[lang][layer * neurons + j]`: the share of the language's tokens
    /// that activated the neuron (0 for a language without tokens).
    pub fn probabilities(&self) -> Vec<Vec<f64>> {
        self.over_zero
            .iter()
            .zip(&self.tokens)
            .map(|(c, &n)| c.iter().map(|&k| if n == 0 { 0.0 } else { k as f64 / n as f64 }).collect())
            .collect()
    }
}

/// The thresholds of [`select`] (the authors' defaults: 0.01, 0.95, 0.95).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LapeParams {
    /// Fraction of all neurons kept (lowest entropy first).
    pub top_rate: f64,
    /// Quantile of all p that a neuron must exceed in some language.
    pub filter_rate: f64,
    /// Quantile of all p above which a kept neuron belongs to a language.
    pub bar: f64,
}

impl Default for LapeParams {
    fn default() -> Self {
        Self { top_rate: 0.01, filter_rate: 0.95, bar: 0.95 }
    }
}

/// The neurons [`select`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LapeSelection {
    /// `{lang: {layer: [neuron, ...]}}`, indices ascending (the authors' shape).
    pub neurons: BTreeMap<String, BTreeMap<usize, Vec<usize>>>,
    /// `per_layer[lang][layer]`: how many neurons of each block each
    /// language has.
    pub per_layer: BTreeMap<String, Vec<usize>>,
    /// Neurons kept by entropy (before assignment to languages).
    pub n_selected: usize,
    /// The p a neuron must exceed in some language to be considered.
    pub filter_value: f64,
    /// The p above which a kept neuron belongs to a language.
    pub bar_value: f64,
    /// The entropy of every kept neuron, `(layer, neuron, lape)`, lowest first.
    pub selected: Vec<(usize, usize, f64)>,
}

/// The `round_half_even(len * rate)`-th smallest of `values` (at least the
/// first, at most the last), as `torch.kthvalue` with Python's `round`.
pub fn kth_value(values: &[f64], rate: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let k = ((values.len() as f64 * rate).round_ties_even() as usize).clamp(1, values.len().max(1));
    sorted.get(k - 1).copied().unwrap_or(f64::NAN)
}

/// The entropy (natural log) of `p` normalised to sum 1; 0 when `p` sums
/// to 0 (`identify.py` turns the NaN of 0/0 into 0).
pub fn entropy(p: &[f64]) -> f64 {
    let total: f64 = p.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    -p.iter().map(|x| x / total).filter(|&q| q > 0.0).map(|q| q * q.ln()).sum::<f64>()
}

/// Selects and assigns language-specific neurons (see the module doc).
pub fn select(counts: &LapeCounts, params: &LapeParams) -> LapeSelection {
    let p = counts.probabilities();
    let n_flat = counts.layers * counts.neurons;
    let all: Vec<f64> = p.iter().flatten().copied().collect();
    let filter_value = kth_value(&all, params.filter_rate);
    let bar_value = kth_value(&all, params.bar);
    let mut candidates: Vec<(usize, f64)> = (0..n_flat)
        .filter(|&i| p.iter().any(|lang| lang[i] > filter_value))
        .map(|i| (i, entropy(&p.iter().map(|lang| lang[i]).collect::<Vec<_>>())))
        .collect();
    candidates.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let keep = ((n_flat as f64 * params.top_rate).round_ties_even() as usize).min(candidates.len());
    candidates.truncate(keep);
    let mut neurons: BTreeMap<String, BTreeMap<usize, Vec<usize>>> = BTreeMap::new();
    let mut per_layer: BTreeMap<String, Vec<usize>> =
        counts.langs.iter().map(|l| (l.clone(), vec![0; counts.layers])).collect();
    for &(i, _) in &candidates {
        let (layer, j) = (i / counts.neurons, i % counts.neurons);
        for (lang, probs) in counts.langs.iter().zip(&p) {
            if probs[i] > bar_value {
                neurons.entry(lang.clone()).or_default().entry(layer).or_default().push(j);
                per_layer.get_mut(lang).expect("every language")[layer] += 1;
            }
        }
    }
    for layers in neurons.values_mut() {
        for v in layers.values_mut() {
            v.sort_unstable();
        }
    }
    let selected = candidates.iter().map(|&(i, h)| (i / counts.neurons, i % counts.neurons, h)).collect();
    LapeSelection { neurons, per_layer, n_selected: keep, filter_value, bar_value, selected }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three languages, 2 blocks of 100 neurons, 1000 tokens each. Most
    /// neurons fire on 2% of every language's tokens (below the filter);
    /// neuron (1, 7) fires only for zh (on 900 tokens); neuron (0, 3) on
    /// 900 tokens of every language; neurons (0, 10..14) fire more in en
    /// than elsewhere. With a top rate of 1% (2 of 200 neurons) the zh
    /// neuron (LAPE 0) and one skewed neuron are kept; the uniform one has
    /// LAPE ln 3, the highest there is, and is not kept.
    #[test]
    fn a_neuron_of_one_language_is_kept_and_a_uniform_one_is_not() {
        let langs: Vec<String> = ["en", "zh", "fr"].iter().map(|s| s.to_string()).collect();
        let mut c = LapeCounts::new(langs, 2, 100);
        for lang in 0..3 {
            c.tokens[lang] = 1000;
            c.over_zero[lang].fill(20);
            c.over_zero[lang][3] = 900;
            for j in 10..14 {
                c.over_zero[lang][j] = if lang == 0 { 500 } else { 300 };
            }
        }
        c.over_zero[1][100 + 7] = 900;
        c.over_zero[0][100 + 7] = 0;
        c.over_zero[2][100 + 7] = 0;
        assert!((entropy(&[0.9, 0.9, 0.9]) - 3f64.ln()).abs() < 1e-12);
        let s = select(&c, &LapeParams::default());
        assert_eq!(s.n_selected, 2);
        assert_eq!(s.selected[0], (1, 7, 0.0));
        assert_eq!(s.selected[1].0, 0);
        assert!((10..14).contains(&s.selected[1].1), "{:?}", s.selected);
        assert_eq!(s.neurons["zh"][&1], vec![7]);
        for lang in ["en", "fr"] {
            assert!(!s.neurons[lang].contains_key(&1), "{lang} got the zh neuron");
        }
        assert!(s.neurons.values().all(|l| l.get(&0).is_none_or(|v| !v.contains(&3))), "the uniform neuron was kept");
        assert_eq!(s.per_layer["zh"], vec![1, 1]);
    }

    #[test]
    fn quantiles_follow_kthvalue_and_python_round() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(kth_value(&v, 0.95), 10.0); // round(9.5) = 10
        assert_eq!(kth_value(&v, 0.25), 2.0); // round(2.5) = 2 (half to even)
        assert_eq!(kth_value(&v, 0.35), 4.0); // round(3.5) = 4
        assert_eq!(kth_value(&v, 0.0), 1.0); // at least the first
    }

    #[test]
    fn counting_sees_positive_gates_only() {
        let mut c = LapeCounts::new(vec!["x".into()], 2, 3);
        c.add(0, 0, &[1.0, 0.0, -1.0, 0.5, 2.0, -0.1]);
        c.add(0, 1, &[-1.0, -1.0, 3.0, -1.0, -1.0, 3.0]);
        assert_eq!(c.tokens, vec![2]);
        assert_eq!(c.over_zero[0], vec![2, 1, 0, 0, 0, 2]);
        assert_eq!(c.probabilities()[0], vec![1.0, 0.5, 0.0, 0.0, 0.0, 1.0]);
    }
}
