//! [`GgufWriter`]: a GGUF v3 file written tensor by tensor, so that a whole
//! model never has to be in memory (`kaoshi quantize` holds one tensor at a
//! time).
//!
//! Every tensor's size follows from its type and shape
//! ([`GgmlDType::type_size`] bytes per [`GgmlDType::block_size`] values), so
//! the header (magic, version, counts, metadata, then every tensor's name,
//! dimensions innermost first, type id and offset) is written first, in
//! [`GgufWriter::new`]. The data follows in the same order, one
//! [`GgufWriter::write_tensor`] call per tensor, each padded with zeros to
//! the alignment (`general.alignment` when the metadata has it, else 32, as
//! ggml's `gguf.cpp` reads it). Each tensor's byte count is checked against
//! its info, and [`GgufWriter::finish`] checks that none is missing.
//!
//! ```
//! # fn main() -> Result<(), kaoshi_formats::WriteError> {
//! use kaoshi_formats::{GgmlDType, GgufWriter, TensorInfo, Value};
//! let info = TensorInfo { name: "w".into(), shape: vec![2, 32], dtype: GgmlDType::Q8_0 };
//! let md = vec![("general.architecture".to_string(), Value::String("llama".into()))];
//! let mut w = GgufWriter::new(Vec::new(), &md, vec![info])?;
//! w.write_tensor("w", &[0u8; 2 * 34])?;
//! let bytes = w.finish()?;
//! assert!(kaoshi_formats::GgufFile::from_bytes("w.gguf", bytes).is_ok());
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::io::Write;

use crate::dtype::GgmlDType;
use crate::value::{Value, put_str, put_value, type_id};

/// The data alignment when the metadata has no `general.alignment` (ggml
/// `GGUF_DEFAULT_ALIGNMENT`, gguf.h).
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// One tensor's header entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// The tensor's name.
    pub name: String,
    /// The shape, outermost first (`[rows, cols]`); written innermost first
    /// as GGUF stores it.
    pub shape: Vec<usize>,
    /// The stored type.
    pub dtype: GgmlDType,
}

impl TensorInfo {
    /// The bytes of the tensor's data: whole blocks of the innermost
    /// dimension, times the other dimensions.
    pub fn n_bytes(&self) -> Result<u64, WriteError> {
        let bad = |problem: String| WriteError::Tensor { tensor: self.name.clone(), problem };
        let Some(&cols) = self.shape.last() else { return Err(bad("no dimensions".into())) };
        let block = self.dtype.block_size();
        if cols % block != 0 {
            return Err(bad(format!("rows of {cols} values do not fill whole {} blocks of {block}", self.dtype)));
        }
        let elems = self.shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d as u64));
        elems
            .and_then(|n| (n / block as u64).checked_mul(self.dtype.type_size() as u64))
            .ok_or_else(|| bad(format!("shape {:?} overflows 64 bits", self.shape)))
    }
}

/// Why a GGUF file could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The output failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A tensor's info or data is unusable (names the tensor).
    #[error("tensor {tensor}: {problem}")]
    Tensor {
        /// The tensor.
        tensor: String,
        /// What is wrong.
        problem: String,
    },
    /// `general.alignment` is not a positive power of two in a U32.
    #[error("general.alignment must be a positive power of two (U32), not {0:?}")]
    Alignment(Value),
    /// [`GgufWriter::finish`] came before every tensor was written.
    #[error("only {written} of {expected} tensors were written")]
    Unfinished {
        /// Tensors written.
        written: usize,
        /// Tensors in the header.
        expected: usize,
    },
}

/// A GGUF v3 file being written: the header is out, the tensors' data
/// follows one call at a time, in the header's order.
#[derive(Debug)]
pub struct GgufWriter<W: Write> {
    out: W,
    tensors: Vec<(TensorInfo, u64)>,
    next: usize,
    alignment: u64,
}

impl<W: Write> GgufWriter<W> {
    /// Writes the header of a file holding `metadata` (in this order) and
    /// `tensors` (in this order) to `out`.
    pub fn new(mut out: W, metadata: &[(String, Value)], tensors: Vec<TensorInfo>) -> Result<Self, WriteError> {
        let alignment = match metadata.iter().find(|(k, _)| k == "general.alignment") {
            None => DEFAULT_ALIGNMENT,
            Some((_, Value::U32(a))) if *a > 0 && a.is_power_of_two() => u64::from(*a),
            Some((_, v)) => return Err(WriteError::Alignment(v.clone())),
        };
        let mut seen = HashSet::new();
        let mut sized = Vec::with_capacity(tensors.len());
        for t in tensors {
            if !seen.insert(t.name.clone()) {
                return Err(WriteError::Tensor { tensor: t.name, problem: "appears twice".into() });
            }
            let n = t.n_bytes()?;
            sized.push((t, n));
        }
        let mut head = Vec::new();
        head.extend_from_slice(b"GGUF");
        head.extend_from_slice(&3u32.to_le_bytes());
        head.extend_from_slice(&(sized.len() as u64).to_le_bytes());
        head.extend_from_slice(&(metadata.len() as u64).to_le_bytes());
        for (key, value) in metadata {
            put_str(&mut head, key);
            head.extend_from_slice(&type_id(value).to_le_bytes());
            put_value(&mut head, value);
        }
        let mut offset = 0u64;
        for (t, n) in &sized {
            put_str(&mut head, &t.name);
            head.extend_from_slice(&(t.shape.len() as u32).to_le_bytes());
            for &d in t.shape.iter().rev() {
                head.extend_from_slice(&(d as u64).to_le_bytes());
            }
            head.extend_from_slice(&t.dtype.id().to_le_bytes());
            head.extend_from_slice(&offset.to_le_bytes());
            offset = offset
                .checked_add(n.div_ceil(alignment) * alignment)
                .ok_or_else(|| WriteError::Tensor { tensor: t.name.clone(), problem: "offset overflows".into() })?;
        }
        let padded = (head.len() as u64).div_ceil(alignment) * alignment;
        head.resize(padded as usize, 0);
        out.write_all(&head)?;
        Ok(Self { out, tensors: sized, next: 0, alignment })
    }

