//! [`CpuBackend`]: the [`Backend`] trait on candle-core.

use candle_core::quantized::QMatMul;
use candle_core::{DType, Device, Module, Tensor};
use kaoshi_formats::GgufFile;
use kaoshi_model::{Backend, BackendError, HostTensor, KeySpan, RopeSpec};

use crate::ggml::read_qtensor;
use crate::{attention, elementwise};

/// From this many rows on, a quantized matrix is dequantized for an f32
/// GEMM instead of being multiplied block by block (measured faster on
/// x86-64 with AVX2 from about 8 rows; see ARCHITECTURE.md).
const PREFILL_ROWS: usize = 8;

/// The CPU backend. Cheap to create; holds no state besides the device.
#[derive(Debug, Clone)]
pub struct CpuBackend {
    device: Device,
}

impl Default for CpuBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuBackend {
    /// A backend on the host CPU.
    pub fn new() -> Self {
        Self { device: Device::Cpu }
    }
}

/// Turns any displayable failure (candle's, mostly) into a [`BackendError`].
pub(crate) fn err(e: impl std::fmt::Display) -> BackendError {
    BackendError::other("cpu", e)
}

/// A [`BackendError::Shape`] of the CPU backend.
fn shape(message: String) -> BackendError {
    BackendError::shape("cpu", message)
}

pub(crate) fn host(x: &Tensor) -> Result<(usize, usize, Vec<f32>), BackendError> {
    let (r, c) = x.dims2().map_err(err)?;
    let data = x.flatten_all().and_then(|t| t.to_vec1::<f32>()).map_err(err)?;
    Ok((r, c, data))
}

impl Backend for CpuBackend {
    type Tensor = Tensor;
    type Matrix = QMatMul;

    fn name(&self) -> &'static str {
        "cpu"
    }

    fn load_matrix(&self, file: &GgufFile, name: &str) -> Result<QMatMul, BackendError> {
        let q = read_qtensor(file, name)?;
        QMatMul::from_qtensor(q).map_err(err)
    }

    fn load_vector(&self, file: &GgufFile, name: &str) -> Result<Tensor, BackendError> {
        let q = read_qtensor(file, name)?;
        let t = q.dequantize(&self.device).map_err(err)?;
        let n = t.elem_count();
        t.reshape((1, n)).map_err(err)
    }

    fn upload(&self, data: &[f32], rows: usize, cols: usize) -> Result<Tensor, BackendError> {
        Tensor::from_slice(data, (rows, cols), &self.device).map_err(err)
    }

    fn download(&self, x: &Tensor) -> Result<HostTensor, BackendError> {
        let (rows, cols, data) = host(x)?;
        Ok(HostTensor { rows, cols, data })
    }

    fn embed(&self, table: &QMatMul, ids: &[u32]) -> Result<Tensor, BackendError> {
        let ids = Tensor::from_slice(ids, ids.len(), &self.device).map_err(err)?;
        table.embedding(&ids).and_then(|t| t.to_dtype(DType::F32)).map_err(err)
    }

    fn linear(&self, x: &Tensor, w: &QMatMul) -> Result<Tensor, BackendError> {
        match w {
            // Many rows (prefill, batched scoring): dequantizing the matrix
            // once and running an f32 GEMM beats one quantized dot product
            // per row and column.
            QMatMul::QTensor(q) if x.dims().first().is_some_and(|&n| n >= PREFILL_ROWS) => {
                let wf = q.dequantize(&self.device).map_err(err)?;
                x.matmul(&wf.t().map_err(err)?).map_err(err)
            }
            _ => w.forward(x).map_err(err),
        }
    }

    fn add(&self, a: &Tensor, b: &Tensor) -> Result<Tensor, BackendError> {
        a.add(b).map_err(err)
    }

    fn add_row_vector(&self, x: &Tensor, v: &Tensor, rows: Option<&[usize]>) -> Result<Tensor, BackendError> {
        match rows {
            None => x.broadcast_add(v).map_err(err),
            Some(rows) => {
                let (r, c, mut data) = host(x)?;
                let (_, vc, v) = host(v)?;
                if vc != c {
                    return Err(shape(format!("vector of {vc} added to rows of {c}")));
                }
                for &row in rows.iter().filter(|&&row| row < r) {
                    for (d, s) in data[row * c..(row + 1) * c].iter_mut().zip(&v) {
                        *d += s;
                    }
                }
                self.upload(&data, r, c)
            }
        }
    }

    fn rms_norm(&self, x: &Tensor, weight: &Tensor, eps: f32, group: usize) -> Result<Tensor, BackendError> {
        let (r, c, mut data) = host(x)?;
        let (_, wc, w) = host(weight)?;
        if group == 0 || c % group != 0 || wc != group {
            return Err(shape(format!("rms_norm of width {c} in groups of {group} with weight of {wc}")));
        }
        elementwise::rms_norm(&mut data, &w, eps);
        self.upload(&data, r, c)
    }

    fn rope(&self, x: &Tensor, positions: &[usize], head_dim: usize, spec: &RopeSpec) -> Result<Tensor, BackendError> {
        let (r, c, mut data) = host(x)?;
        if r != positions.len() || head_dim == 0 || c % head_dim != 0 || spec.rot_dim > head_dim {
            return Err(shape(format!("rope on [{r}, {c}] with {} positions, head {head_dim}", positions.len())));
        }
        elementwise::rope(&mut data, c, positions, head_dim, spec);
        self.upload(&data, r, c)
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

    fn scale_columns(
        &self,
        x: &Tensor,
        cols: &[usize],
        factor: f32,
        rows: Option<&[usize]>,
    ) -> Result<Tensor, BackendError> {
        let (r, c, mut data) = host(x)?;
        if let Some(&bad) = cols.iter().find(|&&col| col >= c) {
            return Err(shape(format!("column {bad} of rows of {c}")));
        }
        for (i, row) in data.chunks_mut(c.max(1)).enumerate() {
            if rows.is_none_or(|rows| rows.contains(&i)) {
                for &col in cols {
                    row[col] *= factor;
                }
            }
        }
        self.upload(&data, r, c)
    }

    fn select_rows(&self, x: &Tensor, rows: &[usize]) -> Result<Tensor, BackendError> {
        let idx: Vec<u32> = rows.iter().map(|&r| r as u32).collect();
        let idx = Tensor::from_slice(&idx, idx.len(), &self.device).map_err(err)?;
        x.index_select(&idx, 0).map_err(err)
    }

    fn rows(&self, x: &Tensor) -> usize {
        x.dims().first().copied().unwrap_or(0)
    }
}
