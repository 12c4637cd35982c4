//! The scalar a gradient is taken of, and the backward pass.

use candle_core::{D, DType, Tensor};
use kaoshi_model::{BackendError, HookPoint};

use super::{Leaf, err};

/// A scalar function of a pass's logits. Each pick is `(logit row, token)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Objective {
    /// The sum over picks of `softmax(logits[row])[token]`: IRCAN's
    /// probability of the answer's first token, one pick per interpolation
    /// step (rows are independent, so each row's gradient is its own).
    ProbabilitySum(Vec<(usize, u32)>),
    /// The mean over picks of `-log softmax(logits[row])[token]`: the
    /// language-model loss of a text, one pick per predicted token.
    MeanNll(Vec<(usize, u32)>),
}

impl Objective {
    fn picks(&self) -> &[(usize, u32)] {
        match self {
            Self::ProbabilitySum(p) | Self::MeanNll(p) => p,
        }
    }
}

/// An objective's value and its gradient with respect to every leaf.
#[derive(Debug, Clone)]
pub struct Gradients {
    /// The objective.
    pub value: f64,
    /// Each pick's term: its probability ([`Objective::ProbabilitySum`])
    /// or its negative log-likelihood ([`Objective::MeanNll`]).
    pub terms: Vec<f64>,
    /// One per leaf, in the order the pass made them.
    pub leaves: Vec<LeafGradient>,
}

/// A leaf's values and the objective's gradient with respect to them, both
/// `[rows, cols]` row-major.
#[derive(Debug, Clone)]
pub struct LeafGradient {
    /// Where the leaf was made.
    pub point: HookPoint,
    /// Rows (the pass's rows).
    pub rows: usize,
    /// Width of the activation.
    pub cols: usize,
    /// The activation.
    pub values: Vec<f64>,
    /// d objective / d activation (zero where the objective does not
    /// depend on it).
    pub grads: Vec<f64>,
}

fn to_f64(t: &Tensor) -> Result<Vec<f64>, BackendError> {
    t.to_dtype(DType::F64).and_then(|t| t.flatten_all()).and_then(|t| t.to_vec1::<f64>()).map_err(err)
}

/// Evaluates `objective` on `logits` (the pass's logit rows, `[rows,
/// vocab]`, from a model on a [`super::GradBackend`]) and differentiates it
/// with respect to `leaves` ([`super::GradBackend::take_leaves`]).
pub fn gradients(logits: &Tensor, objective: &Objective, leaves: Vec<Leaf>) -> Result<Gradients, BackendError> {
    let picks = objective.picks();
    let (rows, vocab) = logits.dims2().map_err(err)?;
    if picks.is_empty() {
        return Err(BackendError::shape("cpu-grad", "an objective with no picks"));
    }
    if let Some(&(r, t)) = picks.iter().find(|&&(r, t)| r >= rows || t as usize >= vocab) {
        return Err(BackendError::shape("cpu-grad", format!("pick ({r}, {t}) outside logits [{rows}, {vocab}]")));
    }
    let dev = logits.device();
    let idx: Vec<u32> = picks.iter().map(|&(r, _)| r as u32).collect();
    let idx = Tensor::from_vec(idx, picks.len(), dev).map_err(err)?;
    let x = logits.index_select(&idx, 0).map_err(err)?;
    // log softmax, the shift detached (softmax does not depend on it).
    let max = x.max_keepdim(D::Minus1).map_err(err)?.detach();
    let shifted = x.broadcast_sub(&max).map_err(err)?;
    let lse = shifted.exp().and_then(|e| e.sum_keepdim(D::Minus1)).and_then(|s| s.log()).map_err(err)?;
    let log_probs = shifted.broadcast_sub(&lse).map_err(err)?;
    let mut one_hot = vec![0f32; picks.len() * vocab];
    for (i, &(_, t)) in picks.iter().enumerate() {
        one_hot[i * vocab + t as usize] = 1.0;
    }
    let one_hot =
        Tensor::from_vec(one_hot, (picks.len(), vocab), dev).and_then(|t| t.to_dtype(x.dtype())).map_err(err)?;
    let picked = log_probs.mul(&one_hot).and_then(|t| t.sum(D::Minus1)).map_err(err)?; // [k]
    let (terms, scalar) = match objective {
        Objective::ProbabilitySum(_) => {
            let p = picked.exp().map_err(err)?;
            let s = p.sum_all().map_err(err)?;
            (p, s)
        }
        Objective::MeanNll(_) => {
            let nll = picked.neg().map_err(err)?;
            let s = nll.mean_all().map_err(err)?;
            (nll, s)
        }
    };
    let value = to_f64(&scalar)?[0];
    let terms = to_f64(&terms)?;
    let store = scalar.backward().map_err(err)?;
    let leaves = leaves
        .into_iter()
        .map(|leaf| {
            let (rows, cols) = leaf.values.dims2().map_err(err)?;
            let grads = match store.get(leaf.zeros.as_tensor()) {
                Some(g) => to_f64(g)?,
                None => vec![0.0; rows * cols],
            };
            Ok(LeafGradient { point: leaf.point, rows, cols, values: to_f64(&leaf.values)?, grads })
        })
        .collect::<Result<_, BackendError>>()?;
    Ok(Gradients { value, terms, leaves })
}
