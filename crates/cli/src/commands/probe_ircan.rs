//! `kaoshi probe ircan`: IRCAN (Shi et al., NeurIPS 2024) end to end, as
//! the authors' released scripts run it: integrated-gradient attribution of
//! the context-consistent answer to every block's MLP neurons on the CPU
//! gradient backend (journaled in `--output`, resumable), each example's
//! bag, the `h` most frequent neurons, the grid over `h` and `beta` on dev
//! with the best reported on the final split, and the baselines: the
//! original model, erasure (`beta = 0`), random neurons (same `h` and
//! `beta`, several seeds), context-aware decoding (CAD, alpha 0.5) alone
//! and with IRCAN. Evaluation runs forward-only on `--backend`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use kaoshi_cpu::GradBackend;
use kaoshi_cpu::grad::Precision;
use kaoshi_formats::GgufFile;
use kaoshi_model::{Model, Steering};
use kaoshi_probe::ircan_attr::{AttrOptions, IgMode, Points};
use kaoshi_probe::ircan_data::{self, IrcanItem, IrcanTask, Split};
use kaoshi_probe::ircan_eval::{self, EvalResult};
use kaoshi_probe::ircan_report::{self, MethodRow, Study};
use kaoshi_probe::ircan_run::{self, AttrInput, AttrKey, AttrRecord};
use kaoshi_probe::neurons::NeuronList;
use kaoshi_runtime::{BackendChoice, with_model};
use kaoshi_tokenizer::Tokenizer;

use crate::error::CliError;
use crate::load::{Loaded, load_model};
use crate::progress::bar;

/// Options of `kaoshi probe ircan`.
#[derive(clap::Args)]
pub struct IrcanArgs {
    /// The model (GGUF).
    #[arg(long)]
    model: PathBuf,
    /// IRCAN's data folder (holding MemoTrap/ and KRE/, as in the authors' repository).
    #[arg(long)]
    data: PathBuf,
    /// memotrap, cose or ecare.
    #[arg(long)]
    task: String,
    /// Points on the integration path (the paper's m).
    #[arg(long, default_value_t = 20)]
    steps: usize,
    /// ig: standard integrated gradients (the paper's equation); ircan-reference: each step weighted by
    /// k/m, as the released code computes it.
    #[arg(long, default_value = "ig")]
    mode: String,
    /// Neurons kept in each example's bag.
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// A bag keeps neurons scoring at least this fraction of the example's largest score.
    #[arg(long, default_value_t = 0.1)]
    threshold: f64,
    /// Numbers of neurons tried (A..B, a list A,B,C or one value).
    #[arg(long, default_value = "1..16")]
    h: String,
    /// Reweighting factors tried (A..B in steps of 1, a list, or one value).
    #[arg(long, default_value = "2..20")]
    beta: String,
    /// The split the chosen setting is reported on (the grid always runs on dev).
    #[arg(long, default_value = "test")]
    split: String,
    /// The examples attributed: all (the released scripts: dev and test together), dev or test.
    #[arg(long, default_value = "all")]
    attribute_on: String,
    /// Blocks attributed, inclusive and 0-based (default: all).
    #[arg(long, value_name = "A-B")]
    layers: Option<String>,
    /// The first N examples of each file used (attribution, dev and final split).
    #[arg(long)]
    limit: Option<usize>,
    /// First seed of the random-neuron baseline.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Random-neuron draws.
    #[arg(long, default_value_t = 10)]
    random_seeds: usize,
    /// Context-aware decoding's alpha for the CAD baselines (0 skips them).
    #[arg(long, default_value_t = 0.5)]
    cad_alpha: f32,
    /// Where the evaluation runs: cpu, gpu or auto (attribution always runs on the CPU).
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Print the study as one JSON document.
    #[arg(long)]
    json: bool,
    /// Journal, attribution.jsonl, neurons.json, ircan.json, report.md and charts go here (a rerun resumes
    /// the attribution).
    #[arg(long)]
    output: Option<PathBuf>,
}

fn probe_err(e: kaoshi_probe::ProbeError) -> CliError {
    CliError::Probe(e)
}

