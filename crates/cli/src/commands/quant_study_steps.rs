//! The steps of `kaoshi quant-study` for one model: what its file is made
//! of, its pass over the perplexity texts (the reference's writes the
//! log-probabilities the variants' compare with), and its benchmark suites
//! and speed, each through the `kaoshi eval` and `kaoshi bench` commands of
//! this same executable, so their results are those commands' own
//! (`results.json`, resumable; speed and peak memory of a process that held
//! only this model).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kaoshi_engine::PerplexityParams;
use kaoshi_formats::GgufFile;
use kaoshi_harness::results::ResultsDoc;
use kaoshi_model::{Backend, Model};
use kaoshi_runtime::{BackendChoice, with_model};
use kaoshi_study::pass::{Role, TextScore, run_text};
use kaoshi_study::plan::{TextPlan, plan_text};
use kaoshi_study::reference::{ReferenceReader, ReferenceWriter};
use kaoshi_study::{Accumulator, Efficiency, StudyError, TextPerplexity};
use kaoshi_tokenizer::Tokenizer;
use serde::{Deserialize, Serialize};

use crate::error::CliError;
use crate::load::load_model;
use crate::progress::bar;

/// A perplexity text: its name and its documents.
pub struct Text {
    pub name: String,
    pub documents: Vec<String>,
}

/// What decides the perplexity figures; a saved pass with other settings
/// is run again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassKey {
    pub ctx: usize,
    pub stride: usize,
    pub ppl_tokens: usize,
    pub kld_tokens: usize,
    pub texts: Vec<String>,
    pub backend: String,
    /// The reference's file name and size (not its folder, so a moved
    /// study resumes): a variant compared with another reference is
    /// compared again.
    pub reference: String,
}

/// A model's saved pass (`models/LABEL/perplexity.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPass {
    pub key: PassKey,
    /// Each text's plan fingerprint and compared positions.
    pub plans: Vec<(u64, usize)>,
    pub texts: Vec<TextPerplexity>,
}

impl SavedPass {
    /// The saved pass at `path` when it was made with `key`.
    pub fn read(path: &Path, key: &PassKey) -> Option<Self> {
        let text = std::fs::read_to_string(path).ok()?;
        let saved: Self = serde_json::from_str(&text).ok()?;
        (saved.key == *key).then_some(saved)
    }

    /// Writes it (whole, by rename).
    pub fn write(&self, path: &Path) -> Result<(), CliError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| CliError::Usage(e.to_string()))?;
        write_atomic(path, &text)
    }
}

/// Writes `text` to `path` through a temporary file and a rename, so a
/// crash leaves the old file or the new one.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), CliError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(CliError::io(dir))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(CliError::io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(CliError::io(path))
}

/// The file's size, bits per weight (8 x tensor bytes / tensor elements,
/// as llama.cpp's loader prints "BPW") and tensor bytes by type.
pub fn file_facts(path: &Path) -> Result<(u64, f64, BTreeMap<String, u64>), CliError> {
    let file = GgufFile::open(path)?;
    let (mut bytes, mut elems) = (0u64, 0u64);
    let mut by_type = BTreeMap::new();
    for t in file.tensors() {
        bytes += t.n_bytes;
        elems += t.elem_count() as u64;
        *by_type.entry(t.dtype.name().to_string()).or_insert(0) += t.n_bytes;
    }
    let bpw = if elems > 0 { 8.0 * bytes as f64 / elems as f64 } else { f64::NAN };
    Ok((file.file_len(), bpw, by_type))
}

/// The reference's log-probability file of text `i`.
pub fn reference_file(dir: &Path, text: &str) -> PathBuf {
    dir.join("reference").join(format!("{text}.logprobs"))
}

/// Whether the reference files in `dir` match the reference's saved pass.
pub fn reference_files_ok(dir: &Path, saved: &SavedPass) -> bool {
    saved.texts.iter().zip(&saved.plans).all(|(t, &(fingerprint, compared))| {
        match ReferenceReader::open(&reference_file(dir, &t.data)) {
            Ok(Some(r)) => r.positions() == compared as u64 && r.fingerprint() == fingerprint,
            _ => false,
        }
    })
}

