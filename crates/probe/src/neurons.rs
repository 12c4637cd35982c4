//! Lists of MLP neurons (IRCAN's context-aware neurons, Shi et al. 2024):
//! [`NeuronList`] reads and writes them as JSON, checks them against a
//! model, picks the `h` most frequent neurons of per-example bags
//! ([`NeuronList::most_common`]) or `h` random ones (the authors' random
//! baseline, [`NeuronList::random`]).
//!
//! The file is a JSON array: `[{"layer": 12, "index": 345, "count": 7}]`,
//! `layer` the 0-based block, `index` the neuron in the MLP hidden width
//! (the down projection's input, hook point `blocks.{l}.mlp.hook_post`),
//! `count` in how many bags it appeared (optional, 1 when absent).
//!
//! ```
//! use kaoshi_probe::neurons::NeuronList;
//! let bags = vec![vec![(3, 7), (1, 2)], vec![(1, 2), (0, 5)]];
//! let top = NeuronList::most_common(&bags, 2);
//! assert_eq!(top.pairs(), vec![(1, 2), (3, 7)]);
//! ```

use std::path::Path;

use kaoshi_model::ModelConfig;
use serde::{Deserialize, Serialize};

use crate::error::ProbeError;

/// One MLP neuron.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Neuron {
    /// The block, 0-based.
    pub layer: usize,
    /// The neuron: an index into the MLP hidden width.
    pub index: usize,
    /// In how many examples' bags it appeared.
    #[serde(default = "one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

/// Neurons, in order (most frequent first when made by [`Self::most_common`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NeuronList(pub Vec<Neuron>);

