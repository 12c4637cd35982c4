//! `kaoshi probe affine` and `kaoshi probe transplant` (ConTrans, Dong et
//! al. 2025, section 3.2): the map from a source model's block output to a
//! target model's, fitted on shared inputs (the WikiSplit sentences, the
//! last token of each, split 80/10/10 in file order, [`crate::affine`]),
//! stored as a GGUF file, and used to carry a source control vector into
//! the target's space (`v_target = W v_source`, the authors'
//! `convert_vector.py`).
//!
//! The map file: `general.architecture = "kaoshi-affine"`, the layers in
//! `affine.source_layer` and `affine.target_layer`, the models'
//! architectures in `affine.source_hint` and `affine.target_hint`, and one
//! F32 tensor `affine.weight` of shape `[d_target, d_source]`.

use kaoshi_formats::{F32Tensor, GgufFile, Value, gguf_bytes};
use kaoshi_model::ControlVector;
use serde::Serialize;

use crate::affine::{self, LinearMap, Regularization};
use crate::error::ProbeError;

/// The architecture name of a map file.
pub const AFFINE_ARCH: &str = "kaoshi-affine";

/// A fitted map between two models' block outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct AffineMap {
    /// The source model's block.
    pub source_layer: usize,
    /// The target model's block.
    pub target_layer: usize,
    /// The source model's architecture.
    pub source_hint: String,
    /// The target model's architecture.
    pub target_hint: String,
    /// `[d_target][d_source]`.
    pub w: Vec<Vec<f32>>,
}

/// What `kaoshi probe affine` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AffineReport {
    /// "affine".
    pub probe: &'static str,
    /// The source model's block.
    pub source_layer: usize,
    /// The target model's block.
    pub target_layer: usize,
    /// Widths.
    pub d_source: usize,
    /// Widths.
    pub d_target: usize,
    /// Rows in each split.
    pub n_train: usize,
    /// Rows in each split.
    pub n_dev: usize,
    /// Rows in each split.
    pub n_test: usize,
    /// The regularization.
    pub regularization: Regularization,
    /// Singular values kept.
    pub rank: usize,
    /// The largest and smallest kept singular values.
    pub singular_value_range: [f64; 2],
    /// Mean squared error per element on each split.
    pub train_mse: f64,
    /// As above.
    pub dev_mse: f64,
    /// As above (the paper's figure).
    pub test_mse: f64,
    /// The test rows' mean square (the error of predicting 0), for scale.
    pub test_mean_square: f64,
}

/// Fits the map on paired rows (`x[i]` the source's state for input `i`,
/// `y[i]` the target's) and reports the splits' errors.
pub fn fit(
    x: &[Vec<f64>],
    y: &[Vec<f64>],
    reg: Regularization,
    layers: (usize, usize),
    hints: (String, String),
) -> Result<(AffineReport, AffineMap), ProbeError> {
    let n = x.len();
    if n != y.len() {
        return Err(ProbeError::Data(format!("{n} source rows but {} target rows", y.len())));
    }
    let (train, dev, test) = affine::split(n);
    if train.is_empty() || test.is_empty() {
        return Err(ProbeError::Data(format!("{n} inputs: too few for an 80/10/10 split (give at least 10)")));
    }
    let map: LinearMap = affine::fit(&x[train.clone()], &y[train.clone()], reg);
    let test_mean_square = {
        let rows = &y[test.clone()];
        let count = rows.iter().map(Vec::len).sum::<usize>().max(1);
        rows.iter().flatten().map(|v| v * v).sum::<f64>() / count as f64
    };
    let sv = &map.singular_values;
    let report = AffineReport {
        probe: "affine",
        source_layer: layers.0,
        target_layer: layers.1,
        d_source: x[0].len(),
        d_target: y[0].len(),
        n_train: train.len(),
        n_dev: dev.len(),
        n_test: test.len(),
        regularization: reg,
        rank: sv.len(),
        singular_value_range: [sv.first().copied().unwrap_or(0.0), sv.last().copied().unwrap_or(0.0)],
        train_mse: affine::mse(&map, &x[train.clone()], &y[train]),
        dev_mse: affine::mse(&map, &x[dev.clone()], &y[dev]),
        test_mse: affine::mse(&map, &x[test.clone()], &y[test]),
        test_mean_square,
    };
    let w = map.w.iter().map(|r| r.iter().map(|&v| v as f32).collect()).collect();
    Ok((
        report,
        AffineMap { source_layer: layers.0, target_layer: layers.1, source_hint: hints.0, target_hint: hints.1, w },
    ))
}

