//! Control vectors and steering: a direction per block added to the
//! residual stream at the block's output, at every position, in every pass
//! the model runs (ConTrans, Dong et al. 2025, Eq. 3; repeng; llama.cpp's
//! `--control-vector`).
//!
//! The file format is llama.cpp's and repeng's (`export_gguf`): a GGUF file
//! with `general.architecture = "controlvector"`, `controlvector.model_hint`
//! (the model's architecture), `controlvector.layer_count` (the number of
//! directions) and one 1-D F32 tensor `direction.N` per block. `direction.N`
//! is added to the output of block N (0-based), where llama.cpp adds
//! `tensor_for(il)` after layer `il` and repeng reads `hidden_states[N + 1]`.
//! llama.cpp refuses a file holding `direction.0` (it never steers block 0),
//! so [`ControlVector::to_gguf`] refuses it too; reading accepts it.
//!
//! [`Steering`] can also scale chosen MLP neurons (IRCAN, Shi et al. 2024:
//! the neurons' down-projection columns times `beta`, which is the same as
//! scaling their activations at `blocks.{l}.mlp.hook_post`), at every
//! position of every pass: [`Steering::with_neurons`].

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use kaoshi_formats::{F32Tensor, GgufFile, Value, gguf_bytes};

use crate::config::ModelConfig;
use crate::error::ModelError;
use crate::hooks::{HookPoint, HookSet, Intervention, RowSet};

/// The architecture name of a control vector file.
pub const CONTROL_VECTOR_ARCH: &str = "controlvector";

/// A direction per block, as stored in a control vector file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ControlVector {
    /// The architecture of the model it was made on (`controlvector.model_hint`).
    pub model_hint: Option<String>,
    /// Block number -> direction (as wide as the model's residual stream).
    pub directions: BTreeMap<usize, Vec<f32>>,
}

fn bad(what: &str, why: impl std::fmt::Display) -> ModelError {
    ModelError::Hook(format!("control vector {what}: {why}"))
}

impl ControlVector {
    /// Reads a control vector file; `what` names it in errors.
    pub fn from_gguf(file: &GgufFile, what: &str) -> Result<Self, ModelError> {
        match file.architecture() {
            Some(CONTROL_VECTOR_ARCH) => {}
            Some(other) => {
                return Err(bad(
                    what,
                    format!("general.architecture is {other:?}, not \"controlvector\" (a model file?)"),
                ));
            }
            None => return Err(bad(what, "no general.architecture (expected \"controlvector\")")),
        }
        let mut directions = BTreeMap::new();
        let mut width = None;
        for t in file.tensors() {
            let layer = t
                .name
                .strip_prefix("direction.")
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| bad(what, format!("tensor {:?} is not named direction.N", t.name)))?;
            if t.shape.len() != 1 {
                return Err(bad(what, format!("{} has shape {:?}, expected one dimension", t.name, t.shape)));
            }
            if *width.get_or_insert(t.shape[0]) != t.shape[0] {
                return Err(bad(
                    what,
                    format!("{} has {} values, earlier directions {}", t.name, t.shape[0], width.unwrap_or(0)),
                ));
            }
            let values = file.read_vector_f32(&t.name)?;
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(bad(what, format!("{} holds a non-finite value at {i}", t.name)));
            }
            // Two tensors for one block add up, as llama.cpp reads them.
            let slot = directions.entry(layer).or_insert_with(|| vec![0.0; values.len()]);
            slot.iter_mut().zip(&values).for_each(|(s, v)| *s += v);
        }
        if directions.is_empty() {
            return Err(bad(what, "the file holds no direction.N tensors"));
        }
        let model_hint = file.metadata().get_str("controlvector.model_hint").map(str::to_string);
        Ok(Self { model_hint, directions })
    }

    /// The width of the directions (`None` when there are none).
    pub fn dim(&self) -> Option<usize> {
        self.directions.values().next().map(Vec::len)
    }

    /// The bytes of the control vector file, loadable by llama.cpp's
    /// `--control-vector` and repeng's `import_gguf`. A direction for block
    /// 0 is refused: llama.cpp rejects such a file whole.
    pub fn to_gguf(&self) -> Result<Vec<u8>, ModelError> {
        if self.directions.contains_key(&0) {
            return Err(bad(
                "file",
                "direction.0 (block 0's output) cannot be written: llama.cpp refuses a control vector holding it",
            ));
        }
        let metadata = vec![
            ("general.architecture".to_string(), Value::String(CONTROL_VECTOR_ARCH.into())),
            ("controlvector.model_hint".to_string(), Value::String(self.model_hint.clone().unwrap_or_default())),
            ("controlvector.layer_count".to_string(), Value::U32(self.directions.len() as u32)),
        ];
        let tensors: Vec<F32Tensor> = self
            .directions
            .iter()
            .map(|(l, v)| F32Tensor { name: format!("direction.{l}"), shape: vec![v.len()], values: v.clone() })
            .collect();
        gguf_bytes(&metadata, &tensors).map_err(|e| bad("file", e))
    }
}

