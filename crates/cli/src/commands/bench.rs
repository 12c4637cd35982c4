//! `kaoshi bench`: prefill and decode speed, and peak memory; with the
//! weight bytes each decoded token reads and the GB/s that makes, and on the
//! GPU the dispatches per decoded token and the device's copy bandwidth
//! measured in the same run (so the achieved GB/s reads as a fraction of it).

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use crate::error::CliError;
use kaoshi_formats::GgufFile;
use kaoshi_model::{Backend, KvCache, Model};

use kaoshi_runtime::{AnyModel, BackendChoice};

use crate::load::{AdapterInfo, load_model};

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
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// MiB copied by the GPU bandwidth measurement (clamped to the adapter's
    /// binding limit).
    #[arg(long, default_value_t = 256)]
    copy_mib: u64,
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
    /// Bytes of weight matrices one decode step reads (every matrix the
    /// forward pass multiplies by; the embedding table only when it is also
    /// the output projection).
    weight_bytes_per_token: u64,
    /// `weight_bytes_per_token x decode_tok_s`, in 10^9 bytes per second.
    achieved_gb_s: f64,
    /// GPU: compute dispatches per decoded token.
    #[serde(skip_serializing_if = "Option::is_none")]
    dispatches_per_token: Option<f64>,
    /// GPU: read + write GB/s of a copy kernel, measured in this run.
    #[serde(skip_serializing_if = "Option::is_none")]
    copy_bandwidth_gb_s: Option<f64>,
    /// GPU: `achieved_gb_s / copy_bandwidth_gb_s`.
    #[serde(skip_serializing_if = "Option::is_none")]
    bandwidth_fraction: Option<f64>,
    /// GPU with `KAOSHI_GPU_PROFILE=1`: GPU time per kernel over the decode
    /// loop of the last repetition, slowest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    gpu_profile: Option<Vec<KernelTime>>,
    peak_rss_mib: Option<f64>,
}

/// Bytes of the weight matrices a decode step reads: every 2-D tensor except
/// the embedding table, which counts only when it doubles as the output
/// projection (no `output.weight`); one row gathered from it is negligible.
fn weight_bytes_per_token(file: &GgufFile) -> u64 {
    let tied = file.tensor("output.weight").is_none();
    file.tensors()
        .iter()
        .filter(|t| t.shape.len() == 2 && (tied || t.name != "token_embd.weight"))
        .map(|t| t.n_bytes)
        .sum()
}

/// One kernel's GPU time per decoded token.
#[derive(Serialize)]
struct KernelTime {
    kernel: String,
    calls_per_token: f64,
    us_per_token: f64,
}

/// What one measurement found (best of the repetitions).
struct Measured {
    parameters: u64,
    prefill_s: f64,
    decode_s: f64,
    /// Counter deltas over the decode loop of the best repetition.
    decode_dispatches: Option<u64>,
}

/// Peak resident memory of this process (Linux `VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Runs `tokens` after `cache` and returns the greedy next token, as
/// `kaoshi generate --temperature 0` does (the argmax is taken on the
/// backend, so a GPU reads back one index, not a row of logits).
fn greedy_step<B: Backend>(model: &Model<B>, tokens: &[u32], cache: &mut KvCache<B>) -> Result<u32, CliError> {
    let greedy = kaoshi_engine::SamplingParams::default();
    Ok(kaoshi_engine::next_token(model, tokens, cache, None, &greedy, &mut kaoshi_engine::Rng::new(0))?)
}

/// Parameters, the best prefill and decode times in seconds, and the
/// dispatches `dispatches` (a counter, when the backend has one) counted
/// over the decode loop.
fn measure<B: Backend>(
    model: &Model<B>,
    args: &Args,
    dispatches: &dyn Fn() -> Option<u64>,
    before_decode: &dyn Fn(),
) -> Result<Measured, CliError> {
    let cfg = model.config();
    if args.prompt_tokens + args.gen_tokens > cfg.context_length {
        return Err(CliError::Usage(format!(
            "prompt + generated tokens exceed the context length {}",
            cfg.context_length
        )));
    }
    // Deterministic token ids spread over the vocabulary.
    let prompt: Vec<u32> = (0..args.prompt_tokens).map(|i| ((i * 7919 + 13) % cfg.vocab_size) as u32).collect();
    // Warm-up, one prefill and one decode step: a GPU backend builds its
    // pipelines (a different matmul kernel for one row and for many) and
    // fills its buffer pool on first use; that is not prefill time.
    let mut warm = model.new_cache();
    greedy_step(model, &prompt, &mut warm)?;
    greedy_step(model, &prompt[..1], &mut warm)?;
    drop(warm);
    let (mut best_prefill, mut best_decode) = (f64::INFINITY, f64::INFINITY);
    let mut decode_dispatches = None;
    for _ in 0..args.reps {
        let mut cache = model.new_cache();
        let t = Instant::now();
        let mut next = greedy_step(model, &prompt, &mut cache)?;
        best_prefill = best_prefill.min(t.elapsed().as_secs_f64());
        before_decode();
        let before = dispatches();
        let t = Instant::now();
        for _ in 0..args.gen_tokens {
            next = greedy_step(model, &[next], &mut cache)?;
        }
        let elapsed = t.elapsed().as_secs_f64();
        if elapsed < best_decode {
            best_decode = elapsed;
            decode_dispatches = before.zip(dispatches()).map(|(a, b)| b - a);
        }
    }
    Ok(Measured { parameters: cfg.n_params(), prefill_s: best_prefill, decode_s: best_decode, decode_dispatches })
}

