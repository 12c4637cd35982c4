//! The remaining ops a transformer needs: embedding gather, row-vector add,
//! attention, and row copies (concat, select) done as buffer copies.

use kaoshi_model::KeySpan;

use crate::ops::count;
use crate::{DType, GpuDevice, GpuError, GpuMatrix, GpuTensor, Op};

impl GpuDevice {
    /// Rows of `table` for `ids` (dequantized to f32).
    pub fn embed(&self, table: &GpuMatrix, ids: &[u32]) -> Result<GpuTensor, GpuError> {
        if let Some(&bad) = ids.iter().find(|&&id| id as usize >= table.rows) {
            return Err(GpuError::Shape(format!("token id {bad} outside a vocabulary of {}", table.rows)));
        }
        let out = self.empty_tensor(ids.len(), table.cols)?;
        let ids_buf = self.storage_init(bytemuck::cast_slice(ids))?;
        let spec = self.spec(Op::Embed, table.dtype);
        let n = count(out.len())?;
        let params = [n, count(table.cols)?];
        self.dispatch(spec, &[&table.buffer, &ids_buf, &out.buffer], &params, n.div_ceil(spec.workgroup_size))?;
        Ok(out)
    }

    /// Adds the `[1, cols]` tensor `v` to the given rows of `x` (all if `None`).
    pub fn add_row_vector(&self, x: &GpuTensor, v: &GpuTensor, rows: Option<&[usize]>) -> Result<GpuTensor, GpuError> {
        if v.len() != x.cols {
            return Err(GpuError::Shape(format!("vector of {} added to rows of {}", v.len(), x.cols)));
        }
        let mask: Vec<f32> = match rows {
            None => vec![1.0; x.rows],
            Some(rows) => (0..x.rows).map(|r| if rows.contains(&r) { 1.0 } else { 0.0 }).collect(),
        };
        let mask = self.storage_init(bytemuck::cast_slice(&mask))?;
        let out = self.empty_tensor(x.rows, x.cols)?;
        let spec = self.spec(Op::AddRows, DType::F32);
        let n = count(x.len())?;
        let params = [n, count(x.cols)?];
        self.dispatch(spec, &[&x.buffer, &v.buffer, &mask, &out.buffer], &params, n.div_ceil(spec.workgroup_size))?;
        Ok(out)
    }

    /// `softmax(q kᵀ / sqrt(head_dim)) v` per head, row `i` seeing `spans[i]`.
    #[allow(clippy::too_many_arguments)]
    pub fn attention(
        &self,
        q: &GpuTensor,
        k: &GpuTensor,
        v: &GpuTensor,
        n_heads: usize,
        n_kv_heads: usize,
        head_dim: usize,
        spans: &[KeySpan],
    ) -> Result<GpuTensor, GpuError> {
        let ok = n_kv_heads > 0
            && n_heads % n_kv_heads == 0
            && q.cols == n_heads * head_dim
            && k.cols == n_kv_heads * head_dim
            && (v.rows, v.cols) == (k.rows, k.cols)
            && spans.len() == q.rows;
        if !ok {
            return Err(GpuError::Shape(format!(
                "attention of q [{}, {}], k [{}, {}], v [{}, {}], {n_heads}/{n_kv_heads} heads of {head_dim}, {} spans",
                q.rows,
                q.cols,
                k.rows,
                k.cols,
                v.rows,
                v.cols,
                spans.len()
            )));
        }
        let mut words = Vec::with_capacity(spans.len() * 3);
        for s in spans {
            words.extend([count(s.shared.min(k.rows))?, count(s.own_start)?, count(s.own_end.min(k.rows))?]);
        }
        let spans_buf = self.storage_init(bytemuck::cast_slice(&words))?;
        let scores = self.storage_f32(q.rows * n_heads * k.rows)?;
        let out = self.empty_tensor(q.rows, q.cols)?;
        let scale = 1.0 / (head_dim as f32).sqrt();
        let params =
            [count(q.rows)?, count(k.rows)?, count(n_heads)?, count(n_kv_heads)?, count(head_dim)?, scale.to_bits()];
        let buffers = [&q.buffer, &k.buffer, &v.buffer, &spans_buf, &scores, &out.buffer];
        self.dispatch(self.spec(Op::Attention, DType::F32), &buffers, &params, count(q.rows * n_heads)?)?;
        Ok(out)
    }

    /// `a` with the rows of `b` appended.
    pub fn concat_rows(&self, a: &GpuTensor, b: &GpuTensor) -> Result<GpuTensor, GpuError> {
        if a.cols != b.cols {
            return Err(GpuError::Shape(format!("appending rows of {} to rows of {}", b.cols, a.cols)));
        }
        let out = self.empty_tensor(a.rows + b.rows, a.cols)?;
        let mut enc = self.device.create_command_encoder(&Default::default());
        let (la, lb) = ((a.len() * 4) as u64, (b.len() * 4) as u64);
        if la > 0 {
            enc.copy_buffer_to_buffer(&a.buffer, 0, &out.buffer, 0, la);
        }
        if lb > 0 {
            enc.copy_buffer_to_buffer(&b.buffer, 0, &out.buffer, la, lb);
        }
        self.queue.submit([enc.finish()]);
        Ok(out)
    }

    /// The given rows of `x`, in order.
    pub fn select_rows(&self, x: &GpuTensor, rows: &[usize]) -> Result<GpuTensor, GpuError> {
        if let Some(&bad) = rows.iter().find(|&&r| r >= x.rows) {
            return Err(GpuError::Shape(format!("row {bad} of a tensor of {} rows", x.rows)));
        }
        let out = self.empty_tensor(rows.len(), x.cols)?;
        let row_bytes = (x.cols * 4) as u64;
        if row_bytes > 0 {
            let mut enc = self.device.create_command_encoder(&Default::default());
            for (i, &r) in rows.iter().enumerate() {
                enc.copy_buffer_to_buffer(
                    &x.buffer,
                    r as u64 * row_bytes,
                    &out.buffer,
                    i as u64 * row_bytes,
                    row_bytes,
                );
            }
            self.queue.submit([enc.finish()]);
        }
        Ok(out)
    }
}
