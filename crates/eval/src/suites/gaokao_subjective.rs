//! GAOKAO-Bench subjective questions (OpenLMLab/GAOKAO-Bench), scored by a
//! judge model with the benchmark's own grading prompt.
//!
//! Reads `Subjective_Questions/*.json` (the same `{"keywords", "example":
//! [...]}` files as [`super::gaokao`], through its reader), the candidate
//! instructions in `prompts/Sub_Prompt.json` (upstream `Bench/Sub_Prompt.json`)
//! and the judge instructions in `prompts/Sub_Grade_Prompt_wo_marking_criterion.json`
//! (upstream `Bench/Sub_Grade_Prompt_wo_marking_criterion.json`).
//!
//! Items: `answer` = [`Answer::Text`] (the reference answer), `fields["score"]`
//! = the full marks, `fields["analysis"]` the worked solution the judge sees,
//! `fields["type"]` = `cloze` / `subjective`. Judge mode only.
//!
//! Decision: the English error-correction file (type `correction`) is skipped
//! with the counted reason [`CORRECTION_SKIP`]: upstream answers it in two
//! model calls (rewrite the passage, then list the differences) and grades
//! the second; kaoshi runs one prompt per item.

use std::collections::BTreeMap;
use std::path::Path;

use super::exam_common::{json_str, list_files, parse_json, read_utf8, skip};
use super::gaokao::{read_examples, scalar};
use crate::extract::Extractor;
use crate::item::{Answer, DataError, Item, Prompt};
use crate::judge::{JudgePrompt, VerdictFormat, fill};
use crate::suite::{Mode, Suite, SuiteData, SuiteInfo, SuiteMetric};

/// The GAOKAO-Bench subjective-question suite.
pub struct GaokaoSubjective;

/// The skip reason for the two-call error-correction questions.
pub const CORRECTION_SKIP: &str = "correction: upstream's two-call protocol is not implemented";

/// The judge's user turn, `teacher_prompt_template_wo_marking_criterion` of
/// OpenLMLab/GAOKAO-Bench `Bench/subjective_grade.py`; upstream sends the
/// file's grading `prefix_prompt` as the system turn before it (kaoshi
/// prepends it: the prefix ends with a newline).
pub const GRADE_TEMPLATE: &str = "【题目】{question}\n【分析过程】{analysis}\n【标准答案】{standard_answer}\n【分值】{score}\n【学生分析与答案】{model_output}\n";

/// Where the judge prompt comes from, for results.json.
pub const JUDGE_SOURCE: &str = "OpenLMLab/GAOKAO-Bench Bench/Sub_Grade_Prompt_wo_marking_criterion.json \
                                (prefix_prompt) + Bench/subjective_grade.py teacher_prompt_template_wo_marking_criterion; \
                                verdict 【总分】N分 read as in Bench/bench_function.py subjective_grade";

/// `{keyword: (type, prefix)}` from a GAOKAO-Bench prompt file; a list-valued
/// `prefix_prompt` (the two-call correction type) keeps its first entry.
fn read_prompts(dir: &Path, file: &str) -> Result<BTreeMap<String, (String, String)>, DataError> {
    let path = dir.join("prompts").join(file);
    let value = parse_json(&path, &read_utf8(&path)?)?;
    let examples = value
        .get("examples")
        .and_then(|e| e.as_array())
        .ok_or_else(|| DataError::malformed(&path, 1, "expected {\"examples\": [...]}"))?;
    let mut map = BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        let prefix = match e.get("prefix_prompt") {
            Some(serde_json::Value::String(s)) => Some(s.as_str()),
            Some(serde_json::Value::Array(a)) => a.first().and_then(|s| s.as_str()),
            _ => None,
        };
        match (json_str(e, "keyword"), json_str(e, "type"), prefix) {
            (Some(k), Some(t), Some(p)) => {
                map.insert(k.to_string(), (t.to_string(), p.to_string()));
            }
            _ => {
                return Err(DataError::malformed(
                    &path,
                    i + 1,
                    format!("example {} lacks keyword/type/prefix_prompt", i + 1),
                ));
            }
        }
    }
    Ok(map)
}

