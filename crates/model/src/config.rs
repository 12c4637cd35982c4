//! Model hyper-parameters, read from GGUF metadata (llama.cpp's key names,
//! `{arch}.*`) and checked against the tensors before any weight is loaded.

use kaoshi_formats::{GgufFile, Metadata};

use crate::error::ModelError;

/// The architecture families kaoshi implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// Llama 1/2/3, Mistral-style llama, llama2.c conversions.
    Llama,
    /// Qwen2 / Qwen2.5: llama with q/k/v biases and NeoX rope.
    Qwen2,
    /// Qwen3: llama with per-head q/k RMSNorm and NeoX rope, no biases.
    Qwen3,
}

/// How rotary pairs are laid out in a head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopeLayout {
    /// `(x[2i], x[2i+1])`: GGUF llama (llama.cpp permutes HF weights to it).
    Interleaved,
    /// `(x[i], x[i + d/2])`: NeoX / Qwen.
    Neox,
}

/// Context-extension scaling of rope frequencies.
#[derive(Debug, Clone, PartialEq)]
pub enum RopeScaling {
    /// None.
    None,
    /// Positions divided by `factor`.
    Linear {
        /// The scaling factor.
        factor: f32,
    },
    /// Per-frequency divisors from the `rope_freqs.weight` tensor (Llama 3.1+).
    FreqFactors,
}

/// Everything the forward pass needs to know about shapes and constants.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// The family.
    pub arch: Architecture,
    /// `general.architecture` as written in the file.
    pub arch_name: String,
    /// Number of transformer blocks.
    pub n_layers: usize,
    /// Residual stream width.
    pub dim: usize,
    /// Query heads.
    pub n_heads: usize,
    /// Key/value heads (grouped-query attention when fewer than `n_heads`).
    pub n_kv_heads: usize,
    /// Width of one head.
    pub head_dim: usize,
    /// MLP hidden width.
    pub ffn_dim: usize,
    /// Vocabulary size (rows of the embedding).
    pub vocab_size: usize,
    /// Context length the model was trained for.
    pub context_length: usize,
    /// RMSNorm epsilon.
    pub rms_eps: f32,
    /// Rope base frequency.
    pub rope_theta: f32,
    /// Rotated dimensions per head.
    pub rope_dim: usize,
    /// Rope pair layout.
    pub rope_layout: RopeLayout,
    /// Rope scaling.
    pub rope_scaling: RopeScaling,
    /// The output projection is the token embedding.
    pub tied_embeddings: bool,
    /// Per-head RMSNorm on q and k (Qwen3).
    pub qk_norm: bool,
    /// Biases on q, k, v (Qwen2).
    pub qkv_bias: bool,
}

/// Upper bounds far above any published model, so that a corrupt header is
/// refused before anything is allocated from its numbers.
const MAX_LAYERS: u64 = 1024;
const MAX_DIM: u64 = 1 << 17;
const MAX_HEADS: u64 = 1024;
const MAX_FFN: u64 = 1 << 20;
const MAX_VOCAB: u64 = 1 << 22;
const MAX_CONTEXT: u64 = 1 << 24;

fn dim(md: &Metadata, key: &str, what: &'static str, max: u64) -> Result<usize, ModelError> {
    let v = md.require_u64(key)?;
    checked(v, what, max)
}

fn checked(v: u64, what: &'static str, max: u64) -> Result<usize, ModelError> {
    if v == 0 {
        return Err(ModelError::BadConfig { key: what.to_string(), problem: "is zero".into() });
    }
    if v > max {
        return Err(ModelError::AbsurdDimension { what, value: v, max });
    }
    Ok(v as usize)
}

