//! `kaoshi ppl`: rolling-window perplexity of a text file.

use std::path::PathBuf;

use kaoshi_engine::{PerplexityParams, perplexity};

use crate::error::CliError;
use kaoshi_runtime::{BackendChoice, with_model};

use crate::load::load_model;
use crate::progress::bar;

/// Options of `kaoshi ppl`.
#[derive(clap::Args)]
pub struct Args {
    /// The GGUF model file.
    #[arg(long)]
    model: PathBuf,
    /// The text file (UTF-8).
    #[arg(long)]
    file: PathBuf,
    /// Tokens per window (default: 512, or the model's context if smaller).
    #[arg(long)]
    ctx: Option<usize>,
    /// Tokens between window starts (default: half the window).
    #[arg(long)]
    stride: Option<usize>,
    /// Where the model runs: cpu, gpu, or auto (the GPU when it can load the model, else the CPU).
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    steering: crate::steer::SteeringArgs,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let bytes = std::fs::read(&args.file).map_err(CliError::io(&args.file))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::Usage(format!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            args.file.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    args.steering.check()?;
    let mut loaded = load_model(&args.model, args.backend)?;
    args.steering.apply(&mut loaded)?;
    let context_length = with_model!(&loaded.model, |m| m.config().context_length);
    let ctx = args.ctx.unwrap_or_else(|| 512.min(context_length - 1));
    let stride = args.stride.unwrap_or((ctx / 2).max(1));
    let pb = bar(0, "windows");
    let mut progress = |done: usize, total: usize| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    };
    let params = PerplexityParams { ctx, stride };
    let report = with_model!(&loaded.model, |m| perplexity(m, &loaded.tokenizer, &text, params, &mut progress))?;
    pb.finish_and_clear();
    if args.json {
        let mut doc = serde_json::to_value(&report).map_err(|e| CliError::Usage(e.to_string()))?;
        if let Some(s) = &loaded.steering {
            doc["steering"] = serde_json::to_value(s).map_err(|e| CliError::Usage(e.to_string()))?;
        }
        println!("{}", serde_json::to_string_pretty(&doc).map_err(|e| CliError::Usage(e.to_string()))?);
    } else {
        println!("tokens         {}", report.n_tokens);
        println!("nll            {:.4}", report.nll);
        println!("perplexity     {:.4}", report.ppl);
        println!("bits per byte  {:.4}", report.bits_per_byte);
        println!("windows        {} (ctx {ctx}, stride {stride})", report.n_windows);
    }
    Ok(())
}