/// The directions a model adds at its blocks' outputs: the sum of
/// `scale * direction` over the control vectors given, for the blocks in
/// the chosen range; and MLP neurons whose activations are multiplied by
/// `neuron_factor`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Steering {
    /// Block -> the vector added to its output.
    pub layers: BTreeMap<usize, Vec<f32>>,
    /// Block -> the MLP neurons scaled (indices into the MLP hidden width,
    /// the down projection's input), in the order given; a neuron listed
    /// twice is scaled twice.
    pub neurons: BTreeMap<usize, Vec<usize>>,
    /// The multiplier of the neurons in `neurons`.
    pub neuron_factor: f32,
}

impl Steering {
    /// Sums `scale * direction` over `vectors`, keeping the blocks in
    /// `layers` (all when `None`), checked against the model: widths equal
    /// to `dim`, blocks that exist. A block outside the model is an error
    /// only when the range was not given (a vector made on another model);
    /// with a range, directions outside it are ignored, as llama.cpp does.
    pub fn new(
        vectors: &[(&ControlVector, f32)],
        layers: Option<RangeInclusive<usize>>,
        config: &ModelConfig,
    ) -> Result<Self, ModelError> {
        let mut out: BTreeMap<usize, Vec<f32>> = BTreeMap::new();
        for (i, (cv, scale)) in vectors.iter().enumerate() {
            let what = format!("#{}", i + 1);
            if !scale.is_finite() {
                return Err(bad(&what, format!("scale {scale} is not a finite number")));
            }
            for (&l, dir) in &cv.directions {
                if dir.len() != config.dim {
                    return Err(bad(
                        &what,
                        format!("direction.{l} has {} values, the model's residual stream {}", dir.len(), config.dim),
                    ));
                }
                if layers.as_ref().is_some_and(|r| !r.contains(&l)) {
                    continue;
                }
                if l >= config.n_layers {
                    return Err(bad(&what, format!("direction.{l}: the model has {} blocks", config.n_layers)));
                }
                let slot = out.entry(l).or_insert_with(|| vec![0.0; config.dim]);
                slot.iter_mut().zip(dir).for_each(|(s, d)| *s += scale * d);
            }
        }
        Ok(Self { layers: out, ..Self::default() })
    }

    /// Adds neuron scaling: each `(block, neuron)` of `neurons` has its MLP
    /// activation multiplied by `factor` (IRCAN's `down_proj.weight[:, n]
    /// *= beta`), checked against the model. A pair given twice is scaled
    /// twice, as the authors' in-place loop does (their random baseline
    /// draws with replacement). Replaces any neurons set before.
    pub fn with_neurons(
        mut self,
        neurons: &[(usize, usize)],
        factor: f32,
        config: &ModelConfig,
    ) -> Result<Self, ModelError> {
        if !factor.is_finite() {
            return Err(ModelError::Hook(format!("neuron scale {factor} is not a finite number")));
        }
        let mut out: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &(l, n) in neurons {
            if l >= config.n_layers {
                return Err(ModelError::Hook(format!(
                    "neuron {n} of block {l}: the model has {} blocks",
                    config.n_layers
                )));
            }
            if n >= config.ffn_dim {
                return Err(ModelError::Hook(format!("neuron {n} of block {l}: the MLP has {}", config.ffn_dim)));
            }
            out.entry(l).or_default().push(n);
        }
        self.neurons = out;
        self.neuron_factor = factor;
        Ok(self)
    }

