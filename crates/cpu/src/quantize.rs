//! Rewriting a GGUF model with its weights in another type (`kaoshi
//! quantize`), tensor by tensor.
//!
//! [`plan`] decides each tensor's output type: matrices (two or more
//! dimensions) get the asked type, or its fallback when their rows do not
//! fill whole blocks ([`crate::synth::matrix_type`], llama.cpp's rule);
//! vectors (norms, biases, rope factors) are F32; a tensor already in its
//! output type, and the output projection under `keep_output_type`, is
//! copied byte for byte. [`quantize_file`] then streams: one tensor is read
//! (dequantized to f32 when it is quantized: [`dequantize`]), quantized by
//! candle over row chunks on several threads ([`quantize_rows`]: every
//! chunk is whole rows, so the bytes do not depend on the thread count) and
//! written through [`kaoshi_formats::GgufWriter`] before the next is read.
//! The file is written beside the output under a temporary name and renamed
//! at the end, so an error or an interrupt never leaves a half-written
//! output.
//!
//! ```no_run
//! # fn main() -> Result<(), kaoshi_cpu::quantize::QuantizeError> {
//! use kaoshi_cpu::quantize::{Options, parse_type, quantize_file};
//! let opts = Options { dtype: parse_type("q4_k")?, keep_output_type: false, threads: 4 };
//! let summary = quantize_file("in.gguf".as_ref(), "out.gguf".as_ref(), &opts, &mut |_, _| {})?;
//! println!("{} -> {} bytes", summary.in_len, summary.out_len);
//! # Ok(()) }
//! ```

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use candle_core::quantized::QTensor;
use candle_core::{Device, Tensor};
use kaoshi_formats::{FormatError, GgmlDType, GgufFile, GgufWriter, TensorInfo, Value, WriteError};

use crate::ggml::{candle_dtype, qtensor_from_bytes};
use crate::synth::matrix_type;

/// The types `kaoshi quantize` writes, from the widest to the narrowest.
pub const TYPES: [GgmlDType; 12] = [
    GgmlDType::F32,
    GgmlDType::F16,
    GgmlDType::Q8_0,
    GgmlDType::Q6K,
    GgmlDType::Q5K,
    GgmlDType::Q5_1,
    GgmlDType::Q5_0,
    GgmlDType::Q4K,
    GgmlDType::Q4_1,
    GgmlDType::Q4_0,
    GgmlDType::Q3K,
    GgmlDType::Q2K,
];

/// `GGML_QNT_VERSION` (ggml.h), which llama.cpp's quantizer and gguf-py's
/// converter write as `general.quantization_version` into every file, F32
/// and F16 ones included.
pub const QUANTIZATION_VERSION: u32 = 2;

/// Values per quantizing job at most: a chunk of whole rows of about this
/// many values (at least one row), so that a thread holds about 4 MB of
/// copies.
const CHUNK_VALUES: usize = 1 << 20;

/// Why a model could not be quantized.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuantizeError {
    /// The asked type is not one [`TYPES`] holds.
    #[error("unknown type {name:?} (one of {})", type_list())]
    UnknownType {
        /// What was asked.
        name: String,
    },
    /// The output path names the input file.
    #[error("{}: the output is the input file; choose another output", path.display())]
    SameFile {
        /// The file.
        path: PathBuf,
    },
    /// The input could not be read.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The output could not be written.
    #[error("{}: {source}", path.display())]
    Write {
        /// The output file.
        path: PathBuf,
        /// What failed.
        source: WriteError,
    },
    /// candle failed to convert a tensor.
    #[error("{}: tensor {tensor}: {message}", path.display())]
    Convert {
        /// The input file.
        path: PathBuf,
        /// The tensor.
        tensor: String,
        /// candle's message.
        message: String,
    },
}

fn type_list() -> String {
    TYPES.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ")
}

/// The output type named `name` (any case), or [`QuantizeError::UnknownType`]
/// listing the known ones.
pub fn parse_type(name: &str) -> Result<GgmlDType, QuantizeError> {
    GgmlDType::parse(name)
        .filter(|t| TYPES.contains(t))
        .ok_or_else(|| QuantizeError::UnknownType { name: name.to_string() })
}