impl ModelConfig {
    /// Reads the configuration of `file` and checks the tensor shapes it implies.
    pub fn from_gguf(file: &GgufFile) -> Result<Self, ModelError> {
        let md = file.metadata();
        let arch_name = file.architecture().ok_or(ModelError::NoArchitecture)?.to_string();
        let arch = match arch_name.as_str() {
            "llama" | "mistral" => Architecture::Llama,
            "qwen2" => Architecture::Qwen2,
            "qwen3" => Architecture::Qwen3,
            other => return Err(ModelError::UnknownArchitecture { name: other.to_string() }),
        };
        let k = |s: &str| format!("{arch_name}.{s}");
        let n_layers = dim(md, &k("block_count"), "block_count", MAX_LAYERS)?;
        let dim_ = dim(md, &k("embedding_length"), "embedding_length", MAX_DIM)?;
        let n_heads = dim(md, &k("attention.head_count"), "attention.head_count", MAX_HEADS)?;
        let n_kv_heads = match md.get_u64(&k("attention.head_count_kv"))? {
            Some(v) => checked(v, "attention.head_count_kv", MAX_HEADS)?,
            None => n_heads,
        };
        if n_heads % n_kv_heads != 0 {
            return Err(ModelError::BadConfig {
                key: k("attention.head_count_kv"),
                problem: format!("{n_kv_heads} does not divide the {n_heads} query heads"),
            });
        }
        let ffn_dim = dim(md, &k("feed_forward_length"), "feed_forward_length", MAX_FFN)?;
        let head_dim = match md.get_u64(&k("attention.key_length"))? {
            Some(v) => checked(v, "attention.key_length", MAX_DIM)?,
            None => {
                if dim_ % n_heads != 0 {
                    return Err(ModelError::BadConfig {
                        key: k("attention.head_count"),
                        problem: format!("{n_heads} heads do not divide the width {dim_}"),
                    });
                }
                dim_ / n_heads
            }
        };
        let context_length = match md.get_u64(&k("context_length"))? {
            Some(v) => checked(v, "context_length", MAX_CONTEXT)?,
            None => 2048,
        };
        // llama.cpp's default when the key is absent (old llama conversions).
        let rms_eps = md.get_f64(&k("attention.layer_norm_rms_epsilon"))?.unwrap_or(1e-5) as f32;
        let rope_theta = md.get_f64(&k("rope.freq_base"))?.unwrap_or(10_000.0) as f32;
        let rope_dim = match md.get_u64(&k("rope.dimension_count"))? {
            Some(v) => checked(v, "rope.dimension_count", MAX_DIM)?,
            None => head_dim,
        };
        if rope_dim > head_dim || rope_dim % 2 != 0 {
            return Err(ModelError::BadConfig {
                key: k("rope.dimension_count"),
                problem: format!("{rope_dim} must be even and at most the head width {head_dim}"),
            });
        }
        let rope_scaling = rope_scaling(md, &arch_name, file.tensor("rope_freqs.weight").is_some())?;
        let embd = file.require_tensor("token_embd.weight")?;
        let vocab_size = match embd.shape.as_slice() {
            [v, d] if *d == dim_ => checked(*v as u64, "vocab size", MAX_VOCAB)?,
            found => {
                return Err(ModelError::ShapeMismatch {
                    tensor: "token_embd.weight".into(),
                    expected: vec![0, dim_],
                    found: found.to_vec(),
                });
            }
        };
        let config = Self {
            arch,
            arch_name,
            n_layers,
            dim: dim_,
            n_heads,
            n_kv_heads,
            head_dim,
            ffn_dim,
            vocab_size,
            context_length,
            rms_eps,
            rope_theta,
            rope_dim,
            rope_layout: match arch {
                Architecture::Llama => RopeLayout::Interleaved,
                Architecture::Qwen2 | Architecture::Qwen3 => RopeLayout::Neox,
            },
            rope_scaling,
            tied_embeddings: file.tensor("output.weight").is_none(),
            qk_norm: arch == Architecture::Qwen3,
            qkv_bias: file.tensor("blk.0.attn_q.bias").is_some(),
        };
        config.check_shapes(file)?;
        Ok(config)
    }

    /// Every tensor the forward pass reads, with its expected shape
    /// (outermost first).
    pub fn expected_tensors(&self) -> Vec<(String, Vec<usize>)> {
        let (d, q, kv, f) = (self.dim, self.n_heads * self.head_dim, self.n_kv_heads * self.head_dim, self.ffn_dim);
        let mut t = vec![
            ("token_embd.weight".to_string(), vec![self.vocab_size, d]),
            ("output_norm.weight".to_string(), vec![d]),
        ];
        if !self.tied_embeddings {
            t.push(("output.weight".into(), vec![self.vocab_size, d]));
        }
        for l in 0..self.n_layers {
            let b = |s: &str| format!("blk.{l}.{s}");
            t.push((b("attn_norm.weight"), vec![d]));
            t.push((b("attn_q.weight"), vec![q, d]));
            t.push((b("attn_k.weight"), vec![kv, d]));
            t.push((b("attn_v.weight"), vec![kv, d]));
            t.push((b("attn_output.weight"), vec![d, q]));
            if self.qkv_bias {
                t.push((b("attn_q.bias"), vec![q]));
                t.push((b("attn_k.bias"), vec![kv]));
                t.push((b("attn_v.bias"), vec![kv]));
            }
            if self.qk_norm {
                t.push((b("attn_q_norm.weight"), vec![self.head_dim]));
                t.push((b("attn_k_norm.weight"), vec![self.head_dim]));
            }
            t.push((b("ffn_norm.weight"), vec![d]));
            t.push((b("ffn_gate.weight"), vec![f, d]));
            t.push((b("ffn_up.weight"), vec![f, d]));
            t.push((b("ffn_down.weight"), vec![d, f]));
        }
        if self.rope_scaling == RopeScaling::FreqFactors {
            t.push(("rope_freqs.weight".into(), vec![self.rope_dim / 2]));
        }
        t
    }

    fn check_shapes(&self, file: &GgufFile) -> Result<(), ModelError> {
        for (name, expected) in self.expected_tensors() {
            let entry = file.require_tensor(&name)?;
            if entry.shape != expected {
                return Err(ModelError::ShapeMismatch { tensor: name, expected, found: entry.shape.clone() });
            }
        }
        Ok(())
    }

    /// Total number of weights in the tensors the model uses.
    pub fn n_params(&self) -> u64 {
        self.expected_tensors().iter().map(|(_, s)| s.iter().product::<usize>() as u64).sum()
    }
}

fn rope_scaling(md: &Metadata, arch: &str, has_freq_factors: bool) -> Result<RopeScaling, ModelError> {
    if has_freq_factors {
        return Ok(RopeScaling::FreqFactors);
    }
    let kind = md.get_str(&format!("{arch}.rope.scaling.type")).unwrap_or("none");
    match kind {
        "none" => Ok(RopeScaling::None),
        "linear" => {
            let key = format!("{arch}.rope.scaling.factor");
            let factor = md.get_f64(&key)?.unwrap_or(1.0) as f32;
            if !(factor.is_finite() && factor > 0.0) {
                return Err(ModelError::BadConfig { key, problem: format!("factor {factor} must be positive") });
            }
            Ok(RopeScaling::Linear { factor })
        }
        other => Err(ModelError::UnsupportedRopeScaling { kind: other.to_string() }),
    }
}