/// The pass of one model over every text. `reference` is `None` for the
/// reference itself (it writes the files), else the reference's saved
/// pass (whose plans this model's must equal).
#[allow(clippy::too_many_arguments)]
pub fn run_pass(
    label: &str,
    path: &Path,
    choice: BackendChoice,
    texts: &[Text],
    key: &PassKey,
    dir: &Path,
    reference: Option<&SavedPass>,
) -> Result<SavedPass, CliError> {
    let loaded = load_model(path, choice)?;
    let tok = &loaded.tokenizer;
    let (plans, results) = with_model!(&loaded.model, |m| pass_on(m, tok, label, texts, key, dir, reference))?;
    Ok(SavedPass { key: key.clone(), plans, texts: results })
}

type PassResult = (Vec<(u64, usize)>, Vec<TextPerplexity>);

#[allow(clippy::too_many_arguments)]
fn pass_on<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    label: &str,
    texts: &[Text],
    key: &PassKey,
    dir: &Path,
    reference: Option<&SavedPass>,
) -> Result<PassResult, CliError> {
    let params = PerplexityParams { ctx: key.ctx, stride: key.stride };
    let context = model.config().context_length;
    let vocab = model.config().vocab_size;
    let (mut plans, mut results) = (Vec::new(), Vec::new());
    for (i, text) in texts.iter().enumerate() {
        let plan = plan_text(&text.name, tok, &text.documents, params, context, key.ppl_tokens, key.kld_tokens)?;
        let pb = bar(plan.windows.len() as u64, &text.name);
        let mut progress = |done: usize, _: usize| pb.set_position(done as u64);
        let file = reference_file(dir, &text.name);
        let (score, fidelity) = match reference {
            None => {
                if let Some(d) = file.parent() {
                    std::fs::create_dir_all(d).map_err(CliError::io(d))?;
                }
                let mut writer = ReferenceWriter::create(&file, vocab, plan.fingerprint)?;
                let score = run_text(model, &plan, &mut Role::Reference(&mut writer), &mut progress)?;
                writer.finish()?;
                (score, None)
            }
            Some(saved) => {
                let mut reader = open_reference(&file, &plan, saved, i, label, vocab)?;
                let mut acc = Accumulator::default();
                let score = run_text(model, &plan, &mut Role::Variant(&mut reader, &mut acc), &mut progress)?;
                (score, acc.summary())
            }
        };
        pb.finish_and_clear();
        eprintln!(
            "{label}: {} perplexity {:.4} over {} tokens{}",
            text.name,
            score.ppl(),
            score.n_tokens,
            fidelity
                .as_ref()
                .map(|f| format!(", mean KLD {:.6}, same top {:.2}%", f.kld_mean, 100.0 * f.same_top))
                .unwrap_or_default()
        );
        plans.push((plan.fingerprint, plan.n_compared));
        results.push(text_result(&text.name, score, fidelity));
    }
    Ok((plans, results))
}

fn text_result(name: &str, s: TextScore, fidelity: Option<kaoshi_study::FidelitySummary>) -> TextPerplexity {
    TextPerplexity { data: name.to_string(), n_tokens: s.n_tokens, nll: s.nll, ppl: s.ppl(), fidelity }
}

/// The reference's file of text `i`, checked against this model's plan.
fn open_reference(
    file: &Path,
    plan: &TextPlan,
    saved: &SavedPass,
    i: usize,
    label: &str,
    vocab: usize,
) -> Result<ReferenceReader, CliError> {
    let (fingerprint, compared) = saved.plans[i];
    if plan.fingerprint != fingerprint {
        return Err(CliError::Usage(format!(
            "{label} tokenizes {} differently from the reference: not a variant of the same model",
            plan.name
        )));
    }
    let reader = ReferenceReader::open(file)?.ok_or_else(|| {
        StudyError::Mismatch(format!("{}: the reference's log-probabilities are missing", file.display()))
    })?;
    if reader.vocab() != vocab || reader.positions() != compared as u64 || compared != plan.n_compared {
        return Err(CliError::Usage(format!(
            "{label}: vocabulary {vocab} and {} compared positions, but the reference file {} holds {} rows of {}",
            plan.n_compared,
            file.display(),
            reader.positions(),
            reader.vocab()
        )));
    }
    Ok(reader)
}