/// llama.cpp's `llama_ftype` (llama.h) of a file whose weights are all
/// `dtype`: `LLAMA_FTYPE_ALL_F32` = 0, `MOSTLY_F16` = 1, `MOSTLY_Q4_0` = 2,
/// `MOSTLY_Q4_1` = 3, `MOSTLY_Q8_0` = 7, `MOSTLY_Q5_0` = 8, `MOSTLY_Q5_1` =
/// 9, `MOSTLY_Q2_K` = 10, `MOSTLY_Q3_K_S` = 11, `MOSTLY_Q4_K_S` = 14,
/// `MOSTLY_Q5_K_S` = 16, `MOSTLY_Q6_K` = 18 (the `_S` variants are the
/// K-quant files without llama.cpp's mixes of wider types).
pub fn file_type(dtype: GgmlDType) -> Option<u32> {
    Some(match dtype {
        GgmlDType::F32 => 0,
        GgmlDType::F16 => 1,
        GgmlDType::Q4_0 => 2,
        GgmlDType::Q4_1 => 3,
        GgmlDType::Q8_0 => 7,
        GgmlDType::Q5_0 => 8,
        GgmlDType::Q5_1 => 9,
        GgmlDType::Q2K => 10,
        GgmlDType::Q3K => 11,
        GgmlDType::Q4K => 14,
        GgmlDType::Q5K => 16,
        GgmlDType::Q6K => 18,
        _ => return None,
    })
}

/// What to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The matrices' type (one of [`TYPES`]).
    pub dtype: GgmlDType,
    /// Copy the output projection (`output.weight`, or `token_embd.weight`
    /// when the embedding is tied) in its input type, as llama.cpp's
    /// `--leave-output-tensor`.
    pub keep_output_type: bool,
    /// Threads quantizing each tensor (at least one is used).
    pub threads: usize,
}

/// One tensor's way from the input to the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorPlan {
    /// The tensor's name.
    pub name: String,
    /// Its shape, outermost first.
    pub shape: Vec<usize>,
    /// Its input type.
    pub from: GgmlDType,
    /// Its output type.
    pub to: GgmlDType,
    /// Two or more dimensions (a matrix, or a stack of them).
    pub matrix: bool,
    /// A matrix whose rows do not fill the asked type's blocks, so it got
    /// the fallback type `to`.
    pub fallback: bool,
    /// Copied byte for byte (already in its output type, or the output
    /// projection under [`Options::keep_output_type`]).
    pub copied: bool,
    /// Bytes in the input.
    pub in_bytes: u64,
    /// Bytes in the output.
    pub out_bytes: u64,
}

impl TensorPlan {
    /// The number of values.
    pub fn elements(&self) -> u64 {
        self.shape.iter().map(|&d| d as u64).product()
    }
}

/// Every tensor's plan and the output's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The tensors, in the input's order.
    pub tensors: Vec<TensorPlan>,
    /// The output's metadata: the input's, in its order, with
    /// `general.file_type`, `general.quantization_version` and (for a
    /// quantized input) `general.quantized_from` set.
    pub metadata: Vec<(String, Value)>,
    /// The quantized type holding most of the input's matrix bytes, if the
    /// input had quantized matrices.
    pub quantized_from: Option<GgmlDType>,
}

/// What [`quantize_file`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The plan it followed.
    pub plan: Plan,
    /// The input file's bytes.
    pub in_len: u64,
    /// The output file's bytes.
    pub out_len: u64,
}

fn is_float(t: GgmlDType) -> bool {
    matches!(t, GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16)
}

