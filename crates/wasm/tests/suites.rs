//! Benchmark suites through the wasm crate's Rust side, natively on the CPU:
//! `Session::run_suite` (data from memory, answers awaited) must give the
//! same records and metrics as the CLI's `kaoshi_harness::run_suite` (data
//! from disk, synchronous engine) in every scoring mode; resuming from the
//! records of an interrupted run must run only the rest and give the same
//! outcome; abort, bad data and unknown suites must fail with the kinds JS
//! sees.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::cell::Cell;
use std::path::{Path, PathBuf};

use common::STORIES260K;
use kaoshi_cpu::CpuBackend;
use kaoshi_eval::{Mode, sources, suites};
use kaoshi_formats::GgufFile;
use kaoshi_harness::{ChatMode, RunOptions, SampleRecord, TaskOutcome};
use kaoshi_model::Model;
use kaoshi_tokenizer::Tokenizer;
use kaoshi_wasm::{BackendChoice, Error, ErrorKind, ResultsRun, Session, SuiteRequest};

fn session() -> Session {
    pollster::block_on(Session::load(STORIES260K.to_vec(), BackendChoice::Cpu)).expect("load")
}

/// The folder of ../shared/data holding suite `name`.
fn shared_dir(name: &str) -> PathBuf {
    let folder = match name {
        "gaokao" => "gaokao-bench",
        "flores" => "flores200",
        "wikitext2" => "wikitext-2",
        other => other,
    };
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(folder)
}

/// The suite's pinned files, read from the shared copy into memory.
fn files(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = shared_dir(name);
    match sources::find(name) {
        Some(src) => src
            .files
            .iter()
            .map(|f| (f.rel_path.to_string(), std::fs::read(dir.join(f.rel_path)).expect("read")))
            .collect(),
        None => Vec::new(),
    }
}

fn request(suite: &str, mode: Option<Mode>, limit: usize, done: Vec<SampleRecord>) -> SuiteRequest {
    let value = serde_json::json!({ "suite": suite, "mode": mode, "limit": limit, "chat": "none", "pplWindow": 128 });
    let mut req: SuiteRequest = serde_json::from_value(value).expect("request");
    req.done = done;
    req
}

/// Runs through the wasm crate; returns the records as reported and the outcome.
fn run_wasm(
    s: &Session,
    req: SuiteRequest,
    aborted: &dyn Fn() -> bool,
) -> Result<(Vec<SampleRecord>, TaskOutcome), Error> {
    let name = req.suite.clone();
    let mut seen = Vec::new();
    let mem = kaoshi_wasm::memory_files(files(&name)).expect("files");
    let out = pollster::block_on(s.run_suite(req, mem, aborted, &mut |r, done, total| {
        assert!(done <= total);
        seen.push(r.clone());
        Ok(())
    }))?;
    Ok((seen, out))
}

/// Runs through the CLI's harness, journaling into a fresh folder.
fn run_cli(suite: &str, mode: Option<Mode>, limit: usize) -> (Vec<SampleRecord>, TaskOutcome) {
    let file = GgufFile::from_bytes("stories260K.gguf", STORIES260K).expect("open");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    let model = Model::load(&file, CpuBackend::new()).expect("load");
    let s = suites::find(suite).expect("suite");
    let data = s.load(&shared_dir(suite)).expect("data");
    let out = std::env::temp_dir().join(format!("kaoshi-wasm-suites-{}-{suite}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let opts = RunOptions {
        limit: Some(limit),
        num_fewshot: 0,
        mode,
        chat: ChatMode::None,
        output: out.clone(),
        ppl_window: 128,
        judge: None,
    };
    let mut seen = Vec::new();
    let outcome = kaoshi_harness::run_suite(&model, &tok, s, &data, &opts, &mut |_, _, r| seen.push(r.clone()))
        .expect("harness run");
    let _ = std::fs::remove_dir_all(&out);
    (seen, outcome)
}

#[test]
fn every_mode_gives_the_clis_records_and_metrics() {
    let s = session();
    for (suite, mode, limit) in [
        ("demo", None, 8),
        ("cmmlu", Some(Mode::Letter), 12),
        ("cmmlu", Some(Mode::Loglik), 6),
        ("cmath", Some(Mode::Generate), 3),
        ("wikitext2", Some(Mode::Perplexity), 1),
    ] {
        let (ours, ours_out) = run_wasm(&s, request(suite, mode, limit, vec![]), &|| false).expect("wasm run");
        let (cli, cli_out) = run_cli(suite, mode, limit);
        assert_eq!(ours.len(), limit, "{suite} {mode:?}: records");
        assert_eq!(ours, cli, "{suite} {mode:?}: records differ from the CLI's");
        assert_eq!(ours_out.metrics, cli_out.metrics, "{suite} {mode:?}: metrics");
        assert_eq!(ours_out.prompt_hash, cli_out.prompt_hash, "{suite} {mode:?}: prompts");
        assert_eq!((ours_out.n_effective, ours_out.n_resumed), (limit, 0));
    }
}

#[test]
fn resuming_runs_only_the_rest_and_gives_the_same_outcome() {
    let s = session();
    let (full, full_out) = run_wasm(&s, request("cmmlu", Some(Mode::Letter), 12, vec![]), &|| false).expect("run");
    // An interrupted run: abort after 5 records.
    let calls = Cell::new(0usize);
    let aborted = || {
        calls.set(calls.get() + 1);
        calls.get() > 5
    };
    let err = run_wasm(&s, request("cmmlu", Some(Mode::Letter), 12, vec![]), &aborted).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Abort, "{err}");
    let done: Vec<SampleRecord> = full[..5].to_vec();
    let (rest, out) = run_wasm(&s, request("cmmlu", Some(Mode::Letter), 12, done), &|| false).expect("resume");
    assert_eq!(rest, full[5..].to_vec(), "only the items not done run, in order");
    assert_eq!(out.n_resumed, 5);
    assert_eq!(out.metrics, full_out.metrics);
    assert_eq!(out.prompt_hash, full_out.prompt_hash);
    // Records in another mode are refused, not mixed in.
    let err = run_wasm(&s, request("cmmlu", Some(Mode::Loglik), 12, full[..2].to_vec()), &|| false).unwrap_err();
    assert!(err.message.contains("letter mode"), "{err}");
}

