//! chrF (Popović 2015) with sacrebleu's defaults: character n-grams of order
//! 1..6, no word n-grams (chrF, not chrF++), β = 2, whitespace removed before
//! counting, one reference per segment, scores in 0..100.
//!
//! For each order n, count the hypothesis n-grams, the reference n-grams and
//! the clipped matches (multiset intersection); sum these over the corpus for
//! [`corpus_chrf`] (a single segment for [`sentence_chrf`]). Then, as
//! sacrebleu's `CHRF._compute_f_score` without `eps_smoothing` (the default;
//! sacrebleu/metrics/chrf.py):
//!
//! ```text
//! orders that count: n with hyp_n > 0 and ref_n > 0   (k of them)
//! P = (1/k) Σ match_n / hyp_n      R = (1/k) Σ match_n / ref_n
//! chrF = 100 · (1 + β²) · P · R / (β² · P + R)        (0 if k = 0 or P + R = 0)
//! ```
//!
//! Characters are Unicode scalar values (Python's `str` indexing); whitespace
//! is what Python's `str.split()` splits on (Rust's `char::is_whitespace`).

use std::collections::HashMap;

/// Character n-gram order.
pub const CHAR_ORDER: usize = 6;
/// Recall weight.
pub const BETA: f64 = 2.0;

/// Per-order statistics: (hypothesis n-grams, reference n-grams, matches).
type Stats = [(usize, usize, usize); CHAR_ORDER];

fn char_ngrams(chars: &[char], n: usize) -> HashMap<&[char], usize> {
    let mut m = HashMap::new();
    for w in chars.windows(n) {
        *m.entry(w).or_insert(0) += 1;
    }
    m
}

fn segment_stats(hypothesis: &str, reference: &str) -> Stats {
    let hyp: Vec<char> = hypothesis.chars().filter(|c| !c.is_whitespace()).collect();
    let refs: Vec<char> = reference.chars().filter(|c| !c.is_whitespace()).collect();
    let mut stats = [(0, 0, 0); CHAR_ORDER];
    for (i, s) in stats.iter_mut().enumerate() {
        let n = i + 1;
        let hc = char_ngrams(&hyp, n);
        let rc = char_ngrams(&refs, n);
        let matched = hc.iter().map(|(g, &c)| c.min(rc.get(g).copied().unwrap_or(0))).sum();
        *s = (hyp.len().saturating_sub(n - 1), refs.len().saturating_sub(n - 1), matched);
    }
    stats
}

fn f_score(stats: &Stats) -> f64 {
    let (mut p, mut r, mut k) = (0.0, 0.0, 0usize);
    for &(h, rf, m) in stats {
        if h > 0 && rf > 0 {
            p += m as f64 / h as f64;
            r += m as f64 / rf as f64;
            k += 1;
        }
    }
    if k == 0 {
        return 0.0;
    }
    let (p, r) = (p / k as f64, r / k as f64);
    if p + r == 0.0 {
        return 0.0;
    }
    let b2 = BETA * BETA;
    100.0 * (1.0 + b2) * p * r / (b2 * p + r)
}

/// chrF of one hypothesis against its reference.
pub fn sentence_chrf(hypothesis: &str, reference: &str) -> f64 {
    f_score(&segment_stats(hypothesis, reference))
}

/// Corpus chrF: statistics summed over all segments, then one F-score (not the
/// mean of sentence scores). Panics if the slices differ in length.
pub fn corpus_chrf<H: AsRef<str>, R: AsRef<str>>(hypotheses: &[H], references: &[R]) -> f64 {
    assert_eq!(hypotheses.len(), references.len(), "one reference per hypothesis");
    let mut total = [(0, 0, 0); CHAR_ORDER];
    for (h, r) in hypotheses.iter().zip(references) {
        for (t, s) in total.iter_mut().zip(segment_stats(h.as_ref(), r.as_ref())) {
            t.0 += s.0;
            t.1 += s.1;
            t.2 += s.2;
        }
    }
    f_score(&total)
}