    /// Whether nothing is added or scaled.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty() && self.neurons.is_empty()
    }

    /// The interventions: `blocks.{l}.hook_resid_post` plus the vector, every
    /// row; then per block with neurons, `blocks.{l}.mlp.hook_post` with
    /// those neurons times the factor, every row (one intervention per
    /// block, plus one more for each further repeat of a neuron).
    pub fn hooks(&self) -> HookSet {
        let mut interventions: Vec<Intervention> = self
            .layers
            .iter()
            .map(|(&l, v)| Intervention::AddVector {
                point: HookPoint::ResidPost(l),
                vector: v.clone(),
                scale: 1.0,
                rows: RowSet::All,
            })
            .collect();
        for (&layer, list) in &self.neurons {
            for round in repeat_rounds(list) {
                interventions.push(Intervention::ScaleNeurons {
                    layer,
                    neurons: round,
                    factor: self.neuron_factor,
                    rows: RowSet::All,
                });
            }
        }
        HookSet { captures: Vec::new(), interventions }
    }
}

/// `list` split into lists without repeats: the first holds every neuron
/// once (in first-seen order), the k-th those listed at least k times.
fn repeat_rounds(list: &[usize]) -> Vec<Vec<usize>> {
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
    for &n in list {
        let k = seen.entry(n).or_insert(0);
        if rounds.len() <= *k {
            rounds.push(Vec::new());
        }
        rounds[*k].push(n);
        *k += 1;
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Architecture, RopeLayout, RopeScaling};

    fn config() -> ModelConfig {
        ModelConfig {
            arch: Architecture::Llama,
            arch_name: "llama".into(),
            n_layers: 4,
            dim: 8,
            n_heads: 2,
            n_kv_heads: 2,
            head_dim: 4,
            ffn_dim: 16,
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

    fn scaled(hooks: &HookSet) -> Vec<(usize, Vec<usize>, f32)> {
        hooks
            .interventions
            .iter()
            .filter_map(|i| match i {
                Intervention::ScaleNeurons { layer, neurons, factor, rows: RowSet::All } => {
                    Some((*layer, neurons.clone(), *factor))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn neurons_become_one_scale_per_block() {
        let s = Steering::default().with_neurons(&[(2, 5), (0, 3), (2, 1)], 3.0, &config()).unwrap();
        assert!(!s.is_empty());
        assert_eq!(scaled(&s.hooks()), vec![(0, vec![3], 3.0), (2, vec![5, 1], 3.0)]);
        assert_eq!(s.hooks().interventions.len(), 2);
    }

    #[test]
    fn a_repeated_neuron_is_scaled_once_per_repeat() {
        let s = Steering::default().with_neurons(&[(1, 4), (1, 2), (1, 4), (1, 4)], 2.0, &config()).unwrap();
        assert_eq!(scaled(&s.hooks()), vec![(1, vec![4, 2], 2.0), (1, vec![4], 2.0), (1, vec![4], 2.0)]);
    }

    #[test]
    fn vectors_and_neurons_together() {
        let cv = ControlVector { model_hint: None, directions: BTreeMap::from([(1, vec![1.0; 8])]) };
        let s = Steering::new(&[(&cv, 2.0)], None, &config()).unwrap().with_neurons(&[(3, 0)], 0.5, &config()).unwrap();
        let hooks = s.hooks();
        assert_eq!(hooks.interventions.len(), 2);
        assert!(matches!(&hooks.interventions[0], Intervention::AddVector { point: HookPoint::ResidPost(1), .. }));
        assert_eq!(scaled(&hooks), vec![(3, vec![0], 0.5)]);
    }

    #[test]
    fn neurons_outside_the_model_are_refused() {
        let c = config();
        assert!(Steering::default().with_neurons(&[(4, 0)], 2.0, &c).is_err());
        assert!(Steering::default().with_neurons(&[(0, 16)], 2.0, &c).is_err());
        assert!(Steering::default().with_neurons(&[(0, 1)], f32::NAN, &c).is_err());
        assert!(Steering::default().with_neurons(&[], 2.0, &c).unwrap().is_empty());
    }
}
