//! Writing small GGUF files: metadata and unquantized F32 tensors
//! ([`gguf_bytes`]), in the layout ggml's `gguf.cpp` and gguf-py's
//! `GGUFWriter` produce (version 3, little-endian): the magic `GGUF`,
//! version, tensor count, metadata count, the metadata (key, type id,
//! value), the tensor infos (name, dimensions innermost first, type id,
//! offset into the data section), padding to the 32-byte alignment, then
//! each tensor's data, each padded to the alignment. The layout itself is
//! [`crate::GgufWriter`]'s, which streams any tensor type.
//!
//! Control vectors (`kaoshi probe concept`) are written this way; quantized
//! models stream through [`crate::GgufWriter`] (`kaoshi quantize`).

use crate::dtype::GgmlDType;
use crate::stream_writer::{GgufWriter, TensorInfo};
use crate::value::Value;

/// One F32 tensor to write: its name, its shape (outermost first, as
/// row-major arrays are usually described) and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct F32Tensor {
    /// The tensor's name.
    pub name: String,
    /// The shape, outermost first (`[rows, cols]`); written innermost first
    /// as GGUF stores it.
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub values: Vec<f32>,
}

/// The bytes of a GGUF v3 file holding `metadata` (in this order) and
/// `tensors`. Panics never; a shape that does not match its values is the
/// caller's error and is reported as `Err` with the tensor's name.
pub fn gguf_bytes(metadata: &[(String, Value)], tensors: &[F32Tensor]) -> Result<Vec<u8>, String> {
    for t in tensors {
        let n: usize = t.shape.iter().product();
        if n != t.values.len() || t.shape.is_empty() {
            return Err(format!("tensor {}: shape {:?} does not hold {} values", t.name, t.shape, t.values.len()));
        }
    }
    let infos = tensors
        .iter()
        .map(|t| TensorInfo { name: t.name.clone(), shape: t.shape.clone(), dtype: GgmlDType::F32 })
        .collect();
    let mut w = GgufWriter::new(Vec::new(), metadata, infos).map_err(|e| e.to_string())?;
    for t in tensors {
        let bytes: Vec<u8> = t.values.iter().flat_map(|v| v.to_le_bytes()).collect();
        w.write_tensor(&t.name, &bytes).map_err(|e| e.to_string())?;
    }
    w.finish().map_err(|e| e.to_string())
}
