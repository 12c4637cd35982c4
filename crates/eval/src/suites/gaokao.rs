//! GAOKAO-Bench (OpenLMLab/GAOKAO-Bench): Chinese college-entrance exam
//! questions 2010–2022.
//!
//! Files: `Objective_Questions/*.json` and `Subjective_Questions/*.json`
//! (`{"keywords", "example": [{year, category, question, answer, analysis,
//! index, score}]}`), and the official zero-shot instruction prefixes in
//! `prompts/Obj_Prompt.json` (`{"examples": [{type, keyword,
//! prefix_prompt}]}`, upstream `Bench/Obj_Prompt.json`).
//!
//! Objective items: options are embedded in the question text, so
//! `Item::choices` is empty. The answer is a list of letters, one per
//! sub-question; by question type (from Obj_Prompt.json, also in
//! `fields["type"]`):
//! - `single_choice`: [`Answer::Choice`];
//! - `multi_choice` (Physics, e.g. `["BD"]`): [`Answer::Choices`], the set of
//!   correct options;
//! - `multi_question_choice` / `five_out_of_seven`: [`Answer::Choices`] with
//!   one letter index PER SUB-QUESTION, in order (scored positionally, as
//!   upstream Bench/OBJ_score_evaluation.py does; `fields["answer"]` keeps the
//!   letters, `fields["score"]` the points per sub-question).
//!
//! Decision: subjective questions need a judge; here each is skipped with
//! the counted reason [`SUBJECTIVE_SKIP`], and the registered suite
//! `gaokao-subjective` ([`super::gaokao_subjective`]) scores them in judge mode.
//!
//! Only generate mode is offered: the authors' protocol is generate +
//! extract the letters after 【答案】, and multi-question items cannot be
//! scored by letter logits. Answers are extracted and scored by the
//! benchmark's own rules ([`Suite::extractor`] gives
//! [`Extractor::Gaokao`]; see [`crate::extract::gaokao`]): multi-select
//! earns half credit for a correct subset, multi-question items the fraction
//! of sub-questions right.

use std::collections::BTreeMap;
use std::path::Path;

use super::exam_common::{LETTERS, json_str, letter_index, list_files, parse_json, read_utf8, skip};
use crate::extract::{Extractor, GaokaoType};
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Suite, SuiteData, SuiteInfo, SuiteMetric};

/// The GAOKAO-Bench suite (objective questions).
pub struct Gaokao;

/// The skip reason for subjective questions.
pub const SUBJECTIVE_SKIP: &str = "subjective: scored by suite gaokao-subjective (judge mode)";

