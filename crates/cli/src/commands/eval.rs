//! `kaoshi eval`: run suites, journal samples, write results.json and report.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kaoshi_eval::suites::generic::GenericTask;
use kaoshi_eval::{Mode, Suite, suites};
use kaoshi_harness::results::{self, Groups};
use kaoshi_harness::{ChatMode, Judge, JudgeConfig, RunOptions, run_suite_judged, sha256_file};

use crate::error::CliError;
use crate::fetch::Fetcher;
use kaoshi_harness::TaskOutcome;
use kaoshi_model::{Backend, Model};
use kaoshi_tokenizer::Tokenizer;

use kaoshi_runtime::{BackendChoice, with_model_pair};

use crate::load::{Loaded, load_model};
use crate::progress::bar;

/// Options of `kaoshi eval`.
#[derive(clap::Args)]
pub struct Args {
    /// The GGUF model file (default: the demo model that ships with kaoshi).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Suites or groups, comma-separated (default: the built-in demo suite).
    #[arg(long, value_delimiter = ',')]
    suite: Vec<String>,
    /// The suite's data folder (with several suites: a folder holding one
    /// sub-folder per suite, named as the suite).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Never download: suites without --data must be in the cache already.
    #[arg(long)]
    offline: bool,
    /// Evaluate only the first N items of each suite.
    #[arg(long)]
    limit: Option<usize>,
    /// Few-shot exemplars per prompt, first-n of the subject's dev split.
    #[arg(long, default_value_t = 0)]
    num_fewshot: usize,
    /// Scoring mode: loglik, letter, generate, perplexity or judge (default: the suite's own).
    #[arg(long)]
    mode: Option<String>,
    /// The GGUF judge model that rates generated answers in judge mode
    /// (cvalues, gaokao-subjective).
    #[arg(long)]
    judge_model: Option<PathBuf>,
    /// Token cap on each judge verdict.
    #[arg(long, default_value_t = kaoshi_harness::judge::DEFAULT_JUDGE_MAX_TOKENS)]
    judge_max_tokens: usize,
    /// Apply the model's chat template: auto (when it has one) or none.
    #[arg(long, default_value = "none")]
    chat_template: String,
    /// Output folder; rerunning with the same folder resumes.
    #[arg(long, default_value = "kaoshi-results")]
    output: PathBuf,
    /// Token window for perplexity suites.
    #[arg(long, default_value_t = 512)]
    ppl_window: usize,
    /// Where the model (and judge) run: cpu, gpu, or auto (the GPU when it
    /// can load the model, else the CPU).
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// A generic task file (JSON naming a JSONL/CSV data file, its fields,
    /// a template and a mode) to run as a suite; repeatable.
    #[arg(long = "task")]
    tasks: Vec<PathBuf>,
    /// List suites with item counts and licences, then exit.
    #[arg(long)]
    list: bool,
    /// Print results.json to stdout at the end.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    steering: crate::steer::SteeringArgs,
}

/// The demo model shipped in the repository.
fn default_model() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models/kaoshi-demo-bigram.gguf");
    p.canonicalize().unwrap_or(p)
}

fn parse_mode(s: &str) -> Result<Mode, CliError> {
    Ok(match s {
        "loglik" => Mode::Loglik,
        "letter" => Mode::Letter,
        "generate" => Mode::Generate,
        "perplexity" | "ppl" => Mode::Perplexity,
        "judge" => Mode::Judge,
        other => {
            return Err(CliError::Usage(format!(
                "unknown --mode {other:?} (loglik, letter, generate, perplexity, judge)"
            )));
        }
    })
}

/// Expands group names into suites.
fn expand(names: &[String]) -> Result<(Vec<&'static dyn Suite>, Groups), CliError> {
    let groups = suites::groups();
    let mut out: Vec<&'static dyn Suite> = Vec::new();
    let mut used_groups = Groups::new();
    for n in names {
        let members: Vec<String> = match groups.get(n.as_str()) {
            Some(m) => {
                used_groups.insert(n.clone(), m.iter().map(|s| (*s).to_string()).collect());
                m.iter().map(|s| (*s).to_string()).collect()
            }
            None => vec![n.clone()],
        };
        for m in members {
            let s = suites::find(&m).ok_or_else(|| {
                let known: Vec<&str> = suites::all().iter().map(|s| s.info().name).collect();
                CliError::Usage(format!(
                    "unknown suite {m:?} (known: {}; groups: {})",
                    known.join(", "),
                    groups.keys().copied().collect::<Vec<_>>().join(", ")
                ))
            })?;
            if !out.iter().any(|o| o.info().name == s.info().name) {
                out.push(s);
            }
        }
    }
    Ok((out, used_groups))
}

