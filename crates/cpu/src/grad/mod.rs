//! [`GradBackend`]: the [`Backend`] trait on candle's autograd, for
//! gradients of a model's output with respect to its inner activations
//! (IRCAN's integrated gradients, gradient × activation importance).
//!
//! Why a backend and not a second transformer: the one forward pass in
//! `kaoshi_model` (`block.rs`) runs unchanged; only the arithmetic differs.
//! Weights are dequantized once to f32 (or f64, for finite-difference
//! checks) and every op is a differentiable candle op (rope and RMS norm
//! written as tensor expressions in [`ops`], attention shared with the
//! [`crate::CpuBackend`]). A hook `Intervention::GradientLeaf` adds a
//! candle `Var` of zeros to an activation ([`Leaf`]); after the pass,
//! [`gradients`] differentiates a scalar of the logits ([`Objective`])
//! with respect to every leaf. Weights are constants (no `Var`), so candle
//! records ops only downstream of the leaves, and the backward pass costs
//! the layers after the first leaf.
//!
//! Memory: the dequantized weights (4 bytes a parameter in f32: 540 MB for
//! a 135M model) plus the tape of one pass.

mod linear;
mod objective;
mod ops;

use std::sync::Mutex;

use candle_core::{DType, Device, Tensor, Var};
use kaoshi_formats::GgufFile;
use kaoshi_model::{Backend, BackendError, HookPoint, HostTensor, KeySpan, RopeSpec};

pub use objective::{Gradients, LeafGradient, Objective, gradients};

use crate::attention;
use crate::ggml::read_qtensor;

/// The floating-point type a [`GradBackend`] computes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// f32: as fast as the CPU's f32 matmuls; the probes' choice.
    F32,
    /// f64: for checks against finite differences.
    F64,
}

/// The [`Backend`] of a model whose activations can be differentiated.
pub struct GradBackend {
    device: Device,
    dtype: DType,
    leaves: Mutex<Vec<Leaf>>,
}

/// An activation made a gradient leaf during a pass: the pass went on with
/// `activation + zeros`, `zeros` a candle `Var`, so the gradient with
/// respect to `zeros` is the total derivative with respect to the
/// activation, and leaves upstream of it still see every path through it.
pub struct Leaf {
    /// Where.
    pub point: HookPoint,
    values: Tensor,
    zeros: Var,
}

impl Leaf {
    /// Its values as `[rows, cols]`.
    pub fn values(&self) -> Result<HostTensor, BackendError> {
        download(&self.values)
    }
}

fn err(e: impl std::fmt::Display) -> BackendError {
    BackendError::other("cpu-grad", e)
}

fn download(x: &Tensor) -> Result<HostTensor, BackendError> {
    let (rows, cols) = x.dims2().map_err(err)?;
    let data = x.to_dtype(DType::F32).and_then(|t| t.flatten_all()).and_then(|t| t.to_vec1::<f32>()).map_err(err)?;
    Ok(HostTensor { rows, cols, data })
}

impl GradBackend {
    /// A backend computing in `precision`.
    pub fn new(precision: Precision) -> Self {
        let dtype = match precision {
            Precision::F32 => DType::F32,
            Precision::F64 => DType::F64,
        };
        Self { device: Device::Cpu, dtype, leaves: Mutex::new(Vec::new()) }
    }