    /// The tensor whose data comes next, if any is left.
    pub fn next_tensor(&self) -> Option<&TensorInfo> {
        self.tensors.get(self.next).map(|(t, _)| t)
    }

    /// Writes the data of the next tensor, which must be `name` and hold
    /// exactly the bytes its info says.
    pub fn write_tensor(&mut self, name: &str, data: &[u8]) -> Result<(), WriteError> {
        let bad = |problem: String| WriteError::Tensor { tensor: name.to_string(), problem };
        let Some((info, n)) = self.tensors.get(self.next) else {
            return Err(bad("is not in the header, or was written already".into()));
        };
        if info.name != name {
            return Err(bad(format!("written where {} comes (the header's order)", info.name)));
        }
        if data.len() as u64 != *n {
            return Err(bad(format!("{} bytes where {} {:?} takes {n}", data.len(), info.dtype, info.shape)));
        }
        self.out.write_all(data)?;
        let pad = n.div_ceil(self.alignment) * self.alignment - n;
        self.out.write_all(&vec![0u8; pad as usize])?;
        self.next += 1;
        Ok(())
    }

    /// Flushes the output after the last tensor and returns it.
    pub fn finish(mut self) -> Result<W, WriteError> {
        if self.next != self.tensors.len() {
            return Err(WriteError::Unfinished { written: self.next, expected: self.tensors.len() });
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GgufFile;

    fn info(name: &str, shape: &[usize], dtype: GgmlDType) -> TensorInfo {
        TensorInfo { name: name.into(), shape: shape.to_vec(), dtype }
    }

    /// The reader sees what was written: metadata, shapes, types, and each
    /// tensor's bytes at an offset aligned to the chosen alignment.
    #[test]
    fn reader_reads_what_the_stream_writer_wrote() {
        let md = vec![
            ("general.alignment".to_string(), Value::U32(64)),
            ("x.list".to_string(), Value::Array(vec![Value::I32(-1), Value::I32(2)])),
        ];
        let infos = vec![info("a", &[3, 64], GgmlDType::Q8_0), info("b", &[5], GgmlDType::F32)];
        let a: Vec<u8> = (0..3 * 2 * 34).map(|i| (i % 251) as u8).collect();
        let b: Vec<u8> = (0..20).collect();
        let mut w = GgufWriter::new(Vec::new(), &md, infos).unwrap();
        assert_eq!(w.next_tensor().map(|t| t.name.as_str()), Some("a"));
        w.write_tensor("a", &a).unwrap();
        w.write_tensor("b", &b).unwrap();
        let bytes = w.finish().unwrap();
        let f = GgufFile::from_bytes("t.gguf", bytes).unwrap();
        assert_eq!(f.metadata().get("x.list"), Some(&md[1].1));
        let keys: Vec<&str> = f.metadata().ordered().map(|(k, _)| k).collect();
        assert_eq!(keys, ["general.alignment", "x.list"]);
        assert_eq!((f.tensors()[0].shape.as_slice(), f.tensors()[0].dtype), (&[3, 64][..], GgmlDType::Q8_0));
        assert!(f.tensors().iter().all(|t| t.offset % 64 == 0));
        assert_eq!(f.read_tensor_bytes("a").unwrap(), a);
        assert_eq!(f.read_tensor_bytes("b").unwrap(), b);
    }

    #[test]
    fn wrong_sizes_orders_and_shapes_are_errors() {
        let mk = || {
            GgufWriter::new(
                Vec::new(),
                &[],
                vec![info("a", &[2, 32], GgmlDType::Q4_0), info("b", &[4], GgmlDType::F32)],
            )
        };
        let mut w = mk().unwrap();
        assert!(matches!(w.write_tensor("b", &[0; 16]), Err(WriteError::Tensor { .. })));
        assert!(matches!(w.write_tensor("a", &[0; 35]), Err(WriteError::Tensor { .. })));
        w.write_tensor("a", &[0; 36]).unwrap();
        assert!(matches!(mk().unwrap().finish(), Err(WriteError::Unfinished { written: 0, expected: 2 })));
        let rows_not_blocks = GgufWriter::new(Vec::new(), &[], vec![info("c", &[2, 48], GgmlDType::Q4K)]);
        assert!(matches!(rows_not_blocks, Err(WriteError::Tensor { .. })));
        let twice = GgufWriter::new(Vec::new(), &[], vec![info("d", &[1], GgmlDType::F32); 2]);
        assert!(matches!(twice, Err(WriteError::Tensor { .. })));
        let align = GgufWriter::new(Vec::new(), &[("general.alignment".into(), Value::U32(24))], vec![]);
        assert!(matches!(align, Err(WriteError::Alignment(_))));
    }
}