/// Plans the rewrite of `file` as `opts` asks (no tensor data is read).
pub fn plan(file: &GgufFile, opts: &Options) -> Result<Plan, QuantizeError> {
    if !TYPES.contains(&opts.dtype) {
        return Err(QuantizeError::UnknownType { name: opts.dtype.name().to_string() });
    }
    let output = if file.tensor("output.weight").is_some() { "output.weight" } else { "token_embd.weight" };
    let mut tensors = Vec::with_capacity(file.tensors().len());
    for t in file.tensors() {
        let matrix = t.shape.len() >= 2;
        let cols = t.shape.last().copied().unwrap_or(1);
        let keep = opts.keep_output_type && t.name == output;
        let to = if keep {
            t.dtype
        } else if matrix {
            matrix_type(opts.dtype, cols)
        } else {
            GgmlDType::F32
        };
        let info = TensorInfo { name: t.name.clone(), shape: t.shape.clone(), dtype: to };
        let out_bytes = info.n_bytes().map_err(|source| QuantizeError::Write { path: file.path().into(), source })?;
        tensors.push(TensorPlan {
            name: t.name.clone(),
            shape: t.shape.clone(),
            from: t.dtype,
            to,
            matrix,
            fallback: matrix && !keep && to != opts.dtype,
            // A tensor already in its output type is not requantized
            // (llama-quant.cpp: `quantize = tensor->type != new_type`).
            copied: keep || t.dtype == to,
            in_bytes: t.n_bytes,
            out_bytes,
        });
    }
    let mut by_type: Vec<(GgmlDType, u64)> = Vec::new();
    for t in file.tensors().iter().filter(|t| t.shape.len() >= 2 && !is_float(t.dtype)) {
        match by_type.iter_mut().find(|(d, _)| *d == t.dtype) {
            Some((_, n)) => *n += t.n_bytes,
            None => by_type.push((t.dtype, t.n_bytes)),
        }
    }
    let quantized_from = by_type.iter().rev().max_by_key(|(_, n)| *n).map(|&(d, _)| d);
    let mut metadata: Vec<(String, Value)> =
        file.metadata().ordered().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let mut set = |key: &str, value: Value| match metadata.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = value,
        None => metadata.push((key.to_string(), value)),
    };
    if let Some(ft) = file_type(opts.dtype) {
        set("general.file_type", Value::U32(ft));
    }
    set("general.quantization_version", Value::U32(QUANTIZATION_VERSION));
    if let Some(q) = quantized_from {
        set("general.quantized_from", Value::String(q.name().to_string()));
    }
    Ok(Plan { tensors, metadata, quantized_from })
}

/// The values of tensor `name` of `file` as f32, row-major (floats are
/// converted exactly, quantized blocks decoded by candle a chunk of rows at
/// a time, so that only the f32 values and the file's bytes are held whole).
pub fn dequantize(file: &GgufFile, name: &str) -> Result<Vec<f32>, QuantizeError> {
    let entry = file.require_tensor(name)?;
    if entry.dtype == GgmlDType::F32 || (entry.shape.len() == 1 && is_float(entry.dtype)) {
        return Ok(file.read_vector_f32(name)?);
    }
    let convert = |e: candle_core::Error| QuantizeError::Convert {
        path: file.path().into(),
        tensor: name.to_string(),
        message: e.to_string(),
    };
    let bytes = file.read_tensor_bytes(name)?;
    let cols = entry.shape.last().copied().unwrap_or(1).max(1);
    let row_bytes = cols / entry.dtype.block_size() * entry.dtype.type_size();
    let chunk_rows = (CHUNK_VALUES / cols).max(1);
    let mut out = Vec::with_capacity(entry.elem_count());
    for chunk in bytes.chunks(chunk_rows * row_bytes.max(1)) {
        let rows = chunk.len() / row_bytes.max(1);
        let q = qtensor_from_bytes(entry.dtype, chunk, vec![rows, cols]).map_err(convert)?;
        let values = q.dequantize(&Device::Cpu).and_then(|t| t.flatten_all()).and_then(|t| t.to_vec1::<f32>());
        out.extend(values.map_err(convert)?);
    }
    Ok(out)
}

