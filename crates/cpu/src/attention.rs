//! Grouped-query attention with per-row key spans, on candle matmuls.

use candle_core::{D, Result, Tensor};
use kaoshi_model::KeySpan;

/// `softmax(q kᵀ / sqrt(d) + mask) v` for every head; see
/// [`kaoshi_model::Backend::attention`] for the shapes.
pub fn attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    n_heads: usize,
    n_kv_heads: usize,
    head_dim: usize,
    spans: &[KeySpan],
) -> Result<Tensor> {
    let (n, _) = q.dims2()?;
    let (t, _) = k.dims2()?;
    if spans.len() != n {
        candle_core::bail!("{n} queries but {} key spans", spans.len());
    }
    let group = n_heads / n_kv_heads;
    // [n, H*d] -> [H, n, d]
    let q = q.reshape((n, n_heads, head_dim))?.transpose(0, 1)?.contiguous()?;
    let expand = |x: &Tensor| -> Result<Tensor> {
        let x = x.reshape((t, n_kv_heads, head_dim))?.transpose(0, 1)?; // [Hkv, t, d]
        x.unsqueeze(1)?.expand((n_kv_heads, group, t, head_dim))?.reshape((n_heads, t, head_dim))?.contiguous()
    };
    let (k, v) = (expand(k)?, expand(v)?);
    let scale = 1.0 / (head_dim as f64).sqrt();
    let scores = (q.matmul(&k.t()?)? * scale)?; // [H, n, t]
    let mut mask = vec![f32::NEG_INFINITY; n * t];
    for (i, span) in spans.iter().enumerate() {
        for (j, m) in mask[i * t..(i + 1) * t].iter_mut().enumerate() {
            if span.allows(j) {
                *m = 0.0;
            }
        }
    }
    let mask = Tensor::from_vec(mask, (1, n, t), q.device())?;
    let scores = scores.broadcast_add(&mask)?;
    let max = scores.max_keepdim(D::Minus1)?;
    let e = scores.broadcast_sub(&max)?.exp()?;
    let p = e.broadcast_div(&e.sum_keepdim(D::Minus1)?)?;
    let out = p.matmul(&v)?; // [H, n, d]
    out.transpose(0, 1)?.reshape((n, n_heads * head_dim))
}
