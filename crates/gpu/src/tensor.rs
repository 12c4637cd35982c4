//! Device-resident activations ([`GpuTensor`]) and weights ([`GpuMatrix`]).

use std::sync::Arc;

use crate::pool::Lease;
use crate::{DType, GpuDevice, GpuError};

/// A row-major `[rows, cols]` f32 tensor at the start of a storage buffer
/// (which may be larger: pooled buffers come in size classes, and a cache
/// tensor keeps room to grow). Clones share the buffer.
#[derive(Debug, Clone)]
pub struct GpuTensor {
    pub(crate) buffer: wgpu::Buffer,
    pub(crate) lease: Arc<Lease>,
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
///
/// A matrix larger than the adapter's `max_storage_buffer_binding_size`
/// (lavapipe: 128 MiB, which a 7B model's embedding exceeds) is split by
/// rows into several buffers ([`MatrixPart`]); ops run once per part.
#[derive(Debug, Clone)]
pub struct GpuMatrix {
    pub(crate) parts: Vec<MatrixPart>,
    /// Storage type.
    pub dtype: DType,
    /// Output features (rows).
    pub rows: usize,
    /// Input features (columns).
    pub cols: usize,
}

/// Rows `first_row..first_row + rows` of a [`GpuMatrix`], in their own buffer
/// (laid out as a whole matrix of that many rows).
#[derive(Debug, Clone)]
pub(crate) struct MatrixPart {
    pub(crate) buffer: wgpu::Buffer,
    pub(crate) first_row: usize,
    pub(crate) rows: usize,
}

impl GpuMatrix {
    /// Number of buffers the matrix is split into (1 unless it exceeds the
    /// adapter's binding limit).
    pub fn parts(&self) -> usize {
        self.parts.len()
    }
}

impl GpuDevice {
    /// Uploads `data` as a `[rows, cols]` tensor.
    pub fn upload_tensor(&self, data: &[f32], rows: usize, cols: usize) -> Result<GpuTensor, GpuError> {
        if data.len() != rows * cols {
            return Err(GpuError::Shape(format!("{} values for a [{rows}, {cols}] tensor", data.len())));
        }
        // Whole vec4s: the matrix kernels read x as `array<vec4<f32>>`.
        let buffer = if data.len() % 4 == 0 && !data.is_empty() {
            self.storage_init(bytemuck::cast_slice(data))?
        } else {
            let mut padded = data.to_vec();
            padded.resize(data.len().div_ceil(4).max(1) * 4, 0.0);
            self.storage_init(bytemuck::cast_slice(&padded))?
        };
        let lease = Lease::new(buffer.clone(), (data.len() * 4) as u64, None);
        Ok(GpuTensor { buffer, lease, rows, cols })
    }

    /// Copies a tensor back to the host.
    pub fn download_tensor(&self, x: &GpuTensor) -> Result<Vec<f32>, GpuError> {
        self.read_f32(&x.buffer, x.len())
    }

    /// An uninitialised `[rows, cols]` tensor (a pooled buffer).
    pub(crate) fn empty_tensor(&self, rows: usize, cols: usize) -> Result<GpuTensor, GpuError> {
        let (buffer, lease) = self.storage_f32(rows * cols)?;
        Ok(GpuTensor { buffer, lease, rows, cols })
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
        let row_bytes = (cols / block_values) * block_bytes;
        let limit = self.split_bytes();
        // Parts hold whole rows and a multiple of 4 of them, so every part
        // but the last is a whole number of words.
        let rows_per_part = ((limit / row_bytes.max(1) as u64) as usize) / 4 * 4;
        if rows_per_part == 0 && rows > 0 {
            return Err(GpuError::TooLarge { bytes: 4 * row_bytes as u64, limit });
        }
        let mut parts = Vec::new();
        let mut first_row = 0;
        while first_row < rows || parts.is_empty() {
            let n = rows_per_part.min(rows - first_row);
            let chunk = &bytes[first_row * row_bytes..(first_row + n) * row_bytes];
            parts.push(MatrixPart { buffer: self.storage_init(&pad4(chunk))?, first_row, rows: n });
            first_row += n;
            if n == 0 {
                break;
            }
        }
        Ok(GpuMatrix { parts, dtype, rows, cols })
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
