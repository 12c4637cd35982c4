//! The ops, each one dispatch of one kernel; shapes are checked here.

use crate::{DType, GpuDevice, GpuError, GpuMatrix, GpuTensor, Op};

pub(crate) fn count(n: usize) -> Result<u32, GpuError> {
    u32::try_from(n).map_err(|_| GpuError::Shape(format!("{n} exceeds the u32 index range")))
}

impl GpuDevice {
    fn elementwise(&self, op: Op, a: &GpuTensor, b: &GpuTensor) -> Result<GpuTensor, GpuError> {
        if (a.rows, a.cols) != (b.rows, b.cols) {
            return Err(GpuError::Shape(format!("{op:?} of [{}, {}] and [{}, {}]", a.rows, a.cols, b.rows, b.cols)));
        }
        let out = self.empty_tensor(a.rows, a.cols)?;
        let spec = self.spec(op, DType::F32);
        let n = count(a.len())?;
        self.dispatch(spec, &[&a.buffer, &b.buffer, &out.buffer], &[n], n.div_ceil(spec.workgroup_size))?;
        Ok(out)
    }

    /// `a + b`.
    pub fn add(&self, a: &GpuTensor, b: &GpuTensor) -> Result<GpuTensor, GpuError> {
        self.elementwise(Op::Add, a, b)
    }

    /// `silu(gate) * up`.
    pub fn silu_mul(&self, gate: &GpuTensor, up: &GpuTensor) -> Result<GpuTensor, GpuError> {
        self.elementwise(Op::SiluMul, gate, up)
    }

    /// RMS norm of each consecutive `weight.cols` columns, times `weight`.
    pub fn rms_norm(&self, x: &GpuTensor, weight: &GpuTensor, eps: f32) -> Result<GpuTensor, GpuError> {
        let group = weight.len();
        if group == 0 || x.cols % group != 0 {
            return Err(GpuError::Shape(format!("rms_norm of width {} in groups of {group}", x.cols)));
        }
        let out = self.empty_tensor(x.rows, x.cols)?;
        let n_groups = count(x.len() / group)?;
        let params = [n_groups, count(group)?, eps.to_bits()];
        self.dispatch(
            self.spec(Op::RmsNorm, DType::F32),
            &[&x.buffer, &weight.buffer, &out.buffer],
            &params,
            n_groups,
        )?;
        Ok(out)
    }

    /// Rotates each head (`head_dim` columns) of row `i` by `positions[i]`
    /// (already multiplied by the position scale); `inv_freq` has
    /// `rot_dim / 2` values.
    pub fn rope(
        &self,
        x: &GpuTensor,
        positions: &[f32],
        head_dim: usize,
        inv_freq: &[f32],
        neox: bool,
    ) -> Result<GpuTensor, GpuError> {
        let rot_dim = inv_freq.len() * 2;
        if positions.len() != x.rows || head_dim == 0 || x.cols % head_dim != 0 || rot_dim > head_dim || rot_dim == 0 {
            return Err(GpuError::Shape(format!(
                "rope on [{}, {}] with {} positions, head_dim {head_dim}, rot_dim {rot_dim}",
                x.rows,
                x.cols,
                positions.len()
            )));
        }
        let pos = self.storage_init(bytemuck::cast_slice(positions))?;
        let freq = self.storage_init(bytemuck::cast_slice(inv_freq))?;
        let out = self.empty_tensor(x.rows, x.cols)?;
        let spec = self.spec(Op::Rope, DType::F32);
        let n = count(x.len())?;
        let params = [n, count(x.cols)?, count(head_dim)?, count(rot_dim)?, u32::from(neox)];
        self.dispatch(spec, &[&x.buffer, &pos, &freq, &out.buffer], &params, n.div_ceil(spec.workgroup_size))?;
        Ok(out)
    }

    /// `x · wᵀ`: `[n, in] x [out, in] -> [n, out]`.
    pub fn matmul(&self, x: &GpuTensor, w: &GpuMatrix) -> Result<GpuTensor, GpuError> {
        if x.cols != w.cols {
            return Err(GpuError::Shape(format!("[{}, {}] x [{}, {}]ᵀ", x.rows, x.cols, w.rows, w.cols)));
        }
        let out = self.empty_tensor(x.rows, w.rows)?;
        let params = [count(x.rows)?, count(x.cols)?, count(w.rows)?];
        let groups = count(x.rows * w.rows)?;
        self.dispatch(self.spec(Op::Matmul, w.dtype), &[&x.buffer, &w.buffer, &out.buffer], &params, groups)?;
        Ok(out)
    }
}
