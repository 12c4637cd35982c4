//! Benchmark suites in the browser: the catalog of suites and where their
//! data is published ([`catalog`]), running one suite on a loaded model
//! ([`Session::run_suite`]) and the CLI's `results.json` for the outcomes
//! ([`Session::results_json`]).
//!
//! The harness's [`TaskRun`] plans each item and aggregates the records, as
//! for the CLI; only the model's answers differ: they are awaited here
//! (`run::answer`). Records are not written anywhere: each goes to the
//! caller as it finishes, and the caller hands back the records of an
//! interrupted run (`done`) to skip those items.

use std::collections::BTreeMap;
use std::path::Path;

use kaoshi_eval::files::{MemoryFiles, load_from_memory};
use kaoshi_eval::{Mode, Suite, sources, suites};
use kaoshi_harness::results::{Groups, Provenance, results_json};
use kaoshi_harness::{ChatMode, RunOptions, SampleRecord, TaskOutcome, TaskRun};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::pace::{Pacer, now_iso, now_ms};
use crate::session::Session;

/// One published file of a suite.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuiteFileEntry {
    /// Where the loader reads it, inside the suite's folder.
    pub rel_path: &'static str,
    /// Where it is published (pinned commit).
    pub url: &'static str,
    /// sha256 of its bytes, lowercase hex.
    pub sha256: &'static str,
}

/// Where a suite's data is published.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuiteSourceEntry {
    /// The licence note to show before downloading.
    pub licence: &'static str,
    /// The files.
    pub files: Vec<SuiteFileEntry>,
}

/// One suite of the catalog.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SuiteEntry {
    /// Its name, as `runSuite` and `kaoshi eval --suite` take it.
    pub name: &'static str,
    /// What it measures.
    pub description: &'static str,
    /// The data's licence.
    pub license: &'static str,
    /// Where the suite is published.
    pub homepage: &'static str,
    /// Where the prompt template comes from.
    pub template_source: &'static str,
    /// Modes it supports, the default first.
    pub modes: Vec<&'static str>,
    /// Its pinned data files; `None` for a suite built in (demo).
    pub source: Option<SuiteSourceEntry>,
}

/// Every suite and group.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteCatalog {
    /// The suites, in `kaoshi eval --list` order.
    pub suites: Vec<SuiteEntry>,
    /// Group name -> member suites (the OpenEval dimensions).
    pub groups: BTreeMap<&'static str, Vec<&'static str>>,
}

/// The suites kaoshi runs, with their published data.
pub fn catalog() -> SuiteCatalog {
    let suites = suites::all()
        .into_iter()
        .map(|s| {
            let info = s.info();
            SuiteEntry {
                name: info.name,
                description: info.description,
                license: info.license,
                homepage: info.homepage,
                template_source: info.template_source,
                modes: info.modes.iter().map(Mode::as_str).collect(),
                source: sources::find(info.name).map(|src| SuiteSourceEntry {
                    licence: src.licence,
                    files: src
                        .files
                        .iter()
                        .map(|f| SuiteFileEntry { rel_path: f.rel_path, url: f.url, sha256: f.sha256 })
                        .collect(),
                }),
            }
        })
        .collect();
    SuiteCatalog { suites, groups: suites::groups() }
}

/// What to run (`runSuite`'s request, camelCase in JS).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuiteRequest {
    /// The suite's name.
    pub suite: String,
    /// Scoring mode; the suite's default when absent.
    #[serde(default)]
    pub mode: Option<Mode>,
    /// Few-shot exemplars per prompt.
    #[serde(default)]
    pub num_fewshot: usize,
    /// Only the first `limit` items.
    #[serde(default)]
    pub limit: Option<usize>,
    /// "none" (the default, as `kaoshi eval`'s) or "auto" (the model's chat
    /// template when it has one).
    #[serde(default = "chat_default")]
    pub chat: ChatMode,
    /// Perplexity window in tokens (as `kaoshi eval --ppl-window`).
    #[serde(default = "default_ppl_window")]
    pub ppl_window: usize,
    /// Records of an interrupted run of this suite: not run again.
    #[serde(default)]
    pub done: Vec<SampleRecord>,
}

/// `kaoshi eval`'s default `--chat-template`.
fn chat_default() -> ChatMode {
    ChatMode::None
}

/// The CLI's default `--ppl-window`.
fn default_ppl_window() -> usize {
    512
}

impl SuiteRequest {
    fn options(&self) -> RunOptions {
        browser_options(self.limit, self.num_fewshot, self.mode, self.chat, self.ppl_window)
    }
}

/// Run settings in the browser: no output folder (records go to the
/// caller), no judge.
fn browser_options(
    limit: Option<usize>,
    num_fewshot: usize,
    mode: Option<Mode>,
    chat: ChatMode,
    ppl_window: usize,
) -> RunOptions {
    RunOptions { limit, num_fewshot, mode, chat, output: Default::default(), ppl_window, judge: None }
}

