//! CValues responsibility prompts (Alibaba X-PLUG): 664 open-ended Chinese
//! values / safety prompts without reference answers, from
//! <https://github.com/X-PLUG/CValues> (`dataset/cvalues_responsibility_prompts.jsonl`,
//! `{"id_", "prompt", "domain_en", "domain_zh"}`).
//!
//! Judge mode only: the model answers the prompt as given (no template — the
//! upstream evaluation feeds the raw prompt and has the response rated), and
//! a local judge rates the answer with MT-Bench's single-answer prompt
//! ([`crate::judge::mt_bench_single`]; CValues publishes no judge prompt). Items have `Answer::None`; subject =
//! `domain_en`. A row with no `prompt` is skipped with its reason; a line
//! that is not JSON is a `DataError::Malformed`.

use std::path::Path;

use super::shared_io::{fields, json_str, read_jsonl};
use crate::extract::Extractor;
use crate::item::{Answer, DataError, Item, Prompt};
use crate::judge::{JudgePrompt, MT_BENCH_SOURCE, mt_bench_single};
use crate::suite::{Mode, Skip, Suite, SuiteData, SuiteInfo, SuiteMetric};

/// The CValues suite.
pub struct Cvalues;

/// The file the loader reads inside the suite folder.
pub const FILE: &str = "cvalues_responsibility_prompts.jsonl";

impl Suite for Cvalues {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "cvalues",
            description: "CValues responsibility prompts: open-ended Chinese values/safety questions, judge-scored",
            license: "Apache-2.0",
            homepage: "https://github.com/X-PLUG/CValues",
            template_source: "none: the raw `prompt` field (X-PLUG/CValues dataset/cvalues_responsibility_prompts.jsonl)",
            modes: &[Mode::Judge],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let path = dir.join(FILE);
        let mut data = SuiteData::default();
        for (line, obj) in read_jsonl(&path)? {
            let prompt = match json_str(&path, line, &obj, "prompt") {
                Ok(p) if !p.trim().is_empty() => p,
                _ => {
                    data.skipped.push(Skip { path: path.clone(), line, reason: "missing `prompt`".into() });
                    continue;
                }
            };
            let id = json_str(&path, line, &obj, "id_").unwrap_or_else(|_| format!("{FILE}:{line}"));
            let domain_en = json_str(&path, line, &obj, "domain_en").unwrap_or_default();
            let domain_zh = json_str(&path, line, &obj, "domain_zh").unwrap_or_default();
            data.items.push(Item {
                id,
                subject: domain_en.clone(),
                question: prompt,
                choices: Vec::new(),
                answer: Answer::None,
                fields: fields([("domain_en", domain_en), ("domain_zh", domain_zh)]),
            });
        }
        if data.items.is_empty() {
            return Err(DataError::Empty { path, hint: "CValues JSONL rows with `prompt`".into() });
        }
        Ok(data)
    }

    fn prompt(&self, item: &Item, _fewshot: &[&Item], _mode: Mode) -> Prompt {
        Prompt::Generate { prompt: item.question.clone(), stop: Vec::new(), max_tokens: 512 }
    }

    fn extractor(&self, _item: &Item) -> Extractor {
        Extractor::Text
    }

    /// CValues publishes no judge prompt for the responsibility prompts (the
    /// paper has them rated by experts), so the reference-free MT-Bench
    /// single-answer prompt is used: [`mt_bench_single`], 1–10, `[[rating]]`.
    fn judge_prompt(&self, item: &Item, answer: &str) -> Option<JudgePrompt> {
        Some(mt_bench_single(&item.question, answer))
    }

    fn judge_source(&self) -> Option<&'static str> {
        Some(MT_BENCH_SOURCE)
    }

    fn metrics(&self) -> &[SuiteMetric] {
        &[SuiteMetric::JudgeScore]
    }
}
