//! `kaoshi probe`: the probes of kaoshi-probe from the command line. This
//! file holds the multilingual ones (xling, lape, fertility) and what every
//! probe shares (`emit`, `progress`); `probe_steer` has concept, emotion,
//! affine and transplant, `probe_rsa` rsa, `probe_ifd` ifd and
//! `probe_importance` importance. Each prints
//! one JSON document with `--json`, writes `probe.json`, `report.md` and SVG
//! charts with `--output DIR`, and otherwise prints the Markdown report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use kaoshi_probe::data::ParallelCorpus;
use kaoshi_probe::lape::LapeParams;
use kaoshi_probe::report::{self, Rendered};
use kaoshi_probe::{fertility, lape, lape_probe, xling};
use kaoshi_runtime::{BackendChoice, with_model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::CliError;
use crate::load::load_model;
use crate::progress::bar;

/// The probes.
#[derive(clap::Subcommand)]
pub enum Probe {
    /// Cross-lingual representation similarity per layer (FuxiTranyu, section 6.2).
    Xling(XlingArgs),
    /// Language-specific neurons by activation-probability entropy (Tang et al., ACL 2024).
    Lape(LapeArgs),
    /// Tokenizer fertility and parity across languages (no weights needed).
    Fertility(FertilityArgs),
    /// Concept vectors from contrastive prompts, written as a llama.cpp control vector (ConTrans Eq. 1; repeng).
    Concept(super::probe_steer::ConceptArgs),
    /// ConTrans' emotion evaluation (token and logit accuracy), at several steering scales.
    Emotion(super::probe_steer::EmotionArgs),
    /// The least-squares map between two models' block outputs (ConTrans Eq. 2).
    Affine(super::probe_steer::AffineArgs),
    /// Carry a control vector through an affine map into another model's space.
    Transplant(super::probe_steer::TransplantArgs),
    /// Instruction-following difficulty and Star-Agents selection (Cherry-LLM; Zhou et al., NeurIPS 2024).
    Ifd(super::probe_ifd::IfdArgs),
    /// IRCAN: context-aware MLP neurons by integrated gradients (CPU), reweighted, against the baselines.
    Ircan(super::probe_ircan::IrcanArgs),
    /// Representational similarity analysis against brain/behaviour RDMs or another model (Ren et al., COLING 2025).
    Rsa(super::probe_rsa::RsaArgs),
    /// Neuron importance |Σ a·∂L/∂a| per language, layer and component, on the CPU (FuxiTranyu, section 6.1).
    Importance(super::probe_importance::ImportanceArgs),
}

/// What every probe on a model takes.
#[derive(clap::Args)]
pub struct Common {
    /// The GGUF model.
    #[arg(long)]
    model: PathBuf,
    /// A parallel corpus: `<lang>.devtest` files, or a folder holding `devtest/` (FLORES-200).
    #[arg(long)]
    data: PathBuf,
    /// Languages, comma-separated (file names without extension), e.g. eng_Latn,zho_Hans.
    #[arg(long, value_delimiter = ',', required = true)]
    langs: Vec<String>,
    /// The first N sentences of each language.
    #[arg(long)]
    limit: Option<usize>,
    /// Where the model runs: cpu, gpu or auto.
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Most rows of one forward pass (several sentences run as one pass).
    #[arg(long, default_value_t = 256)]
    max_rows: usize,
    /// Print the result as one JSON document.
    #[arg(long)]
    json: bool,
    /// Write probe.json, report.md and the charts into this folder.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Options of `kaoshi probe xling`.
#[derive(clap::Args)]
pub struct XlingArgs {
    #[command(flatten)]
    common: Common,
    /// A sentence's representation: its last token (the paper's) or the mean over its tokens.
    #[arg(long, default_value = "last")]
    pool: String,
    /// The layer of the heat map, as the charts name it: `emb` (the embedding output) or a block
    /// number (default the middle block).
    #[arg(long)]
    heatmap_layer: Option<String>,
}

/// Options of `kaoshi probe lape`.
#[derive(clap::Args)]
pub struct LapeArgs {
    #[command(flatten)]
    common: Common,
    /// Count whole sentences until at least N tokens per language (default: all of --limit).
    #[arg(long)]
    max_tokens: Option<u64>,
    /// Fraction of all neurons kept, lowest entropy first.
    #[arg(long, default_value_t = 0.01)]
    top_rate: f64,
    /// Quantile of all activation probabilities a neuron must exceed in some language.
    #[arg(long, default_value_t = 0.95)]
    filter_rate: f64,
    /// Quantile above which a kept neuron belongs to a language.
    #[arg(long, default_value_t = 0.95)]
    bar: f64,
    /// Held-out parallel corpus for the ablation (default: the sentences after --limit in --data).
    #[arg(long)]
    eval_data: Option<PathBuf>,
    /// Held-out sentences per language for the ablation (0: no ablation).
    #[arg(long, default_value_t = 20)]
    eval_limit: usize,
}

/// Options of `kaoshi probe fertility`.
#[derive(clap::Args)]
pub struct FertilityArgs {
    /// A GGUF model (its vocabulary), a tokenizer.json or a tiktoken file.
    #[arg(long)]
    model: PathBuf,
    /// Pre-tokenizer of a tiktoken file (qwen2 or llama3).
    #[arg(long)]
    pre: Option<String>,
    /// A parallel corpus (as for xling).
    #[arg(long)]
    data: PathBuf,
    /// Languages, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    langs: Vec<String>,
    /// Parity is measured against this language (read even when not in --langs).
    #[arg(long, default_value = "eng_Latn")]
    parity_ref: String,
    /// The first N sentences of each language.
    #[arg(long)]
    limit: Option<usize>,
    /// Print the result as one JSON document.
    #[arg(long)]
    json: bool,
    /// Write probe.json, report.md and the chart into this folder.
    #[arg(long)]
    output: Option<PathBuf>,
}

pub fn run(probe: Probe) -> Result<(), CliError> {
    match probe {
        Probe::Xling(a) => run_xling(a),
        Probe::Lape(a) => run_lape(a),
        Probe::Fertility(a) => run_fertility(a),
        Probe::Concept(a) => super::probe_steer::run_concept(a),
        Probe::Emotion(a) => super::probe_steer::run_emotion(a),
        Probe::Affine(a) => super::probe_steer::run_affine(a),
        Probe::Transplant(a) => super::probe_steer::run_transplant(a),
        Probe::Ifd(a) => super::probe_ifd::run(a),
        Probe::Ircan(a) => super::probe_ircan::run(a),
        Probe::Rsa(a) => super::probe_rsa::run(a),
        Probe::Importance(a) => super::probe_importance::run(a),
    }
}

pub(super) fn usage(e: kaoshi_probe::ProbeError) -> CliError {
    CliError::Probe(e)
}

/// A progress callback over a bar labelled `what`.
pub(crate) fn progress(what: &str) -> (indicatif::ProgressBar, impl FnMut(usize, usize)) {
    let pb = bar(0, what);
    let p = pb.clone();
    (pb, move |done: usize, total: usize| {
        p.set_length(total as u64);
        p.set_position(done as u64);
    })
}

fn run_xling(a: XlingArgs) -> Result<(), CliError> {
    let c = &a.common;
    let pool: xling::Pool = a.pool.parse().map_err(usage)?;
    let corpus = ParallelCorpus::read(&c.data, &c.langs, c.limit).map_err(usage)?;
    let loaded = load_model(&c.model, c.backend)?;
    let blocks = with_model!(&loaded.model, |m| m.config().n_layers);
    // Index into the report's layers: emb, then blocks 0..blocks.
    let layer = match a.heatmap_layer.as_deref().map(str::trim) {
        None => blocks.div_ceil(2),
        Some("emb") => 0,
        Some(name) => match name.parse::<usize>() {
            Ok(b) if b < blocks => b + 1,
            _ => {
                return Err(CliError::Usage(format!(
                    "--heatmap-layer {name}: expected emb or a block number 0..{}",
                    blocks.saturating_sub(1)
                )));
            }
        },
    };
    let started = Instant::now();
    let (pb, mut tick) = progress("xling");
    let r = with_model!(&loaded.model, |m| xling::run(m, &loaded.tokenizer, &corpus, pool, c.max_rows, &mut tick))
        .map_err(usage)?;
    pb.finish_and_clear();
    let options =
        serde_json::json!({ "data": c.data, "langs": c.langs, "limit": c.limit, "pool": pool, "max_rows": c.max_rows });
    let prov = crate::provenance::of_model(&c.model, &loaded)?;
    emit(&r, options, prov, started, report::xling(&r, layer), c.json, c.output.as_deref())
}

fn run_lape(a: LapeArgs) -> Result<(), CliError> {
    let c = &a.common;
    let params = LapeParams { top_rate: a.top_rate, filter_rate: a.filter_rate, bar: a.bar };
    for (name, v) in [("--top-rate", a.top_rate), ("--filter-rate", a.filter_rate), ("--bar", a.bar)] {
        if !(0.0..=1.0).contains(&v) {
            return Err(CliError::Usage(format!("{name} {v}: expected a fraction between 0 and 1")));
        }
    }
    let corpus = ParallelCorpus::read(&c.data, &c.langs, c.limit).map_err(usage)?;
    let eval = held_out(&a, corpus.len())?;
    let loaded = load_model(&c.model, c.backend)?;
    let started = Instant::now();
    let (pb, mut tick) = progress("counting");
    let (counts, counted) = with_model!(&loaded.model, |m| {
        lape_probe::count(m, &loaded.tokenizer, &corpus, a.max_tokens, c.max_rows, &mut tick)
    })
    .map_err(usage)?;
    pb.finish_and_clear();
    let selection = lape::select(&counts, &params);
    let ablation = match &eval {
        Some(eval) => {
            let (pb, mut tick) = progress("ablation");
            let ab = with_model!(&loaded.model, |m| {
                lape_probe::ablate(m, &loaded.tokenizer, eval, &selection, c.max_rows, &mut tick)
            })
            .map_err(usage)?;
            pb.finish_and_clear();
            Some(ab)
        }
        None => None,
    };
    let r = lape_probe::LapeReport {
        probe: "lape",
        languages: corpus.langs.clone(),
        params,
        n_sentences_counted: counted,
        tokens_counted: corpus.langs.iter().cloned().zip(counts.tokens.iter().copied()).collect(),
        selection,
        ablation,
    };
    let options = serde_json::json!({
        "data": c.data, "langs": c.langs, "limit": c.limit, "max_tokens": a.max_tokens, "max_rows": c.max_rows,
        "eval_data": a.eval_data, "eval_limit": a.eval_limit,
    });
    let prov = crate::provenance::of_model(&c.model, &loaded)?;
    emit(&r, options, prov, started, report::lape(&r), c.json, c.output.as_deref())
}

/// The ablation's held-out sentences: `--eval-data`, else those after the
/// counted ones in `--data`; `None` with `--eval-limit 0`.
fn held_out(a: &LapeArgs, counted: usize) -> Result<Option<ParallelCorpus>, CliError> {
    let c = &a.common;
    if a.eval_limit == 0 {
        return Ok(None);
    }
    if let Some(dir) = &a.eval_data {
        return Ok(Some(ParallelCorpus::read(dir, &c.langs, Some(a.eval_limit)).map_err(usage)?));
    }
    let mut all = ParallelCorpus::read(&c.data, &c.langs, Some(counted + a.eval_limit)).map_err(usage)?;
    if all.len() <= counted {
        return Err(CliError::Usage(format!(
            "no held-out sentences: {} has {} lines per language and --limit counts {counted}; lower --limit, \
             give --eval-data, or --eval-limit 0",
            c.data.display(),
            all.len()
        )));
    }
    for s in &mut all.sentences {
        s.drain(..counted);
    }
    Ok(Some(all))
}

fn run_fertility(a: FertilityArgs) -> Result<(), CliError> {
    let tok = Tokenizer::from_path(&a.model, a.pre.as_deref())?;
    let mut langs = a.langs.clone();
    let reference = match langs.iter().position(|l| *l == a.parity_ref) {
        Some(i) => i,
        None => {
            langs.push(a.parity_ref.clone());
            langs.len() - 1
        }
    };
    let corpus = ParallelCorpus::read(&a.data, &langs, a.limit).map_err(usage)?;
    let started = Instant::now();
    let mut r = fertility::run(&tok, &corpus, reference).map_err(usage)?;
    r.languages.retain(|s| a.langs.contains(&s.lang));
    let prov = serde_json::json!({
        "tokenizer_file": a.model.display().to_string(),
        "tokenizer_sha256": kaoshi_harness::sha256_file(&a.model)?,
        "tokenizer": crate::provenance::tokenizer_name(&tok),
        "kaoshi_version": env!("CARGO_PKG_VERSION"),
        "date": kaoshi_harness::results::now_utc(),
    });
    let options = serde_json::json!({ "data": a.data, "langs": a.langs, "parity_ref": a.parity_ref, "limit": a.limit });
    emit(&r, options, prov, started, report::fertility(&r), a.json, a.output.as_deref())
}

/// Prints or writes a probe's result: the report's fields with the
/// options, provenance and time added.
pub(crate) fn emit(
    result: &impl Serialize,
    options: serde_json::Value,
    provenance: impl Serialize,
    started: Instant,
    rendered: Rendered,
    json: bool,
    output: Option<&Path>,
) -> Result<(), CliError> {
    let mut doc = serde_json::to_value(result).map_err(|e| CliError::Usage(e.to_string()))?;
    if let Some(map) = doc.as_object_mut() {
        map.insert("options".into(), options);
        map.insert("provenance".into(), serde_json::to_value(provenance).map_err(|e| CliError::Usage(e.to_string()))?);
        map.insert("seconds".into(), serde_json::json!(started.elapsed().as_secs_f64()));
    }
    let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Usage(e.to_string()))?;
    if let Some(dir) = output {
        std::fs::create_dir_all(dir).map_err(CliError::io(dir))?;
        let write = |name: &str, body: &str| {
            let path = dir.join(name);
            std::fs::write(&path, body).map_err(CliError::io(path))
        };
        write("probe.json", &text)?;
        write("report.md", &rendered.markdown)?;
        for (name, svg) in &rendered.charts {
            write(name, svg)?;
        }
        eprintln!("wrote {}", dir.join("probe.json").display());
    }
    if json {
        println!("{text}");
    } else if output.is_none() {
        print!("{}", rendered.markdown);
    }
    Ok(())
}
