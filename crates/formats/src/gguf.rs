//! A GGUF reader that checks every length against the file before trusting
//! it, and reads tensor payloads one at a time.
//!
//! Layout (ggml `docs/gguf.md`): magic "GGUF", u32 version, tensor count and
//! metadata count (u32 in v1, u64 after), metadata key/value pairs, tensor
//! infos (name, n_dims, dims innermost first, type, offset), then tensor data
//! aligned to `general.alignment` (default 32).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::dtype::{GgmlDType, gguf_type_name};
use crate::error::FormatError;
use crate::metadata::Metadata;
use crate::source::{ByteSource, FileSource, MemorySource};
use crate::value::Value;

/// ggml's limit on tensor rank (`GGML_MAX_DIMS`).
const MAX_DIMS: u32 = 4;
/// Nesting limit for array values; real files use depth 1.
const MAX_VALUE_DEPTH: usize = 4;
/// The default data alignment (ggml `GGUF_DEFAULT_ALIGNMENT`).
const DEFAULT_ALIGNMENT: u64 = 32;
/// Bytes the header reader fetches from its source at a time.
const READ_WINDOW: usize = 1 << 20;

/// The GGUF format version of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GgufVersion {
    /// Version 1: 32-bit counts and string lengths.
    V1,
    /// Version 2: 64-bit counts.
    V2,
    /// Version 3: as v2, plus big-endian files are marked (not read here).
    V3,
}

/// One tensor's header entry.
#[derive(Debug, Clone)]
pub struct TensorEntry {
    /// The tensor's name, e.g. `blk.0.attn_q.weight`.
    pub name: String,
    /// Its element type.
    pub dtype: GgmlDType,
    /// Its shape, outermost first (row-major order; GGUF stores the reverse).
    pub shape: Vec<usize>,
    /// Absolute offset of its data in the file.
    pub offset: u64,
    /// Size of its data in bytes.
    pub n_bytes: u64,
}

impl TensorEntry {
    /// Number of elements.
    pub fn elem_count(&self) -> usize {
        self.shape.iter().product()
    }

    /// The ggml name of the tensor's type.
    pub fn type_name(&self) -> &'static str {
        self.dtype.name()
    }
}

/// A GGUF file with a validated header, read from disk or from memory.
pub struct GgufFile {
    path: PathBuf,
    source: Box<dyn ByteSource>,
    version: GgufVersion,
    file_len: u64,
    metadata: Metadata,
    tensors: Vec<TensorEntry>,
    index: HashMap<String, usize>,
}

impl std::fmt::Debug for GgufFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufFile")
            .field("path", &self.path)
            .field("version", &self.version)
            .field("file_len", &self.file_len)
            .field("metadata", &self.metadata)
            .field("tensors", &self.tensors)
            .finish_non_exhaustive()
    }
}

impl GgufFile {
    /// Opens and validates `path`. Reads only the header; the file stays
    /// open for reading tensors.
    pub fn open(path: &Path) -> Result<Self, FormatError> {
        let source = FileSource::open(path).map_err(|source| FormatError::Io { path: path.to_path_buf(), source })?;
        Self::parse(path.to_path_buf(), Box::new(source))
    }

    /// Validates a GGUF file held in memory (e.g. fetched by a browser).
    /// `name` stands for the path in errors and in [`GgufFile::path`].
    pub fn from_bytes(name: &str, bytes: impl Into<Arc<[u8]>>) -> Result<Self, FormatError> {
        Self::from_source(name, Box::new(MemorySource::new(bytes)))
    }

    /// Validates the GGUF file in `source`, reading only the header.
    /// `name` stands for the path in errors and in [`GgufFile::path`].
    pub fn from_source(name: &str, source: Box<dyn ByteSource>) -> Result<Self, FormatError> {
        Self::parse(PathBuf::from(name), source)
    }

    fn parse(path: PathBuf, source: Box<dyn ByteSource>) -> Result<Self, FormatError> {
        let len = source.len();
        let mut reader = HeaderReader {
            source: source.as_ref(),
            window: Vec::new(),
            window_start: 0,
            pos: 0,
            len,
            path,
            version: GgufVersion::V3,
        };
        let parsed = reader.parse()?;
        let HeaderReader { path, version, .. } = reader;
        let (metadata, tensors, index) = parsed;
        Ok(GgufFile { path, source, version, file_len: len, metadata, tensors, index })
    }