/// The folder of suite `name` inside a `--data` folder holding several
/// suites: the suite's name, or the name its published folder goes by.
pub(crate) fn suite_folder(parent: &Path, name: &str) -> PathBuf {
    const ALIASES: &[(&str, &str)] = &[
        ("gaokao", "gaokao-bench"),
        ("gaokao-subjective", "gaokao-bench"),
        ("flores", "flores200"),
        ("wikitext2", "wikitext-2"),
    ];
    let alias = ALIASES.iter().find(|(n, _)| *n == name).map(|(_, a)| parent.join(a));
    match alias {
        Some(a) if !parent.join(name).exists() && a.exists() => a,
        _ => parent.join(name),
    }
}

/// Items of `suite`, counted from `--data` (a folder of suite folders) or
/// the download cache; nothing is downloaded to list.
fn item_count(suite: &dyn Suite, data: Option<&Path>) -> String {
    let name = suite.info().name;
    let dir = match data {
        Some(d) => suite_folder(d, name),
        None if name == "demo" => PathBuf::new(),
        None => match kaoshi_eval::sources::find(name).map(|src| Fetcher::from_env(true).map(|f| f.fetch(src))) {
            Some(Ok(Ok(dir))) => dir,
            _ => return "not downloaded".into(),
        },
    };
    match suite.load(&dir) {
        Ok(d) => d.items.len().to_string(),
        Err(_) => "unreadable".into(),
    }
}

fn list(data: Option<&Path>) {
    println!("{:<18} {:>14} {:<24} {:<32} description", "suite", "items", "modes", "licence");
    for s in suites::all() {
        let i = s.info();
        let modes: Vec<&str> = i.modes.iter().map(Mode::as_str).collect();
        println!(
            "{:<18} {:>14} {:<24} {:<32} {}",
            i.name,
            item_count(s, data),
            modes.join(","),
            i.license,
            i.description
        );
    }
    for (g, m) in suites::groups() {
        println!("group {g}: {}", m.join(", "));
    }
    println!(
        "\nData: without --data PATH, a suite's published files are downloaded once, checked against pinned \
         sha256s and cached (KAOSHI_CACHE, else ~/.cache/kaoshi); --offline uses the cache only. `demo` is built in. \
         Item counts come from --data (a folder of suite folders) or the cache."
    );
}

/// The cache folder of suite `name`, fetched from its pinned published files
/// where they are not cached yet.
pub(crate) fn fetch_suite(name: &str, homepage: &str, offline: bool) -> Result<PathBuf, CliError> {
    let src = kaoshi_eval::sources::find(name).ok_or_else(|| {
        CliError::Usage(format!(
            "suite {name} has no pinned published files: give --data PATH (published at {homepage})"
        ))
    })?;
    Ok(Fetcher::from_env(offline)?.fetch(src)?)
}

/// Loads the model and, when given, the judge on the same backend. With
/// `auto`, a judge that cannot load on the GPU moves both to the CPU.
fn load_with_judge(
    model: &Path,
    judge: Option<&Path>,
    backend: BackendChoice,
) -> Result<(Loaded, Option<Loaded>), CliError> {
    let loaded = load_model(model, backend)?;
    let Some(judge) = judge else {
        return Ok((loaded, None));
    };
    match load_model(judge, loaded.choice()) {
        Ok(j) => Ok((loaded, Some(j))),
        Err(e) if backend == BackendChoice::Auto && loaded.choice() == BackendChoice::Gpu => {
            eprintln!("note: --backend auto: judge model: {e}; running both models on the cpu");
            drop(loaded);
            Ok((load_model(model, BackendChoice::Cpu)?, Some(load_model(judge, BackendChoice::Cpu)?)))
        }
        Err(e) => Err(e),
    }
}

