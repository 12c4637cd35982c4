//! Grouped-query attention with per-row key spans, on candle matmuls (f32
//! for [`crate::CpuBackend`], f32 or f64 and differentiable for
//! [`crate::GradBackend`]).

use candle_core::{D, Result, Tensor};
use kaoshi_model::KeySpan;

/// `softmax(q kᵀ / sqrt(d) + mask) v` for every head; see
/// [`kaoshi_model::Backend::attention`] for the shapes.
pub(crate) fn attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    n_heads: usize,
    n_kv_heads: usize,
    head_dim: usize,
    spans: &[KeySpan],
) -> Result<Tensor> {
    let (n, _) = q.dims2()?;
    let p = probabilities(q, k, n_heads, n_kv_heads, head_dim, spans)?;
    let out = p.matmul(&expand_heads(v, n_heads, n_kv_heads, head_dim)?)?; // [H, n, d]
    out.transpose(0, 1)?.reshape((n, n_heads * head_dim))
}

/// The attention probabilities `[n, n_heads * width]`, head after head,
/// zero past the keys; see [`kaoshi_model::Backend::attention_pattern`].
pub(crate) fn pattern(
    q: &Tensor,
    k: &Tensor,
    n_heads: usize,
    n_kv_heads: usize,
    head_dim: usize,
    spans: &[KeySpan],
    width: usize,
) -> Result<Tensor> {
    let ((n, _), (t, _)) = (q.dims2()?, k.dims2()?);
    if width < t {
        candle_core::bail!("a pattern {width} keys wide over {t} keys");
    }
    let p = probabilities(q, k, n_heads, n_kv_heads, head_dim, spans)?; // [H, n, t]
    let p = p.pad_with_zeros(D::Minus1, 0, width - t)?;
    p.transpose(0, 1)?.contiguous()?.reshape((n, n_heads * width))
}

/// `softmax(q kᵀ / sqrt(d) + mask)` as `[n_heads, n, t]`; hidden keys get 0.
fn probabilities(
    q: &Tensor,
    k: &Tensor,
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
    // [n, H*d] -> [H, n, d]
    let q = q.reshape((n, n_heads, head_dim))?.transpose(0, 1)?.contiguous()?;
    let k = expand_heads(k, n_heads, n_kv_heads, head_dim)?;
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
    let mask = Tensor::from_vec(mask, (1, n, t), q.device())?.to_dtype(q.dtype())?;
    let scores = scores.broadcast_add(&mask)?;
    // The shift is a constant of the softmax: detached, so that a gradient
    // (the `GradBackend`) does not flow through the maximum.
    let max = scores.max_keepdim(D::Minus1)?.detach();
    let e = scores.broadcast_sub(&max)?.exp()?;
    e.broadcast_div(&e.sum_keepdim(D::Minus1)?)
}

/// `[t, n_kv_heads * d]` keys or values as `[n_heads, t, d]`, each K/V
/// head repeated for the query heads of its group.
fn expand_heads(x: &Tensor, n_heads: usize, n_kv_heads: usize, head_dim: usize) -> Result<Tensor> {
    let (t, _) = x.dims2()?;
    let group = n_heads / n_kv_heads;
    let x = x.reshape((t, n_kv_heads, head_dim))?.transpose(0, 1)?; // [Hkv, t, d]
    x.unsqueeze(1)?.expand((n_kv_heads, group, t, head_dim))?.reshape((n_heads, t, head_dim))?.contiguous()
}
