//! The input of a block's projections after an RMS norm: normalized once,
//! or, on a backend that folds the norm into its products for this many
//! rows ([`Backend::fuses_norm`]: the GPU when decoding), by each product.

use crate::backend::{Backend, FuseRows, LinearFusion, NormSpec};
use crate::error::BackendError;

pub(crate) enum NormedInput<'a, B: Backend> {
    /// Normalized here, once for every projection.
    Normalized(B::Tensor),
    /// The raw rows and the norm that each projection applies.
    Deferred(&'a B::Tensor, NormSpec<'a, B::Tensor>),
}

impl<'a, B: Backend> NormedInput<'a, B> {
    pub(crate) fn new(b: &B, x: &'a B::Tensor, norm: NormSpec<'a, B::Tensor>) -> Result<Self, BackendError> {
        Ok(if b.fuses_norm(b.rows(x)) {
            Self::Deferred(x, norm)
        } else {
            Self::Normalized(b.rms_norm(x, norm.weight, norm.eps, norm.group)?)
        })
    }

    /// The normalized input times `wᵀ`, plus `bias`, combined with `rows`.
    pub(crate) fn linear(
        &self,
        b: &B,
        w: &B::Matrix,
        bias: Option<&B::Tensor>,
        rows: Option<FuseRows<'_, B::Tensor>>,
    ) -> Result<B::Tensor, BackendError> {
        match self {
            Self::Normalized(h) => b.linear_fused(h, w, LinearFusion { norm: None, bias, rows }),
            Self::Deferred(x, norm) => b.linear_fused(x, w, LinearFusion { norm: Some(*norm), bias, rows }),
        }
    }
}

/// A product with `r` added to it.
pub(crate) fn residual<T>(r: &T) -> LinearFusion<'_, T> {
    LinearFusion { rows: Some(FuseRows::Residual(r)), ..LinearFusion::default() }
}
