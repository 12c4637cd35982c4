//! `kaoshi activations`: the named hook points' activations for each text,
//! written as safetensors or numpy `.npz` for analysis in Python (the
//! layout is `kaoshi_probe::activations`'s).

use std::collections::BTreeMap;
use std::path::PathBuf;

use kaoshi_probe::activations::{Positions, capture, parse_hooks};
use kaoshi_probe::tensor_file::{self, Format};
use kaoshi_runtime::{BackendChoice, with_model};

use crate::error::CliError;
use crate::load::load_model;
use crate::progress::bar;

/// Options of `kaoshi activations`.
#[derive(clap::Args)]
pub struct Args {
    /// The GGUF model.
    #[arg(long)]
    model: PathBuf,
    /// One text.
    #[arg(long, conflicts_with_all = ["file", "requests"])]
    text: Option<String>,
    /// A text file, one text per non-empty line.
    #[arg(long, conflicts_with = "requests")]
    file: Option<PathBuf>,
    /// A JSON-lines file of {"text": ...} objects.
    #[arg(long)]
    requests: Option<PathBuf>,
    /// Hook points, comma-separated; `*` for every block (e.g. blocks.*.hook_resid_post,blocks.3.mlp.hook_post).
    #[arg(long)]
    hooks: String,
    /// Positions of each text: all, last, or a list like 0,5,-1 (negative: from the end).
    #[arg(long, default_value = "all")]
    positions: String,
    /// Prepend BOS when the tokenizer adds one.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    bos: bool,
    /// The output file: .safetensors or .npz.
    #[arg(long)]
    out: PathBuf,
    /// Where the model runs: cpu, gpu or auto.
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Print the arrays' names and shapes as JSON.
    #[arg(long)]
    json: bool,
}

/// The texts the options give.
fn texts(a: &Args) -> Result<Vec<String>, CliError> {
    if let Some(t) = &a.text {
        return Ok(vec![t.clone()]);
    }
    if let Some(path) = &a.file {
        let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
        return Ok(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect());
    }
    if let Some(path) = &a.requests {
        let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| CliError::Usage(format!("{}:{}: {e}", path.display(), i + 1)))?;
            let t = v
                .get("text")
                .and_then(|t| t.as_str())
                .ok_or_else(|| CliError::Usage(format!("{}:{}: no \"text\" string", path.display(), i + 1)))?;
            out.push(t.to_string());
        }
        return Ok(out);
    }
    Err(CliError::Usage("give --text, --file or --requests".into()))
}

pub fn run(a: Args) -> Result<(), CliError> {
    Format::of(&a.out)?;
    let positions: Positions = a.positions.parse()?;
    let texts = texts(&a)?;
    if texts.is_empty() {
        return Err(CliError::Usage("no texts to run".into()));
    }
    let loaded = load_model(&a.model, a.backend)?;
    let points = parse_hooks(&a.hooks, loaded.model.config().n_layers)?;
    let mut ids = Vec::with_capacity(texts.len());
    for t in &texts {
        ids.push(loaded.tokenizer.encode(t, a.bos, false)?);
    }
    let pb = bar(texts.len() as u64, "capturing");
    let mut tick = |done: usize, _| pb.set_position(done as u64);
    let arrays = with_model!(&loaded.model, |m| capture(m, &ids, &points, &positions, &mut tick))?;
    pb.finish_and_clear();
    let prov = crate::provenance::of_model(&a.model, &loaded)?;
    let metadata = BTreeMap::from([
        ("format".to_string(), "kaoshi activations: rows of all texts, see row_text and row_position".to_string()),
        ("model".to_string(), prov.model.clone()),
        ("model_sha256".to_string(), prov.model_sha256.clone()),
        ("backend".to_string(), prov.backend.clone()),
        ("kaoshi_version".to_string(), prov.kaoshi_version.clone()),
        ("positions".to_string(), a.positions.clone()),
    ]);
    tensor_file::write(&a.out, &arrays, &metadata)?;
    let shapes: BTreeMap<&str, &Vec<usize>> = arrays.iter().map(|x| (x.name.as_str(), &x.shape)).collect();
    if a.json {
        let doc = serde_json::json!({ "out": a.out, "texts": texts.len(), "arrays": shapes, "provenance": prov });
        println!("{}", serde_json::to_string_pretty(&doc).map_err(|e| CliError::Usage(e.to_string()))?);
    } else {
        for (name, shape) in &shapes {
            println!("{name} {shape:?}");
        }
        eprintln!("wrote {}", a.out.display());
    }
    Ok(())
}