impl Suite for GaokaoSubjective {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "gaokao-subjective",
            description: "GAOKAO-Bench subjective questions (cloze and open-ended), judge-scored \
                          against the reference answer",
            license: "Apache-2.0",
            homepage: "https://github.com/OpenLMLab/GAOKAO-Bench",
            template_source: "OpenLMLab/GAOKAO-Bench Bench/Sub_Prompt.json (prefix_prompt, shipped as \
                              prompts/Sub_Prompt.json) + question.strip() + \"\\n\" (Bench/bench_function.py \
                              subjective_test)",
            modes: &[Mode::Judge],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let prompts = read_prompts(dir, "Sub_Prompt.json")?;
        let grades = read_prompts(dir, "Sub_Grade_Prompt_wo_marking_criterion.json")?;
        let mut data = SuiteData::default();
        let folder = dir.join("Subjective_Questions");
        for path in list_files(&folder, ".json")? {
            let (keyword, examples) = read_examples(&path)?;
            let (Some((qtype, prefix)), Some((_, grade))) = (prompts.get(&keyword), grades.get(&keyword)) else {
                return Err(DataError::malformed(
                    &path,
                    1,
                    format!("keyword {keyword:?} lacks an entry in prompts/Sub_Prompt.json or the grading prompts"),
                ));
            };
            for (i, v) in examples.iter().enumerate() {
                let record = i + 1;
                if qtype == "correction" {
                    data.skipped.push(skip(&path, record, CORRECTION_SKIP));
                    continue;
                }
                let question = json_str(v, "question").unwrap_or_default();
                let answer = json_str(v, "answer").unwrap_or_default();
                let score = scalar(v.get("score"));
                if question.trim().is_empty() || answer.trim().is_empty() {
                    data.skipped.push(skip(&path, record, "question or answer is empty"));
                    continue;
                }
                if !score.parse::<f64>().is_ok_and(|s| s > 0.0 && s.is_finite()) {
                    data.skipped.push(skip(&path, record, format!("score {score:?} is not a positive number")));
                    continue;
                }
                let index = match v.get("index") {
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    _ => record.to_string(),
                };
                let mut fields = BTreeMap::new();
                fields.insert("type".to_string(), qtype.clone());
                fields.insert("prefix_prompt".to_string(), prefix.clone());
                fields.insert("grade_prompt".to_string(), grade.clone());
                fields.insert("score".to_string(), score);
                fields.insert("analysis".to_string(), scalar(v.get("analysis")));
                fields.insert("year".to_string(), scalar(v.get("year")));
                fields.insert("category".to_string(), scalar(v.get("category")));
                data.items.push(Item {
                    id: format!("{keyword}/{index}"),
                    subject: keyword.clone(),
                    question: question.to_string(),
                    choices: Vec::new(),
                    answer: Answer::Text(answer.to_string()),
                    fields,
                });
            }
        }
        if data.items.is_empty() {
            return Err(DataError::Empty { path: folder, hint: "expected GAOKAO-Bench subjective JSON files".into() });
        }
        Ok(data)
    }

    /// `{prefix_prompt}{question.strip()}\n` with the file's prefix from
    /// Bench/Sub_Prompt.json, as Bench/bench_function.py `subjective_test`
    /// sends it (prefix as the instruction, then the question). Zero-shot;
    /// up to 1024 tokens (upstream's completion `max_tokens`).
    fn prompt(&self, item: &Item, _fewshot: &[&Item], _mode: Mode) -> Prompt {
        let prefix = item.fields.get("prefix_prompt").map(String::as_str).unwrap_or_default();
        Prompt::Generate { prompt: format!("{prefix}{}\n", item.question.trim()), stop: Vec::new(), max_tokens: 1024 }
    }

    fn extractor(&self, _item: &Item) -> Extractor {
        Extractor::Text
    }

    /// The grading prefix, then [`GRADE_TEMPLATE`] filled as upstream fills
    /// it (`question` is `question.strip() + "\n"`, the candidate's whole
    /// output is the student's answer); scored 0..=full marks, `【总分】N分`.
    fn judge_prompt(&self, item: &Item, answer: &str) -> Option<JudgePrompt> {
        let max: f64 = item.fields.get("score")?.parse().ok()?;
        let get = |k: &str| item.fields.get(k).map(String::as_str).unwrap_or_default();
        let Answer::Text(reference) = &item.answer else { return None };
        let question = format!("{}\n", item.question.trim());
        let body = fill(
            GRADE_TEMPLATE,
            &[
                ("{question}", &question),
                ("{analysis}", get("analysis")),
                ("{standard_answer}", reference),
                ("{score}", get("score")),
                ("{model_output}", answer),
            ],
        );
        Some(JudgePrompt {
            prompt: format!("{}{body}", get("grade_prompt")),
            format: VerdictFormat::GaokaoTotal,
            min: 0.0,
            max,
        })
    }

    fn judge_source(&self) -> Option<&'static str> {
        Some(JUDGE_SOURCE)
    }

    fn metrics(&self) -> &[SuiteMetric] {
        &[SuiteMetric::JudgeScore, SuiteMetric::ReferenceOverlap]
    }
}
