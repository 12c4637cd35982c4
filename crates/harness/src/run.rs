//! Running one suite on one model with the synchronous engine, journaled
//! to `samples_<task>.jsonl` in the output folder (a rerun resumes from it).

use std::path::Path;
use std::time::Instant;

use kaoshi_eval::{Mode, Suite, SuiteData};
use kaoshi_model::{Backend, Model};
use kaoshi_tokenizer::Tokenizer;
use sha2::{Digest, Sha256};

use crate::error::HarnessError;
use crate::execute::run_request;
use crate::journal::{self, Journal};
use crate::judge::{DEFAULT_JUDGE_MAX_TOKENS, Judge, JudgeRunner};
use crate::options::RunOptions;
use crate::record::SampleRecord;
use crate::task::{TaskOutcome, TaskRun, hex};

/// Runs `suite` on `model` over `data`, journaling every finished item to
/// `samples_<task>.jsonl` in `opts.output` and skipping items already there.
/// `progress(done, total)` is called after each item. Judge-mode suites need
/// [`run_suite_judged`].
pub fn run_suite<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    suite: &dyn Suite,
    data: &SuiteData,
    opts: &RunOptions,
    progress: &mut dyn FnMut(usize, usize, &SampleRecord),
) -> Result<TaskOutcome, HarnessError> {
    run_suite_judged(model, tok, suite, data, opts, None, progress)
}

/// [`run_suite`] with a judge model for judge-mode suites: each item's
/// generated answer is rated by `judge` ([`crate::judge`]).
pub fn run_suite_judged<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    suite: &dyn Suite,
    data: &SuiteData,
    opts: &RunOptions,
    judge: Option<&Judge<'_, B>>,
    progress: &mut dyn FnMut(usize, usize, &SampleRecord),
) -> Result<TaskOutcome, HarnessError> {
    let info = suite.info();
    let mode = TaskRun::mode_of(suite, opts)?;
    let judge_runner = match (mode, judge) {
        (Mode::Judge, Some(j)) => {
            let max_tokens = opts.judge.as_ref().map_or(DEFAULT_JUDGE_MAX_TOKENS, |c| c.max_tokens);
            Some(JudgeRunner::new(j, opts.chat, max_tokens)?)
        }
        (Mode::Judge, None) => {
            return Err(HarnessError::Item(format!(
                "suite {} is scored by a judge model: give one (--judge-model PATH)",
                info.name
            )));
        }
        _ => None,
    };
    std::fs::create_dir_all(&opts.output).map_err(|e| HarnessError::Io { path: opts.output.clone(), source: e })?;
    let jpath = journal::path(&opts.output, info.name);
    let previous = journal::read(&jpath)?;
    let mut run =
        TaskRun::new(tok, model.config().context_length, suite, data, opts, previous).map_err(|e| match e {
            HarnessError::Journal(m) => {
                HarnessError::Journal(format!("{} {m} (use another --output)", jpath.display()))
            }
            other => other,
        })?;
    let mut journal = Journal::open(&jpath)?;
    let start = Instant::now();
    let mut ran = 0usize;
    for index in run.pending() {
        let (mut rec, req) = run.plan(index)?;
        let resp = run_request(model, tok, &req)?;
        rec = run.score(index, rec, &req, resp)?;
        if let Some(runner) = &judge_runner {
            runner.score(suite, run.item(index), &mut rec)?;
        }
        journal.append(&rec)?;
        ran += 1;
        let (done, total) = run.push(rec);
        progress(done, total, run.last().expect("just pushed"));
    }
    Ok(run.outcome(start.elapsed().as_secs_f64(), ran))
}

/// sha256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String, HarnessError> {
    use std::io::Read;
    let io = |e| HarnessError::Io { path: path.to_path_buf(), source: e };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}
