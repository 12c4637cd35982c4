//! [`GpuBackend`]: [`kaoshi_model::Backend`] on a [`GpuDevice`].
//!
//! Weights: F32, F16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K and Q6_K matrices stay in their file
//! layout on the device (BF16 and the other ggml types are refused with
//! [`BackendError::UnsupportedDtype`] naming the tensor); F32/F16/BF16
//! vectors are widened to f32. Every op is a GPU kernel or a GPU buffer
//! copy, besides the uniform/index uploads each op makes; failures keep
//! their kind ([`crate::GpuError`] into [`BackendError`]).

use kaoshi_formats::{GgmlDType, GgufFile};
use kaoshi_model::{Backend, BackendError, HostTensor, KeySpan, LinearFusion, RopeSpec, TokenScore};

use crate::{DType, GpuDevice, GpuMatrix, GpuTensor};

/// The GPU backend.
#[derive(Debug)]
pub struct GpuBackend {
    dev: GpuDevice,
}

impl GpuBackend {
    /// A backend on the default adapter.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new() -> Result<Self, crate::GpuError> {
        Ok(Self { dev: GpuDevice::new()? })
    }

    /// A backend on an opened device.
    pub fn from_device(dev: GpuDevice) -> Self {
        Self { dev }
    }

    /// The device (adapter info, kernel variant).
    pub fn device(&self) -> &GpuDevice {
        &self.dev
    }

    /// Compute dispatches issued so far ([`GpuDevice::dispatch_count`]).
    pub fn dispatch_count(&self) -> u64 {
        self.dev.dispatch_count()
    }
}

/// The weight's type for the kernels, or an error naming the unsupported one.
fn weight_dtype(name: &str, dtype: GgmlDType) -> Result<DType, BackendError> {
    DType::from_ggml(dtype).ok_or_else(|| BackendError::UnsupportedDtype {
        backend: "gpu",
        tensor: name.to_string(),
        dtype: dtype.name().to_string(),
        role: "weights",
    })
}

impl Backend for GpuBackend {
    type Tensor = GpuTensor;
    type Matrix = GpuMatrix;

