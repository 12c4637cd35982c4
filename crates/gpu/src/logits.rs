//! Reductions over logits on the device ([`GpuDevice::token_scores`]), so
//! scoring and greedy decoding read back a few numbers instead of whole
//! rows of a 150k-entry vocabulary.

use crate::ops::count;
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
        let params = [count(logits.rows)?, count(logits.cols)?, count(chunks)?, count(picks.len())?];
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

fn unpack(words: &[f32]) -> Vec<(f32, u32)> {
    words.chunks_exact(2).map(|w| (w[0], w[1].to_bits())).collect()
}
