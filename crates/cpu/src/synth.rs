//! Synthetic models: GGUF files of a real architecture with seeded random
//! weights, for tests and for benchmarks on machines where no model can be
//! downloaded. Tensor names and metadata keys are llama.cpp's, so llama.cpp
//! and candle-transformers read these files too.

use std::collections::HashMap;
use std::io::BufWriter;
use std::path::Path;

use candle_core::quantized::{QTensor, gguf_file};
use candle_core::{Device, Tensor};
use kaoshi_formats::{FormatError, GgmlDType, GgufFile, Value};

use crate::ggml::{candle_dtype, candle_value};

/// The shape of a synthetic model.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSpec {
    /// `llama`, `qwen2` or `qwen3`.
    pub arch: String,
    /// Blocks.
    pub layers: usize,
    /// Residual width.
    pub dim: usize,
    /// Query heads.
    pub heads: usize,
    /// Key/value heads.
    pub kv_heads: usize,
    /// Head width (`dim / heads` unless the architecture says otherwise).
    pub head_dim: usize,
    /// MLP width.
    pub ffn: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// Context length.
    pub context: usize,
    /// Rope base.
    pub rope_theta: f32,
    /// RMSNorm epsilon.
    pub rms_eps: f32,
    /// Output projection shared with the embedding.
    pub tied: bool,
    /// Write Llama-3.1-style rope frequency factors (`rope_freqs.weight`,
    /// random divisors in 1..3, one per rotated pair).
    pub rope_freqs: bool,
}

impl SynthSpec {
    /// A preset with the shape of a published model (numbers from the
    /// models' `config.json` on Hugging Face).
    pub fn preset(name: &str) -> Option<Self> {
        let s = |arch: &str, layers, dim, heads, kv_heads, head_dim, ffn, vocab, context, rope_theta, rms_eps, tied| {
            SynthSpec {
                arch: arch.into(),
                layers,
                dim,
                heads,
                kv_heads,
                head_dim,
                ffn,
                vocab,
                context,
                rope_theta,
                rms_eps,
                tied,
                rope_freqs: false,
            }
        };
        Some(match name {
            "qwen2.5-0.5b" => s("qwen2", 24, 896, 14, 2, 64, 4864, 151936, 32768, 1e6, 1e-6, true),
            "qwen2.5-1.5b" => s("qwen2", 28, 1536, 12, 2, 128, 8960, 151936, 32768, 1e6, 1e-6, true),
            "qwen2.5-7b" => s("qwen2", 28, 3584, 28, 4, 128, 18944, 152064, 32768, 1e6, 1e-6, false),
            "qwen3-0.6b" => s("qwen3", 28, 1024, 16, 8, 128, 3072, 151936, 40960, 1e6, 1e-6, true),
            "llama-3-8b" => s("llama", 32, 4096, 32, 8, 128, 14336, 128256, 8192, 5e5, 1e-5, false),
            _ => return None,
        })
    }

    /// A two-block llama small enough for tests: dim 256 and MLP 512 are
    /// multiples of the 256-value K-quant blocks, so every weight type
    /// applies to every matrix; 4 query heads share 2 key/value heads;
    /// vocabulary 300.
    pub fn small_llama() -> Self {
        SynthSpec {
            arch: "llama".into(),
            layers: 2,
            dim: 256,
            heads: 4,
            kv_heads: 2,
            head_dim: 64,
            ffn: 512,
            vocab: 300,
            context: 64,
            rope_theta: 10000.0,
            rms_eps: 1e-5,
            tied: false,
            rope_freqs: false,
        }
    }

    /// Names accepted by [`SynthSpec::preset`].
    pub const PRESETS: &'static [&'static str] =
        &["qwen2.5-0.5b", "qwen2.5-1.5b", "qwen2.5-7b", "qwen3-0.6b", "llama-3-8b"];
}

/// splitmix64 (Steele et al.), used as a counter-based generator: the value
/// of element `i` of a tensor depends only on the seed, the tensor and `i`.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Uniform values in `center ± spread`.
fn random(n: usize, seed: u64, name: &str, center: f32, spread: f32) -> Vec<f32> {
    let key = name.bytes().fold(mix(seed), |h, b| mix(h ^ u64::from(b)));
    (0..n as u64)
        .map(|i| {
            let u = (mix(key ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93)) >> 40) as f32 / (1u64 << 24) as f32;
            center + spread * (2.0 * u - 1.0)
        })
        .collect()
}