    fn name(&self) -> &'static str {
        "gpu"
    }

    fn load_matrix(&self, file: &GgufFile, name: &str) -> Result<GpuMatrix, BackendError> {
        let entry = file.require_tensor(name)?;
        let [rows, cols] = entry.shape[..] else {
            return Err(BackendError::shape(
                "gpu",
                format!("{name}: expected a matrix, found shape {:?}", entry.shape),
            ));
        };
        let dtype = weight_dtype(name, entry.dtype)?;
        let bytes = file.read_tensor_bytes(name)?;
        Ok(self.dev.upload_matrix(&bytes, dtype, rows, cols)?)
    }

    /// Float vectors (F32, F16, BF16) are widened to f32 on the host.
    fn load_vector(&self, file: &GgufFile, name: &str) -> Result<GpuTensor, BackendError> {
        let entry = file.require_tensor(name)?;
        if !matches!(entry.dtype, GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16) {
            return Err(BackendError::UnsupportedDtype {
                backend: "gpu",
                tensor: name.to_string(),
                dtype: entry.type_name().to_string(),
                role: "vectors",
            });
        }
        let data = file.read_vector_f32(name)?;
        Ok(self.dev.upload_tensor(&data, 1, data.len())?)
    }

    fn upload(&self, data: &[f32], rows: usize, cols: usize) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.upload_tensor(data, rows, cols)?)
    }

    fn download(&self, x: &GpuTensor) -> Result<HostTensor, BackendError> {
        Ok(HostTensor { rows: x.rows, cols: x.cols, data: self.dev.download_tensor(x)? })
    }

    fn embed(&self, table: &GpuMatrix, ids: &[u32]) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.embed(table, ids)?)
    }

    fn linear(&self, x: &GpuTensor, w: &GpuMatrix) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.matmul(x, w)?)
    }

    fn linear_fused(
        &self,
        x: &GpuTensor,
        w: &GpuMatrix,
        fusion: LinearFusion<'_, GpuTensor>,
    ) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.matmul_with(x, w, fusion)?)
    }

    /// One row (decoding), unless folding is off
    /// ([`GpuDevice::set_fold_norm`]): the matrix-vector kernels normalize
    /// x on the way in.
    fn fuses_norm(&self, rows: usize) -> bool {
        rows == 1 && self.dev.folds_norm()
    }

    fn add(&self, a: &GpuTensor, b: &GpuTensor) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.add(a, b)?)
    }

    fn add_row_vector(&self, x: &GpuTensor, v: &GpuTensor, rows: Option<&[usize]>) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.add_row_vector(x, v, rows)?)
    }

    fn rms_norm(&self, x: &GpuTensor, weight: &GpuTensor, eps: f32, group: usize) -> Result<GpuTensor, BackendError> {
        if weight.len() != group {
            return Err(BackendError::shape(
                "gpu",
                format!("rms_norm in groups of {group} with a weight of {}", weight.len()),
            ));
        }
        Ok(self.dev.rms_norm(x, weight, eps)?)
    }

    fn rope(
        &self,
        x: &GpuTensor,
        positions: &[usize],
        head_dim: usize,
        spec: &RopeSpec,
    ) -> Result<GpuTensor, BackendError> {
        if spec.rot_dim != 2 * spec.inv_freq.len() {
            return Err(BackendError::shape(
                "gpu",
                format!("rope: rot_dim {} with {} frequencies", spec.rot_dim, spec.inv_freq.len()),
            ));
        }
        let pos: Vec<f32> = positions.iter().map(|&p| p as f32 * spec.position_scale).collect();
        Ok(self.dev.rope(x, &pos, head_dim, &spec.inv_freq, spec.neox)?)
    }

    fn rope_pair(
        &self,
        q: &GpuTensor,
        k: &GpuTensor,
        positions: &[usize],
        head_dim: usize,
        spec: &RopeSpec,
    ) -> Result<(GpuTensor, GpuTensor), BackendError> {
        if spec.rot_dim != 2 * spec.inv_freq.len() {
            return Err(BackendError::shape(
                "gpu",
                format!("rope: rot_dim {} with {} frequencies", spec.rot_dim, spec.inv_freq.len()),
            ));
        }
        let pos: Vec<f32> = positions.iter().map(|&p| p as f32 * spec.position_scale).collect();
        Ok(self.dev.rope_pair(q, k, &pos, head_dim, &spec.inv_freq, spec.neox)?)
    }

    fn attention(
        &self,
        q: &GpuTensor,
        k: &GpuTensor,
        v: &GpuTensor,
        n_heads: usize,
        n_kv_heads: usize,
        head_dim: usize,
        spans: &[KeySpan],
    ) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.attention(q, k, v, n_heads, n_kv_heads, head_dim, spans)?)
    }

    fn concat_rows(&self, a: &GpuTensor, b: &GpuTensor) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.concat_rows(a, b)?)
    }

    fn silu_mul(&self, gate: &GpuTensor, up: &GpuTensor) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.silu_mul(gate, up)?)
    }

    fn scale_columns(
        &self,
        x: &GpuTensor,
        cols: &[usize],
        factor: f32,
        rows: Option<&[usize]>,
    ) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.scale_columns(x, cols, factor, rows)?)
    }

    fn attention_pattern(
        &self,
        q: &GpuTensor,
        k: &GpuTensor,
        n_heads: usize,
        n_kv_heads: usize,
        head_dim: usize,
        spans: &[KeySpan],
        width: usize,
    ) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.attention_pattern(q, k, n_heads, n_kv_heads, head_dim, spans, width)?)
    }

    fn select_rows(&self, x: &GpuTensor, rows: &[usize]) -> Result<GpuTensor, BackendError> {
        Ok(self.dev.select_rows(x, rows)?)
    }

    fn rows(&self, x: &GpuTensor) -> usize {
        x.rows
    }

    /// As many rows as one binding holds (`GpuDevice::split_bytes`: the
    /// adapter's limit unless a test lowers it).
    fn max_batch_rows(&self, width: usize) -> usize {
        (self.dev.split_bytes() / (width.max(1) as u64 * 4)).max(1) as usize
    }

    fn argmax_rows(&self, logits: &GpuTensor) -> Result<Vec<u32>, BackendError> {
        let picks: Vec<(usize, u32)> = (0..logits.rows).map(|r| (r, 0)).collect();
        Ok(self.dev.token_scores(logits, &picks)?.into_iter().map(|(_, arg)| arg).collect())
    }

    /// On the device up to [`crate::TOP_K_MAX`]; above, the row is read back.
    fn top_k_rows(&self, logits: &GpuTensor, k: usize) -> Result<Vec<Vec<(u32, f32)>>, BackendError> {
        if k <= crate::TOP_K_MAX {
            return Ok(self.dev.top_k(logits, k)?);
        }
        Ok(self.download(logits)?.top_k_rows(k))
    }

    fn token_scores(&self, logits: &GpuTensor, picks: &[(usize, u32)]) -> Result<Vec<TokenScore>, BackendError> {
        let got = self.dev.token_scores(logits, picks)?;
        Ok(picks
            .iter()
            .zip(got)
            .map(|(&(_, token), (lp, arg))| TokenScore { log_prob: f64::from(lp), is_argmax: arg == token })
            .collect())
    }
}
