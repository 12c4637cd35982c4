//! The remaining ops a transformer needs: embedding gather, row-vector add,
//! attention, and row copies (concat, select) done as buffer copies.

use kaoshi_model::KeySpan;

use crate::ops::count;
use crate::params::{
    AttentionCombineParams, AttentionParams, AttentionPartialParams, AttentionPatternParams, RowsParams,
};
use crate::pool::Lease;
use crate::record::Bind;
use crate::{DType, GpuDevice, GpuError, GpuMatrix, GpuTensor, Op};

/// Query rows up to which attention runs split over the keys
/// ([`GpuDevice::attention`]): decoding and small batches, where one
/// workgroup per (row, head) would leave most of the GPU idle.
const SPLIT_KV_MAX_ROWS: usize = 8;

/// Output dimensions per invocation of the many-row attention kernel
/// (`PER_LANE` in `shaders/attention.wgsl`): heads up to 8 x its
/// workgroup size (256 at 32 invocations).
const ATTENTION_DIMS_PER_LANE: usize = 8;

impl GpuDevice {
    /// Rows of `table` for `ids` (dequantized to f32).
    pub fn embed(&self, table: &GpuMatrix, ids: &[u32]) -> Result<GpuTensor, GpuError> {
        if let Some(&bad) = ids.iter().find(|&&id| id as usize >= table.rows) {
            return Err(GpuError::Shape(format!("token id {bad} outside a vocabulary of {}", table.rows)));
        }
        match &table.parts[..] {
            [one] => self.embed_part(&one.buffer, table.dtype, table.cols, ids),
            parts => self.embed_split(parts, table.dtype, table.cols, ids),
        }
    }

    /// Rows `ids` of the `[_, cols]` table of `dtype` in `buffer`.
    pub(crate) fn embed_part(
        &self,
        buffer: &wgpu::Buffer,
        dtype: DType,
        cols: usize,
        ids: &[u32],
    ) -> Result<GpuTensor, GpuError> {
        let out = self.empty_tensor(ids.len(), cols)?;
        let spec = self.spec(Op::Embed, dtype);
        let n = count(out.len())?;
        let params = RowsParams { n, cols: count(cols)?, ..Default::default() };
        let binds = [Bind::Buffer(buffer), Bind::Data(bytemuck::cast_slice(ids)), Bind::Buffer(&out.buffer)];
        self.dispatch_with(spec, &binds, &params, n.div_ceil(spec.workgroup_size))?;
        Ok(out)
    }

    /// Adds the `[1, cols]` tensor `v` to the given rows of `x` (all if `None`).
    pub fn add_row_vector(&self, x: &GpuTensor, v: &GpuTensor, rows: Option<&[usize]>) -> Result<GpuTensor, GpuError> {
        if v.len() != x.cols {
            return Err(GpuError::Shape(format!("vector of {} added to rows of {}", v.len(), x.cols)));
        }
        let mask = row_mask(x.rows, rows);
        let out = self.empty_tensor(x.rows, x.cols)?;
        let spec = self.spec(Op::AddRows, DType::F32);
        let n = count(x.len())?;
        let params = RowsParams { n, cols: count(x.cols)?, ..Default::default() };
        let binds = [
            Bind::Buffer(&x.buffer),
            Bind::Buffer(&v.buffer),
            Bind::Data(bytemuck::cast_slice(&mask)),
            Bind::Buffer(&out.buffer),
        ];
        self.dispatch_with(spec, &binds, &params, n.div_ceil(spec.workgroup_size))?;
        Ok(out)
    }

    /// `x` with the columns `cols` of the given rows (all if `None`)
    /// multiplied by `factor`.
    pub fn scale_columns(
        &self,
        x: &GpuTensor,
        cols: &[usize],
        factor: f32,
        rows: Option<&[usize]>,
    ) -> Result<GpuTensor, GpuError> {
        if let Some(&bad) = cols.iter().find(|&&c| c >= x.cols) {
            return Err(GpuError::Shape(format!("column {bad} of rows of {}", x.cols)));
        }
        let mut factors = vec![1.0f32; x.cols];
        for &c in cols {
            factors[c] = factor;
        }
        let mask = row_mask(x.rows, rows);
        let out = self.empty_tensor(x.rows, x.cols)?;
        let spec = self.spec(Op::ScaleColumns, DType::F32);
        let n = count(x.len())?;
        let params = RowsParams { n, cols: count(x.cols)?, ..Default::default() };
        let binds = [
            Bind::Buffer(&x.buffer),
            Bind::Data(bytemuck::cast_slice(&factors)),
            Bind::Data(bytemuck::cast_slice(&mask)),
            Bind::Buffer(&out.buffer),
        ];
        self.dispatch_with(spec, &binds, &params, n.div_ceil(spec.workgroup_size))?;
        Ok(out)
    }

