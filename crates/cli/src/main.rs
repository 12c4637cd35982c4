//! `kaoshi`: the command-line front end.
//!
//! Every command that runs a model loads it through [`load`], prints results
//! to stdout (one JSON document or JSON line per result with `--json`) and
//! progress to stderr, and exits non-zero with one line `error: ...` when
//! anything fails.

mod commands;
mod error;
mod fetch;
mod load;
mod progress;
mod provenance;
mod steer;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;

/// kaoshi: evaluate quantized LLMs (GGUF) where you are.
#[derive(Parser)]
#[command(name = "kaoshi", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show a model's architecture, size, tensor types and tokenizer.
    Info(commands::info::Args),
    /// Turn text into token ids.
    Tokenize(commands::tokenize::Args),
    /// Generate text, streamed to stdout.
    Generate(commands::generate::Args),
    /// Log-probabilities of continuations after a context.
    Score(commands::score::Args),
    /// Rolling-window perplexity of a text file.
    Ppl(commands::ppl::Args),
    /// Write a model of a real architecture with seeded random weights.
    Synth(commands::synth::Args),
    /// Rewrite a model's weights in another type (F32, F16, Q8_0, Q6_K .. Q2_K), keeping its metadata.
    Quantize(commands::quantize::Args),
    /// Measure prefill and decode speed.
    Bench(commands::bench::Args),
    /// Run benchmark suites and write results.json, samples and a report.
    Eval(commands::eval::Args),
    /// Check results.json files (from `eval` or the web site) and compare their scores.
    Report(commands::report::Args),
    /// Look inside a model: across languages (xling, lape, fertility), along concepts (concept, emotion,
    /// affine, transplant), against brain data (rsa), over instruction data (ifd).
    #[command(subcommand)]
    Probe(commands::probe::Probe),
    /// Write the activations of named hook points as safetensors or .npz.
    Activations(commands::activations::Args),
    /// Compare quantized variants with a reference: KL divergence, perplexity, suites, speed; report.md.
    QuantStudy(commands::quant_study::Args),
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Info(a) => commands::info::run(a),
        Command::Tokenize(a) => commands::tokenize::run(a),
        Command::Generate(a) => commands::generate::run(a),
        Command::Score(a) => commands::score::run(a),
        Command::Ppl(a) => commands::ppl::run(a),
        Command::Synth(a) => commands::synth::run(a),
        Command::Quantize(a) => commands::quantize::run(a),
        Command::Bench(a) => commands::bench::run(a),
        Command::Eval(a) => commands::eval::run(a),
        Command::Report(a) => commands::report::run(a),
        Command::Probe(p) => commands::probe::run(p),
        Command::Activations(a) => commands::activations::run(a),
        Command::QuantStudy(a) => commands::quant_study::run(a),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