    /// The file's path (for a file read from memory, the name it was given).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The GGUF version.
    pub fn version(&self) -> GgufVersion {
        self.version
    }

    /// The file's length in bytes.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// The key/value metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// `general.architecture`, if present.
    pub fn architecture(&self) -> Option<&str> {
        self.metadata.get_str("general.architecture")
    }

    /// All tensors in file order.
    pub fn tensors(&self) -> &[TensorEntry] {
        &self.tensors
    }

    /// The tensor called `name`, if present.
    pub fn tensor(&self, name: &str) -> Option<&TensorEntry> {
        self.index.get(name).map(|&i| &self.tensors[i])
    }

    /// The tensor called `name`, or a [`FormatError::MissingTensor`].
    pub fn require_tensor(&self, name: &str) -> Result<&TensorEntry, FormatError> {
        self.tensor(name)
            .ok_or_else(|| FormatError::MissingTensor { path: self.path.clone(), tensor: name.to_string() })
    }

    /// Reads the raw bytes of one tensor.
    pub fn read_tensor_bytes(&self, name: &str) -> Result<Vec<u8>, FormatError> {
        let entry = self.require_tensor(name)?;
        let n = usize::try_from(entry.n_bytes).map_err(|_| FormatError::BadDimensions {
            path: self.path.clone(),
            tensor: name.to_string(),
            dims: entry.shape.iter().rev().map(|&d| d as u64).collect(),
            reason: "larger than this platform's address space".into(),
        })?;
        let mut bytes = vec![0u8; n];
        self.source
            .read_at(entry.offset, &mut bytes)
            .map_err(|source| FormatError::Io { path: self.path.clone(), source })?;
        Ok(bytes)
    }

    /// Reads a tensor of floats (F32, F16 or BF16, as norm weights and rope
    /// factors are stored) as f32 values, on the host.
    pub fn read_vector_f32(&self, name: &str) -> Result<Vec<f32>, FormatError> {
        let entry = self.require_tensor(name)?;
        let bytes = self.read_tensor_bytes(name)?;
        let halves = || bytes.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]]));
        Ok(match entry.dtype {
            GgmlDType::F32 => bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
            GgmlDType::F16 => halves().map(|h| half::f16::from_bits(h).to_f32()).collect(),
            GgmlDType::BF16 => halves().map(|h| half::bf16::from_bits(h).to_f32()).collect(),
            other => {
                return Err(FormatError::Decode {
                    path: self.path.clone(),
                    tensor: name.to_string(),
                    message: format!("{other} values where floats (F32, F16, BF16) are expected"),
                });
            }
        })
    }
}

/// The parsed header: metadata, tensors in file order, and the name index.
type Header = (Metadata, Vec<TensorEntry>, HashMap<String, usize>);

/// Reads the header, tracking the position so every length can be checked
/// against the bytes left in the file before anything is allocated.
struct HeaderReader<'a> {
    source: &'a dyn ByteSource,
    /// Bytes `window_start..window_start + window.len()` of the source.
    window: Vec<u8>,
    window_start: u64,
    pos: u64,
    len: u64,
    path: PathBuf,
    version: GgufVersion,
}

