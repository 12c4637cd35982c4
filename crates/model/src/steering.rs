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
/// the chosen range.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Steering {
    /// Block -> the vector added to its output.
    pub layers: BTreeMap<usize, Vec<f32>>,
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
        Ok(Self { layers: out })
    }

    /// Whether nothing is added.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The interventions: `blocks.{l}.hook_resid_post` plus the vector, every row.
    pub fn hooks(&self) -> HookSet {
        let interventions = self
            .layers
            .iter()
            .map(|(&l, v)| Intervention::AddVector {
                point: HookPoint::ResidPost(l),
                vector: v.clone(),
                scale: 1.0,
                rows: RowSet::All,
            })
            .collect();
        HookSet { captures: Vec::new(), interventions }
    }
}