fn err(path: &Path, message: String) -> FormatError {
    FormatError::Malformed { path: path.to_path_buf(), message }
}

/// The tensors of `spec` as (name, shape outermost first, is a matrix).
fn tensor_list(spec: &SynthSpec) -> Vec<(String, Vec<usize>, bool)> {
    let (d, q, kv, f) = (spec.dim, spec.heads * spec.head_dim, spec.kv_heads * spec.head_dim, spec.ffn);
    let mut t = vec![("token_embd.weight".to_string(), vec![spec.vocab, d], true)];
    if spec.rope_freqs {
        t.push(("rope_freqs.weight".to_string(), vec![spec.head_dim / 2], false));
    }
    for l in 0..spec.layers {
        let b = |s: &str| format!("blk.{l}.{s}");
        t.push((b("attn_norm.weight"), vec![d], false));
        t.push((b("attn_q.weight"), vec![q, d], true));
        t.push((b("attn_k.weight"), vec![kv, d], true));
        t.push((b("attn_v.weight"), vec![kv, d], true));
        t.push((b("attn_output.weight"), vec![d, q], true));
        if spec.arch == "qwen2" {
            t.push((b("attn_q.bias"), vec![q], false));
            t.push((b("attn_k.bias"), vec![kv], false));
            t.push((b("attn_v.bias"), vec![kv], false));
        }
        if spec.arch == "qwen3" {
            t.push((b("attn_q_norm.weight"), vec![spec.head_dim], false));
            t.push((b("attn_k_norm.weight"), vec![spec.head_dim], false));
        }
        t.push((b("ffn_norm.weight"), vec![d], false));
        t.push((b("ffn_gate.weight"), vec![f, d], true));
        t.push((b("ffn_up.weight"), vec![f, d], true));
        t.push((b("ffn_down.weight"), vec![d, f], true));
    }
    t.push(("output_norm.weight".into(), vec![d], false));
    if !spec.tied {
        t.push(("output.weight".into(), vec![spec.vocab, d], true));
    }
    t
}

/// A SentencePiece-style vocabulary of `n` tokens that can spell any text:
/// `<unk>`, `<s>`, `</s>`, the 256 byte tokens, then unused fillers.
fn byte_vocab(n: usize) -> Vec<(String, Value)> {
    let mut tokens = vec!["<unk>".to_string(), "<s>".into(), "</s>".into()];
    let mut types = vec![2i32, 3, 3];
    for b in 0..256 {
        tokens.push(format!("<0x{b:02X}>"));
        types.push(6);
    }
    while tokens.len() < n {
        tokens.push(format!("<unused{}>", tokens.len()));
        types.push(5);
    }
    tokens.truncate(n);
    types.truncate(n);
    vec![
        ("tokenizer.ggml.model".into(), Value::String("llama".into())),
        ("tokenizer.ggml.tokens".into(), Value::Array(tokens.into_iter().map(Value::String).collect())),
        ("tokenizer.ggml.scores".into(), Value::Array(vec![Value::F32(0.0); types.len()])),
        ("tokenizer.ggml.token_type".into(), Value::Array(types.into_iter().map(Value::I32).collect())),
        ("tokenizer.ggml.bos_token_id".into(), Value::U32(1)),
        ("tokenizer.ggml.eos_token_id".into(), Value::U32(2)),
        ("tokenizer.ggml.unknown_token_id".into(), Value::U32(0)),
    ]
}

/// The type a matrix with rows of `row_len` gets when `dtype` is asked for.
/// K-quant blocks hold 256 values; for rows that are not a multiple of 256
/// llama.cpp falls back to a 32-value type (`llama-quant.cpp`, "falling back
/// to"): Q4_K to Q5_0, Q5_K to Q5_1, Q6_K to Q8_0, and Q2_K/Q3_K to IQ4_NL,
/// which candle lacks, so Q4_0 stands in for it here. Rows that even the
/// 32-value type does not fit are stored as F16, as llama.cpp does after
/// its fallback (for a 32-value type asked for directly, where llama.cpp
/// stops with an error, kaoshi takes the same F16 step).
pub fn matrix_type(dtype: GgmlDType, row_len: usize) -> GgmlDType {
    if row_len % dtype.block_size() == 0 {
        return dtype;
    }
    let fallback = match dtype {
        GgmlDType::Q2K | GgmlDType::Q3K => GgmlDType::Q4_0,
        GgmlDType::Q4K => GgmlDType::Q5_0,
        GgmlDType::Q5K => GgmlDType::Q5_1,
        GgmlDType::Q6K | GgmlDType::Q8K => GgmlDType::Q8_0,
        other => other,
    };
    if row_len % fallback.block_size() == 0 { fallback } else { GgmlDType::F16 }
}