impl NeuronList {
    /// Reads a neuron list file.
    pub fn read(path: &Path) -> Result<Self, ProbeError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ProbeError::Io { path: path.to_path_buf(), source })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses the JSON of a neuron list.
    pub fn from_json(text: &str) -> Result<Self, ProbeError> {
        Self::parse(text, "neuron list")
    }

    fn parse(text: &str, what: &str) -> Result<Self, ProbeError> {
        serde_json::from_str(text).map_err(|e| {
            ProbeError::Data(format!(
                "{what}: {e} (expected a JSON array of {{\"layer\": L, \"index\": I, \"count\": C}})"
            ))
        })
    }

    /// The list as pretty JSON.
    pub fn to_json(&self) -> String {
        // A Vec of plain structs always serializes.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks every entry against the model: a block it has, a neuron
    /// inside its MLP; `what` (the file) names the list in errors. An
    /// empty list is refused: it would scale nothing.
    pub fn check(&self, config: &ModelConfig, what: &str) -> Result<(), ProbeError> {
        if self.0.is_empty() {
            return Err(ProbeError::Data(format!("{what}: the list holds no neurons")));
        }
        for (k, n) in self.0.iter().enumerate() {
            let why = if n.layer >= config.n_layers {
                format!("the model has {} blocks", config.n_layers)
            } else if n.index >= config.ffn_dim {
                format!("the model's MLP has {} neurons", config.ffn_dim)
            } else {
                continue;
            };
            return Err(ProbeError::Data(format!("{what}: entry {k} (layer {}, index {}): {why}", n.layer, n.index)));
        }
        Ok(())
    }

    /// The `(layer, index)` pairs, in order.
    pub fn pairs(&self) -> Vec<(usize, usize)> {
        self.0.iter().map(|n| (n.layer, n.index)).collect()
    }

    /// The `h` neurons found in the most bags, as the authors' code picks
    /// them (`2_get_cns.py` / `enhance_model.py`): a `collections.Counter`
    /// updated bag by bag, entry by entry, then `most_common(h)`, which
    /// sorts by count, highest first, ties in first-seen order (a stable
    /// sort). Fewer than `h` when the bags hold fewer distinct neurons.
    pub fn most_common(bags: &[Vec<(usize, usize)>], h: usize) -> Self {
        let mut seen: std::collections::HashMap<(usize, usize), usize> = std::collections::HashMap::new();
        let mut counted: Vec<Neuron> = Vec::new();
        for &(layer, index) in bags.iter().flatten() {
            match seen.get(&(layer, index)) {
                Some(&at) => counted[at].count += 1,
                None => {
                    seen.insert((layer, index), counted.len());
                    counted.push(Neuron { layer, index, count: 1 });
                }
            }
        }
        counted.sort_by_key(|n| std::cmp::Reverse(n.count));
        counted.truncate(h);
        Self(counted)
    }

    /// `h` neurons drawn uniformly with replacement, a block then a neuron
    /// each (the authors' `random.randint` baseline), from a SplitMix64
    /// stream seeded with `seed`: the same seed gives the same list. Empty
    /// when the model has no blocks or no MLP.
    pub fn random(n_layers: usize, ffn_dim: usize, h: usize, seed: u64) -> Self {
        if n_layers == 0 || ffn_dim == 0 {
            return Self::default();
        }
        let mut rng = SplitMix64(seed);
        Self(
            (0..h)
                .map(|_| {
                    let layer = rng.below(n_layers as u64) as usize;
                    Neuron { layer, index: rng.below(ffn_dim as u64) as usize, count: 1 }
                })
                .collect(),
        )
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014), enough for drawing neurons.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by rejecting the draws of the last,
    /// incomplete multiple of `n`.
    fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next();
            if x < zone {
                return x % n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(layer: usize, index: usize, count: usize) -> Neuron {
        Neuron { layer, index, count }
    }

    fn config(n_layers: usize, ffn_dim: usize) -> ModelConfig {
        use kaoshi_model::{Architecture, RopeLayout, RopeScaling};
        ModelConfig {
            arch: Architecture::Llama,
            arch_name: "llama".into(),
            n_layers,
            dim: 8,
            n_heads: 2,
            n_kv_heads: 2,
            head_dim: 4,
            ffn_dim,
            vocab_size: 32,
            context_length: 64,
            rms_eps: 1e-5,
            rope_theta: 10000.0,
            rope_dim: 4,
            rope_layout: RopeLayout::Interleaved,
            rope_scaling: RopeScaling::None,
            tied_embeddings: true,
            qk_norm: false,
            qkv_bias: false,
        }
    }

    #[test]
    fn json_round_trip_and_default_count() {
        let list = NeuronList(vec![n(12, 345, 7), n(0, 1, 1)]);
        assert_eq!(NeuronList::from_json(&list.to_json()).unwrap(), list);
        let read = NeuronList::from_json(r#"[{"layer": 3, "index": 9}]"#).unwrap();
        assert_eq!(read, NeuronList(vec![n(3, 9, 1)]));
    }

    #[test]
    fn bad_json_is_a_data_error() {
        for text in [
            r#"{"layer": 1, "index": 2}"#,
            r#"[{"layer": -1, "index": 2}]"#,
            r#"[{"layer": 1}]"#,
            r#"[{"layer": 1, "index": 2, "neuron": 3}]"#,
            "[",
        ] {
            let e = NeuronList::from_json(text).unwrap_err();
            assert!(matches!(e, ProbeError::Data(_)), "{text}: {e}");
        }
    }

    #[test]
    fn check_names_the_file_and_the_entry() {
        let c = config(4, 16);
        let list = NeuronList(vec![n(0, 15, 1), n(3, 0, 1), n(4, 0, 1)]);
        let e = list.check(&c, "cn.json").unwrap_err().to_string();
        assert!(e.contains("cn.json") && e.contains("entry 2") && e.contains("4 blocks"), "{e}");
        let e = NeuronList(vec![n(1, 16, 1)]).check(&c, "cn.json").unwrap_err().to_string();
        assert!(e.contains("entry 0") && e.contains("16 neurons"), "{e}");
        assert!(NeuronList::default().check(&c, "cn.json").is_err());
        assert!(NeuronList(vec![n(3, 15, 1)]).check(&c, "cn.json").is_ok());
    }

    #[test]
    fn most_common_sorts_by_count_and_keeps_first_seen_order_on_ties() {
        // Counts: (5,5) 1, (1,1) 3, (2,2) 2, (0,9) 2, (7,7) 1; the ties
        // (2,2)/(0,9) and (5,5)/(7,7) keep the order they were first met.
        let bags = vec![vec![(5, 5), (1, 1), (2, 2)], vec![(0, 9), (1, 1)], vec![(2, 2), (1, 1), (0, 9), (7, 7)]];
        let all = NeuronList::most_common(&bags, 10);
        assert_eq!(all.0, vec![n(1, 1, 3), n(2, 2, 2), n(0, 9, 2), n(5, 5, 1), n(7, 7, 1)]);
        assert_eq!(NeuronList::most_common(&bags, 2).pairs(), vec![(1, 1), (2, 2)]);
        assert_eq!(NeuronList::most_common(&bags, 0).0, vec![]);
        assert_eq!(NeuronList::most_common(&[], 3).0, vec![]);
    }

    #[test]
    fn random_is_deterministic_in_range_and_covers_it() {
        let a = NeuronList::random(3, 5, 2000, 42);
        assert_eq!(a, NeuronList::random(3, 5, 2000, 42));
        assert_ne!(a, NeuronList::random(3, 5, 2000, 43));
        assert_eq!(a.0.len(), 2000);
        let mut hits = [[0usize; 5]; 3];
        for x in &a.0 {
            assert!(x.layer < 3 && x.index < 5 && x.count == 1);
            hits[x.layer][x.index] += 1;
        }
        // 2000 draws over 15 cells: each near 133, none empty or doubled.
        assert!(hits.iter().flatten().all(|&h| (80..200).contains(&h)), "{hits:?}");
        assert!(NeuronList::random(0, 5, 3, 1).0.is_empty());
    }
}