    /// The attention probabilities `[n, n_heads * width]` of the rows of
    /// `q` over the keys `k`, row `i` seeing `spans[i]`, zero for keys past
    /// `k`'s (`shaders/attention_pattern.wgsl`).
    #[allow(clippy::too_many_arguments)]
    pub fn attention_pattern(
        &self,
        q: &GpuTensor,
        k: &GpuTensor,
        n_heads: usize,
        n_kv_heads: usize,
        head_dim: usize,
        spans: &[KeySpan],
        width: usize,
    ) -> Result<GpuTensor, GpuError> {
        check_heads("attention pattern", q, k, k, n_heads, n_kv_heads, head_dim, spans)?;
        if width < k.rows {
            return Err(GpuError::Shape(format!("an attention pattern {width} keys wide over {} keys", k.rows)));
        }
        let words = span_words(spans, k.rows)?;
        let out = self.empty_tensor(q.rows, n_heads * width)?;
        let spec = self.spec(Op::AttentionPattern, DType::F32);
        let scale = 1.0 / (head_dim as f32).sqrt();
        let params = AttentionPatternParams {
            n: count(q.rows)?,
            t: count(k.rows)?,
            n_heads: count(n_heads)?,
            n_kv_heads: count(n_kv_heads)?,
            head_dim: count(head_dim)?,
            scale,
            width: count(width)?,
            ..Default::default()
        };
        let binds = [
            Bind::Buffer(&q.buffer),
            Bind::Buffer(&k.buffer),
            Bind::Data(bytemuck::cast_slice(&words)),
            Bind::Buffer(&out.buffer),
        ];
        self.dispatch_with(spec, &binds, &params, count(q.rows * n_heads)?)?;
        Ok(out)
    }

    /// `softmax(q kᵀ / sqrt(head_dim)) v` per head, row `i` seeing `spans[i]`.
    /// Few rows go to the split-KV kernels; many to one workgroup per (row,
    /// head) with an online softmax (`shaders/attention.wgsl`), which needs
    /// no memory beyond q, k, v and the output, however long the prompt.
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
        check_heads("attention", q, k, v, n_heads, n_kv_heads, head_dim, spans)?;
        let words = span_words(spans, k.rows)?;
        if q.rows <= SPLIT_KV_MAX_ROWS {
            return self.attention_split(q, k, v, n_heads, n_kv_heads, head_dim, &words);
        }
        let spec = self.spec(Op::Attention, DType::F32);
        if head_dim > ATTENTION_DIMS_PER_LANE * spec.workgroup_size as usize {
            return Err(GpuError::Shape(format!(
                "heads of {head_dim} exceed the attention kernel's {} dimensions at {} invocations",
                ATTENTION_DIMS_PER_LANE * spec.workgroup_size as usize,
                spec.workgroup_size
            )));
        }
        let out = self.empty_tensor(q.rows, q.cols)?;
        let scale = 1.0 / (head_dim as f32).sqrt();
        let params = AttentionParams {
            n: count(q.rows)?,
            t: count(k.rows)?,
            n_heads: count(n_heads)?,
            n_kv_heads: count(n_kv_heads)?,
            head_dim: count(head_dim)?,
            scale,
            ..Default::default()
        };
        let binds = [
            Bind::Buffer(&q.buffer),
            Bind::Buffer(&k.buffer),
            Bind::Buffer(&v.buffer),
            Bind::Data(bytemuck::cast_slice(&words)),
            Bind::Buffer(&out.buffer),
        ];
        self.dispatch_with(spec, &binds, &params, count(q.rows * n_heads)?)?;
        Ok(out)
    }

    /// Attention for few query rows in two dispatches: chunks of keys (one
    /// workgroup each) and their merge (`shaders/attention_partial.wgsl`).
    #[allow(clippy::too_many_arguments)]
    fn attention_split(
        &self,
        q: &GpuTensor,
        k: &GpuTensor,
        v: &GpuTensor,
        n_heads: usize,
        n_kv_heads: usize,
        head_dim: usize,
        span_words: &[u32],
    ) -> Result<GpuTensor, GpuError> {
        let partial = self.spec(Op::AttentionPartial, DType::F32);
        let chunks = k.rows.div_ceil(partial.workgroup_size as usize).max(1);
        let (part, _part_lease) = self.storage_f32(q.rows * n_heads * chunks * (head_dim + 2))?;
        let out = self.empty_tensor(q.rows, q.cols)?;
        let scale = 1.0 / (head_dim as f32).sqrt();
        let params = AttentionPartialParams {
            n: count(q.rows)?,
            t: count(k.rows)?,
            n_heads: count(n_heads)?,
            n_kv_heads: count(n_kv_heads)?,
            head_dim: count(head_dim)?,
            scale,
            chunks: count(chunks)?,
            ..Default::default()
        };
        let binds = [
            Bind::Buffer(&q.buffer),
            Bind::Buffer(&k.buffer),
            Bind::Buffer(&v.buffer),
            Bind::Data(bytemuck::cast_slice(span_words)),
            Bind::Buffer(&part),
        ];
        self.dispatch_with(partial, &binds, &params, count(q.rows * n_heads * chunks)?)?;
        let params = AttentionCombineParams {
            n: count(q.rows)?,
            n_heads: count(n_heads)?,
            head_dim: count(head_dim)?,
            chunks: count(chunks)?,
        };
        let combine = self.spec(Op::AttentionCombine, DType::F32);
        self.dispatch(combine, &[&part, &out.buffer], &params, count(q.rows * n_heads)?)?;
        Ok(out)
    }

    /// `a` with the rows of `b` appended. When nothing was appended after
    /// `a` in its buffer yet and there is room, `b` is copied in place
    /// (the key/value cache grows this way, amortised O(1) per token);
    /// otherwise into a new buffer with room to double. `a` stays valid
    /// either way: its rows are never written.
    pub fn concat_rows(&self, a: &GpuTensor, b: &GpuTensor) -> Result<GpuTensor, GpuError> {
        if a.cols != b.cols {
            return Err(GpuError::Shape(format!("appending rows of {} to rows of {}", b.cols, a.cols)));
        }
        let (la, lb) = ((a.len() * 4) as u64, (b.len() * 4) as u64);
        let (rows, cols) = (a.rows + b.rows, a.cols);
        if a.lease.try_extend(la, la + lb) {
            self.copy(&b.buffer, 0, &a.buffer, la, lb);
            return Ok(GpuTensor { buffer: a.buffer.clone(), lease: a.lease.clone(), rows, cols });
        }
        let limit = self.info().limits.max_storage_buffer_binding_size;
        let needed = la + lb;
        if needed > limit {
            return Err(GpuError::TooLarge { bytes: needed, limit });
        }
        let capacity = (2 * needed).max(16 * 1024).min(limit / 4 * 4).max(needed);
        // The old buffer is dropped once the caller lets go of `a`: cached
        // bind groups must not keep it alive.
        if let Ok(mut rec) = self.recording.lock() {
            rec.bind_groups.clear();
        }
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("kaoshi growing rows"),
            size: capacity.div_ceil(4) * 4,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.copy(&a.buffer, 0, &buffer, 0, la);
        self.copy(&b.buffer, 0, &buffer, la, lb);
        let lease = Lease::new(buffer.clone(), needed, None);
        Ok(GpuTensor { buffer, lease, rows, cols })
    }

    /// The given rows of `x`, in order.
    pub fn select_rows(&self, x: &GpuTensor, rows: &[usize]) -> Result<GpuTensor, GpuError> {
        if let Some(&bad) = rows.iter().find(|&&r| r >= x.rows) {
            return Err(GpuError::Shape(format!("row {bad} of a tensor of {} rows", x.rows)));
        }
        let out = self.empty_tensor(rows.len(), x.cols)?;
        let row_bytes = (x.cols * 4) as u64;
        // Runs of consecutive rows are one copy each.
        let mut i = 0;
        while i < rows.len() {
            let mut j = i + 1;
            while j < rows.len() && rows[j] == rows[j - 1] + 1 {
                j += 1;
            }
            let (src, dst, n) = (rows[i] as u64 * row_bytes, i as u64 * row_bytes, (j - i) as u64 * row_bytes);
            self.copy(&x.buffer, src, &out.buffer, dst, n);
            i = j;
        }
        Ok(out)
    }
}