    /// The leaves made since the last call, in the order the pass reached
    /// them.
    pub fn take_leaves(&self) -> Vec<Leaf> {
        std::mem::take(&mut *self.leaves.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn tensor(&self, data: &[f32], rows: usize, cols: usize) -> Result<Tensor, BackendError> {
        Tensor::from_slice(data, (rows, cols), &self.device).and_then(|t| t.to_dtype(self.dtype)).map_err(err)
    }

    /// A `[rows, cols]` tensor that is 1 except `value` at the given
    /// columns of the given rows (all rows when `None`).
    fn column_factors(
        &self,
        rows: usize,
        cols: usize,
        pick_cols: &[usize],
        value: f32,
        pick_rows: Option<&[usize]>,
        base: f32,
    ) -> Result<Tensor, BackendError> {
        let mut f = vec![base; rows * cols];
        for r in 0..rows {
            if pick_rows.is_none_or(|p| p.contains(&r)) {
                for &c in pick_cols {
                    f[r * cols + c] = value;
                }
            }
        }
        self.tensor(&f, rows, cols)
    }
}

impl Backend for GradBackend {
    type Tensor = Tensor;
    type Matrix = Tensor;

    fn name(&self) -> &'static str {
        "cpu-grad"
    }

    fn load_matrix(&self, file: &GgufFile, name: &str) -> Result<Tensor, BackendError> {
        let q = read_qtensor(file, name)?;
        q.dequantize(&self.device).and_then(|t| t.to_dtype(self.dtype)).map_err(err)
    }

    fn load_vector(&self, file: &GgufFile, name: &str) -> Result<Tensor, BackendError> {
        let t = self.load_matrix(file, name)?;
        let n = t.elem_count();
        t.reshape((1, n)).map_err(err)
    }

    fn upload(&self, data: &[f32], rows: usize, cols: usize) -> Result<Tensor, BackendError> {
        self.tensor(data, rows, cols)
    }

    fn download(&self, x: &Tensor) -> Result<HostTensor, BackendError> {
        download(x)
    }

    fn embed(&self, table: &Tensor, ids: &[u32]) -> Result<Tensor, BackendError> {
        let ids = Tensor::from_slice(ids, ids.len(), &self.device).map_err(err)?;
        table.index_select(&ids, 0).map_err(err)
    }

    fn linear(&self, x: &Tensor, w: &Tensor) -> Result<Tensor, BackendError> {
        // Untracked rows (before any leaf) need no custom op.
        if !x.track_op() {
            return x.matmul(&w.t().map_err(err)?).map_err(err);
        }
        x.contiguous().and_then(|x| x.apply_op1(linear::Linear { weight: w.clone() })).map_err(err)
    }

    fn add(&self, a: &Tensor, b: &Tensor) -> Result<Tensor, BackendError> {
        a.add(b).map_err(err)
    }

    fn add_row_vector(&self, x: &Tensor, v: &Tensor, rows: Option<&[usize]>) -> Result<Tensor, BackendError> {
        let Some(rows) = rows else { return x.broadcast_add(v).map_err(err) };
        let r = self.rows(x);
        // A 0/1 column picks the rows; the sum stays differentiable in x.
        let mut pick = vec![0f32; r];
        rows.iter().filter(|&&i| i < r).for_each(|&i| pick[i] = 1.0);
        let pick = self.tensor(&pick, r, 1)?;
        x.add(&pick.broadcast_mul(v).map_err(err)?).map_err(err)
    }

    fn rms_norm(&self, x: &Tensor, weight: &Tensor, eps: f32, group: usize) -> Result<Tensor, BackendError> {
        ops::rms_norm(x, weight, eps, group).map_err(err)
    }

    fn rope(&self, x: &Tensor, positions: &[usize], head_dim: usize, spec: &RopeSpec) -> Result<Tensor, BackendError> {
        ops::rope(x, positions, head_dim, spec).map_err(err)
    }

    fn attention(
        &self,
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
        n_heads: usize,
        n_kv_heads: usize,
        head_dim: usize,
        spans: &[KeySpan],
    ) -> Result<Tensor, BackendError> {
        attention::attention(q, k, v, n_heads, n_kv_heads, head_dim, spans).map_err(err)
    }

    fn concat_rows(&self, a: &Tensor, b: &Tensor) -> Result<Tensor, BackendError> {
        Tensor::cat(&[a, b], 0).map_err(err)
    }

    fn silu_mul(&self, gate: &Tensor, up: &Tensor) -> Result<Tensor, BackendError> {
        gate.silu().and_then(|g| g.mul(up)).map_err(err)
    }

    fn scale_columns(
        &self,
        x: &Tensor,
        cols: &[usize],
        factor: f32,
        rows: Option<&[usize]>,
    ) -> Result<Tensor, BackendError> {
        let (r, c) = x.dims2().map_err(err)?;
        if let Some(&bad) = cols.iter().find(|&&col| col >= c) {
            return Err(BackendError::shape("cpu-grad", format!("column {bad} of rows of {c}")));
        }
        x.mul(&self.column_factors(r, c, cols, factor, rows, 1.0)?).map_err(err)
    }

    fn attention_pattern(
        &self,
        q: &Tensor,
        k: &Tensor,
        n_heads: usize,
        n_kv_heads: usize,
        head_dim: usize,
        spans: &[KeySpan],
        width: usize,
    ) -> Result<Tensor, BackendError> {
        attention::pattern(q, k, n_heads, n_kv_heads, head_dim, spans, width).map_err(err)
    }

    fn select_rows(&self, x: &Tensor, rows: &[usize]) -> Result<Tensor, BackendError> {
        let idx: Vec<u32> = rows.iter().map(|&r| r as u32).collect();
        let idx = Tensor::from_slice(&idx, idx.len(), &self.device).map_err(err)?;
        x.index_select(&idx, 0).map_err(err)
    }

    fn rows(&self, x: &Tensor) -> usize {
        x.dims().first().copied().unwrap_or(0)
    }

    fn gradient_leaf(&self, x: &Tensor, point: HookPoint) -> Result<Tensor, BackendError> {
        let zeros = Var::zeros(x.shape(), x.dtype(), &self.device).map_err(err)?;
        let t = x.add(zeros.as_tensor()).map_err(err)?;
        self.leaves.lock().unwrap_or_else(|p| p.into_inner()).push(Leaf { point, values: x.detach(), zeros });
        Ok(t)
    }
}
