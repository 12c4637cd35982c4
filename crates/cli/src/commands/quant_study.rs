//! `kaoshi quant-study`: quantized variants of a model against a
//! reference on the three dimensions of Jin et al. (Findings of ACL 2024):
//! knowledge and capacity and alignment (benchmark suites through `kaoshi
//! eval`), efficiency (`kaoshi bench`: size, bits per weight, speed, peak
//! memory), and fidelity to the reference with perplexity as a proxy (KL
//! divergence, top-1 agreement and Δp as `llama-perplexity
//! --kl-divergence` reports them; Pearson and Spearman between perplexity
//! and each metric).
//!
//! Order: the reference's pass over the perplexity texts writes its
//! log-probabilities of the compared positions to `DIR/reference/`; each
//! variant's pass streams them back. Then each model's suites, then every
//! model's speed, one after another in this run. Every finished step is
//! saved under `DIR/models/LABEL/` (suites under `DIR/eval/LABEL/`, with
//! the harness's journal), so running the same command again resumes.
//! The reference files are deleted at the end (they are large) unless
//! `--keep-reference-logprobs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kaoshi_eval::{Mode, suites};
use kaoshi_runtime::BackendChoice;
use kaoshi_study::{ModelRow, Settings, StudyDoc, correlate, reference};

use super::quant_study_steps::{
    EvalStep, PassKey, SavedPass, Text, file_facts, reference_file, reference_files_ok, run_bench, run_eval, run_pass,
    write_atomic,
};
use crate::error::CliError;

/// Options of `kaoshi quant-study`.
#[derive(clap::Args)]
pub struct Args {
    /// The reference model (GGUF): the variants are compared with it.
    #[arg(long)]
    reference: PathBuf,
    /// The variants (GGUF files), comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    variants: Vec<PathBuf>,
    /// Benchmark suites or groups for knowledge and alignment, comma-separated
    /// (as `kaoshi eval --suite`); none: the study has no benchmark columns.
    #[arg(long, value_delimiter = ',')]
    suites: Vec<String>,
    /// A folder of suite folders (as `kaoshi eval --data`); without it the
    /// suites' published files are downloaded once and cached.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Never download: data must be in --data or the cache.
    #[arg(long)]
    offline: bool,
    /// Items per suite (the first N).
    #[arg(long)]
    limit: Option<usize>,
    /// Few-shot exemplars per prompt.
    #[arg(long, default_value_t = 0)]
    num_fewshot: usize,
    /// Perplexity texts, comma-separated: perplexity suites (wikitext2,
    /// cmrc2018) or paths of UTF-8 text files.
    #[arg(long, value_delimiter = ',', default_value = "wikitext2")]
    ppl_data: Vec<String>,
    /// Tokens scored per perplexity text (0: the whole text).
    #[arg(long, default_value_t = 16384)]
    ppl_tokens: usize,
    /// Positions per text whose whole distributions are compared with the
    /// reference's (the first ones scored; the reference's file takes
    /// positions x vocabulary x 4 bytes).
    #[arg(long, default_value_t = 2048)]
    kld_tokens: usize,
    /// Tokens per perplexity window.
    #[arg(long, default_value_t = 512)]
    ctx: usize,
    /// Tokens between window starts (default: half the window).
    #[arg(long)]
    stride: Option<usize>,
    /// Prompt tokens of the speed measurement (the paper's 256).
    #[arg(long, default_value_t = 256)]
    bench_prompt_tokens: usize,
    /// Generated tokens of the speed measurement (the paper's 512).
    #[arg(long, default_value_t = 512)]
    bench_gen_tokens: usize,
    /// Skip the speed and memory measurement.
    #[arg(long)]
    no_bench: bool,
    /// Where every model runs: cpu, gpu (the CPU, with a note, when there
    /// is no GPU), or auto.
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Output folder; rerunning with the same folder resumes.
    #[arg(long, default_value = "kaoshi-quant-study")]
    output: PathBuf,
    /// Keep the reference's log-probabilities when the study is done.
    #[arg(long)]
    keep_reference_logprobs: bool,
    /// Print study.json to stdout at the end.
    #[arg(long)]
    json: bool,
}

/// Short unique names: the files' stems, numbered when two are the same.
fn labels(paths: &[PathBuf]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    paths
        .iter()
        .map(|p| {
            let stem = p.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "model".into());
            let safe: String =
                stem.chars().map(|c| if c.is_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
            let n = seen.entry(safe.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { safe } else { format!("{safe}-{n}") }
        })
        .collect()
}

/// The perplexity texts: suites with a perplexity mode, or files.
fn read_texts(args: &Args) -> Result<Vec<Text>, CliError> {
    let mut texts = Vec::new();
    for name in &args.ppl_data {
        let path = Path::new(name);
        if path.is_file() {
            let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
            let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| name.clone());
            texts.push(Text { name: stem, documents: vec![text] });
            continue;
        }
        let suite = suites::find(name).filter(|s| s.info().modes.contains(&Mode::Perplexity)).ok_or_else(|| {
            let ppl: Vec<&str> = suites::all()
                .iter()
                .filter(|s| s.info().modes.contains(&Mode::Perplexity))
                .map(|s| s.info().name)
                .collect();
            CliError::Usage(format!("--ppl-data {name:?}: not a file, nor a perplexity suite ({})", ppl.join(", ")))
        })?;
        let info = suite.info();
        let dir = match &args.data {
            Some(d) => super::eval::suite_folder(d, info.name),
            None => super::eval::fetch_suite(info.name, info.homepage, args.offline)?,
        };
        let data = suite.load(&dir)?;
        let documents = data
            .items
            .iter()
            .filter_map(|item| match suite.prompt(item, &[], Mode::Perplexity) {
                kaoshi_eval::Prompt::Perplexity { text } => Some(text),
                _ => None,
            })
            .collect();
        texts.push(Text { name: info.name.to_string(), documents });
    }
    Ok(texts)
}