#[test]
fn bad_data_and_unknown_suites_fail_with_their_kinds() {
    let s = session();
    // A published suite without its files.
    let mem = kaoshi_wasm::memory_files(Vec::new()).expect("files");
    let err = pollster::block_on(s.run_suite(request("cmmlu", None, 3, vec![]), mem, &|| false, &mut |_, _, _| Ok(())))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::SuiteData, "{err}");
    // A malformed row: the message names the file and line.
    let mut broken = files("cmmlu");
    let (path, bytes) = broken.iter_mut().find(|(p, _)| p.starts_with("test/")).expect("a test file");
    bytes.extend_from_slice(b"\n\"only\",\"three\",\"fields\"\n");
    let path = path.clone();
    let mem = kaoshi_wasm::memory_files(broken).expect("files");
    let err = pollster::block_on(s.run_suite(request("cmmlu", None, 3, vec![]), mem, &|| false, &mut |_, _, _| Ok(())))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::SuiteData, "{err}");
    assert!(err.message.contains(&path), "{err}");
    // A path leaving the suite's folder.
    let err = kaoshi_wasm::memory_files(vec![("../x.csv".into(), vec![])]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::SuiteData);
    // Unknown suite; judge mode.
    let err = run_wasm(&s, request("no-such-suite", None, 1, vec![]), &|| false).unwrap_err();
    assert!(err.message.contains("no suite") && err.message.contains("cmmlu"), "{err}");
    let err = run_wasm(&s, request("cvalues", None, 1, vec![]), &|| false).unwrap_err();
    assert!(err.message.contains("judge"), "{err}");
    // A callback error ends the run with it.
    let mem = kaoshi_wasm::memory_files(files("cmmlu")).expect("files");
    let err = pollster::block_on(s.run_suite(request("cmmlu", None, 3, vec![]), mem, &|| false, &mut |_, _, _| {
        Err(kaoshi_wasm::Error::other("stop here"))
    }))
    .unwrap_err();
    assert_eq!(err.message, "stop here");
}

#[test]
fn results_json_has_the_clis_layout() {
    let s = session();
    let (_, cmmlu) = run_wasm(&s, request("cmmlu", Some(Mode::Letter), 6, vec![]), &|| false).expect("run");
    let (_, demo) = run_wasm(&s, request("demo", None, 4, vec![]), &|| false).expect("run");
    let run: ResultsRun =
        serde_json::from_value(serde_json::json!({"model": "stories260K.gguf", "modelSha256": "ab12", "limit": 6}))
            .expect("run");
    // The outcomes as JS hands them back: through JSON, NaN as null.
    let outcomes: Vec<TaskOutcome> =
        serde_json::from_str(&serde_json::to_string(&[cmmlu.clone(), demo]).expect("json")).expect("outcomes");
    let doc = s.results_json(&outcomes, &run);
    assert_eq!(doc["results"]["cmmlu"]["acc,none"].as_f64(), cmmlu.metrics.metrics.get("acc,none").copied());
    assert_eq!(doc["provenance"]["model_sha256"], "ab12");
    assert_eq!(doc["provenance"]["architecture"], "llama");
    assert_eq!(doc["n-samples"]["cmmlu"]["effective"], 6);
    assert_eq!(doc["config"]["limit"], 6);
    assert!(doc["group_subtasks"].as_object().is_some_and(|g| g.contains_key("openeval-capability")), "{doc}");
    assert!(doc["provenance"]["date"].as_str().is_some_and(|d| d.len() == 20 && d.ends_with('Z')), "{doc}");
}

#[test]
fn the_catalog_lists_every_suite_with_its_published_files() {
    let c = kaoshi_wasm::catalog();
    assert_eq!(c.suites.len(), suites::all().len());
    let cmmlu = c.suites.iter().find(|s| s.name == "cmmlu").expect("cmmlu");
    assert_eq!(cmmlu.modes.first(), Some(&suites::find("cmmlu").expect("cmmlu").info().modes[0].as_str()));
    let src = cmmlu.source.as_ref().expect("published files");
    assert_eq!(src.files.len(), sources::find("cmmlu").expect("pins").files.len());
    assert!(c.suites.iter().find(|s| s.name == "demo").expect("demo").source.is_none());
    assert!(c.groups.contains_key("openeval-safety"));
}
