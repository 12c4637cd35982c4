//! Reductions over logits on the device ([`GpuDevice::token_scores`],
//! [`GpuDevice::top_k`]), so scoring, greedy decoding and top-k sampling
//! read back a few numbers instead of whole rows of a 150k-entry vocabulary.

use crate::ops::count;
use crate::params::{LogitsParams, TopKParams};
use crate::record::Bind;
use crate::{DType, GpuDevice, GpuError, GpuTensor, Op};

impl GpuDevice {
    /// Records the scoring of `picks` (`(row, token)`) on `logits` and
    /// returns the `[picks, 2]` output: the log-probability's f32 bits and
    /// the row's argmax, as u32 words.
    fn record_token_scores(&self, logits: &GpuTensor, picks: &[(usize, u32)]) -> Result<GpuTensor, GpuError> {
        let mut words = Vec::with_capacity(picks.len() * 2);
        for &(row, token) in picks {
            if row >= logits.rows || token as usize >= logits.cols {
                return Err(GpuError::Shape(format!(
                    "pick ({row}, {token}) outside logits [{}, {}]",
                    logits.rows, logits.cols
                )));
            }
            words.extend([count(row)?, token]);
        }
        // Values per chunk: 16 per invocation (logits_partial.wgsl's CHUNK).
        let partial = self.spec(Op::LogitsPartial, DType::F32);
        let chunks = logits.cols.div_ceil(16 * partial.workgroup_size as usize).max(1);
        let (part, _part_lease) = self.storage_f32(logits.rows * chunks * 3)?;
        let params = LogitsParams {
            rows: count(logits.rows)?,
            cols: count(logits.cols)?,
            chunks: count(chunks)?,
            n_picks: count(picks.len())?,
        };
        self.dispatch(partial, &[&logits.buffer, &part], &params, count(logits.rows * chunks)?)?;
        let out = self.empty_tensor(picks.len(), 2)?;
        let binds = [
            Bind::Buffer(&logits.buffer),
            Bind::Data(bytemuck::cast_slice(&words)),
            Bind::Buffer(&part),
            Bind::Buffer(&out.buffer),
        ];
        self.dispatch_with(self.spec(Op::TokenScores, DType::F32), &binds, &params, count(picks.len())?)?;
        Ok(out)
    }

    /// For each `(row, token)`: `log_softmax(logits[row])[token]` (computed
    /// in f32) and the row's argmax (the first index on ties).
    pub fn token_scores(&self, logits: &GpuTensor, picks: &[(usize, u32)]) -> Result<Vec<(f32, u32)>, GpuError> {
        if picks.is_empty() {
            return Ok(Vec::new());
        }
        let out = self.record_token_scores(logits, picks)?;
        Ok(unpack(&self.download_tensor(&out)?))
    }

    /// As [`GpuDevice::token_scores`], without blocking (for the browser).
    pub async fn token_scores_async(
        &self,
        logits: &GpuTensor,
        picks: &[(usize, u32)],
    ) -> Result<Vec<(f32, u32)>, GpuError> {
        if picks.is_empty() {
            return Ok(Vec::new());
        }
        let out = self.record_token_scores(logits, picks)?;
        Ok(unpack(&self.download_tensor_async(&out).await?))
    }
}

/// The most candidates [`GpuDevice::top_k`] selects per row. The selection
/// takes k rounds, each waiting on one invocation's rescan of its share of
/// a chunk, and keeps k candidates per chunk; above this a backend reads
/// the row back instead (`GpuBackend::top_k_rows` does).
pub const TOP_K_MAX: usize = 256;

impl GpuDevice {
    /// Records the top-k selection and returns its `[rows, 2k]` output of
    /// (index, logit bits) words; `k` is in `1..=min(cols, TOP_K_MAX)`.
    fn record_top_k(&self, logits: &GpuTensor, k: usize) -> Result<GpuTensor, GpuError> {
        let partial = self.spec(Op::TopKPartial, DType::F32);
        let wg = partial.workgroup_size as usize;
        // As many chunks as the second pass has invocations (each takes one
        // chunk's list), but at least WG values each: a round's rescan is
        // chunk / WG values. For 152k columns at 64 invocations, 64 chunks
        // of 2,374.
        let chunk = logits.cols.div_ceil(logits.cols.div_ceil(wg).clamp(1, wg));
        let chunks = logits.cols.div_ceil(chunk.max(1));
        let (part, _part_lease) = self.storage_f32(logits.rows * chunks * k * 2)?;
        let params = TopKParams {
            rows: count(logits.rows)?,
            cols: count(logits.cols)?,
            chunks: count(chunks)?,
            k: count(k)?,
            chunk: count(chunk)?,
            ..Default::default()
        };
        self.dispatch(partial, &[&logits.buffer, &part], &params, count(logits.rows * chunks)?)?;
        let out = self.empty_tensor(logits.rows, 2 * k)?;
        let combine = self.spec(Op::TopKCombine, DType::F32);
        self.dispatch(combine, &[&logits.buffer, &part, &out.buffer], &params, count(logits.rows)?)?;
        Ok(out)
    }

    /// The `k` highest-ranked `(index, logit)` of each row of `logits`, in
    /// the rank order of `kaoshi_model::host_top_k` (larger logit first by
    /// `f32::total_cmp`, the lower index on ties), bit for bit the host's
    /// list. `k` is capped at the row length; above [`TOP_K_MAX`] it is an
    /// error.
    pub fn top_k(&self, logits: &GpuTensor, k: usize) -> Result<Vec<Vec<(u32, f32)>>, GpuError> {
        let k = self.check_top_k(logits, k)?;
        if k == 0 {
            return Ok(vec![Vec::new(); logits.rows]);
        }
        let out = self.record_top_k(logits, k)?;
        Ok(unpack_top_k(&self.download_tensor(&out)?, k))
    }

    /// As [`GpuDevice::top_k`], without blocking (for the browser).
    pub async fn top_k_async(&self, logits: &GpuTensor, k: usize) -> Result<Vec<Vec<(u32, f32)>>, GpuError> {
        let k = self.check_top_k(logits, k)?;
        if k == 0 {
            return Ok(vec![Vec::new(); logits.rows]);
        }
        let out = self.record_top_k(logits, k)?;
        Ok(unpack_top_k(&self.download_tensor_async(&out).await?, k))
    }

    /// `k` capped at the row length; an error above [`TOP_K_MAX`].
    fn check_top_k(&self, logits: &GpuTensor, k: usize) -> Result<usize, GpuError> {
        if k > TOP_K_MAX {
            return Err(GpuError::Shape(format!("top-{k} asked; the device selects at most {TOP_K_MAX}")));
        }
        Ok(if logits.rows == 0 { 0 } else { k.min(logits.cols) })
    }
}

fn unpack_top_k(words: &[f32], k: usize) -> Vec<Vec<(u32, f32)>> {
    words.chunks_exact(2 * k).map(|row| row.chunks_exact(2).map(|w| (w[0].to_bits(), w[1])).collect()).collect()
}

fn unpack(words: &[f32]) -> Vec<(f32, u32)> {
    words.chunks_exact(2).map(|w| (w[0], w[1].to_bits())).collect()
}