/// Runs each suite on its data folder, with progress bars.
fn run_suites<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    judge: Option<&Judge<'_, B>>,
    jobs: &[(&dyn Suite, PathBuf)],
    opts: &RunOptions,
) -> Result<Vec<TaskOutcome>, CliError> {
    let mut outcomes = Vec::new();
    for (suite, dir) in jobs {
        let info = suite.info();
        let data = suite.load(dir)?;
        let pb = bar(0, info.name);
        let outcome = run_suite_judged(model, tok, *suite, &data, opts, judge, &mut |done, total, rec| {
            pb.set_length(total as u64);
            pb.set_position(done as u64);
            if let Some(p) = &rec.prediction {
                pb.set_message(format!("{} {p}", info.name));
            }
        })?;
        pb.finish_and_clear();
        eprintln!(
            "{}: {} items ({} resumed), {:.2} items/s{}",
            info.name,
            outcome.n_effective,
            outcome.n_resumed,
            outcome.items_per_second,
            outcome.metrics.metrics.get("acc,none").map(|a| format!(", acc {a:.4}")).unwrap_or_default()
                + &outcome
                    .metrics
                    .metrics
                    .get("judge_unparsed,none")
                    .map(|u| format!(", judge unparsed {u}"))
                    .unwrap_or_default()
        );
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

pub fn run(args: Args) -> Result<(), CliError> {
    if args.list {
        list(args.data.as_deref());
        return Ok(());
    }
    let chat = match args.chat_template.as_str() {
        "auto" => ChatMode::Auto,
        "none" => ChatMode::None,
        other => return Err(CliError::Usage(format!("--chat-template {other:?}: auto or none"))),
    };
    let mode = args.mode.as_deref().map(parse_mode).transpose()?;
    let names =
        if args.suite.is_empty() && args.tasks.is_empty() { vec!["demo".to_string()] } else { args.suite.clone() };
    let (mut suite_list, groups) = expand(&names)?;
    if args.judge_model.is_none() {
        // A group reaches judge-scored suites too; without a judge they are
        // left out (and said so) rather than failing the whole group.
        suite_list.retain(|s| {
            let i = s.info();
            let judge_only = mode.unwrap_or(i.modes[0]) == Mode::Judge;
            let named = names.iter().any(|n| n == i.name);
            if judge_only && !named {
                eprintln!("note: {} needs --judge-model; left out of this run", i.name);
            }
            named || !judge_only
        });
    }
    let judged: Vec<&str> = suite_list
        .iter()
        .map(|s| s.info())
        .filter(|i| mode.unwrap_or(i.modes[0]) == Mode::Judge)
        .map(|i| i.name)
        .collect();
    if !judged.is_empty() && args.judge_model.is_none() {
        return Err(CliError::Usage(format!(
            "suite {} is scored by a judge model: give --judge-model PATH (a GGUF model)",
            judged.join(", ")
        )));
    }
    // Task files name their own data. A suite lives as long as the process.
    let mut from_task_files = Vec::new();
    for path in &args.tasks {
        let task: &'static GenericTask = Box::leak(Box::new(GenericTask::from_file(path)?));
        from_task_files.push(task.info().name);
        suite_list.push(task);
    }
    // Every suite's folder, fetched into the cache where --data is not given,
    // before the model loads.
    let dirs = suite_list
        .iter()
        .map(|suite| {
            let info = suite.info();
            Ok(match (&args.data, suite_list.len()) {
                _ if from_task_files.contains(&info.name) => PathBuf::new(),
                (Some(d), 1) => d.clone(),
                (Some(d), _) => suite_folder(d, info.name),
                (None, _) if info.name == "demo" => PathBuf::new(),
                (None, _) => fetch_suite(info.name, info.homepage, args.offline)?,
            })
        })
        .collect::<Result<Vec<PathBuf>, CliError>>()?;
    let model_path = args.model.clone().unwrap_or_else(default_model);
    let needs_judge = args.judge_model.as_ref().filter(|_| !judged.is_empty());
    args.steering.check()?;
    let (mut loaded, judge_loaded) = load_with_judge(&model_path, needs_judge.map(PathBuf::as_path), args.backend)?;
    args.steering.apply(&mut loaded)?;
    let judge_config = match needs_judge {
        Some(p) => Some(JudgeConfig {
            model: p.display().to_string(),
            model_sha256: sha256_file(p)?,
            max_tokens: args.judge_max_tokens,
        }),
        None => None,
    };
    let opts = RunOptions {
        limit: args.limit,
        num_fewshot: args.num_fewshot,
        mode,
        chat,
        output: args.output.clone(),
        ppl_window: args.ppl_window,
        judge: judge_config,
    };
    let mut sources = BTreeMap::new();
    for suite in &suite_list {
        let info = suite.info();
        sources.insert(info.name.to_string(), info.template_source.to_string());
    }
    let jobs: Vec<(&dyn Suite, PathBuf)> = suite_list.iter().copied().zip(dirs).collect();
    let tok = &loaded.tokenizer;
    let outcomes = match &judge_loaded {
        None => kaoshi_runtime::with_model!(&loaded.model, |m| run_suites(m, tok, None, &jobs, &opts))?,
        Some(j) => with_model_pair!(&loaded.model, &j.model, |m, jm| {
            run_suites(m, tok, Some(&Judge { model: jm, tok: &j.tokenizer }), &jobs, &opts)
        })
        .ok_or_else(|| CliError::Usage("the model and the judge model loaded on different backends".into()))??,
    };
    let prov = crate::provenance::of_model(&model_path, &loaded)?;
    let doc = results::results_json(&outcomes, &groups, &prov, &opts, &sources);
    let report = results::report_md(&outcomes, &prov);
    results::write(&args.output, &doc, &report)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&doc).map_err(|e| CliError::Usage(e.to_string()))?);
    } else {
        print!("{report}");
        eprintln!("wrote {}", args.output.join("results.json").display());
    }
    Ok(())
}