/// Checks the operands of attention (`what`): q `[n, n_heads * head_dim]`,
/// k and v `[t, n_kv_heads * head_dim]`, a key span per query row.
#[allow(clippy::too_many_arguments)]
fn check_heads(
    what: &str,
    q: &GpuTensor,
    k: &GpuTensor,
    v: &GpuTensor,
    n_heads: usize,
    n_kv_heads: usize,
    head_dim: usize,
    spans: &[KeySpan],
) -> Result<(), GpuError> {
    let ok = n_kv_heads > 0
        && n_heads % n_kv_heads == 0
        && q.cols == n_heads * head_dim
        && k.cols == n_kv_heads * head_dim
        && (v.rows, v.cols) == (k.rows, k.cols)
        && spans.len() == q.rows;
    if ok {
        return Ok(());
    }
    Err(GpuError::Shape(format!(
        "{what} of q [{}, {}], k [{}, {}], v [{}, {}], {n_heads}/{n_kv_heads} heads of {head_dim}, {} spans",
        q.rows,
        q.cols,
        k.rows,
        k.cols,
        v.rows,
        v.cols,
        spans.len()
    )))
}

/// 1 for each of `n` rows that `rows` names (every row when `None`), else 0.
fn row_mask(n: usize, rows: Option<&[usize]>) -> Vec<f32> {
    match rows {
        None => vec![1.0; n],
        Some(rows) => (0..n).map(|r| if rows.contains(&r) { 1.0 } else { 0.0 }).collect(),
    }
}

/// Key spans as the attention kernels read them: (shared, own_start,
/// own_end) per row, clamped to the `keys` there are.
fn span_words(spans: &[KeySpan], keys: usize) -> Result<Vec<u32>, GpuError> {
    let mut words = Vec::with_capacity(spans.len() * 3);
    for s in spans {
        words.extend([count(s.shared.min(keys))?, count(s.own_start)?, count(s.own_end.min(keys))?]);
    }
    Ok(words)
}
