//! The ops, each one dispatch of one kernel; shapes are checked here.

use kaoshi_model::{FuseRows, LinearFusion};

use crate::params::{CountParams, MatmulParams, RmsNormParams, RopeParams};
use crate::record::Bind;
use crate::{DType, GpuDevice, GpuError, GpuMatrix, GpuTensor, Op};

/// What the matrix kernels fold into a product
/// ([`GpuDevice::matmul_with`]): the model's [`LinearFusion`].
pub type Fusion<'a> = LinearFusion<'a, GpuTensor>;

fn rows_tensor<'a>(r: FuseRows<'a, GpuTensor>) -> &'a GpuTensor {
    match r {
        FuseRows::Residual(t) | FuseRows::SiluGate(t) => t,
    }
}

/// One buffer's worth of a weight matrix, as the matmul kernels see it.
struct MatrixView<'a> {
    buffer: &'a wgpu::Buffer,
    dtype: DType,
    rows: usize,
}

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
        let params = CountParams { n, ..Default::default() };
        self.dispatch(spec, &[&a.buffer, &b.buffer, &out.buffer], &params, n.div_ceil(spec.workgroup_size))?;
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
        let params = RmsNormParams { n_groups, group: count(group)?, eps, ..Default::default() };
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
        Ok(self.rope_rows(x, None, positions, head_dim, inv_freq, neox)?.0)
    }

    /// [`GpuDevice::rope`] of queries and keys (rows at the same positions)
    /// in one dispatch.
    pub fn rope_pair(
        &self,
        q: &GpuTensor,
        k: &GpuTensor,
        positions: &[f32],
        head_dim: usize,
        inv_freq: &[f32],
        neox: bool,
    ) -> Result<(GpuTensor, GpuTensor), GpuError> {
        let (q, k) = self.rope_rows(q, Some(k), positions, head_dim, inv_freq, neox)?;
        Ok((q, k.expect("a second tensor was given")))
    }

    fn rope_rows(
        &self,
        x: &GpuTensor,
        x2: Option<&GpuTensor>,
        positions: &[f32],
        head_dim: usize,
        inv_freq: &[f32],
        neox: bool,
    ) -> Result<(GpuTensor, Option<GpuTensor>), GpuError> {
        let rot_dim = inv_freq.len() * 2;
        for t in std::iter::once(x).chain(x2) {
            if positions.len() != t.rows
                || head_dim == 0
                || t.cols % head_dim != 0
                || rot_dim > head_dim
                || rot_dim == 0
            {
                return Err(GpuError::Shape(format!(
                    "rope on [{}, {}] with {} positions, head_dim {head_dim}, rot_dim {rot_dim}",
                    t.rows,
                    t.cols,
                    positions.len()
                )));
            }
        }
        let out = self.empty_tensor(x.rows, x.cols)?;
        let out2 = x2.map(|t| self.empty_tensor(t.rows, t.cols)).transpose()?;
        let spec = self.spec(Op::Rope, DType::F32);
        let (n, n2) = (count(x.len())?, count(x2.map_or(0, GpuTensor::len))?);
        let cols2 = count(x2.map_or(0, |t| t.cols))?;
        let params = RopeParams {
            n,
            cols: count(x.cols)?,
            head_dim: count(head_dim)?,
            rot_dim: count(rot_dim)?,
            neox: u32::from(neox),
            n2,
            cols2,
            ..Default::default()
        };
        let binds = [
            Bind::Buffer(&x.buffer),
            Bind::Buffer(x2.map_or(&self.placeholder, |t| &t.buffer)),
            Bind::Data(bytemuck::cast_slice(positions)),
            Bind::Data(bytemuck::cast_slice(inv_freq)),
            Bind::Buffer(&out.buffer),
            // With one tensor no invocation writes out2.
            Bind::Buffer(out2.as_ref().map_or(&self.placeholder_out, |t| &t.buffer)),
        ];
        self.dispatch_with(spec, &binds, &params, (n + n2).div_ceil(spec.workgroup_size))?;
        Ok((out, out2))
    }

    /// `x · wᵀ`: `[n, in] x [out, in] -> [n, out]`.
    ///
    /// Up to [`KernelSpec::matvec_max_rows`](crate::KernelSpec::matvec_max_rows)
    /// rows of x (8; decoding, small scoring batches) run [`Op::MatVec`],
    /// which reads each weight word once for all rows and needs no staging;
    /// more rows run [`Op::MatmulTiled`] (or [`Op::MatmulTiled8`]: see
    /// [`GpuDevice::set_wide_tiles`]), which dequantizes each weight
    /// value once per output tile (64 rows of x at 256 invocations) instead
    /// of once per row. Both read x as vec4s, so its buffer must hold whole
    /// vec4s (`upload_tensor` and pooled buffers do).
    ///
    /// A matrix split into parts ([`GpuMatrix::parts`]) runs once per part
    /// (`crate::split`).
    pub fn matmul(&self, x: &GpuTensor, w: &GpuMatrix) -> Result<GpuTensor, GpuError> {
        if x.cols != w.cols {
            return Err(GpuError::Shape(format!("[{}, {}] x [{}, {}]ᵀ", x.rows, x.cols, w.rows, w.cols)));
        }
        self.matmul_with(x, w, Fusion::default())
    }

    /// `silu(gate) * (x · wᵀ)` in one dispatch (a gated MLP's gate times
    /// its up projection), `gate` `[n, out]`. (A split matrix multiplies
    /// with a dispatch of its own.)
    pub fn matmul_gated(&self, x: &GpuTensor, w: &GpuMatrix, gate: &GpuTensor) -> Result<GpuTensor, GpuError> {
        self.matmul_with(x, w, Fusion { rows: Some(FuseRows::SiluGate(gate)), ..Fusion::default() })
    }

    /// `x · wᵀ + bias + residual` in one dispatch: `bias` is `[1, out]`,
    /// `residual` `[n, out]`, each optional. (A split matrix adds them with
    /// their own dispatches.)
    pub fn matmul_fused(
        &self,
        x: &GpuTensor,
        w: &GpuMatrix,
        bias: Option<&GpuTensor>,
        residual: Option<&GpuTensor>,
    ) -> Result<GpuTensor, GpuError> {
        self.matmul_with(x, w, Fusion { bias, rows: residual.map(FuseRows::Residual), ..Fusion::default() })
    }

    /// `x · wᵀ` with `fusion` folded in: x RMS-normalized first, then the
    /// bias added, then a residual added or a SiLU gate applied. One
    /// dispatch, except that the norm is folded only into [`Op::MatVecNorm`]
    /// (one row of x, a whole-row norm, an unsplit matrix, folding on:
    /// [`GpuDevice::set_fold_norm`]) and runs as [`GpuDevice::rms_norm`]
    /// otherwise; a split matrix adds the bias and
    /// the rows with dispatches of their own.
    pub fn matmul_with(&self, x: &GpuTensor, w: &GpuMatrix, fusion: Fusion) -> Result<GpuTensor, GpuError> {
        if x.cols != w.cols {
            return Err(GpuError::Shape(format!("[{}, {}] x [{}, {}]ᵀ", x.rows, x.cols, w.rows, w.cols)));
        }
        if let Some(b) = fusion.bias.filter(|b| b.len() != w.rows) {
            return Err(GpuError::Shape(format!("bias of {} for {} outputs", b.len(), w.rows)));
        }
        if let Some(r) = fusion.rows.map(rows_tensor).filter(|r| (r.rows, r.cols) != (x.rows, w.rows)) {
            return Err(GpuError::Shape(format!("[{}, {}] combined with [{}, {}]", r.rows, r.cols, x.rows, w.rows)));
        }
        let folds = |n: &kaoshi_model::NormSpec<GpuTensor>| {
            self.folds_norm() && x.rows == 1 && n.group == x.cols && n.weight.len() == x.cols && w.parts.len() == 1
        };
        if let Some(n) = fusion.norm.filter(|n| !folds(n)) {
            let h = self.rms_norm(x, n.weight, n.eps)?;
            return self.matmul_with(&h, w, Fusion { norm: None, ..fusion });
        }
        match &w.parts[..] {
            [one] => self.matmul_part(x, &one.buffer, w.dtype, w.rows, fusion),
            parts => {
                let mut y = self.matmul_split(x, parts, w.dtype, w.rows)?;
                if let Some(b) = fusion.bias {
                    y = self.add_row_vector(&y, b, None)?;
                }
                match fusion.rows {
                    Some(FuseRows::Residual(r)) => self.add(r, &y),
                    Some(FuseRows::SiluGate(g)) => self.silu_mul(g, &y),
                    None => Ok(y),
                }
            }
        }
    }

    /// `x · wᵀ` for `w` `[m, x.cols]` of `dtype` held in `buffer`.
    pub(crate) fn matmul_part(
        &self,
        x: &GpuTensor,
        buffer: &wgpu::Buffer,
        dtype: DType,
        m: usize,
        fusion: Fusion,
    ) -> Result<GpuTensor, GpuError> {
        let w = MatrixView { buffer, dtype, rows: m };
        if x.buffer.size() < (x.len().div_ceil(4) * 16) as u64 {
            return Err(GpuError::Shape(format!("x of {} values in a buffer of {} bytes", x.len(), x.buffer.size())));
        }
        let out = self.empty_tensor(x.rows, w.rows)?;
        let flags = u32::from(fusion.bias.is_some())
            | match fusion.rows {
                None => 0,
                Some(FuseRows::Residual(_)) => 2,
                Some(FuseRows::SiluGate(_)) => 4,
            };
        let bias = fusion.bias.map_or(&self.placeholder, |b| &b.buffer);
        let other = fusion.rows.map_or(&self.placeholder, |r| &rows_tensor(r).buffer);
        let (n, k, m) = (count(x.rows)?, count(x.cols)?, count(w.rows)?);
        let vec = self.spec(Op::MatVec, w.dtype);
        if n > vec.matvec_max_rows() {
            let wide = self.spec(Op::MatmulTiled8, w.dtype);
            let spec =
                if self.wide_tiles() && wide.is_supported() { wide } else { self.spec(Op::MatmulTiled, w.dtype) };
            let (tr, tn) = spec.matmul_tile();
            let groups = count(x.rows.div_ceil(tr as usize) * w.rows.div_ceil(tn as usize))?;
            let params = MatmulParams { n, k, m, epilogue: flags, ..Default::default() };
            self.dispatch(spec, &[&x.buffer, w.buffer, &out.buffer, bias, other], &params, groups)?;
            return Ok(out);
        }
        // The matrix-vector kernels also bind the norm's weights (binding 5,
        // read only by Op::MatVecNorm, which matmul_with picks for one row).
        let (spec, norm, eps) = match fusion.norm {
            Some(nm) => (self.spec(Op::MatVecNorm, w.dtype), &nm.weight.buffer, nm.eps),
            None => (vec, &self.placeholder, 0.0),
        };
        let groups = count(w.rows.div_ceil(spec.matvec_columns() as usize))?;
        let params = MatmulParams { n, k, m, epilogue: flags, eps, ..Default::default() };
        self.dispatch(spec, &[&x.buffer, w.buffer, &out.buffer, bias, other, norm], &params, groups)?;
        Ok(out)
    }
}