/// The backend every model runs on: `gpu` without a GPU says so and takes
/// the CPU; `auto` is decided once, for all models alike.
fn resolve_backend(choice: BackendChoice, notes: &mut Vec<String>) -> BackendChoice {
    match choice {
        BackendChoice::Cpu => BackendChoice::Cpu,
        BackendChoice::Gpu => {
            let why = match crate::load::choose_device(BackendChoice::Gpu) {
                Ok(Some(_)) => return BackendChoice::Gpu,
                Ok(None) => "no adapter".to_string(),
                Err(e) => e.to_string(),
            };
            eprintln!("note: --backend gpu: no GPU here ({why}); the study runs on the cpu");
            notes.push(format!("--backend gpu was asked for, but no GPU opened ({why}): every model ran on the CPU."));
            BackendChoice::Cpu
        }
        BackendChoice::Auto => match crate::load::choose_device(BackendChoice::Auto) {
            Ok(Some(_)) => BackendChoice::Gpu,
            _ => BackendChoice::Cpu,
        },
    }
}

pub fn run(args: Args) -> Result<(), CliError> {
    let mut paths = vec![args.reference.clone()];
    paths.extend(args.variants.iter().cloned());
    for p in &paths {
        if !p.is_file() {
            return Err(CliError::Usage(format!("{}: no such model file", p.display())));
        }
    }
    for (i, p) in paths.iter().enumerate() {
        if paths[..i].iter().any(|q| q == p) {
            return Err(CliError::Usage(format!("{} is given twice", p.display())));
        }
    }
    if args.ctx < 2 {
        return Err(CliError::Usage("--ctx must be at least 2".into()));
    }
    let labels = labels(&paths);
    let vocab = |p: &Path| -> Result<Option<usize>, CliError> {
        Ok(kaoshi_formats::GgufFile::open(p)?.metadata().array_len("tokenizer.ggml.tokens"))
    };
    let ref_vocab = vocab(&paths[0])?;
    for (p, label) in paths.iter().zip(&labels).skip(1) {
        let v = vocab(p)?;
        if v != ref_vocab {
            return Err(CliError::Usage(format!(
                "{label}: a vocabulary of {} tokens, the reference's has {}: not a variant of the same model",
                v.map_or("no".into(), |v| v.to_string()),
                ref_vocab.map_or("no".into(), |v| v.to_string())
            )));
        }
    }
    let mut notes = Vec::new();
    let choice = resolve_backend(args.backend, &mut notes);
    let texts = read_texts(&args)?;
    let dir = args.output.clone();
    std::fs::create_dir_all(&dir).map_err(CliError::io(&dir))?;
    let (ref_size, _, _) = file_facts(&args.reference)?;
    let key = PassKey {
        ctx: args.ctx,
        stride: args.stride.unwrap_or((args.ctx / 2).max(1)),
        ppl_tokens: args.ppl_tokens,
        kld_tokens: args.kld_tokens,
        texts: texts.iter().map(|t| t.name.clone()).collect(),
        backend: choice.as_str().into(),
        reference: format!(
            "{} ({ref_size} bytes)",
            paths[0].file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()
        ),
    };
    let pass_file = |label: &str| dir.join("models").join(label).join("perplexity.json");
    let n = paths.len();

    // 1. Perplexity and fidelity: the reference first (when it or a
    //    variant still needs its files), then each variant.
    let todo: Vec<usize> = (1..n).filter(|&i| SavedPass::read(&pass_file(&labels[i]), &key).is_none()).collect();
    let mut reference = SavedPass::read(&pass_file(&labels[0]), &key);
    let files_ok = reference.as_ref().is_some_and(|s| reference_files_ok(&dir, s));
    let reference_now = reference.is_none() || (!todo.is_empty() && !files_ok);
    if reference_now {
        let vocab =
            kaoshi_formats::GgufFile::open(&paths[0])?.metadata().array_len("tokenizer.ggml.tokens").unwrap_or(0);
        let gb = texts.len() as f64 * reference::file_bytes(args.kld_tokens, vocab) as f64 / 1e9;
        eprintln!("== [1/{n}] {} (reference): perplexity; its log-probabilities take up to {gb:.2} GB", labels[0]);
        let saved = run_pass(&labels[0], &paths[0], choice, &texts, &key, &dir, None)?;
        saved.write(&pass_file(&labels[0]))?;
        reference = Some(saved);
    }
    let reference = reference.expect("the reference pass ran");
    for i in (0..n).filter(|&i| !(todo.contains(&i) || (i == 0 && reference_now))) {
        eprintln!("== [{}/{n}] {}: perplexity saved in an earlier run", i + 1, labels[i]);
    }
    for &i in &todo {
        eprintln!("== [{}/{n}] {}: perplexity and KL divergence", i + 1, labels[i]);
        let saved = run_pass(&labels[i], &paths[i], choice, &texts, &key, &dir, Some(&reference))?;
        saved.write(&pass_file(&labels[i]))?;
    }

    // 2. Benchmarks.
    let mut metrics: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); n];
    if !args.suites.is_empty() {
        let step = EvalStep {
            suites: &args.suites,
            data: args.data.as_deref(),
            offline: args.offline,
            limit: args.limit,
            num_fewshot: args.num_fewshot,
            choice,
        };
        for i in 0..n {
            eprintln!("== [{}/{n}] {}: suites {}", i + 1, labels[i], args.suites.join(","));
            metrics[i] = run_eval(&paths[i], &dir.join("eval").join(&labels[i]), &step)?;
        }
    }

    // 3. Speed and memory, every model in this run.
    let mut efficiency = vec![None; n];
    if !args.no_bench {
        for i in 0..n {
            eprintln!(
                "== [{}/{n}] {}: speed ({} + {} tokens)",
                i + 1,
                labels[i],
                args.bench_prompt_tokens,
                args.bench_gen_tokens
            );
            let out = dir.join("models").join(&labels[i]).join("bench.json");
            efficiency[i] = Some(run_bench(&paths[i], choice, args.bench_prompt_tokens, args.bench_gen_tokens, &out)?);
        }
    }

    // 4. The document and the report.
    let mut models = Vec::with_capacity(n);
    for i in 0..n {
        let (file_bytes, bits_per_weight, type_bytes) = file_facts(&paths[i])?;
        let saved = SavedPass::read(&pass_file(&labels[i]), &key)
            .ok_or_else(|| CliError::Usage(format!("{}: the perplexity pass is missing", labels[i])))?;
        models.push(ModelRow {
            label: labels[i].clone(),
            path: paths[i].display().to_string(),
            file_bytes,
            bits_per_weight,
            type_bytes,
            perplexity: saved.texts,
            metrics: std::mem::take(&mut metrics[i]),
            efficiency: efficiency[i].take(),
        });
    }
    notes.extend(study_notes(&models, choice));
    let metric_keys = correlate::metric_keys(&models);
    let doc = StudyDoc {
        reference: labels[0].clone(),
        backend: choice.as_str().into(),
        correlations: correlate::correlations(&models, &metric_keys),
        metrics: metric_keys,
        models,
        ppl_data: texts.iter().map(|t| t.name.clone()).collect(),
        settings: Settings {
            ppl_ctx: key.ctx,
            ppl_stride: key.stride,
            ppl_tokens: key.ppl_tokens,
            kld_tokens: key.kld_tokens,
            limit: args.limit,
            bench_prompt_tokens: args.bench_prompt_tokens,
            bench_gen_tokens: args.bench_gen_tokens,
        },
        notes,
        kaoshi_version: env!("CARGO_PKG_VERSION").into(),
        date: kaoshi_harness::results::now_utc(),
    };
    let json = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Usage(e.to_string()))?;
    write_atomic(&dir.join("study.json"), &json)?;
    let rendered = kaoshi_study::report::render(&doc);
    for (name, svg) in &rendered.charts {
        write_atomic(&dir.join(name), svg)?;
    }
    write_atomic(&dir.join("report.md"), &rendered.markdown)?;
    if !args.keep_reference_logprobs {
        for t in &texts {
            let _ = std::fs::remove_file(reference_file(&dir, &t.name));
        }
    }
    if args.json {
        println!("{json}");
    } else {
        print!("{}", rendered.markdown);
        eprintln!("wrote {}", dir.join("report.md").display());
    }
    Ok(())
}

/// Caveats that follow from the models and settings.
fn study_notes(models: &[ModelRow], choice: BackendChoice) -> Vec<String> {
    let mut notes = vec![
        "KL divergence is summed over the whole vocabulary in f64 from the reference's f32 log-probabilities \
         (llama-perplexity skips terms whose reference log-probability is at or below -16); positions are those \
         of kaoshi ppl's rolling windows (every token once, after up to ctx - stride tokens of context), \
         not llama-perplexity's second halves of ctx-token chunks."
            .to_string(),
    ];
    let quantized =
        |r: &ModelRow| r.type_bytes.keys().filter(|t| !["F32", "F16", "BF16"].contains(&t.as_str())).count();
    if let Some(r) = models.first().filter(|r| quantized(r) > 0) {
        notes.push(format!(
            "The reference {} is itself quantized ({}): divergences are from it, not from the original weights.",
            r.label,
            r.type_bytes.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if choice == BackendChoice::Gpu {
        notes.push("Peak memory is the host process's resident memory; GPU memory is not in it.".into());
    }
    notes
}
