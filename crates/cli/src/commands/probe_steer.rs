//! `kaoshi probe concept | emotion | affine | transplant`: concept vectors
//! as llama.cpp control vectors, ConTrans' emotion evaluation under
//! steering, and carrying a vector from one model to another.

use std::path::{Path, PathBuf};
use std::time::Instant;

use kaoshi_formats::GgufFile;
use kaoshi_probe::affine::Regularization;
use kaoshi_probe::affine_probe::{self, AffineMap};
use kaoshi_probe::concept::Method;
use kaoshi_probe::prompts::{self, Side};
use kaoshi_probe::{concept_probe, emotion, steer_report};
use kaoshi_runtime::{BackendChoice, with_model};

use crate::commands::probe::{emit, progress};
use crate::error::CliError;
use crate::load::load_model;
use crate::steer::{parse_layers, parse_spec, read_vector};

/// Options of `kaoshi probe concept`.
#[derive(clap::Args)]
pub struct ConceptArgs {
    /// The GGUF model.
    #[arg(long)]
    model: PathBuf,
    /// Positive prompts: a text file (one per line), a JSON list, or a ConTrans {"pos": [...], "neg": [...]}
    /// file (its "pos" list).
    #[arg(long)]
    pos: PathBuf,
    /// Negative prompts, as --pos (a {"pos", "neg"} file gives its "neg" list). Default: --pos when it is
    /// such a file.
    #[arg(long)]
    neg: Option<PathBuf>,
    /// mean (ConTrans Eq. 1, mean of differences) or pca (repeng pca_diff: first principal component of
    /// the recentred differences, unit length).
    #[arg(long, default_value = "mean")]
    method: String,
    /// Blocks to make vectors for, inclusive (default 1 to the last: llama.cpp refuses direction.0).
    #[arg(long)]
    layers: Option<String>,
    /// The first N pairs.
    #[arg(long)]
    limit: Option<usize>,
    /// The control vector file to write (GGUF, loadable by llama.cpp --control-vector and repeng).
    #[arg(long)]
    out: PathBuf,
    /// Where the model runs: cpu, gpu or auto.
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Most rows of one forward pass.
    #[arg(long, default_value_t = 1024)]
    max_rows: usize,
    /// Print the result as one JSON document.
    #[arg(long)]
    json: bool,
    /// Write probe.json, report.md and the chart into this folder.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Options of `kaoshi probe emotion`.
#[derive(clap::Args)]
pub struct EmotionArgs {
    /// The GGUF model.
    #[arg(long)]
    model: PathBuf,
    /// The ConTrans emotions folder (holding eval_<concept>.json) or one such file.
    #[arg(long)]
    data: PathBuf,
    /// happiness, sadness, anger, fear, disgust or surprise.
    #[arg(long)]
    concept: String,
    /// A control vector with an optional base scale (V.gguf or V.gguf:S); each of --scales multiplies it.
    #[arg(long = "control-vector", value_name = "FILE[:SCALE]")]
    control_vector: Option<String>,
    /// Steer only these blocks, inclusive (default: every block the vector holds).
    #[arg(long = "control-layers", value_name = "A-B")]
    control_layers: Option<String>,
    /// Scales evaluated in one run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
    scales: Vec<f32>,
    /// The first N prompts of each list.
    #[arg(long)]
    limit: Option<usize>,
    /// Where the model runs: cpu, gpu or auto.
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Most rows of one forward pass.
    #[arg(long, default_value_t = 1024)]
    max_rows: usize,
    /// Print the result as one JSON document.
    #[arg(long)]
    json: bool,
    /// Write probe.json, report.md and the chart into this folder.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Options of `kaoshi probe affine`.
#[derive(clap::Args)]
pub struct AffineArgs {
    /// The source model (whose vectors are carried over).
    #[arg(long)]
    source: PathBuf,
    /// The target model.
    #[arg(long)]
    target: PathBuf,
    /// Shared inputs, one per line (ConTrans: wiki_split_input.txt).
    #[arg(long)]
    data: PathBuf,
    /// The source model's block.
    #[arg(long)]
    source_layer: usize,
    /// The target model's block.
    #[arg(long)]
    target_layer: usize,
    /// Ridge penalty on ||W||^2 (stabilizes the solve when inputs are fewer than dimensions).
    #[arg(long, conflicts_with = "rank")]
    ridge: Option<f64>,
    /// Keep only this many singular values.
    #[arg(long)]
    rank: Option<usize>,
    /// The first N inputs.
    #[arg(long)]
    limit: Option<usize>,
    /// The map file to write (GGUF), for `kaoshi probe transplant --affine`.
    #[arg(long)]
    out: PathBuf,
    /// Where the models run: cpu, gpu or auto.
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Most rows of one forward pass.
    #[arg(long, default_value_t = 1024)]
    max_rows: usize,
    /// Print the result as one JSON document.
    #[arg(long)]
    json: bool,
    /// Write probe.json and report.md into this folder.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Options of `kaoshi probe transplant`.
#[derive(clap::Args)]
pub struct TransplantArgs {
    /// The source model's control vector.
    #[arg(long)]
    vector: PathBuf,
    /// The map from `kaoshi probe affine`.
    #[arg(long)]
    affine: PathBuf,
    /// The target model's control vector to write.
    #[arg(long)]
    out: PathBuf,
}

fn probe_err(e: kaoshi_probe::ProbeError) -> CliError {
    CliError::Probe(e)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(CliError::io(dir))?;
    }
    std::fs::write(path, bytes).map_err(CliError::io(path))
}

pub fn run_concept(a: ConceptArgs) -> Result<(), CliError> {
    let method: Method = a.method.parse().map_err(probe_err)?;
    let neg_path = match &a.neg {
        Some(p) => p.clone(),
        None if prompts::is_pair_file(&a.pos) => a.pos.clone(),
        None => return Err(CliError::Usage("give --neg (or a {\"pos\", \"neg\"} file as --pos)".into())),
    };
    let mut pos = prompts::read(&a.pos, Side::Pos).map_err(probe_err)?;
    let mut neg = prompts::read(&neg_path, Side::Neg).map_err(probe_err)?;
    if let Some(n) = a.limit {
        pos.truncate(n);
        neg.truncate(n);
    }
    let range = a.layers.as_deref().map(parse_layers).transpose()?;
    if range.as_ref().is_some_and(|r| *r.start() == 0) {
        return Err(CliError::Usage(
            "--layers: block 0 cannot be written (llama.cpp refuses a control vector holding direction.0); start at 1"
                .into(),
        ));
    }
    let loaded = load_model(&a.model, a.backend)?;
    let n_layers = loaded.model.config().n_layers;
    let range = range.unwrap_or(1..=n_layers.saturating_sub(1));
    if *range.end() >= n_layers || range.is_empty() {
        return Err(CliError::Usage(format!("--layers: the model has blocks 0..{}", n_layers - 1)));
    }
    let blocks: Vec<usize> = range.collect();
    let started = Instant::now();
    let (pb, mut tick) = progress("concept");
    let (report, cv) = with_model!(&loaded.model, |m| {
        concept_probe::run(m, &loaded.tokenizer, &pos, &neg, method, &blocks, a.max_rows, &mut tick)
    })
    .map_err(probe_err)?;
    pb.finish_and_clear();
    write_file(&a.out, &cv.to_gguf()?)?;
    eprintln!("wrote {}", a.out.display());
    let options = serde_json::json!({
        "pos": a.pos, "neg": neg_path, "method": method, "layers": blocks, "limit": a.limit, "out": a.out,
        "max_rows": a.max_rows,
    });
    let prov = crate::provenance::of_model(&a.model, &loaded)?;
    emit(&report, options, prov, started, steer_report::concept(&report), a.json, a.output.as_deref())
}

pub fn run_emotion(a: EmotionArgs) -> Result<(), CliError> {
    if !emotion::EMOTIONS.contains(&a.concept.as_str()) {
        return Err(CliError::Usage(format!(
            "--concept {}: expected one of {}",
            a.concept,
            emotion::EMOTIONS.join(", ")
        )));
    }
    let file = if a.data.is_dir() { a.data.join(format!("eval_{}.json", a.concept)) } else { a.data.clone() };
    let mut pos = prompts::read(&file, Side::Pos).map_err(probe_err)?;
    let mut neg = prompts::read(&file, Side::Neg).map_err(probe_err)?;
    if let Some(n) = a.limit {
        pos.truncate(n);
        neg.truncate(n);
    }
    if a.control_layers.is_some() && a.control_vector.is_none() {
        return Err(CliError::Usage("--control-layers needs a --control-vector".into()));
    }
    let layers = a.control_layers.as_deref().map(parse_layers).transpose()?;
    let vector = match &a.control_vector {
        Some(spec) => {
            let (path, base) = parse_spec(spec)?;
            let mut cv = read_vector(&path)?;
            cv.directions.values_mut().for_each(|d| d.iter_mut().for_each(|x| *x *= base));
            Some((path, base, cv))
        }
        None => None,
    };
    if a.scales.iter().any(|s| !s.is_finite()) || a.scales.is_empty() {
        return Err(CliError::Usage("--scales: give finite numbers, e.g. 0,1,2".into()));
    }
    let loaded = load_model(&a.model, a.backend)?;
    let started = Instant::now();
    let (pb, mut tick) = progress("emotion");
    let steer = vector.as_ref().map(|(_, _, cv)| (cv, layers.clone()));
    let report = with_model!(&loaded.model, |m| {
        emotion::run(m, &loaded.tokenizer, &pos, &neg, &a.concept, steer, &a.scales, a.max_rows, &mut tick)
    })
    .map_err(probe_err)?;
    pb.finish_and_clear();
    let (vector_file, vector_sha, base) = match &vector {
        Some((p, base, _)) => (Some(p.clone()), Some(kaoshi_harness::sha256_file(p)?), Some(*base)),
        None => (None, None, None),
    };
    let options = serde_json::json!({
        "data": file, "concept": a.concept, "control_vector": vector_file, "control_vector_sha256": vector_sha,
        "base_scale": base, "control_layers": a.control_layers, "scales": a.scales, "limit": a.limit,
        "max_rows": a.max_rows,
    });
    let prov = crate::provenance::of_model(&a.model, &loaded)?;
    emit(&report, options, prov, started, steer_report::emotion(&report), a.json, a.output.as_deref())
}

pub fn run_affine(a: AffineArgs) -> Result<(), CliError> {
    let reg = match (a.ridge, a.rank) {
        (Some(l), _) if !(l.is_finite() && l > 0.0) => {
            return Err(CliError::Usage(format!("--ridge {l}: expected a positive number")));
        }
        (Some(l), _) => Regularization::Ridge(l),
        (None, Some(0)) => return Err(CliError::Usage("--rank 0 keeps nothing".into())),
        (None, Some(r)) => Regularization::Rank(r),
        (None, None) => Regularization::None,
    };
    let mut inputs = prompts::read(&a.data, Side::Pos).map_err(probe_err)?;
    if let Some(n) = a.limit {
        inputs.truncate(n);
    }
    let started = Instant::now();
    // One model file for both sides (a map between two of its blocks):
    // loaded once, both blocks read in one pass.
    let same = a.source == a.target;
    let one_block = [a.source_layer];
    let both_blocks = [a.source_layer, a.target_layer];
    let sides: &[(&PathBuf, &[usize], &str)] = if same && a.source_layer == a.target_layer {
        &[(&a.source, &one_block, "source")]
    } else if same {
        &[(&a.source, &both_blocks, "source")]
    } else {
        &[(&a.source, &[a.source_layer], "source"), (&a.target, &[a.target_layer], "target")]
    };
    let mut states: Vec<Vec<Vec<f64>>> = Vec::new();
    let mut hints = Vec::new();
    let mut provs = Vec::new();
    for &(path, layers, what) in sides {
        let loaded = load_model(path, a.backend)?;
        let n_layers = loaded.model.config().n_layers;
        for (&layer, flag) in layers.iter().zip(["source", "target"]) {
            if layer >= n_layers {
                let flag = if same { flag } else { what };
                return Err(CliError::Usage(format!(
                    "--{flag}-layer {layer}: {} has blocks 0..{}",
                    path.display(),
                    n_layers - 1
                )));
            }
        }
        let (pb, mut tick) = progress(what);
        let s = with_model!(&loaded.model, |m| {
            concept_probe::last_token_states(m, &loaded.tokenizer, &inputs, layers, a.max_rows, &mut tick)
        })
        .map_err(probe_err)?;
        pb.finish_and_clear();
        for k in 0..layers.len() {
            states.push(s.iter().map(|per| per[k].clone()).collect());
            hints.push(loaded.model.config().arch_name.clone());
            provs.push(crate::provenance::of_model(path, &loaded)?);
        }
    }
    if states.len() == 1 {
        states.push(states[0].clone());
        hints.push(hints[0].clone());
        provs.push(provs[0].clone());
    }
    let (report, map) = affine_probe::fit(
        &states[0],
        &states[1],
        reg,
        (a.source_layer, a.target_layer),
        (hints[0].clone(), hints[1].clone()),
    )
    .map_err(probe_err)?;
    write_file(&a.out, &map.to_gguf().map_err(probe_err)?)?;
    eprintln!("wrote {}", a.out.display());
    let options = serde_json::json!({
        "data": a.data, "limit": a.limit, "source_layer": a.source_layer, "target_layer": a.target_layer,
        "ridge": a.ridge, "rank": a.rank, "out": a.out,
    });
    let prov = serde_json::json!({ "source": provs[0], "target": provs[1] });
    emit(&report, options, prov, started, steer_report::affine(&report), a.json, a.output.as_deref())
}

pub fn run_transplant(a: TransplantArgs) -> Result<(), CliError> {
    let v = read_vector(&a.vector)?;
    let file = GgufFile::open(&a.affine)?;
    let map = AffineMap::from_gguf(&file, &a.affine.display().to_string()).map_err(probe_err)?;
    let out = map.transplant(&v).map_err(probe_err)?;
    write_file(&a.out, &out.to_gguf()?)?;
    eprintln!(
        "wrote {}: direction.{} (the source's direction.{} through the map)",
        a.out.display(),
        map.target_layer,
        map.source_layer
    );
    Ok(())
}
