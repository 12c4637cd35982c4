//! `kaoshi bench`: prefill and decode speed, and peak memory.

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::error::CliError;
use kaoshi_model::{Backend, Model};

use crate::load::{AdapterInfo, BackendChoice, load_model, with_model};

/// Options of `kaoshi bench`.
#[derive(clap::Args)]
pub struct Args {
    /// The GGUF model file.
    #[arg(long)]
    model: PathBuf,
    /// Prompt length for the prefill measurement.
    #[arg(long, default_value_t = 128)]
    prompt_tokens: usize,
    /// Tokens for the decode measurement.
    #[arg(long, default_value_t = 32)]
    gen_tokens: usize,
    /// Repetitions (the best is reported).
    #[arg(long, default_value_t = 1)]
    reps: usize,
    /// Where the model runs: cpu, gpu, or auto (the GPU when it can load the model, else the CPU).
    #[arg(long, value_enum, default_value_t = BackendChoice::Cpu)]
    backend: BackendChoice,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report {
    model: String,
    backend: String,
    /// The GPU adapter (name, API, features, limits) when on the GPU.
    #[serde(skip_serializing_if = "Option::is_none")]
    adapter: Option<AdapterInfo>,
    parameters: u64,
    prompt_tokens: usize,
    gen_tokens: usize,
    load_s: f64,
    prefill_tok_s: f64,
    decode_tok_s: f64,
    time_to_first_token_s: f64,
    peak_rss_mib: Option<f64>,
}

/// Peak resident memory of this process (Linux `VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Parameters, and the best prefill and decode times in seconds.
fn measure<B: Backend>(model: &Model<B>, args: &Args) -> Result<(u64, f64, f64), CliError> {
    let cfg = model.config();
    if args.prompt_tokens + args.gen_tokens > cfg.context_length {
        return Err(CliError::Usage(format!(
            "prompt + generated tokens exceed the context length {}",
            cfg.context_length
        )));
    }
    // Deterministic token ids spread over the vocabulary.
    let prompt: Vec<u32> = (0..args.prompt_tokens).map(|i| ((i * 7919 + 13) % cfg.vocab_size) as u32).collect();
    let (mut best_prefill, mut best_decode) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..args.reps {
        let mut cache = model.new_cache();
        let t = Instant::now();
        let logits = model.forward_causal(&prompt, &mut cache, None, &[prompt.len() - 1])?;
        best_prefill = best_prefill.min(t.elapsed().as_secs_f64());
        let mut next = kaoshi_engine::argmax(logits.row(0)) as u32;
        let t = Instant::now();
        for _ in 0..args.gen_tokens {
            let l = model.forward_causal(&[next], &mut cache, None, &[0])?;
            next = kaoshi_engine::argmax(l.row(0)) as u32;
        }
        best_decode = best_decode.min(t.elapsed().as_secs_f64());
    }
    Ok((cfg.n_params(), best_prefill, best_decode))
}

pub fn run(args: Args) -> Result<(), CliError> {
    if args.prompt_tokens == 0 || args.gen_tokens == 0 || args.reps == 0 {
        return Err(CliError::Usage("--prompt-tokens, --gen-tokens and --reps must be positive".into()));
    }
    let t0 = Instant::now();
    let loaded = load_model(&args.model, args.backend)?;
    let load_s = t0.elapsed().as_secs_f64();
    let (parameters, best_prefill, best_decode) = with_model!(loaded, |m| measure(m, &args))?;
    let report = Report {
        model: args.model.display().to_string(),
        backend: loaded.backend(),
        adapter: loaded.adapter.clone(),
        parameters,
        prompt_tokens: args.prompt_tokens,
        gen_tokens: args.gen_tokens,
        load_s,
        prefill_tok_s: args.prompt_tokens as f64 / best_prefill,
        decode_tok_s: args.gen_tokens as f64 / best_decode,
        time_to_first_token_s: best_prefill,
        peak_rss_mib: peak_rss_mib(),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| CliError::Usage(e.to_string()))?);
    } else {
        println!(
            "model       {} ({:.1} M parameters, {} backend)",
            report.model,
            report.parameters as f64 / 1e6,
            report.backend
        );
        println!("load        {:.2} s", report.load_s);
        println!(
            "prefill     {:.1} tok/s ({} tokens, first token after {:.3} s)",
            report.prefill_tok_s, report.prompt_tokens, report.time_to_first_token_s
        );
        println!("decode      {:.1} tok/s ({} tokens)", report.decode_tok_s, report.gen_tokens);
        if let Some(m) = report.peak_rss_mib {
            println!("peak memory {m:.0} MiB (resident)");
        }
    }
    Ok(())
}