/// `A..B` (inclusive, steps of 1), `A,B,C` or `A`.
fn parse_grid(flag: &str, text: &str) -> Result<Vec<f64>, CliError> {
    let bad = || CliError::Usage(format!("--{flag} {text:?}: expected A..B, a list A,B,C or one number"));
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(bad);
    let values = if let Some((a, b)) = text.split_once("..") {
        let (a, b) = (num(a)?, num(b)?);
        if a > b || b - a > 10_000.0 {
            return Err(bad());
        }
        (0..=((b - a).floor() as usize)).map(|k| a + k as f64).collect()
    } else {
        text.split(',').map(num).collect::<Result<Vec<_>, _>>()?
    };
    if values.is_empty() {
        return Err(bad());
    }
    Ok(values)
}

fn parse_layers(text: Option<&str>, n_layers: usize) -> Result<Vec<usize>, CliError> {
    let Some(text) = text else { return Ok((0..n_layers).collect()) };
    let r =
        crate::steer::parse_layers(text).map_err(|_| CliError::Usage(format!("--layers {text:?}: expected A-B")))?;
    if *r.end() >= n_layers {
        return Err(CliError::Usage(format!("--layers {text}: the model has {n_layers} blocks")));
    }
    Ok(r.collect())
}

/// The continuation whose first token is the target: the answer after a
/// space for MemoTrap (its classes carry one), the option letter for
/// multiple choice.
fn continuation(task: IrcanTask, item: &IrcanItem) -> String {
    if task.is_mcq() { item.answer.clone() } else { format!(" {}", item.answer) }
}

fn load_items(dir: &Path, task: IrcanTask, split: Split, limit: Option<usize>) -> Result<Vec<IrcanItem>, CliError> {
    let mut items = ircan_data::load(dir, task, split).map_err(probe_err)?;
    if let Some(n) = limit {
        items.truncate(n);
    }
    Ok(items)
}

fn inputs(tok: &Tokenizer, task: IrcanTask, items: &[IrcanItem]) -> Result<Vec<AttrInput>, CliError> {
    items
        .iter()
        .map(|item| {
            let cont = continuation(task, item);
            let (with_context, target) =
                ircan_data::target_tokens(tok, &item.with_context, &cont).map_err(probe_err)?;
            let (without_context, _) =
                ircan_data::target_tokens(tok, &item.without_context, &cont).map_err(probe_err)?;
            Ok(AttrInput { id: item.id, with_context, without_context, target })
        })
        .collect()
}

/// Evaluates `items` with `neurons` scaled by `beta` (none: the model as
/// it is) and CAD's alpha, leaving the model unsteered.
fn evaluate(
    m: &mut Loaded,
    task: IrcanTask,
    items: &[IrcanItem],
    neurons: Option<(&NeuronList, f32)>,
    cad: Option<f32>,
    label: &str,
) -> Result<EvalResult, CliError> {
    let steering = match neurons {
        Some((list, beta)) => {
            Some(Steering::default().with_neurons(&list.pairs(), beta, m.model.config()).map_err(CliError::Model)?)
        }
        None => None,
    };
    m.model.set_steering(steering);
    let pb = bar(items.len() as u64, label);
    let tok = &m.tokenizer;
    let out = with_model!(&m.model, |model| ircan_eval::evaluate(model, tok, items, task, cad, &mut |d, _| pb
        .set_position(d as u64)));
    pb.finish_and_clear();
    m.model.set_steering(None);
    out.map_err(probe_err)
}

fn row(method: &str, detail: String, r: &EvalResult) -> MethodRow {
    MethodRow { method: method.into(), detail, n: r.n, accuracy: r.accuracy, trap_rate: r.trap_rate, sd: None }
}

