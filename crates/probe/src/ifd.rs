//! Instruction-data difficulty and selection, model-free: the data file,
//! IFD from log-probabilities, Star-Agents' dual-model score, the judge's
//! pairwise verdicts, the selection per seed and the evolution of the
//! agents' sampling distribution. The runner is [`crate::ifd_probe`].
//!
//! # Definitions
//!
//! - IFD (Li et al., NAACL 2024, "From Quantity to Quality"; tianyi-lab/Cherry_LLM
//!   `cherry_seletion/data_analysis.py`): `IFD(I, R) = PPL(R | I) / PPL(R)`,
//!   `PPL = exp(mean NLL over the response tokens)` ([`ppl`], [`ifd`]).
//!   Below 1: the instruction makes the response easier to predict.
//! - `pi_dual` (Star-Agents, Zhou et al., NeurIPS 2024, Eq. 5): per candidate
//!   `(IFD_small - IFD_large) / max over the seed's candidates of
//!   (IFD_small - IFD_large)`, clipped below at 0, so in `[0, 1]`. When that
//!   max is `<= 0` (no candidate is harder for the small model than for the
//!   large one) every candidate of the seed gets `pi_dual = 0` and the seed
//!   is flagged `no_positive_gap` ([`pi_dual`]).
//! - `pi_llm`: a judge compares each candidate (assistant A) with its seed's
//!   base candidate (assistant B) with MT-Bench's pairwise verdicts
//!   `[[A]]`, `[[B]]`, `[[C]]` ([`parse_pairwise`]); mapped A (candidate
//!   better) = 1, C (tie) = 0.5, B (base better) = 0 ([`pi_llm`]). The base
//!   candidate is not judged against itself: it is a tie, 0.5. A verdict
//!   with none or several different markers is unparsed: `pi_llm` absent,
//!   counted, never guessed.
//! - `pi = pi_llm * pi_dual` (`pi_llm` taken as 1 without a judge); the
//!   candidate with the largest `pi` of its seed is selected ([`select`]):
//!   ties go to the first in file order; when no candidate has `pi > 0`
//!   none is selected.
//! - Evolution (Star-Agents Eq. 8, as read here): each selected
//!   candidate's agent (pair) gets `+ rate` on its probability, then the
//!   distribution is divided by its sum ([`evolve`]); it stays a simplex.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ProbeError;

/// One line of the data file: a candidate (instruction, response) of a seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Unique id.
    pub id: String,
    /// The seed this candidate rewrites; candidates of one seed compete.
    pub seed: String,
    /// The instruction (user turn).
    pub instruction: String,
    /// The response (assistant turn).
    pub response: String,
    /// The agent (pair) that wrote it, for the evolution step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
}

/// Reads the JSONL data file: one [`Candidate`] per non-empty line; a bad
/// line, a missing field or a repeated id is an error naming the line.
pub fn read_candidates(path: &Path, limit: Option<usize>) -> Result<Vec<Candidate>, ProbeError> {
    let text = std::fs::read_to_string(path).map_err(|e| ProbeError::Io { path: path.to_path_buf(), source: e })?;
    parse_candidates(&text, &path.display().to_string(), limit)
}

/// [`read_candidates`] on text; `name` labels errors.
pub fn parse_candidates(text: &str, name: &str, limit: Option<usize>) -> Result<Vec<Candidate>, ProbeError> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut ids = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if limit.is_some_and(|n| out.len() >= n) {
            break;
        }
        let c: Candidate = serde_json::from_str(line).map_err(|e| {
            ProbeError::Data(format!(
                "{name}:{}: {e} (each line is {{\"id\", \"seed\", \"instruction\", \"response\", \"agent\"?}})",
                i + 1
            ))
        })?;
        if c.response.is_empty() {
            return Err(ProbeError::Data(format!("{name}:{}: id {:?} has an empty response", i + 1, c.id)));
        }
        if !ids.insert(c.id.clone()) {
            return Err(ProbeError::Data(format!("{name}:{}: id {:?} appears twice", i + 1, c.id)));
        }
        out.push(c);
    }
    if out.is_empty() {
        return Err(ProbeError::Data(format!("{name}: no candidates")));
    }
    Ok(out)
}

/// Perplexity of tokens with these log-probabilities: `exp(-mean)`; NaN
/// for none.
pub fn ppl(logprobs: &[f64]) -> f64 {
    if logprobs.is_empty() {
        return f64::NAN;
    }
    (-logprobs.iter().sum::<f64>() / logprobs.len() as f64).exp()
}