/// `values` (rows of `cols`) as the bytes of `dtype`, quantized by candle in
/// chunks of whole rows on up to `threads` threads. Each block is quantized
/// from its own values alone, so the bytes are the same for any thread
/// count. `cols` must be a multiple of the type's block.
pub fn quantize_rows(values: &[f32], cols: usize, dtype: GgmlDType, threads: usize) -> candle_core::Result<Vec<u8>> {
    if cols == 0 || values.len() % cols != 0 || cols % dtype.block_size() != 0 {
        candle_core::bail!("{} values in rows of {cols} do not fill whole {dtype} blocks", values.len());
    }
    if dtype == GgmlDType::F32 {
        return Ok(values.iter().flat_map(|v| v.to_le_bytes()).collect());
    }
    let row_bytes = cols / dtype.block_size() * dtype.type_size();
    let rows = values.len() / cols;
    let threads = threads.max(1);
    let chunk_rows = rows.div_ceil(threads).min(CHUNK_VALUES / cols).max(1);
    let mut out = vec![0u8; values.len() / cols * row_bytes];
    let jobs: Vec<(&[f32], &mut [u8])> =
        values.chunks(chunk_rows * cols).zip(out.chunks_mut(chunk_rows * row_bytes)).collect();
    let one = |(v, o): (&[f32], &mut [u8])| -> candle_core::Result<()> {
        let t = Tensor::from_slice(v, (v.len() / cols, cols), &Device::Cpu)?;
        o.copy_from_slice(&QTensor::quantize(&t, candle_dtype(dtype))?.data()?);
        Ok(())
    };
    let threads = threads.clamp(1, jobs.len().max(1));
    if threads == 1 {
        jobs.into_iter().try_for_each(one)?;
        return Ok(out);
    }
    // Job i goes to thread i % threads: the split is fixed, the bytes too.
    let mut per_thread: Vec<Vec<(&[f32], &mut [u8])>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, job) in jobs.into_iter().enumerate() {
        per_thread[i % threads].push(job);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> =
            per_thread.into_iter().map(|jobs| s.spawn(|| jobs.into_iter().try_for_each(one))).collect();
        handles.into_iter().try_for_each(|h| {
            h.join().unwrap_or_else(|_| Err(candle_core::Error::Msg("a quantizing thread panicked".into())))
        })
    })?;
    Ok(out)
}

/// Removes the temporary output unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    done: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The same file, by path or (when both exist) by identity.
fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Rewrites `input` as `out` with [`plan`]'s types, one tensor in memory at
/// a time; `progress(done, total)` after each tensor.
pub fn quantize_file(
    input: &Path,
    out: &Path,
    opts: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Summary, QuantizeError> {
    if same_file(input, out) {
        return Err(QuantizeError::SameFile { path: out.to_path_buf() });
    }
    let file = GgufFile::open(input)?;
    let plan = plan(&file, opts)?;
    let write_err = |source: WriteError| QuantizeError::Write { path: out.to_path_buf(), source };
    let io_err = |e: std::io::Error| write_err(WriteError::Io(e));
    let name = out.file_name().map_or_else(|| "out.gguf".into(), |n| n.to_string_lossy().into_owned());
    let tmp = TempFile { path: out.with_file_name(format!(".{name}.part-{}", std::process::id())), done: false };
    let sink = BufWriter::new(std::fs::File::create(&tmp.path).map_err(io_err)?);
    let infos =
        plan.tensors.iter().map(|t| TensorInfo { name: t.name.clone(), shape: t.shape.clone(), dtype: t.to }).collect();
    let mut w = GgufWriter::new(sink, &plan.metadata, infos).map_err(write_err)?;
    for (i, t) in plan.tensors.iter().enumerate() {
        let bytes = if t.copied {
            file.read_tensor_bytes(&t.name)?
        } else {
            let values = dequantize(&file, &t.name)?;
            let cols = t.shape.last().copied().unwrap_or(1);
            quantize_rows(&values, cols, t.to, opts.threads).map_err(|e| QuantizeError::Convert {
                path: input.to_path_buf(),
                tensor: t.name.clone(),
                message: format!("quantizing to {}: {e}", t.to),
            })?
        };
        w.write_tensor(&t.name, &bytes).map_err(write_err)?;
        progress(i + 1, plan.tensors.len());
    }
    let sink = w.finish().map_err(write_err)?;
    // Synced and closed (at the end of this statement) before the rename.
    sink.into_inner().map_err(|e| io_err(e.into_error()))?.sync_all().map_err(io_err)?;
    std::fs::rename(&tmp.path, out).map_err(io_err)?;
    let mut tmp = tmp;
    tmp.done = true;
    let out_len = std::fs::metadata(out).map_err(io_err)?.len();
    Ok(Summary { plan, in_len: file.file_len(), out_len })
}
