//! The TypeScript declarations of the JS API (`js.rs`'s `TS_TYPES`, written
//! by hand) against the Rust types they describe: each interface's fields
//! are exactly the keys the Rust type writes (outputs) or reads (inputs),
//! optional in TypeScript exactly where Rust may leave them out. A field
//! added on one side only fails here.

use std::collections::{BTreeMap, BTreeSet};

use kaoshi_engine::{ContinuationScore, PerplexityReport};
use kaoshi_eval::{Answer, Item, Mode};
use kaoshi_harness::SampleRecord;
use kaoshi_runtime::BackendChoice;
use serde::Serialize;

use crate::js::{GenerateOptions, Score, TS_TYPES};
use crate::session::Session;
use crate::suite::{ResultsRun, SuiteRequest, catalog};

/// interface -> field -> optional (`?:`), top-level fields only.
fn interfaces() -> BTreeMap<String, BTreeMap<String, bool>> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, BTreeMap<String, bool>)> = None;
    for line in TS_TYPES.lines() {
        if let Some(rest) = line.strip_prefix("export interface ") {
            let name = rest.split(|c: char| !c.is_alphanumeric()).next().unwrap_or_default();
            current = Some((name.to_string(), BTreeMap::new()));
        } else if line == "}" {
            if let Some((name, fields)) = current.take() {
                out.insert(name, fields);
            }
        } else if let (Some((_, fields)), Some(member)) = (current.as_mut(), line.strip_prefix("    ")) {
            let name: String = member.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let after = &member[name.len()..];
            if !name.is_empty() && (after.starts_with(':') || after.starts_with("?:")) {
                fields.insert(name, after.starts_with('?'));
            }
        }
    }
    out
}

fn keys(value: &impl Serialize) -> BTreeSet<String> {
    match serde_json::to_value(value).expect("serializes") {
        serde_json::Value::Object(map) => map.into_iter().map(|(k, _)| k).collect(),
        other => panic!("not an object: {other}"),
    }
}

/// An output type: `full` (every optional field set) writes every declared
/// field, `minimal` (none set) every required one and nothing undeclared.
fn check_output(name: &str, full: &impl Serialize, minimal: &impl Serialize) {
    let declared = &interfaces()[name];
    let all: BTreeSet<String> = declared.keys().cloned().collect();
    let required: BTreeSet<String> = declared.iter().filter(|(_, opt)| !**opt).map(|(k, _)| k.clone()).collect();
    assert_eq!(keys(full), all, "{name}: the fields Rust writes vs. the TypeScript interface");
    let min = keys(minimal);
    assert!(min.is_superset(&required), "{name}: required in TypeScript, left out by Rust: {:?}", &required - &min);
    let optional: BTreeSet<String> = &all - &required;
    let always = &min - &optional;
    assert_eq!(always, required, "{name}: always written by Rust but optional in TypeScript");
}

/// An input type: the fields Rust reads (its keys when serialized) are the
/// interface's, less those the JS glue takes itself (`js_only`).
fn check_input(name: &str, value: &impl Serialize, js_only: &[&str]) {
    let mut declared: BTreeSet<String> = interfaces()[name].keys().cloned().collect();
    for k in js_only {
        assert!(declared.remove(*k), "{name}: {k} is not declared");
    }
    assert_eq!(keys(value), declared, "{name}: the fields Rust reads vs. the TypeScript interface");
}

fn stories260k() -> Session {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/models/stories260K/stories260K.gguf");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (the ../shared fixtures)", path.display()));
    pollster::block_on(Session::load(bytes, BackendChoice::Cpu)).expect("load")
}

#[test]
fn model_info_matches() {
    let s = stories260k();
    let mut full = s.info().clone();
    full.adapter = Some("a".into());
    full.adapter_api = Some("b".into());
    full.fallback_reason = Some("c".into());
    check_output("ModelInfo", &full, s.info());
}

#[test]
fn sample_record_matches() {
    let item = Item {
        id: "1".into(),
        subject: "s".into(),
        question: "q".into(),
        choices: vec!["a".into()],
        answer: Answer::Choice(0),
        fields: BTreeMap::new(),
    };
    let minimal = SampleRecord::new("t", &item, Mode::Loglik);
    let mut full = minimal.clone();
    full.logprobs = Some(vec![-1.0]);
    full.is_greedy = Some(vec![true]);
    full.generated = Some("g".into());
    full.prediction_norm = Some("A".into());
    full.correct_norm = Some(true);
    full.credit = Some(0.5);
    full.judge_prompt = Some("p".into());
    full.judge_verdict = Some("v".into());
    full.judge_score = Some(3.0);
    full.judge_max = Some(10.0);
    full.nll = Some(1.0);
    full.n_tokens = Some(2);
    full.n_bytes = Some(3);
    full.n_chars = Some(4);
    check_output("SampleRecord", &full, &minimal);
}

#[test]
fn scores_reports_and_outcomes_match() {
    let score =
        Score::from(ContinuationScore { logprob: -1.0, is_greedy: true, n_tokens: 1, token_logprobs: vec![-1.0] });
    check_output("ContinuationScore", &score, &score);
    let report = PerplexityReport { n_tokens: 1, n_bytes: 1, nll: 1.0, ppl: 1.0, bits_per_byte: 1.0, n_windows: 1 };
    check_output("PerplexityReport", &report, &report);
    let s = stories260k();
    let req: SuiteRequest =
        serde_json::from_value(serde_json::json!({ "suite": "demo", "limit": 2 })).expect("request");
    let outcome = pollster::block_on(s.run_suite(req, Default::default(), &|| false, &mut |_, _, _| Ok(())));
    let outcome = outcome.expect("demo suite");
    check_output("TaskOutcome", &outcome, &outcome);
}

#[test]
fn the_suite_catalog_matches() {
    let c = catalog();
    check_output("SuiteCatalog", &c, &c);
    let with_source = c.suites.iter().find(|s| s.source.is_some()).expect("a suite with published files");
    check_output("SuiteEntry", with_source, with_source);
    let file = &with_source.source.as_ref().expect("source").files[0];
    check_output("SuiteFile", file, file);
}

#[test]
fn inputs_match() {
    check_input("GenerateOptions", &GenerateOptions::default(), &["signal", "onToken"]);
    let req: SuiteRequest = serde_json::from_value(serde_json::json!({ "suite": "demo" })).expect("request");
    check_input("RunSuiteRequest", &req, &["files"]);
    let run: ResultsRun = serde_json::from_value(serde_json::json!({ "model": "m", "modelSha256": "s" })).expect("run");
    check_input("ResultsRun", &run, &[]);
}