/// `PPL(R | I) / PPL(R)` from the response tokens' log-probabilities with
/// and without the instruction.
pub fn ifd(conditioned: &[f64], direct: &[f64]) -> f64 {
    ppl(conditioned) / ppl(direct)
}

/// Star-Agents Eq. 5 over one seed's candidates: `(small - large) / max
/// gap`, clipped at 0. Returns the scores and whether the max gap was
/// `<= 0` (then all scores are 0). A non-finite gap counts as 0.
pub fn pi_dual(ifd_small: &[f64], ifd_large: &[f64]) -> (Vec<f64>, bool) {
    let gaps: Vec<f64> =
        ifd_small.iter().zip(ifd_large).map(|(s, l)| s - l).map(|g| if g.is_finite() { g } else { 0.0 }).collect();
    let max = gaps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max.is_nan() || max <= 0.0 {
        return (vec![0.0; gaps.len()], true);
    }
    (gaps.iter().map(|g| (g / max).clamp(0.0, 1.0)).collect(), false)
}

/// A pairwise verdict: the candidate (A) better, the base (B) better, or a tie (C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// `[[A]]`: the candidate is better.
    A,
    /// `[[B]]`: the base candidate is better.
    B,
    /// `[[C]]`: a tie.
    C,
}

/// The verdict marker in a judge's text: `[[A]]`, `[[B]]` or `[[C]]`
/// (MT-Bench pair-v2; FastChat reads the first of them). Here several
/// markers that disagree, or none, are `None`.
pub fn parse_pairwise(text: &str) -> Option<Verdict> {
    let mut found = None;
    for (marker, v) in [("[[A]]", Verdict::A), ("[[B]]", Verdict::B), ("[[C]]", Verdict::C)] {
        if text.contains(marker) {
            if found.is_some() {
                return None;
            }
            found = Some(v);
        }
    }
    found
}

/// `pi_llm` of a verdict: A = 1, C = 0.5, B = 0.
pub fn pi_llm(v: Verdict) -> f64 {
    match v {
        Verdict::A => 1.0,
        Verdict::C => 0.5,
        Verdict::B => 0.0,
    }
}

/// The index of the selected candidate among one seed's scores (`None`
/// for a candidate without a score): the first largest score, when it is
/// above 0.
pub fn select(pi: &[Option<f64>]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, p) in pi.iter().enumerate() {
        if let Some(p) = p.filter(|p| p.is_finite() && *p > 0.0) {
            if best.is_none_or(|(_, b)| p > b) {
                best = Some((i, p));
            }
        }
    }
    best.map(|(i, _)| i)
}

/// Star-Agents Eq. 8 (as read here): each agent in `selected` (once per
/// selection) gains `rate`, then all are divided by their sum. Agents in
/// `selected` that `dist` lacks start at 0. `rate` must be finite and >= 0.
pub fn evolve(dist: &BTreeMap<String, f64>, selected: &[String], rate: f64) -> BTreeMap<String, f64> {
    let mut next = dist.clone();
    for a in selected {
        *next.entry(a.clone()).or_insert(0.0) += rate;
    }
    let sum: f64 = next.values().sum();
    if sum > 0.0 && sum.is_finite() {
        next.values_mut().for_each(|p| *p /= sum);
    }
    next
}

