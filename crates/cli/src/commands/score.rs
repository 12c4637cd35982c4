//! `kaoshi score`: log-probabilities of continuations after contexts.

use std::path::{Path, PathBuf};

use kaoshi_engine::{ScoreRequest, score_requests};

use crate::error::CliError;
use kaoshi_runtime::{BackendChoice, with_model};

use crate::load::load_model;
use crate::progress::bar;

/// Options of `kaoshi score`.
#[derive(clap::Args)]
pub struct Args {
    /// The GGUF model file.
    #[arg(long)]
    model: PathBuf,
    /// The context (with --continuation).
    #[arg(long, requires = "continuation", conflicts_with = "requests")]
    context: Option<String>,
    /// A continuation to score after --context (repeatable).
    #[arg(long)]
    continuation: Vec<String>,
    /// A JSONL file of {"context": ..., "continuation": ...} lines.
    #[arg(long, required_unless_present = "context")]
    requests: Option<PathBuf>,
    /// Where the model runs: cpu, gpu, or auto (the GPU when it can load the model, else the CPU).
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Print one JSON object per request and line.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    steering: crate::steer::SteeringArgs,
}

/// Requests per engine call: requests sharing a context inside one chunk
/// share its key/value cache.
const CHUNK: usize = 64;

fn read_requests(path: &Path) -> Result<Vec<ScoreRequest>, CliError> {
    let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: ScoreRequest = serde_json::from_str(line).map_err(|e| {
            CliError::Usage(format!(
                "{}:{}: {e} (expected {{\"context\": ..., \"continuation\": ...}})",
                path.display(),
                i + 1
            ))
        })?;
        out.push(r);
    }
    if out.is_empty() {
        return Err(CliError::Usage(format!("{}: no requests", path.display())));
    }
    Ok(out)
}

pub fn run(args: Args) -> Result<(), CliError> {
    let requests = match (&args.context, &args.requests) {
        (Some(c), _) => {
            args.continuation.iter().map(|k| ScoreRequest { context: c.clone(), continuation: k.clone() }).collect()
        }
        (None, Some(path)) => read_requests(path)?,
        (None, None) => return Err(CliError::Usage("give --context and --continuation, or --requests".into())),
    };
    args.steering.check()?;
    let mut loaded = load_model(&args.model, args.backend)?;
    args.steering.apply(&mut loaded)?;
    let pb = bar(requests.len() as u64, "scoring");
    for chunk in requests.chunks(CHUNK) {
        let scored = with_model!(&loaded.model, |m| score_requests(m, &loaded.tokenizer, chunk))?;
        pb.suspend(|| -> Result<(), CliError> {
            for (req, s) in chunk.iter().zip(&scored) {
                if args.json {
                    println!("{}", serde_json::to_string(s).map_err(|e| CliError::Usage(e.to_string()))?);
                } else {
                    println!(
                        "{:>12.6}  greedy={:<5}  n={:<3}  {:?} | {:?}",
                        s.score.logprob, s.score.is_greedy, s.score.n_tokens, req.context, req.continuation
                    );
                }
            }
            Ok(())
        })?;
        pb.inc(chunk.len() as u64);
    }
    pb.finish_and_clear();
    Ok(())
}