/// Writes a synthetic model. Matrices are stored as `dtype` (norms and
/// biases stay F32, as llama.cpp stores them); `vocab_from` copies the
/// tokenizer (every `tokenizer.*` key) of another GGUF, whose vocabulary
/// size then replaces `spec.vocab`. `progress(done, total)` is called per tensor.
pub fn write_synthetic(
    spec: &SynthSpec,
    dtype: GgmlDType,
    seed: u64,
    vocab_from: Option<&GgufFile>,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), FormatError> {
    let (md, tensors) = build(spec, dtype, seed, vocab_from, out, progress)?;
    let io = |source| FormatError::Io { path: out.to_path_buf(), source };
    let file = std::fs::File::create(out).map_err(io)?;
    let mut w = BufWriter::new(file);
    write_gguf(&mut w, &md, &tensors, out)?;
    std::io::Write::flush(&mut w).map_err(io)?;
    Ok(())
}

/// A synthetic model (byte-level vocabulary of `spec.vocab` tokens) as the
/// bytes of a GGUF file, for places without a file system (the browser
/// tests build quantized models this way). Quantizes on one thread where
/// the platform has no others.
pub fn synthetic_bytes(spec: &SynthSpec, dtype: GgmlDType, seed: u64) -> Result<Vec<u8>, FormatError> {
    let label = Path::new("<synthetic model in memory>");
    let (md, tensors) = build(spec, dtype, seed, None, label, &mut |_, _| {})?;
    let mut w = std::io::Cursor::new(Vec::new());
    write_gguf(&mut w, &md, &tensors, label)?;
    Ok(w.into_inner())
}

type Metadata = Vec<(String, Value)>;
type Tensors = Vec<(String, QTensor)>;

fn write_gguf<W: std::io::Write + std::io::Seek>(
    w: &mut W,
    md: &Metadata,
    tensors: &Tensors,
    out: &Path,
) -> Result<(), FormatError> {
    let values: Vec<gguf_file::Value> = md.iter().map(|(_, v)| candle_value(v)).collect();
    let md_refs: Vec<(&str, &gguf_file::Value)> = md.iter().zip(&values).map(|((k, _), v)| (k.as_str(), v)).collect();
    let t_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    gguf_file::write(w, &md_refs, &t_refs).map_err(|e| err(out, e.to_string()))
}

/// The metadata and quantized tensors of a synthetic model (`out` names it
/// in errors).
fn build(
    spec: &SynthSpec,
    dtype: GgmlDType,
    seed: u64,
    vocab_from: Option<&GgufFile>,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Metadata, Tensors), FormatError> {
    let mut spec = spec.clone();
    let mut md: Vec<(String, Value)> = match vocab_from {
        Some(src) => {
            let map: &HashMap<String, Value> = src.metadata().as_map();
            let mut kv: Vec<(String, Value)> =
                map.iter().filter(|(k, _)| k.starts_with("tokenizer.")).map(|(k, v)| (k.clone(), v.clone())).collect();
            kv.sort_by(|a, b| a.0.cmp(&b.0));
            spec.vocab = src.metadata().array_len("tokenizer.ggml.tokens").ok_or_else(|| FormatError::MissingKey {
                path: src.path().to_path_buf(),
                key: "tokenizer.ggml.tokens".into(),
            })?;
            kv
        }
        None => byte_vocab(spec.vocab),
    };
    for (what, v) in [("dim", spec.dim), ("ffn", spec.ffn), ("heads*head_dim", spec.heads * spec.head_dim)] {
        // A synthetic model takes no F16 step: its shapes are chosen to fit.
        if matrix_type(dtype, v) == GgmlDType::F16 && dtype != GgmlDType::F16 {
            return Err(err(out, format!("{what} = {v} is not a multiple of the blocks of the chosen type")));
        }
    }
    if spec.heads == 0 || spec.kv_heads == 0 || spec.heads % spec.kv_heads != 0 || spec.head_dim % 2 != 0 {
        return Err(err(
            out,
            format!(
                "{} heads, {} kv heads, head width {}: heads must be a multiple of kv heads and the head width even",
                spec.heads, spec.kv_heads, spec.head_dim
            ),
        ));
    }
    let a = spec.arch.clone();
    let mut arch_md: Vec<(String, Value)> = vec![
        ("general.architecture".into(), Value::String(a.clone())),
        ("general.name".into(), Value::String(format!("kaoshi synthetic {a} (seed {seed})"))),
        (format!("{a}.block_count"), Value::U32(spec.layers as u32)),
        (format!("{a}.context_length"), Value::U32(spec.context as u32)),
        (format!("{a}.embedding_length"), Value::U32(spec.dim as u32)),
        (format!("{a}.feed_forward_length"), Value::U32(spec.ffn as u32)),
        (format!("{a}.attention.head_count"), Value::U32(spec.heads as u32)),
        (format!("{a}.attention.head_count_kv"), Value::U32(spec.kv_heads as u32)),
        (format!("{a}.attention.key_length"), Value::U32(spec.head_dim as u32)),
        (format!("{a}.attention.value_length"), Value::U32(spec.head_dim as u32)),
        (format!("{a}.rope.dimension_count"), Value::U32(spec.head_dim as u32)),
        (format!("{a}.rope.freq_base"), Value::F32(spec.rope_theta)),
        (format!("{a}.attention.layer_norm_rms_epsilon"), Value::F32(spec.rms_eps)),
    ];
    arch_md.append(&mut md);
    let list = tensor_list(&spec);
    let tensors = quantize_all(&list, dtype, seed, out, progress)?;
    Ok((arch_md, tensors))
}