pub fn run(a: IrcanArgs) -> Result<(), CliError> {
    let task: IrcanTask = a.task.parse().map_err(probe_err)?;
    let split: Split = a.split.parse().map_err(probe_err)?;
    let attribute_on: Split = a.attribute_on.parse().map_err(probe_err)?;
    if split == Split::All {
        return Err(CliError::Usage("--split: expected dev or test (the grid runs on dev)".into()));
    }
    let mode = match a.mode.as_str() {
        "ig" => IgMode::Ig,
        "ircan-reference" => IgMode::IrcanReference,
        other => return Err(CliError::Usage(format!("--mode {other}: expected ig or ircan-reference"))),
    };
    if a.steps == 0 || a.top == 0 || !(0.0..=1.0).contains(&a.threshold) {
        return Err(CliError::Usage("--steps and --top must be at least 1, --threshold in [0, 1]".into()));
    }
    let hs: Vec<usize> = parse_grid("h", &a.h)?.into_iter().map(|v| v as usize).filter(|&h| h > 0).collect();
    let betas: Vec<f32> = parse_grid("beta", &a.beta)?.into_iter().map(|v| v as f32).collect();
    if hs.is_empty() {
        return Err(CliError::Usage(format!("--h {}: no positive number of neurons", a.h)));
    }
    let started = Instant::now();
    let file = GgufFile::open(&a.model)?;
    let grad = Model::load(&file, GradBackend::new(Precision::F32)).map_err(CliError::Model)?;
    let mut eval_model = load_model(&a.model, a.backend)?;
    let config = grad.config().clone();
    let layers = parse_layers(a.layers.as_deref(), config.n_layers)?;
    let attr_items = load_items(&a.data, task, attribute_on, a.limit)?;
    let dev = load_items(&a.data, task, Split::Dev, a.limit)?;
    let final_items = load_items(&a.data, task, split, a.limit)?;

    // 1. Attribution (CPU gradients), journaled.
    let key = AttrKey {
        model_sha256: kaoshi_harness::sha256_file(&a.model)?,
        data_sha256: kaoshi_harness::sha256_file(&ircan_data::file_path(&a.data, task, attribute_on))?,
        task: a.task.clone(),
        attribution: AttrOptions {
            steps: a.steps,
            mode,
            points: if task.is_mcq() { Points::Right } else { Points::Left },
            layers: layers.clone(),
        },
        threshold: a.threshold,
        top: a.top,
    };
    let inputs = inputs(&eval_model.tokenizer, task, &attr_items)?;
    let pb = bar(inputs.len() as u64, "attribution");
    let attr_started = Instant::now();
    let records =
        ircan_run::attribute_all(&grad, &inputs, &key, a.output.as_deref(), &mut |d, _| pb.set_position(d as u64))
            .map_err(probe_err)?;
    pb.finish_and_clear();
    let attr_seconds = attr_started.elapsed().as_secs_f64();
    drop(grad);
    let bags = ircan_run::bags(&records);

    // 2. Original model, and the grid on dev.
    let mut rows = Vec::new();
    let original = evaluate(&mut eval_model, task, &final_items, None, None, "original")?;
    rows.push(row("original", String::new(), &original));
    let mut grid = vec![vec![0.0; betas.len()]; hs.len()];
    let mut best: Option<(usize, f32, f64, f64)> = None;
    for (i, &h) in hs.iter().enumerate() {
        let list = NeuronList::most_common(&bags, h);
        for (j, &beta) in betas.iter().enumerate() {
            let r =
                evaluate(&mut eval_model, task, &dev, Some((&list, beta)), None, &format!("dev h={h} beta={beta}"))?;
            grid[i][j] = r.accuracy;
            // Highest dev accuracy; ties to the lower trap rate, then the smaller h and beta.
            if best.is_none_or(|(_, _, acc, trap)| r.accuracy > acc || (r.accuracy == acc && r.trap_rate < trap)) {
                best = Some((h, beta, r.accuracy, r.trap_rate));
            }
        }
    }
    let (h, beta, _, _) = best.ok_or_else(|| CliError::Usage("empty grid".into()))?;
    let chosen = NeuronList::most_common(&bags, h);

    // 3. The chosen setting and the baselines on the final split.
    let ircan = evaluate(&mut eval_model, task, &final_items, Some((&chosen, beta)), None, "IRCAN")?;
    rows.push(row("IRCAN", format!("h={h}, beta={beta}"), &ircan));
    let erase = evaluate(&mut eval_model, task, &final_items, Some((&chosen, 0.0)), None, "erase")?;
    rows.push(row("erase", format!("h={h}, beta=0"), &erase));
    if a.random_seeds > 0 {
        let mut acc = Vec::new();
        let mut trap = Vec::new();
        for s in 0..a.random_seeds as u64 {
            let list = NeuronList::random(config.n_layers, config.ffn_dim, h, a.seed + s);
            let r = evaluate(&mut eval_model, task, &final_items, Some((&list, beta)), None, &format!("random {s}"))?;
            acc.push(r.accuracy);
            trap.push(r.trap_rate);
        }
        rows.push(ircan_report::mean_row(
            "random",
            format!("h={h}, beta={beta}, seeds {}..{}", a.seed, a.seed + a.random_seeds as u64 - 1),
            final_items.len(),
            &acc,
            &trap,
        ));
    }
    if a.cad_alpha != 0.0 {
        let cad = evaluate(&mut eval_model, task, &final_items, None, Some(a.cad_alpha), "CAD")?;
        rows.push(row("CAD", format!("alpha={}", a.cad_alpha), &cad));
        let both =
            evaluate(&mut eval_model, task, &final_items, Some((&chosen, beta)), Some(a.cad_alpha), "CAD+IRCAN")?;
        rows.push(row("CAD+IRCAN", format!("alpha={}, h={h}, beta={beta}", a.cad_alpha), &both));
    }

    let study = Study {
        task: a.task.clone(),
        split: a.split.clone(),
        attribute_on: a.attribute_on.clone(),
        mode: a.mode.clone(),
        steps: a.steps,
        n_attributed: records.len(),
        attribution_seconds: attr_seconds,
        seconds_per_example: records.iter().map(|r| r.seconds).sum::<f64>() / records.len().max(1) as f64,
        hs,
        betas,
        dev_accuracy: grid,
        best_h: h,
        best_beta: beta,
        methods: rows,
        neurons: chosen.clone(),
        bag_histogram: ircan_run::bag_histogram(&records, config.n_layers),
        completeness_error_mean: records.iter().map(|r| r.completeness_error).sum::<f64>()
            / records.len().max(1) as f64,
    };
    finish(&a, &eval_model, &study, &records, &chosen, started)
}

