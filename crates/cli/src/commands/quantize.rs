//! `kaoshi quantize`: rewrite a model's weights in another type, keeping
//! all its metadata (the work is `kaoshi_cpu::quantize`'s; this prints the
//! progress and the summary).

use std::path::PathBuf;
use std::time::Instant;

use kaoshi_cpu::quantize::{Options, Summary, TensorPlan, parse_type, quantize_file};
use kaoshi_formats::GgmlDType;

use crate::error::CliError;
use crate::progress::bar;

/// Options of `kaoshi quantize`.
#[derive(clap::Args)]
pub struct Args {
    /// The model to read (GGUF, any type kaoshi reads).
    #[arg(long)]
    model: PathBuf,
    /// The matrices' type: F32, F16, Q8_0, Q6_K, Q5_K, Q5_1, Q5_0, Q4_K, Q4_1, Q4_0, Q3_K, Q2_K.
    #[arg(long = "type")]
    dtype: String,
    /// The file to write (written under a temporary name beside it, renamed at the end).
    #[arg(long)]
    out: PathBuf,
    /// Copy the output projection (output.weight, or the tied token_embd.weight) in its input type.
    #[arg(long)]
    keep_output_type: bool,
    /// Threads quantizing each tensor (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let dtype = parse_type(&args.dtype).map_err(|e| CliError::Usage(format!("--type: {e}")))?;
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if threads == 0 {
        return Err(CliError::Usage("--threads must be at least 1".into()));
    }
    let opts = Options { dtype, keep_output_type: args.keep_output_type, threads };
    let start = Instant::now();
    let pb = bar(0, "tensors");
    let summary = quantize_file(&args.model, &args.out, &opts, &mut |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    });
    pb.finish_and_clear();
    let summary = summary?;
    print!("{}", report(&args, dtype, &summary, start.elapsed().as_secs_f64()));
    Ok(())
}

const MIB: f64 = (1 << 20) as f64;

/// Bits per value of `tensors`' output bytes.
fn bpw<'a>(tensors: impl Iterator<Item = &'a TensorPlan>) -> f64 {
    let (bytes, values) = tensors.fold((0u64, 0u64), |(b, v), t| (b + t.out_bytes, v + t.elements()));
    bytes as f64 * 8.0 / values.max(1) as f64
}

/// The summary: sizes, bits per weight, tensors per output type, fallbacks, time.
fn report(args: &Args, dtype: GgmlDType, s: &Summary, secs: f64) -> String {
    let t = &s.plan.tensors;
    let mut out = format!(
        "{} -> {}: {:.2} MiB -> {:.2} MiB in {secs:.1} s\n",
        args.model.display(),
        args.out.display(),
        s.in_len as f64 / MIB,
        s.out_len as f64 / MIB
    );
    let values: u64 = t.iter().map(TensorPlan::elements).sum();
    out += &format!(
        "bits per weight: matrices {:.3}, file {:.3} ({} values)\n",
        bpw(t.iter().filter(|t| t.matrix)),
        s.out_len as f64 * 8.0 / values.max(1) as f64,
        values
    );
    if let Some(q) = s.plan.quantized_from {
        out += &format!("input: quantized ({q}), dequantized to f32 first; recorded as general.quantized_from\n");
    }
    let mut types: Vec<GgmlDType> = Vec::new();
    for p in t {
        if !types.contains(&p.to) {
            types.push(p.to);
        }
    }
    for ty in types {
        let of: Vec<&TensorPlan> = t.iter().filter(|p| p.to == ty).collect();
        let bytes: u64 = of.iter().map(|p| p.out_bytes).sum();
        let copied = of.iter().filter(|p| p.copied).count();
        let copied = if copied > 0 { format!(" ({copied} copied unchanged)") } else { String::new() };
        out += &format!("  {:<5} {:>4} tensors {:>10.2} MiB{copied}\n", ty.name(), of.len(), bytes as f64 / MIB);
    }
    let mut fallbacks: Vec<(GgmlDType, usize, usize)> = Vec::new();
    for p in t.iter().filter(|p| p.fallback) {
        let cols = p.shape.last().copied().unwrap_or(1);
        match fallbacks.iter_mut().find(|(ty, c, _)| *ty == p.to && *c == cols) {
            Some((_, _, n)) => *n += 1,
            None => fallbacks.push((p.to, cols, 1)),
        }
    }
    for (ty, cols, n) in &fallbacks {
        out += &format!(
            "fallback: {n} matrices with rows of {cols} (not whole {dtype} blocks of {}) written as {ty}\n",
            dtype.block_size()
        );
    }
    if fallbacks.iter().any(|(ty, _, _)| *ty == GgmlDType::Q4_0) && matches!(dtype, GgmlDType::Q2K | GgmlDType::Q3K) {
        out += "note: llama.cpp falls back to IQ4_NL here, which kaoshi cannot run; Q4_0 stands in\n";
    }
    if args.keep_output_type {
        out += "output projection kept in its input type (--keep-output-type)\n";
    }
    out
}
