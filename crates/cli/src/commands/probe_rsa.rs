//! `kaoshi probe rsa`: representational similarity analysis of a model's
//! layers against a brain or behaviour RDM (`--target-rdm`, CSV or `.npy`)
//! or against another model's layers (`--target-model`), over stimuli
//! given one per line ([`kaoshi_probe::rsa_probe`]). Besides what every
//! probe writes (`probe.json`, `report.md`, charts), `--output DIR` gets
//! the model's RDMs as one f32 `.npy`, `rdms.npy` of shape
//! `[layers, n, n]` (and the target model's as `target_rdms.npy`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use kaoshi_probe::rsa::read_target;
use kaoshi_probe::rsa_probe::{self, ModelRdms, RsaOptions};
use kaoshi_probe::tensor_file::{Array, ArrayData, npy};
use kaoshi_probe::{report, rsa, xling};
use kaoshi_runtime::{BackendChoice, with_model};

use super::probe::{emit, progress, usage};
use crate::error::CliError;
use crate::load::load_model;

/// Options of `kaoshi probe rsa`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["target_rdm", "target_model"])))]
pub struct RsaArgs {
    /// The GGUF model.
    #[arg(long)]
    model: PathBuf,
    /// The stimuli, one per line (line i is row and column i of the target).
    #[arg(long)]
    stimuli: PathBuf,
    /// The target dissimilarity matrix, n x n: CSV (an optional header row) or .npy (f32/f64, 2-D).
    #[arg(long)]
    target_rdm: Option<PathBuf>,
    /// Another GGUF model: compare every layer with each of its layers.
    #[arg(long)]
    target_model: Option<PathBuf>,
    /// A stimulus's embedding: the mean over its own tokens or its last token.
    #[arg(long, default_value = "mean")]
    pool: String,
    /// Distance between embeddings: correlation (1 - Pearson), cosine (1 - cosine), euclidean, spearman.
    #[arg(long, default_value = "correlation")]
    distance: String,
    /// Comparison of RDMs: spearman, pearson or kendall (tau-b).
    #[arg(long, default_value = "spearman")]
    compare: String,
    /// Permutations of the stimulus labels for the p-value (0: none).
    #[arg(long, default_value_t = 10_000)]
    permutations: usize,
    /// Bootstrap resamples of the stimuli for the 95 % interval (0: none).
    #[arg(long, default_value_t = 1_000)]
    bootstrap: usize,
    /// Text put before every stimulus (an instruction or noise), left out of the pooling.
    #[arg(long)]
    prefix: Option<String>,
    /// Seed of the permutations and resamples.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where the models run: cpu, gpu or auto.
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Most rows of one forward pass (several stimuli run as one pass).
    #[arg(long, default_value_t = 256)]
    max_rows: usize,
    /// Print the result as one JSON document.
    #[arg(long)]
    json: bool,
    /// Write probe.json, report.md, the charts and the RDMs (rdms.npy) into this folder.
    #[arg(long)]
    output: Option<PathBuf>,
}

pub fn run(a: RsaArgs) -> Result<(), CliError> {
    let o = RsaOptions {
        pool: a.pool.parse::<xling::Pool>().map_err(usage)?,
        distance: a.distance.parse::<rsa::Distance>().map_err(usage)?,
        compare: a.compare.parse::<rsa::Compare>().map_err(usage)?,
        permutations: a.permutations,
        bootstrap: a.bootstrap,
        seed: a.seed,
        prefix: a.prefix.clone(),
    };
    let stimuli = rsa_probe::read_stimuli(&a.stimuli).map_err(usage)?;
    // Read and check a target file before any model loads.
    let target = match &a.target_rdm {
        Some(path) => {
            let m = read_target(path).map_err(usage)?;
            rsa::check_target(&m, stimuli.len(), &path.display().to_string()).map_err(usage)?;
            Some(m)
        }
        None => None,
    };
    let started = Instant::now();
    let (mine, mut prov) = rdms_of(&a.model, &a, &stimuli, &o, "model")?;
    prov.seed = o.seed;
    let mut prov = serde_json::to_value(prov).map_err(|e| CliError::Usage(e.to_string()))?;
    let (r, theirs) = match (&target, &a.target_model) {
        (Some(t), _) => {
            let name = a.target_rdm.as_deref().unwrap_or(Path::new("")).display().to_string();
            (rsa_probe::against_target(&mine, t, &name, &o).map_err(usage)?, None)
        }
        (None, Some(path)) => {
            let (theirs, target_prov) = rdms_of(path, &a, &stimuli, &o, "target")?;
            prov["target_model"] = serde_json::to_value(target_prov).map_err(|e| CliError::Usage(e.to_string()))?;
            (rsa_probe::against_model(&mine, &theirs, &o), Some(theirs))
        }
        (None, None) => return Err(CliError::Usage("give --target-rdm or --target-model".into())),
    };
    if let Some(dir) = &a.output {
        std::fs::create_dir_all(dir).map_err(CliError::io(dir))?;
        write_rdms(&dir.join("rdms.npy"), &mine)?;
        if let Some(t) = &theirs {
            write_rdms(&dir.join("target_rdms.npy"), t)?;
        }
    }
    let options = serde_json::json!({
        "stimuli": a.stimuli, "target_rdm": a.target_rdm, "target_model": a.target_model,
        "pool": o.pool, "distance": o.distance, "compare": o.compare, "permutations": o.permutations,
        "bootstrap": o.bootstrap, "seed": o.seed, "prefix": o.prefix, "max_rows": a.max_rows,
        "p": "two-sided", "ci": "bootstrap percentile 2.5-97.5", "rdms": "rdms.npy, f32 [layers, n, n]",
    });
    emit(&r, options, prov, started, report::rsa(&r), a.json, a.output.as_deref())
}

/// Loads the model at `path` and computes its RDMs (the model is dropped
/// after, so two models are never loaded at once).
fn rdms_of(
    path: &Path,
    a: &RsaArgs,
    stimuli: &[String],
    o: &RsaOptions,
    what: &str,
) -> Result<(ModelRdms, kaoshi_harness::results::Provenance), CliError> {
    let loaded = load_model(path, a.backend)?;
    let (pb, mut tick) = progress(what);
    let r = with_model!(&loaded.model, |m| {
        rsa_probe::model_rdms(m, &loaded.tokenizer, stimuli, o, a.max_rows, &mut tick)
    })
    .map_err(usage)?;
    pb.finish_and_clear();
    Ok((r, crate::provenance::of_model(path, &loaded)?))
}

/// `rdms.npy`: f32 `[layers, n, n]`.
fn write_rdms(path: &Path, r: &ModelRdms) -> Result<(), CliError> {
    let n = r.rdms.first().map_or(0, Vec::len);
    let data: Vec<f32> = r.rdms.iter().flatten().flatten().map(|&v| v as f32).collect();
    let a = Array { name: "rdms".into(), shape: vec![r.rdms.len(), n, n], data: ArrayData::F32(data) };
    std::fs::write(path, npy(&a)).map_err(CliError::io(path))
}