/// `{keyword: (type, prefix_prompt)}` from prompts/Obj_Prompt.json.
fn read_obj_prompts(dir: &Path) -> Result<BTreeMap<String, (String, String)>, DataError> {
    let path = dir.join("prompts").join("Obj_Prompt.json");
    let value = parse_json(&path, &read_utf8(&path)?)?;
    let examples = value
        .get("examples")
        .and_then(|e| e.as_array())
        .ok_or_else(|| DataError::malformed(&path, 1, "expected {\"examples\": [...]}"))?;
    let mut map = BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        match (json_str(e, "keyword"), json_str(e, "type"), json_str(e, "prefix_prompt")) {
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

/// The `example` array and keyword of one GAOKAO-Bench file.
pub(super) fn read_examples(path: &Path) -> Result<(String, Vec<serde_json::Value>), DataError> {
    let value = parse_json(path, &read_utf8(path)?)?;
    let keyword = json_str(&value, "keywords")
        .ok_or_else(|| DataError::malformed(path, 1, "no \"keywords\" string"))?
        .to_string();
    let examples = value
        .get("example")
        .and_then(|e| e.as_array())
        .ok_or_else(|| DataError::malformed(path, 1, "no \"example\" array"))?
        .clone();
    Ok((keyword, examples))
}

/// Parses the answer letters of one example for `qtype`; Err = skip reason.
fn parse_answer(qtype: &str, v: &serde_json::Value) -> Result<(Answer, Vec<String>), String> {
    let letters: Vec<String> = match v.get("answer") {
        Some(serde_json::Value::Array(a)) => {
            a.iter().map(|x| x.as_str().unwrap_or_default().trim().to_string()).collect()
        }
        _ => return Err("answer is missing (expected a list of letters)".to_string()),
    };
    if letters.is_empty() || letters.iter().any(String::is_empty) {
        return Err("answer is missing".to_string());
    }
    let n = if qtype == "five_out_of_seven" { 7 } else { 4 };
    let bad = |l: &str| format!("answer {l:?} is not one of A-{}", LETTERS[n - 1]);
    let answer = match qtype {
        "single_choice" => {
            if letters.len() != 1 {
                return Err(format!("single_choice with {} answers", letters.len()));
            }
            Answer::Choice(letter_index(&letters[0], n).ok_or_else(|| bad(&letters[0]))?)
        }
        "multi_choice" => {
            if letters.len() != 1 {
                return Err(format!("multi_choice with {} answers", letters.len()));
            }
            let mut set = Vec::new();
            for c in letters[0].chars() {
                let i = letter_index(&c.to_string(), n).ok_or_else(|| bad(&letters[0]))?;
                if !set.contains(&i) {
                    set.push(i);
                }
            }
            set.sort_unstable();
            Answer::Choices(set)
        }
        "multi_question_choice" | "five_out_of_seven" => {
            Answer::Choices(letters.iter().map(|l| letter_index(l, n).ok_or_else(|| bad(l))).collect::<Result<_, _>>()?)
        }
        other => return Err(format!("question type {other:?} is not objective multiple choice")),
    };
    Ok((answer, letters))
}

pub(super) fn scalar(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

impl Suite for Gaokao {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "gaokao",
            description: "GAOKAO-Bench objective questions (Chinese college-entrance exams \
                          2010-2022); subjective ones are the gaokao-subjective suite",
            license: "Apache-2.0",
            homepage: "https://github.com/OpenLMLab/GAOKAO-Bench",
            template_source: "OpenLMLab/GAOKAO-Bench Bench/Obj_Prompt.json (prefix_prompt, \
                              shipped as prompts/Obj_Prompt.json) + Bench/bench_function.py \
                              choice_test (prefix + question.strip() + \"\\n\")",
            modes: &[Mode::Generate],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let prompts = read_obj_prompts(dir)?;
        let mut data = SuiteData::default();
        for path in list_files(&dir.join("Objective_Questions"), ".json")? {
            let (keyword, examples) = read_examples(&path)?;
            let Some((qtype, prefix)) = prompts.get(&keyword) else {
                return Err(DataError::malformed(
                    &path,
                    1,
                    format!("keyword {keyword:?} has no entry in prompts/Obj_Prompt.json"),
                ));
            };
            for (i, v) in examples.iter().enumerate() {
                let record = i + 1;
                let question = json_str(v, "question").unwrap_or_default();
                if question.trim().is_empty() {
                    data.skipped.push(skip(&path, record, "question is empty"));
                    continue;
                }
                let (answer, letters) = match parse_answer(qtype, v) {
                    Ok(a) => a,
                    Err(reason) => {
                        data.skipped.push(skip(&path, record, reason));
                        continue;
                    }
                };
                let index = match v.get("index") {
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    _ => record.to_string(),
                };
                let mut fields = BTreeMap::new();
                fields.insert("type".to_string(), qtype.clone());
                fields.insert("prefix_prompt".to_string(), prefix.clone());
                fields.insert("answer".to_string(), letters.join(","));
                fields.insert("year".to_string(), scalar(v.get("year")));
                fields.insert("category".to_string(), scalar(v.get("category")));
                fields.insert("score".to_string(), scalar(v.get("score")));
                fields.insert("analysis".to_string(), scalar(v.get("analysis")));
                data.items.push(Item {
                    id: format!("{keyword}/{index}"),
                    subject: keyword.clone(),
                    question: question.to_string(),
                    choices: Vec::new(),
                    answer,
                    fields,
                });
            }
        }
        let subjective = dir.join("Subjective_Questions");
        if crate::files::is_dir(&subjective) {
            for path in list_files(&subjective, ".json")? {
                let (_, examples) = read_examples(&path)?;
                for i in 0..examples.len() {
                    data.skipped.push(skip(&path, i + 1, SUBJECTIVE_SKIP));
                }
            }
        }
        if data.items.is_empty() {
            return Err(DataError::Empty {
                path: dir.join("Objective_Questions"),
                hint: "expected GAOKAO-Bench objective JSON files".to_string(),
            });
        }
        Ok(data)
    }

    /// `{prefix_prompt}{question.strip()}\n` — the completion-model prompt of
    /// OpenLMLab/GAOKAO-Bench Bench/bench_function.py `choice_test`, with the
    /// file's `prefix_prompt` from Bench/Obj_Prompt.json. Zero-shot only
    /// (`fewshot` is ignored: the benchmark has no exemplars). Generates up to
    /// 1024 tokens (upstream's `max_tokens`), no stop string: the answer
    /// comes after the reasoning, as `【答案】… <eoa>`. Every mode renders
    /// this generate prompt.
    fn prompt(&self, item: &Item, _fewshot: &[&Item], _mode: Mode) -> Prompt {
        let prefix = item.fields.get("prefix_prompt").map(String::as_str).unwrap_or_default();
        // The prompts ask for one "【答案】 ... <eoa>" (several for
        // multi-question items); generation stops at the first `<eoa>` where
        // there is a single answer, so text written after it cannot add
        // stray letters.
        let single = item.fields.get("type").is_some_and(|t| t != "multi_question_choice");
        let stop = if single { vec!["<eoa>".to_string()] } else { Vec::new() };
        Prompt::Generate { prompt: format!("{prefix}{}\n", item.question.trim()), stop, max_tokens: 1024 }
    }

    /// GAOKAO-Bench's own extraction for the item's question type
    /// ([`crate::extract::gaokao`]): Bench/bench_function.py `choice_test`,
    /// scored with Bench/OBJ_score_evaluation.py's partial credit.
    fn extractor(&self, item: &Item) -> Extractor {
        // Not an item of this loader: the default letter extractor.
        let Some(question_type) = item.fields.get("type").and_then(|t| GaokaoType::parse(t)) else {
            return Extractor::Letter { n_choices: 4 };
        };
        let n_answers = match (question_type, &item.answer) {
            (GaokaoType::MultiQuestionChoice | GaokaoType::FiveOutOfSeven, Answer::Choices(a)) => a.len(),
            _ => 1,
        };
        Extractor::Gaokao { question_type, n_answers }
    }

    fn metrics(&self) -> &[SuiteMetric] {
        &[SuiteMetric::ScoringRate]
    }
}
