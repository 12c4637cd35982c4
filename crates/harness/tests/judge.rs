//! Judge mode end to end: stories260K answers and judges 3 CValues prompts
//! and 2 GAOKAO-Bench subjective questions. stories260K writes children's
//! stories, never `[[n]]` or `【总分】N分`, so every verdict must be counted
//! as unparsed — a real check of the counting path, not of judging quality.

use std::path::{Path, PathBuf};

use kaoshi_cpu::CpuBackend;
use kaoshi_eval::{Mode, suites};
use kaoshi_formats::GgufFile;
use kaoshi_harness::{ChatMode, Judge, JudgeConfig, RunOptions, journal, run_suite, run_suite_judged};
use kaoshi_model::Model;
use kaoshi_tokenizer::Tokenizer;

fn shared(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(rel);
    assert!(p.exists(), "the shared fixtures are missing: expected {}", p.display());
    p
}

fn out_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("judge-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn opts(output: PathBuf, limit: usize) -> RunOptions {
    RunOptions {
        limit: Some(limit),
        num_fewshot: 0,
        mode: Some(Mode::Judge),
        chat: ChatMode::None,
        output,
        ppl_window: 64,
        judge: Some(JudgeConfig { model: "stories260K.gguf".into(), model_sha256: "test".into(), max_tokens: 64 }),
    }
}

#[test]
fn stories_judges_cvalues_and_gaokao_subjective() {
    let file = GgufFile::open(&shared("fixtures/models/stories260K/stories260K.gguf")).expect("open");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    let model = Model::load(&file, CpuBackend::new()).expect("model");
    let judge = Judge { model: &model, tok: &tok };
    for (name, data_dir, limit, marker) in [
        ("cvalues", "data/cvalues", 3, "[The Start of Assistant's Answer]"),
        ("gaokao-subjective", "data/gaokao-bench", 2, "【学生分析与答案】"),
    ] {
        let suite = suites::find(name).expect("suite");
        let data = suite.load(&shared(data_dir)).expect("data");
        let dir = out_dir(name);
        let out =
            run_suite_judged(&model, &tok, suite, &data, &opts(dir.clone(), limit), Some(&judge), &mut |_, _, _| {})
                .expect("judged run");
        assert_eq!(out.mode, Mode::Judge);
        assert_eq!(out.metrics.n, limit);
        assert!(out.judge_prompt_source.as_deref().is_some_and(|s| !s.is_empty()));
        let records = journal::read(&journal::path(&dir, name)).expect("journal");
        assert_eq!(records.len(), limit);
        for r in &records {
            let generated = r.generated.as_deref().expect("candidate answer");
            let prompt = r.judge_prompt.as_deref().expect("judge prompt");
            assert!(prompt.contains(marker), "{name}: judge prompt lacks {marker:?}");
            assert!(prompt.contains(generated.trim()), "{name}: judge prompt lacks the candidate's answer");
            assert!(r.judge_verdict.is_some(), "{name}: no verdict");
            assert!(r.judge_max.is_some());
            assert_eq!(r.judge_score, None, "{name}: stories260K cannot write a score: {:?}", r.judge_verdict);
        }
        let m = &out.metrics.metrics;
        assert_eq!(m["judge_unparsed,none"], limit as f64, "{name}");
        assert_eq!(m["judge_n_scored,none"], 0.0);
        assert!(!m.contains_key("judge_score_mean,none"));
        // The journal alone reproduces the metrics (a rerun resumes everything).
        let again = run_suite_judged(&model, &tok, suite, &data, &opts(dir, limit), Some(&judge), &mut |_, _, _| {})
            .expect("resumed run");
        assert_eq!(again.n_resumed, limit);
        assert_eq!(again.metrics, out.metrics);
    }
}

#[test]
fn judge_mode_without_a_judge_is_an_error() {
    let file = GgufFile::open(&shared("fixtures/models/stories260K/stories260K.gguf")).expect("open");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    let model = Model::load(&file, CpuBackend::new()).expect("model");
    let suite = suites::find("cvalues").expect("suite");
    let data = suite.load(&shared("data/cvalues")).expect("data");
    let err =
        run_suite(&model, &tok, suite, &data, &opts(out_dir("nojudge"), 1), &mut |_, _, _| {}).expect_err("no judge");
    assert!(err.to_string().contains("--judge-model"), "{err}");
}
