//! `x · wᵀ` as a candle custom op whose backward pass gives the input's
//! gradient only. candle's own matmul backward also computes the gradient
//! of the right operand, here a constant weight, doubling the work and
//! allocating a weight-sized tensor per product; the probes never need
//! gradients of weights.

use candle_core::{CpuStorage, CustomOp1, Device, Layout, Result, Shape, Storage, Tensor};

/// The product with a constant `[out, in]` weight.
pub(crate) struct Linear {
    pub(crate) weight: Tensor,
}

/// The tensor a contiguous CPU storage holds (a copy).
fn tensor_of(storage: &CpuStorage, layout: &Layout) -> Result<Tensor> {
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("kaoshi-linear: a non-contiguous input");
    };
    let shape = layout.shape().clone();
    match storage {
        CpuStorage::F32(v) => Tensor::from_slice(&v[start..end], shape, &Device::Cpu),
        CpuStorage::F64(v) => Tensor::from_slice(&v[start..end], shape, &Device::Cpu),
        _ => candle_core::bail!("kaoshi-linear: only f32 and f64"),
    }
}

impl CustomOp1 for Linear {
    fn name(&self) -> &'static str {
        "kaoshi-linear"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let x = tensor_of(storage, layout)?;
        let y = x.matmul(&self.weight.t()?)?.contiguous()?;
        let (s, l) = y.storage_and_layout();
        match (&*s, l.contiguous_offsets()) {
            (Storage::Cpu(c), Some((0, _))) => Ok((c.clone(), l.shape().clone())),
            _ => candle_core::bail!("kaoshi-linear: unexpected product layout"),
        }
    }

    fn bwd(&self, _arg: &Tensor, _res: &Tensor, grad_res: &Tensor) -> Result<Option<Tensor>> {
        Ok(Some(grad_res.matmul(&self.weight)?))
    }
}