/// Options of the benchmark step, passed to `kaoshi eval`.
pub struct EvalStep<'a> {
    pub suites: &'a [String],
    pub data: Option<&'a Path>,
    pub offline: bool,
    pub limit: Option<usize>,
    pub num_fewshot: usize,
    pub choice: BackendChoice,
}

/// Runs `kaoshi eval` on the model into `out` (resuming what is there) and
/// returns each task's main metric by `task/metric` key: `acc` where the
/// suite reports it, else its first numeric metric.
pub fn run_eval(path: &Path, out: &Path, step: &EvalStep<'_>) -> Result<BTreeMap<String, f64>, CliError> {
    let exe = std::env::current_exe().map_err(CliError::io("the kaoshi executable"))?;
    let mut cmd = Command::new(exe);
    cmd.arg("eval").arg("--model").arg(path).arg("--suite").arg(step.suites.join(","));
    cmd.arg("--output").arg(out).arg("--backend").arg(step.choice.as_str());
    cmd.arg("--num-fewshot").arg(step.num_fewshot.to_string());
    if let Some(d) = step.data {
        cmd.arg("--data").arg(d);
    }
    if let Some(n) = step.limit {
        cmd.arg("--limit").arg(n.to_string());
    }
    if step.offline {
        cmd.arg("--offline");
    }
    let status = cmd.stdout(Stdio::null()).status().map_err(CliError::io("kaoshi eval"))?;
    if !status.success() {
        return Err(CliError::Usage(format!(
            "kaoshi eval failed on {} ({status}); its journal in {} is kept: run the study again to resume",
            path.display(),
            out.display()
        )));
    }
    let results = out.join("results.json");
    let text = std::fs::read_to_string(&results).map_err(CliError::io(&results))?;
    let doc = ResultsDoc::parse(&text).map_err(|e| CliError::Usage(format!("{}: {e}", results.display())))?;
    Ok(main_metrics(&doc))
}

/// Each task's main metric: `acc,none` when present, else the first
/// numeric metric that is not a standard error.
pub fn main_metrics(doc: &ResultsDoc) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for task in doc.tasks() {
        let Some(metrics) = doc.results.get(task) else { continue };
        let pick = metrics.get("acc,none").and_then(|v| v.as_f64()).map(|v| ("acc".to_string(), v)).or_else(|| {
            metrics.iter().find_map(|(name, v)| {
                let plain = name != "alias" && !name.contains("stderr");
                v.as_f64().filter(|_| plain).map(|v| (name.split(',').next().unwrap_or(name).to_string(), v))
            })
        });
        if let Some((name, v)) = pick {
            out.insert(format!("{task}/{name}"), v);
        }
    }
    out
}

/// Runs `kaoshi bench` on the model in a process of its own (its peak
/// memory is this model's) and keeps its JSON in `out`.
pub fn run_bench(
    path: &Path,
    choice: BackendChoice,
    prompt_tokens: usize,
    gen_tokens: usize,
    out: &Path,
) -> Result<Efficiency, CliError> {
    let exe = std::env::current_exe().map_err(CliError::io("the kaoshi executable"))?;
    let output = Command::new(exe)
        .arg("bench")
        .arg("--model")
        .arg(path)
        .arg("--prompt-tokens")
        .arg(prompt_tokens.to_string())
        .arg("--gen-tokens")
        .arg(gen_tokens.to_string())
        .arg("--backend")
        .arg(choice.as_str())
        .arg("--json")
        .stderr(Stdio::inherit())
        .output()
        .map_err(CliError::io("kaoshi bench"))?;
    if !output.status.success() {
        return Err(CliError::Usage(format!("kaoshi bench failed on {} ({})", path.display(), output.status)));
    }
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("kaoshi bench printed no JSON for {}: {e}", path.display())))?;
    write_atomic(out, &text)?;
    let num = |k: &str| v.get(k).and_then(serde_json::Value::as_f64);
    Ok(Efficiency {
        prefill_tok_s: num("prefill_tok_s").unwrap_or(f64::NAN),
        decode_tok_s: num("decode_tok_s").unwrap_or(f64::NAN),
        peak_rss_mib: num("peak_rss_mib"),
        load_s: num("load_s").unwrap_or(f64::NAN),
    })
}
