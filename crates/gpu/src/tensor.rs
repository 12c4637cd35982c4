//! Device-resident activations ([`GpuTensor`]) and weights ([`GpuMatrix`]).

use crate::{DType, GpuDevice, GpuError};

/// A row-major `[rows, cols]` f32 tensor in a storage buffer.
#[derive(Debug, Clone)]
pub struct GpuTensor {
    pub(crate) buffer: wgpu::Buffer,
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
}

impl GpuTensor {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// Whether it holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A weight matrix `[out, in]` in its stored type.
///
/// Quantized (and F16) layout: the tensor's GGUF bytes unchanged (e.g. for
/// Q8_0 rows of `in / 32` blocks of 34 bytes; sizes in [`DType::block`]; no padding between rows, so a row need not start on
/// a 4-byte boundary), packed little-endian into u32 words, and only the
/// whole buffer's tail padded with zeros to a multiple of 4 bytes. Kernels
/// address blocks by byte offset. This keeps the upload a plain copy of the
/// file's bytes (no repacking, no per-row padding to account for).
#[derive(Debug, Clone)]
pub struct GpuMatrix {
    pub(crate) buffer: wgpu::Buffer,
    /// Storage type.
    pub dtype: DType,
    /// Output features (rows).
    pub rows: usize,
    /// Input features (columns).
    pub cols: usize,
}

impl GpuDevice {
    /// Uploads `data` as a `[rows, cols]` tensor.
    pub fn upload_tensor(&self, data: &[f32], rows: usize, cols: usize) -> Result<GpuTensor, GpuError> {
        if data.len() != rows * cols {
            return Err(GpuError::Shape(format!("{} values for a [{rows}, {cols}] tensor", data.len())));
        }
        Ok(GpuTensor { buffer: self.storage_init(bytemuck::cast_slice(data))?, rows, cols })
    }

    /// Copies a tensor back to the host.
    pub fn download_tensor(&self, x: &GpuTensor) -> Result<Vec<f32>, GpuError> {
        self.read_f32(&x.buffer, x.len())
    }

    /// An uninitialised `[rows, cols]` tensor.
    pub(crate) fn empty_tensor(&self, rows: usize, cols: usize) -> Result<GpuTensor, GpuError> {
        Ok(GpuTensor { buffer: self.storage_f32(rows * cols)?, rows, cols })
    }

    /// Uploads a weight matrix `[rows, cols]` from its raw GGUF bytes.
    pub fn upload_matrix(&self, bytes: &[u8], dtype: DType, rows: usize, cols: usize) -> Result<GpuMatrix, GpuError> {
        let (block_values, block_bytes) = dtype.block();
        if cols % block_values != 0 {
            return Err(GpuError::Shape(format!(
                "{dtype:?} row of {cols} values is not whole blocks of {block_values}"
            )));
        }
        let expected = rows * (cols / block_values) * block_bytes;
        if bytes.len() != expected {
            return Err(GpuError::Shape(format!(
                "{} bytes for a [{rows}, {cols}] {dtype:?} matrix (expected {expected})",
                bytes.len()
            )));
        }
        Ok(GpuMatrix { buffer: self.storage_init(&pad4(bytes))?, dtype, rows, cols })
    }
}

/// `bytes` with zeros appended up to a multiple of 4.
fn pad4(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if bytes.len() % 4 == 0 {
        bytes.into()
    } else {
        let mut v = bytes.to_vec();
        v.resize(bytes.len().div_ceil(4) * 4, 0);
        v.into()
    }
}