/// Generates and quantizes every tensor, on all cores (tensors are
/// independent, and quantizing a 7B-shaped model on one core takes minutes).
/// The result does not depend on the number of threads.
fn quantize_all(
    list: &[(String, Vec<usize>, bool)],
    dtype: GgmlDType,
    seed: u64,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<(String, QTensor)>, FormatError> {
    let one = |(name, shape, matrix): &(String, Vec<usize>, bool)| -> Result<QTensor, FormatError> {
        let n: usize = shape.iter().product();
        let values = if !matrix {
            match name.as_str() {
                "rope_freqs.weight" => random(n, seed, name, 2.0, 1.0),
                _ if name.ends_with(".bias") => random(n, seed, name, 0.0, 0.1),
                _ => random(n, seed, name, 1.0, 0.2),
            }
        } else {
            // Uniform with std 1/sqrt(fan_in) keeps activations O(1) through the blocks.
            let fan_in = shape[shape.len() - 1] as f32;
            random(n, seed, name, 0.0, (3.0 / fan_in).sqrt())
        };
        let t = Tensor::from_vec(values, shape.as_slice(), &Device::Cpu).map_err(|e| err(out, e.to_string()))?;
        let ty = if *matrix { matrix_type(dtype, shape[shape.len() - 1]) } else { GgmlDType::F32 };
        QTensor::quantize(&t, candle_dtype(ty)).map_err(|e| err(out, format!("quantizing {name}: {e}")))
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(list.len().max(1));
    if threads <= 1 {
        // One core, or no threads at all (wasm32): in order, here.
        let mut out = Vec::with_capacity(list.len());
        for (done, item) in list.iter().enumerate() {
            out.push((item.0.clone(), one(item)?));
            progress(done + 1, list.len());
        }
        return Ok(out);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel();
    let mut slots: Vec<Option<QTensor>> = (0..list.len()).map(|_| None).collect();
    std::thread::scope(|scope| -> Result<(), FormatError> {
        for _ in 0..threads {
            let (tx, next, one) = (tx.clone(), &next, &one);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = list.get(i) else { break };
                    let failed = {
                        let r = one(item);
                        let failed = r.is_err();
                        if tx.send((i, r)).is_err() {
                            break;
                        }
                        failed
                    };
                    if failed {
                        // Stop the other workers soon: no index is left for them.
                        next.store(list.len(), std::sync::atomic::Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (done, (i, r)) in rx.iter().enumerate() {
            slots[i] = Some(r?);
            progress(done + 1, list.len());
        }
        Ok(())
    })?;
    list.iter()
        .zip(slots)
        .map(|((name, _, _), q)| {
            q.map(|q| (name.clone(), q)).ok_or_else(|| err(out, format!("{name} was not generated")))
        })
        .collect()
}
