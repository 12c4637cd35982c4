//! `kaoshi probe importance`: each neuron's importance |Σ_t a·∂L/∂a| per
//! language, summed per layer and component (FuxiTranyu, section 6.1;
//! kaoshi_probe::importance, importance_probe, importance_run,
//! importance_report). Gradients come from the CPU's gradient backend
//! (candle autograd on f32 weights), so `--backend` takes only cpu or auto.
//! With `--output DIR` every sentence is journaled as soon as it is scored
//! (`importance_journal.jsonl`, the options in its header line) and a
//! rerun with the same options resumes.

use std::path::PathBuf;
use std::time::Instant;

use kaoshi_cpu::GradBackend;
use kaoshi_cpu::grad::Precision;
use kaoshi_formats::GgufFile;
use kaoshi_harness::results::{Provenance, now_utc};
use kaoshi_model::Model;
use kaoshi_probe::data::ParallelCorpus;
use kaoshi_probe::importance_probe;
use kaoshi_probe::importance_run::RunState;
use kaoshi_runtime::BackendChoice;
use kaoshi_tokenizer::Tokenizer;

use super::probe::{emit, progress, usage};
use crate::error::CliError;

/// Options of `kaoshi probe importance`.
#[derive(clap::Args)]
pub struct ImportanceArgs {
    /// The GGUF model (its weights are dequantized to f32: 4 bytes a parameter).
    #[arg(long)]
    model: PathBuf,
    /// A parallel corpus: `<lang>.devtest` files, or a folder holding `devtest/` (FLORES-200).
    #[arg(long)]
    data: PathBuf,
    /// Languages, comma-separated, e.g. eng_Latn,zho_Hans.
    #[arg(long, value_delimiter = ',', required = true)]
    langs: Vec<String>,
    /// The first N sentences of each language.
    #[arg(long)]
    limit: Option<usize>,
    /// Where the model runs: cpu or auto (both the CPU; gradients exist only there).
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Print the result as one JSON document.
    #[arg(long)]
    json: bool,
    /// Journal, probe.json, report.md and the charts go here (a rerun resumes).
    #[arg(long)]
    output: Option<PathBuf>,
}

pub fn run(a: ImportanceArgs) -> Result<(), CliError> {
    if a.backend == BackendChoice::Gpu {
        return Err(CliError::Usage(
            "probe importance needs gradients, which only the CPU backend computes (candle autograd); \
             --backend gpu has none: use --backend cpu"
                .into(),
        ));
    }
    let corpus = ParallelCorpus::read(&a.data, &a.langs, a.limit).map_err(usage)?;
    let file = GgufFile::open(&a.model)?;
    let tokenizer = Tokenizer::from_gguf_metadata(file.metadata().as_map())?;
    let model = Model::load(&file, GradBackend::new(Precision::F32))?;
    let c = model.config();
    let model_sha256 = kaoshi_harness::sha256_file(&a.model)?;
    let options = serde_json::json!({
        "data": a.data, "langs": a.langs, "limit": a.limit, "sentences": corpus.len(),
        "model_sha256": model_sha256, "precision": "f32",
    });
    let mut state = match &a.output {
        Some(dir) => RunState::open(dir, &options, &a.langs, c.n_layers, c.ffn_dim).map_err(usage)?,
        None => RunState::in_memory(&a.langs, c.n_layers, c.ffn_dim),
    };
    if state.finished() > 0 {
        eprintln!("resuming: {} sentences already scored", state.finished());
    }
    let started = Instant::now();
    let (pb, mut tick) = progress("importance");
    let r = importance_probe::run(&model, &tokenizer, &corpus, &mut state, &mut tick).map_err(usage)?;
    pb.finish_and_clear();
    let prov = Provenance {
        model: a.model.display().to_string(),
        model_sha256,
        model_name: file.metadata().get_str("general.name").map(str::to_string),
        architecture: c.arch_name.clone(),
        parameters: c.n_params(),
        tokenizer: crate::provenance::tokenizer_name(&tokenizer),
        backend: "cpu (gradients: candle autograd, f32)".into(),
        kaoshi_version: env!("CARGO_PKG_VERSION").into(),
        seed: 0,
        date: now_utc(),
        steering: None,
    };
    let mut options = options;
    options["definition"] = serde_json::json!(
        "importance of neuron j on a sentence = |sum_t a[t][j] * dL/da[t][j]|, L = mean next-token NLL; \
         mean over sentences; summed over a component's neurons per layer; norm = ln1 + ln2"
    );
    emit(&r, options, prov, started, kaoshi_probe::importance_report::render(&r), a.json, a.output.as_deref())
}
