//! A run interrupted part-way (journal cut mid-line, as a kill leaves it)
//! and started again gives the same results as an uninterrupted run.

use std::path::{Path, PathBuf};

use kaoshi_cpu::CpuBackend;
use kaoshi_eval::{Mode, suites};
use kaoshi_formats::GgufFile;
use kaoshi_harness::{ChatMode, RunOptions, journal, run_suite};
use kaoshi_model::Model;
use kaoshi_tokenizer::Tokenizer;

fn stories() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/models/stories260K/stories260K.gguf");
    assert!(p.exists(), "the shared fixtures are missing: expected {}", p.display());
    p
}

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("resume-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn interrupted_and_resumed_run_equals_uninterrupted_run() {
    let file = GgufFile::open(&stories()).expect("open");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    let model = Model::load(&file, CpuBackend::new()).expect("model");
    let suite = suites::find("demo").expect("demo suite");
    let data = suite.load(Path::new("")).expect("demo data");
    for mode in [Mode::Loglik, Mode::Letter] {
        let opts = |output| RunOptions {
            limit: None,
            num_fewshot: 0,
            mode: Some(mode),
            chat: ChatMode::None,
            output,
            ppl_window: 64,
            judge: None,
        };
        let full_dir = out_dir(&format!("full-{}", mode.as_str()));
        let full = run_suite(&model, &tok, suite, &data, &opts(full_dir.clone()), &mut |_, _, _| {}).expect("full run");
        assert_eq!(full.metrics.n, 32);
        assert_eq!(full.n_resumed, 0);

        // A run killed after 13 items, in the middle of writing the 14th line.
        let cut_dir = out_dir(&format!("cut-{}", mode.as_str()));
        std::fs::create_dir_all(&cut_dir).expect("dir");
        let journal_text = std::fs::read_to_string(journal::path(&full_dir, "demo")).expect("journal");
        let lines: Vec<&str> = journal_text.lines().collect();
        let mut partial: String = lines[..13].iter().map(|l| format!("{l}\n")).collect();
        let half = (0..=lines[13].len() / 2).rev().find(|&i| lines[13].is_char_boundary(i)).unwrap_or(0);
        partial.push_str(&lines[13][..half]);
        std::fs::write(journal::path(&cut_dir, "demo"), partial).expect("write");

        let resumed = run_suite(&model, &tok, suite, &data, &opts(cut_dir.clone()), &mut |_, _, _| {}).expect("resume");
        assert_eq!(resumed.n_resumed, 13);
        assert_eq!(resumed.metrics, full.metrics);
        assert_eq!(resumed.prompt_hash, full.prompt_hash);
        // The journal now holds each item exactly once.
        let records = journal::read(&journal::path(&cut_dir, "demo")).expect("read");
        assert_eq!(records.len(), 32);
        assert_eq!(journal::done_ids(&records).len(), 32);

        // A third run finds everything done and evaluates nothing.
        let again = run_suite(&model, &tok, suite, &data, &opts(cut_dir), &mut |_, _, _| {}).expect("rerun");
        assert_eq!(again.n_resumed, 32);
        assert_eq!(again.metrics, full.metrics);
    }
}

#[test]
fn journal_from_another_mode_is_refused() {
    let file = GgufFile::open(&stories()).expect("open");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    let model = Model::load(&file, CpuBackend::new()).expect("model");
    let suite = suites::find("demo").expect("demo suite");
    let data = suite.load(Path::new("")).expect("demo data");
    let dir = out_dir("mode");
    let opts = |mode| RunOptions {
        limit: Some(2),
        num_fewshot: 0,
        mode: Some(mode),
        chat: ChatMode::None,
        output: dir.clone(),
        ppl_window: 64,
        judge: None,
    };
    run_suite(&model, &tok, suite, &data, &opts(Mode::Loglik), &mut |_, _, _| {}).expect("run");
    let err = run_suite(&model, &tok, suite, &data, &opts(Mode::Letter), &mut |_, _, _| {}).expect_err("mode mismatch");
    assert!(err.to_string().contains("another --output"), "{err}");
}