fn finish(
    a: &IrcanArgs,
    m: &Loaded,
    study: &Study,
    records: &[AttrRecord],
    chosen: &NeuronList,
    started: Instant,
) -> Result<(), CliError> {
    let mut doc = serde_json::to_value(study).map_err(|e| CliError::Usage(e.to_string()))?;
    if let Some(map) = doc.as_object_mut() {
        map.insert(
            "provenance".into(),
            serde_json::to_value(crate::provenance::of_model(&a.model, m)?).unwrap_or_default(),
        );
        map.insert(
            "options".into(),
            serde_json::json!({
                "data": a.data, "top": a.top, "threshold": a.threshold, "layers": a.layers, "limit": a.limit,
                "seed": a.seed, "random_seeds": a.random_seeds, "cad_alpha": a.cad_alpha,
                "target": "the first token of the answer after the prompt, split as `kaoshi score` splits a pair",
            }),
        );
        map.insert("seconds".into(), serde_json::json!(started.elapsed().as_secs_f64()));
        map.insert("attributions".into(), serde_json::to_value(records).unwrap_or_default());
    }
    let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Usage(e.to_string()))?;
    let rendered = ircan_report::render(study);
    if let Some(dir) = &a.output {
        let write = |name: &str, body: &str| {
            let path = dir.join(name);
            std::fs::write(&path, body).map_err(CliError::io(path))
        };
        let lines: Vec<String> = records.iter().filter_map(|r| serde_json::to_string(r).ok()).collect();
        write("attribution.jsonl", &(lines.join("\n") + "\n"))?;
        write("neurons.json", &chosen.to_json())?;
        write("ircan.json", &text)?;
        write("report.md", &rendered.markdown)?;
        for (name, svg) in &rendered.charts {
            write(name, svg)?;
        }
        eprintln!("wrote {}", dir.join("ircan.json").display());
    }
    if a.json {
        println!("{text}");
    } else if a.output.is_none() {
        print!("{}", rendered.markdown);
    }
    Ok(())
}