impl AffineMap {
    /// The map file's bytes.
    pub fn to_gguf(&self) -> Result<Vec<u8>, ProbeError> {
        let metadata = vec![
            ("general.architecture".to_string(), Value::String(AFFINE_ARCH.into())),
            ("affine.source_layer".to_string(), Value::U32(self.source_layer as u32)),
            ("affine.target_layer".to_string(), Value::U32(self.target_layer as u32)),
            ("affine.source_hint".to_string(), Value::String(self.source_hint.clone())),
            ("affine.target_hint".to_string(), Value::String(self.target_hint.clone())),
        ];
        let (rows, cols) = (self.w.len(), self.w.first().map_or(0, Vec::len));
        let tensor = F32Tensor { name: "affine.weight".into(), shape: vec![rows, cols], values: self.w.concat() };
        gguf_bytes(&metadata, &[tensor]).map_err(ProbeError::Data)
    }

    /// Reads a map file; `what` names it in errors.
    pub fn from_gguf(file: &GgufFile, what: &str) -> Result<Self, ProbeError> {
        let bad = |why: String| ProbeError::Data(format!("{what}: {why}"));
        if file.architecture() != Some(AFFINE_ARCH) {
            return Err(bad(format!("not an affine map (general.architecture {:?})", file.architecture())));
        }
        let md = file.metadata();
        let layer = |key: &str| match md.get(key) {
            Some(Value::U32(v)) => Ok(*v as usize),
            _ => Err(bad(format!("no {key}"))),
        };
        let text = |key: &str| md.get_str(key).unwrap_or_default().to_string();
        let entry = file.require_tensor("affine.weight").map_err(|e| bad(e.to_string()))?;
        let [rows, cols] = entry.shape[..] else {
            return Err(bad(format!("affine.weight has shape {:?}, expected two dimensions", entry.shape)));
        };
        let values = file.read_vector_f32("affine.weight").map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            source_layer: layer("affine.source_layer")?,
            target_layer: layer("affine.target_layer")?,
            source_hint: text("affine.source_hint"),
            target_hint: text("affine.target_hint"),
            w: values.chunks(cols.max(1)).take(rows).map(<[f32]>::to_vec).collect(),
        })
    }

    /// The source vector's direction at the map's source block, carried to
    /// the target block: a control vector for the target model.
    pub fn transplant(&self, v: &ControlVector) -> Result<ControlVector, ProbeError> {
        let src = v.directions.get(&self.source_layer).ok_or_else(|| {
            ProbeError::Data(format!(
                "the control vector has no direction.{} (the map's source block); it has {:?}",
                self.source_layer,
                v.directions.keys().collect::<Vec<_>>()
            ))
        })?;
        let cols = self.w.first().map_or(0, Vec::len);
        if src.len() != cols {
            return Err(ProbeError::Data(format!(
                "direction.{} has {} values, the map reads {cols}",
                self.source_layer,
                src.len()
            )));
        }
        let mapped: Vec<f32> = self
            .w
            .iter()
            .map(|row| row.iter().zip(src).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum::<f64>() as f32)
            .collect();
        let mut out = ControlVector { model_hint: Some(self.target_hint.clone()), ..Default::default() };
        out.directions.insert(self.target_layer, mapped);
        Ok(out)
    }
}