impl HeaderReader<'_> {
    /// Fills `out` from the current position and moves past it. Callers
    /// have checked (`ensure`) that the bytes are inside the source.
    fn read_exact(&mut self, out: &mut [u8]) -> Result<(), FormatError> {
        let io = |source| FormatError::Io { path: self.path.clone(), source };
        let n = out.len() as u64;
        let in_window = self.pos >= self.window_start && self.pos + n <= self.window_start + self.window.len() as u64;
        if !in_window {
            if out.len() >= READ_WINDOW {
                self.source.read_at(self.pos, out).map_err(io)?;
                self.pos += n;
                return Ok(());
            }
            let take = (self.len - self.pos).min(READ_WINDOW as u64) as usize;
            self.window.resize(take, 0);
            self.source.read_at(self.pos, &mut self.window).map_err(io)?;
            self.window_start = self.pos;
        }
        let at = (self.pos - self.window_start) as usize;
        out.copy_from_slice(&self.window[at..at + out.len()]);
        self.pos += n;
        Ok(())
    }

    fn truncated(&self, what: &str, needed: u64) -> FormatError {
        FormatError::Truncated { path: self.path.clone(), what: what.to_string(), needed, len: self.len }
    }

    fn malformed(&self, message: String) -> FormatError {
        FormatError::Malformed { path: self.path.clone(), message }
    }

    fn ensure(&self, n: u64, what: &str) -> Result<(), FormatError> {
        let end = self.pos.saturating_add(n);
        if end > self.len {
            return Err(self.truncated(what, end));
        }
        Ok(())
    }

    fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N], FormatError> {
        self.ensure(N as u64, what)?;
        let mut buf = [0u8; N];
        self.read_exact(&mut buf)?;
        Ok(buf)
    }

    fn u32(&mut self, what: &str) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(self.bytes(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64, FormatError> {
        Ok(u64::from_le_bytes(self.bytes(what)?))
    }

    /// A count or length: u32 in v1, u64 later.
    fn len_field(&mut self, what: &str) -> Result<u64, FormatError> {
        match self.version {
            GgufVersion::V1 => self.u32(what).map(u64::from),
            _ => self.u64(what),
        }
    }

    fn string(&mut self, what: &str) -> Result<String, FormatError> {
        let n = self.len_field(what)?;
        self.ensure(n, what)?;
        let mut buf = vec![0u8; n as usize];
        self.read_exact(&mut buf)?;
        String::from_utf8(buf).map_err(|_| self.malformed(format!("{what} is not valid UTF-8")))
    }

    fn value(&mut self, type_id: u32, depth: usize, key: &str) -> Result<Value, FormatError> {
        Ok(match type_id {
            0 => Value::U8(self.bytes::<1>(key)?[0]),
            1 => Value::I8(self.bytes::<1>(key)?[0] as i8),
            2 => Value::U16(u16::from_le_bytes(self.bytes(key)?)),
            3 => Value::I16(i16::from_le_bytes(self.bytes(key)?)),
            4 => Value::U32(self.u32(key)?),
            5 => Value::I32(i32::from_le_bytes(self.bytes(key)?)),
            6 => Value::F32(f32::from_le_bytes(self.bytes(key)?)),
            7 => match self.bytes::<1>(key)?[0] {
                0 => Value::Bool(false),
                1 => Value::Bool(true),
                b => return Err(self.malformed(format!("{key}: boolean byte {b}"))),
            },
            8 => Value::String(self.string(key)?),
            9 => {
                if depth >= MAX_VALUE_DEPTH {
                    return Err(self.malformed(format!("{key}: arrays nested too deeply")));
                }
                let elem_type = self.u32(key)?;
                let n = self.len_field(key)?;
                // Every element takes at least one byte: a longer array
                // cannot fit in what is left of the file.
                if n > self.len - self.pos {
                    return Err(self.truncated(&format!("array {key} of {n} elements"), self.pos.saturating_add(n)));
                }
                let mut items = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    items.push(self.value(elem_type, depth + 1, key)?);
                }
                Value::Array(items)
            }
            10 => Value::U64(self.u64(key)?),
            11 => Value::I64(i64::from_le_bytes(self.bytes(key)?)),
            12 => Value::F64(f64::from_le_bytes(self.bytes(key)?)),
            t => return Err(self.malformed(format!("{key}: unknown value type {t}"))),
        })
    }

    fn parse(&mut self) -> Result<Header, FormatError> {
        let mut magic = [0u8; 4];
        let got = self.len.min(4) as usize;
        self.read_exact(&mut magic[..got])?;
        if got < 4 || &magic != b"GGUF" {
            return Err(FormatError::NotGguf { path: self.path.clone(), found: magic[..got].to_vec() });
        }
        let version = self.u32("version")?;
        self.version = match version {
            1 => GgufVersion::V1,
            2 => GgufVersion::V2,
            3 => GgufVersion::V3,
            v => return Err(FormatError::UnsupportedVersion { path: self.path.clone(), version: v }),
        };
        let n_tensors = self.len_field("tensor count")?;
        let n_kv = self.len_field("metadata count")?;
        // Each key/value pair and each tensor info takes well over 8 bytes.
        for (n, what) in [(n_tensors, "tensor count"), (n_kv, "metadata count")] {
            if n > (self.len - self.pos) / 8 {
                return Err(self.truncated(&format!("{what} {n}"), self.pos.saturating_add(n.saturating_mul(8))));
            }
        }
        let mut kv = HashMap::with_capacity(n_kv as usize);
        let mut order = Vec::with_capacity(n_kv as usize);
        for _ in 0..n_kv {
            let key = self.string("metadata key")?;
            let type_id = self.u32(&key)?;
            let value = self.value(type_id, 0, &key)?;
            if kv.insert(key.clone(), value).is_none() {
                order.push(key);
            }
        }
        let metadata = Metadata::new(self.path.clone(), kv, order);
        let mut raw = Vec::with_capacity(n_tensors as usize);
        for _ in 0..n_tensors {
            let name = self.string("tensor name")?;
            let n_dims = self.u32(&name)?;
            if n_dims == 0 || n_dims > MAX_DIMS {
                return Err(FormatError::BadDimensions {
                    path: self.path.clone(),
                    tensor: name,
                    dims: vec![],
                    reason: format!("{n_dims} dimensions (1 to {MAX_DIMS} allowed)"),
                });
            }
            let mut dims = Vec::with_capacity(n_dims as usize);
            for _ in 0..n_dims {
                dims.push(self.len_field(&name)?);
            }
            let type_id = self.u32(&name)?;
            let offset = self.u64(&name)?;
            raw.push((name, dims, type_id, offset));
        }
        let alignment = match metadata.get("general.alignment") {
            None => DEFAULT_ALIGNMENT,
            Some(Value::U32(a)) if *a > 0 && a.is_power_of_two() => u64::from(*a),
            Some(_) => {
                return Err(FormatError::BadValue {
                    path: self.path.clone(),
                    key: "general.alignment".into(),
                    problem: "must be a power of two".into(),
                });
            }
        };
        let data_offset = self.pos.div_ceil(alignment) * alignment;
        let mut tensors = Vec::with_capacity(raw.len());
        let mut index = HashMap::with_capacity(raw.len());
        for (name, dims, type_id, rel) in raw {
            let entry = self.tensor_entry(name, dims, type_id, rel, data_offset)?;
            if index.insert(entry.name.clone(), tensors.len()).is_some() {
                return Err(self.malformed(format!("tensor {} appears twice", entry.name)));
            }
            tensors.push(entry);
        }
        Ok((metadata, tensors, index))
    }

    fn tensor_entry(
        &self,
        name: String,
        dims: Vec<u64>,
        type_id: u32,
        rel: u64,
        data_offset: u64,
    ) -> Result<TensorEntry, FormatError> {
        let bad = |reason: String| FormatError::BadDimensions {
            path: self.path.clone(),
            tensor: name.clone(),
            dims: dims.clone(),
            reason,
        };
        let Some(dtype) = GgmlDType::from_id(type_id) else {
            return Err(FormatError::UnsupportedTensorType {
                path: self.path.clone(),
                tensor: name,
                type_name: gguf_type_name(type_id),
            });
        };
        let elems = dims
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d))
            .ok_or_else(|| bad("the element count overflows 64 bits".into()))?;
        let block = dtype.block_size() as u64;
        if dims[0] % block != 0 {
            return Err(bad(format!(
                "rows of {} elements do not fill whole {} blocks of {block}",
                dims[0],
                dtype.name()
            )));
        }
        let n_bytes = (elems / block)
            .checked_mul(dtype.type_size() as u64)
            .ok_or_else(|| bad("the byte size overflows 64 bits".into()))?;
        let offset = data_offset.checked_add(rel).ok_or_else(|| bad("the data offset overflows".into()))?;
        let end = offset.saturating_add(n_bytes);
        if end > self.len {
            return Err(self.truncated(&format!("tensor {name} ({n_bytes} bytes)"), end));
        }
        let shape = dims
            .iter()
            .rev()
            .map(|&d| usize::try_from(d))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| bad("a dimension exceeds this platform's address space".into()))?;
        Ok(TensorEntry { name, dtype, shape, offset, n_bytes })
    }
}
