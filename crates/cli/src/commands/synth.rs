//! `kaoshi synth`: a model of a real architecture with seeded random weights.

use std::path::PathBuf;

use kaoshi_cpu::synth::{SynthSpec, write_synthetic};
use kaoshi_formats::{GgmlDType, GgufFile};

use crate::error::CliError;
use crate::progress::bar;

/// Options of `kaoshi synth`.
#[derive(clap::Args)]
pub struct Args {
    /// Architecture: llama, qwen2 or qwen3.
    #[arg(long, default_value = "llama")]
    arch: String,
    /// A published model's shape: qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-7b, qwen3-0.6b, llama-3-8b.
    #[arg(long)]
    preset: Option<String>,
    /// Blocks.
    #[arg(long, default_value_t = 2)]
    layers: usize,
    /// Residual width.
    #[arg(long, default_value_t = 256)]
    dim: usize,
    /// Query heads.
    #[arg(long, default_value_t = 4)]
    heads: usize,
    /// Key/value heads (default: as many as query heads).
    #[arg(long)]
    kv_heads: Option<usize>,
    /// Head width (default: dim / heads).
    #[arg(long)]
    head_dim: Option<usize>,
    /// MLP width.
    #[arg(long, default_value_t = 512)]
    ffn: usize,
    /// Vocabulary size.
    #[arg(long, default_value_t = 512)]
    vocab: usize,
    /// Context length.
    #[arg(long, default_value_t = 2048)]
    context: usize,
    /// Weight type: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K.
    #[arg(long)]
    dtype: String,
    /// Copy the tokenizer of this GGUF (its vocabulary size wins).
    #[arg(long)]
    vocab_from: Option<PathBuf>,
    /// Output file.
    #[arg(long)]
    out: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let dtype =
        GgmlDType::parse(&args.dtype).ok_or_else(|| CliError::Usage(format!("unknown --dtype {:?}", args.dtype)))?;
    let spec = match &args.preset {
        Some(p) => SynthSpec::preset(p).ok_or_else(|| {
            CliError::Usage(format!("unknown preset {p:?} (known: {})", SynthSpec::PRESETS.join(", ")))
        })?,
        None => {
            if !matches!(args.arch.as_str(), "llama" | "qwen2" | "qwen3") {
                return Err(CliError::Usage(format!("unknown --arch {:?} (llama, qwen2, qwen3)", args.arch)));
            }
            if args.heads == 0 || args.dim % args.heads != 0 && args.head_dim.is_none() {
                return Err(CliError::Usage(format!("--heads {} must divide --dim {}", args.heads, args.dim)));
            }
            SynthSpec {
                arch: args.arch.clone(),
                layers: args.layers,
                dim: args.dim,
                heads: args.heads,
                kv_heads: args.kv_heads.unwrap_or(args.heads),
                head_dim: args.head_dim.unwrap_or(args.dim / args.heads.max(1)),
                ffn: args.ffn,
                vocab: args.vocab,
                context: args.context,
                rope_theta: if args.arch == "llama" { 10_000.0 } else { 1e6 },
                rms_eps: 1e-6,
                tied: false,
                rope_freqs: false,
            }
        }
    };
    let vocab = match &args.vocab_from {
        Some(p) => Some(GgufFile::open(p)?),
        None => None,
    };
    let pb = bar(0, "tensors");
    write_synthetic(&spec, dtype, args.seed, vocab.as_ref(), &args.out, &mut |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    })?;
    pb.finish_and_clear();
    let len = std::fs::metadata(&args.out).map_err(CliError::io(&args.out))?.len();
    eprintln!("wrote {} ({:.1} MiB, {} {})", args.out.display(), len as f64 / (1 << 20) as f64, spec.arch, args.dtype);
    Ok(())
}