pub fn run(args: Args) -> Result<(), CliError> {
    if args.prompt_tokens == 0 || args.gen_tokens == 0 || args.reps == 0 {
        return Err(CliError::Usage("--prompt-tokens, --gen-tokens and --reps must be positive".into()));
    }
    let t0 = Instant::now();
    let loaded = load_model(&args.model, args.backend)?;
    let load_s = t0.elapsed().as_secs_f64();
    let weight_bytes = weight_bytes_per_token(&GgufFile::open(&args.model)?);
    let profiling = std::env::var("KAOSHI_GPU_PROFILE").is_ok_and(|v| v == "1");
    let mut gpu_profile = None;
    let m = match &loaded.model {
        AnyModel::Cpu(model) => measure(model, &args, &|| None, &|| {})?,
        AnyModel::Gpu(model) => {
            let dev = model.backend().device();
            if profiling {
                dev.enable_profiling().map_err(|e| CliError::Usage(format!("KAOSHI_GPU_PROFILE=1: {e}")))?;
            }
            let reset = || {
                let _ = dev.reset_profile();
            };
            let m = measure(model, &args, &|| Some(model.backend().dispatch_count()), &reset)?;
            if profiling {
                let per = args.gen_tokens as f64;
                let times = dev.profile().map_err(|e| CliError::Usage(format!("reading the GPU profile: {e}")))?;
                gpu_profile = Some(
                    times
                        .into_iter()
                        .map(|t| KernelTime {
                            kernel: t.kernel,
                            calls_per_token: t.calls as f64 / per,
                            us_per_token: t.nanos / 1e3 / per,
                        })
                        .collect::<Vec<_>>(),
                );
            }
            m
        }
    };
    // The copy kernel runs after the model's measurement, on the same device.
    let copy_bandwidth_gb_s = match &loaded.model {
        AnyModel::Cpu(_) => None,
        AnyModel::Gpu(model) => Some(
            model
                .backend()
                .device()
                .measure_copy_bandwidth(args.copy_mib.saturating_mul(1 << 20))
                .map_err(|e| CliError::Usage(format!("measuring the copy bandwidth: {e}")))?,
        ),
    };
    let decode_tok_s = args.gen_tokens as f64 / m.decode_s;
    let achieved_gb_s = weight_bytes as f64 * decode_tok_s / 1e9;
    let report = Report {
        model: args.model.display().to_string(),
        backend: loaded.backend(),
        adapter: loaded.adapter.clone(),
        parameters: m.parameters,
        prompt_tokens: args.prompt_tokens,
        gen_tokens: args.gen_tokens,
        load_s,
        prefill_tok_s: args.prompt_tokens as f64 / m.prefill_s,
        decode_tok_s,
        time_to_first_token_s: m.prefill_s,
        weight_bytes_per_token: weight_bytes,
        achieved_gb_s,
        dispatches_per_token: m.decode_dispatches.map(|d| d as f64 / args.gen_tokens as f64),
        copy_bandwidth_gb_s,
        bandwidth_fraction: copy_bandwidth_gb_s.map(|b| achieved_gb_s / b),
        gpu_profile,
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
        println!(
            "weights     {:.1} MiB read per decoded token, {:.3} GB/s achieved",
            report.weight_bytes_per_token as f64 / (1u64 << 20) as f64,
            report.achieved_gb_s
        );
        if let Some(d) = report.dispatches_per_token {
            println!("dispatches  {d:.1} per decoded token");
        }
        if let (Some(b), Some(f)) = (report.copy_bandwidth_gb_s, report.bandwidth_fraction) {
            println!("bandwidth   {b:.2} GB/s measured by a copy kernel; decode achieves {:.1}% of it", f * 100.0);
        }
        if let Some(m) = report.peak_rss_mib {
            println!("peak memory {m:.0} MiB (resident)");
        }
        if let Some(profile) = &report.gpu_profile {
            let total: f64 = profile.iter().map(|k| k.us_per_token).sum();
            println!("GPU time per decoded token, by kernel ({total:.0} us in all; profiling slows decoding):");
            for k in profile {
                println!(
                    "  {:<22} {:>6.1} calls {:>9.1} us {:>5.1}%",
                    k.kernel,
                    k.calls_per_token,
                    k.us_per_token,
                    100.0 * k.us_per_token / total.max(f64::MIN_POSITIVE)
                );
            }
        }
    }
    Ok(())
}