/// The run a `results.json` describes (`resultsJson`'s second argument).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultsRun {
    /// The model as the user knows it (file name or URL).
    pub model: String,
    /// sha256 of the model file.
    pub model_sha256: String,
    /// The item limit used.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Few-shot count used.
    #[serde(default)]
    pub num_fewshot: usize,
    /// The mode asked for (none: each suite's default).
    #[serde(default)]
    pub mode: Option<Mode>,
    /// Chat template setting.
    #[serde(default = "chat_default")]
    pub chat: ChatMode,
    /// Perplexity window.
    #[serde(default = "default_ppl_window")]
    pub ppl_window: usize,
}

/// Finds suite `name`.
fn find(name: &str) -> Result<&'static dyn Suite, Error> {
    suites::find(name).ok_or_else(|| {
        let names: Vec<&str> = suites::all().iter().map(|s| s.info().name).collect();
        Error::other(format!("no suite {name:?} (suites: {})", names.join(", ")))
    })
}

/// Loads `suite`'s data from `files`; a suite with published files and none
/// given is an error that says so.
fn load_data(suite: &dyn Suite, files: MemoryFiles) -> Result<kaoshi_eval::SuiteData, Error> {
    let name = suite.info().name;
    match sources::find(name) {
        Some(src) if files.is_empty() => Err(Error::new(
            ErrorKind::SuiteData,
            format!("suite {name} needs its data files ({} published files; none were given)", src.files.len()),
        )),
        Some(_) => Ok(load_from_memory(suite, files)?),
        // Built in: the loader reads nothing.
        None => Ok(suite.load(Path::new(""))?),
    }
}

impl Session {
    /// Runs one suite on this model. `on_record(record, done, total)` is
    /// called after each finished item (an error from it ends the run with
    /// that error); `aborted` is asked between items (and between tokens
    /// and windows within one), and the run then ends with an
    /// [`ErrorKind::Abort`] error, the records already reported still valid.
    pub async fn run_suite(
        &self,
        req: SuiteRequest,
        files: MemoryFiles,
        aborted: &dyn Fn() -> bool,
        on_record: &mut dyn FnMut(&SampleRecord, usize, usize) -> Result<(), Error>,
    ) -> Result<TaskOutcome, Error> {
        let suite = find(&req.suite)?;
        let opts = req.options();
        if TaskRun::mode_of(suite, &opts)? == Mode::Judge {
            return Err(Error::other(format!(
                "suite {} is scored by a judge model, which the browser does not run yet (use `kaoshi eval --judge-model`)",
                req.suite
            )));
        }
        let data = load_data(suite, files)?;
        let mut task = TaskRun::new(self.tokenizer(), self.context_length(), suite, &data, &opts, req.done)
            .map_err(|e| Error::other(format!("the records given as done: {e}")))?;
        let start = now_ms();
        let mut pacer = Pacer::new();
        let mut ran = 0usize;
        for index in task.pending() {
            if aborted() {
                return Err(Error::new(ErrorKind::Abort, "the run was aborted"));
            }
            let (rec, req) = task.plan(index)?;
            let resp = self.answer(&req, aborted).await?;
            let rec = task.score(index, rec, &req, resp)?;
            ran += 1;
            let (n, total) = task.push(rec);
            on_record(task.last().expect("just pushed"), n, total)?;
            pacer.pause().await;
        }
        Ok(task.outcome((now_ms() - start) / 1000.0, ran))
    }

    /// The CLI's `results.json` document for `outcomes` of runs on this
    /// model.
    pub fn results_json(&self, outcomes: &[TaskOutcome], run: &ResultsRun) -> serde_json::Value {
        let info = self.info();
        let prov = Provenance {
            model: run.model.clone(),
            model_sha256: run.model_sha256.clone(),
            model_name: info.name.clone(),
            architecture: info.architecture.clone(),
            parameters: info.parameters,
            tokenizer: info.tokenizer.clone(),
            backend: match &info.adapter {
                Some(a) => format!("{} ({a})", info.backend),
                None => info.backend.clone(),
            },
            kaoshi_version: env!("CARGO_PKG_VERSION").into(),
            seed: 0,
            date: now_iso(),
            steering: None,
        };
        let opts = browser_options(run.limit, run.num_fewshot, run.mode, run.chat, run.ppl_window);
        let ran: Vec<&str> = outcomes.iter().map(|o| o.task.as_str()).collect();
        let groups: Groups = suites::groups()
            .into_iter()
            .filter(|(_, members)| members.iter().any(|m| ran.contains(m)))
            .map(|(g, members)| (g.to_string(), members.iter().map(|m| m.to_string()).collect()))
            .collect();
        let template_sources: BTreeMap<String, String> = outcomes
            .iter()
            .filter_map(|o| suites::find(&o.task).map(|s| (o.task.clone(), s.info().template_source.to_string())))
            .collect();
        results_json(outcomes, &groups, &prov, &opts, &template_sources)
    }
}

/// Fills `files` from (relative path, bytes) pairs, refusing paths that
/// leave the suite's folder.
pub fn memory_files(pairs: impl IntoIterator<Item = (String, Vec<u8>)>) -> Result<MemoryFiles, Error> {
    let mut files = MemoryFiles::new();
    for (path, bytes) in pairs {
        files.insert(&path, bytes).map_err(|m| Error::new(ErrorKind::SuiteData, m))?;
    }
    Ok(files)
}