/// The uniform distribution over `agents`.
pub fn uniform(agents: impl IntoIterator<Item = String>) -> BTreeMap<String, f64> {
    let set: std::collections::BTreeSet<String> = agents.into_iter().collect();
    let n = set.len() as f64;
    set.into_iter().map(|a| (a, 1.0 / n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: reproducible numbers for property checks.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn ifd_from_hand_made_nlls() {
        // NLLs 1, 2, 3 -> mean 2 -> PPL e^2; direct NLLs 3, 3 -> e^3; IFD = e^-1.
        let (cond, direct) = ([-1.0, -2.0, -3.0], [-3.0, -3.0]);
        assert!((ppl(&cond) - 2f64.exp()).abs() < 1e-12);
        assert!((ifd(&cond, &direct) - (-1f64).exp()).abs() < 1e-12);
        assert_eq!(ifd(&direct, &direct), 1.0);
        assert!(ppl(&[]).is_nan());
    }

    #[test]
    fn pi_dual_is_in_unit_interval_and_max_le_zero_gives_zeros() {
        let (p, flag) = pi_dual(&[1.0, 0.8, 0.5], &[0.6, 0.7, 0.9]);
        assert!(!flag);
        assert!((p[0] - 1.0).abs() < 1e-12 && (p[1] - 0.25).abs() < 1e-12 && p[2] == 0.0, "{p:?}");
        assert_eq!(pi_dual(&[0.5, 0.6], &[0.7, 0.6]), (vec![0.0, 0.0], true));
        assert_eq!(pi_dual(&[f64::NAN], &[0.2]), (vec![0.0], true));
        let mut rng = Rng(7);
        for _ in 0..2000 {
            let n = 1 + (rng.next() * 6.0) as usize;
            let s: Vec<f64> = (0..n).map(|_| rng.next() * 2.0).collect();
            let l: Vec<f64> = (0..n).map(|_| rng.next() * 2.0).collect();
            let (p, flag) = pi_dual(&s, &l);
            assert!(p.iter().all(|x| (0.0..=1.0).contains(x)), "{p:?}");
            assert_eq!(flag, p.iter().all(|x| *x == 0.0));
            if !flag {
                assert!(p.contains(&1.0), "the largest gap scores 1");
            }
        }
    }

    #[test]
    fn verdicts_and_their_scores() {
        assert_eq!(parse_pairwise("A is more helpful. [[A]]"), Some(Verdict::A));
        assert_eq!(parse_pairwise("[[C]]"), Some(Verdict::C));
        assert_eq!(parse_pairwise("[[A]] or maybe [[B]]"), None);
        assert_eq!(parse_pairwise("[[A]] ... final: [[A]]"), Some(Verdict::A));
        assert_eq!(parse_pairwise("A is better"), None);
        assert_eq!((pi_llm(Verdict::A), pi_llm(Verdict::C), pi_llm(Verdict::B)), (1.0, 0.5, 0.0));
    }

    #[test]
    fn selection_ties_go_to_the_first_and_all_zero_selects_none() {
        assert_eq!(select(&[Some(0.2), Some(0.7), Some(0.7)]), Some(1));
        assert_eq!(select(&[None, Some(0.1)]), Some(1));
        assert_eq!(select(&[Some(0.0), Some(0.0)]), None);
        assert_eq!(select(&[None, Some(f64::NAN)]), None);
        assert_eq!(select(&[]), None);
    }

    #[test]
    fn evolve_keeps_a_simplex() {
        let agents: Vec<String> = (0..5).map(|i| format!("agent{i}")).collect();
        let mut dist = uniform(agents.clone());
        let mut rng = Rng(42);
        for _ in 0..5000 {
            let picks: Vec<String> =
                (0..(rng.next() * 4.0) as usize).map(|_| agents[(rng.next() * 5.0) as usize].clone()).collect();
            dist = evolve(&dist, &picks, rng.next() * 0.5);
            let sum: f64 = dist.values().sum();
            assert!((sum - 1.0).abs() < 1e-12, "{sum}");
            assert!(dist.values().all(|p| *p >= 0.0));
        }
        let d = evolve(&uniform(["a".to_string(), "b".to_string()]), &["a".to_string()], 0.5);
        assert!((d["a"] - 2.0 / 3.0).abs() < 1e-12 && (d["b"] - 1.0 / 3.0).abs() < 1e-12, "{d:?}");
        let d = evolve(&d, &["new".to_string()], 1.0);
        assert!((d["new"] - 0.5).abs() < 1e-12, "a new agent enters: {d:?}");
    }

    #[test]
    fn bad_lines_name_their_line() {
        let ok = r#"{"id":"a","seed":"s","instruction":"i","response":"r"}"#;
        let err = parse_candidates(&format!("{ok}\n{{\"id\":\"b\"}}\n"), "d.jsonl", None).unwrap_err().to_string();
        assert!(err.starts_with("d.jsonl:2:") && err.contains("seed"), "{err}");
        let err = parse_candidates(&format!("{ok}\n\n{ok}\n"), "d.jsonl", None).unwrap_err().to_string();
        assert!(err.contains("d.jsonl:3") && err.contains("twice"), "{err}");
        let err = parse_candidates("not json", "d.jsonl", None).unwrap_err().to_string();
        assert!(err.starts_with("d.jsonl:1:"), "{err}");
        assert_eq!(parse_candidates(&format!("{ok}\n{ok}"), "d", Some(1)).expect("limit").len(), 1);
    }
}
