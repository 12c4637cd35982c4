//! C-Eval (hkust-nlp/ceval): Chinese exam questions in 52 subjects.
//!
//! Files (Hugging Face `ceval/ceval-exam` layout): `val/<subject>_val.csv`
//! (`id,question,A,B,C,D,answer`) is scored; `dev/<subject>_dev.csv` (with
//! `explanation`) gives the few-shot exemplars (first n per subject);
//! `test/` has no answers and is not read. `subject_mapping.json`
//! (`{subject: [English, 中文名, category]}`) gives the Chinese subject name
//! used in the prompt and the category (STEM / Social Science / Humanities /
//! Other), both put in `Item::fields`.

use std::collections::BTreeMap;
use std::path::Path;

use super::exam_common::{
    check_mc, column, dotted_options, lettered_prompt, list_files, parse_csv, parse_json, read_utf8, skip, stem,
};
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Skip, Suite, SuiteData, SuiteInfo};

/// The C-Eval suite.
pub struct Ceval;

/// `{subject: (中文名, English name, category)}` from `subject_mapping.json`.
type SubjectMap = BTreeMap<String, (String, String, String)>;

fn read_mapping(dir: &Path) -> Result<SubjectMap, DataError> {
    let path = dir.join("subject_mapping.json");
    let value = parse_json(&path, &read_utf8(&path)?)?;
    let obj = value
        .as_object()
        .ok_or_else(|| DataError::malformed(&path, 1, "expected an object {subject: [English, 中文名, category]}"))?;
    let mut map = SubjectMap::new();
    for (subject, v) in obj {
        let parts: Vec<&str> = v.as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
        if parts.len() != 3 {
            return Err(DataError::malformed(
                &path,
                1,
                format!("{subject}: expected [English, 中文名, category], got {v}"),
            ));
        }
        map.insert(subject.clone(), (parts[1].to_string(), parts[0].to_string(), parts[2].to_string()));
    }
    Ok(map)
}

fn load_split(dir: &Path, split: &str, map: &SubjectMap, skipped: &mut Vec<Skip>) -> Result<Vec<Item>, DataError> {
    let suffix = format!("_{split}.csv");
    let mut items = Vec::new();
    for path in list_files(&dir.join(split), &suffix)? {
        let subject = stem(&path, &suffix).to_string();
        let Some((zh, en, category)) = map.get(&subject) else {
            return Err(DataError::malformed(&path, 1, format!("subject {subject:?} is not in subject_mapping.json")));
        };
        let (header, rows) = parse_csv(&path, &read_utf8(&path)?)?;
        if rows.is_empty() {
            continue; // an empty or header-only file adds nothing
        }
        let id_col = column(&path, &header, "id")?;
        let q_col = column(&path, &header, "question")?;
        let opt_cols = ["A", "B", "C", "D"].iter().map(|c| column(&path, &header, c)).collect::<Result<Vec<_>, _>>()?;
        let ans_col = column(&path, &header, "answer")?;
        let expl_col = header.iter().position(|h| h == "explanation");
        for row in rows {
            let f = &row.fields;
            let options: Vec<String> = opt_cols.iter().map(|&c| f[c].clone()).collect();
            let answer = match check_mc(&f[q_col], &options, &f[ans_col]) {
                Ok(a) => a,
                Err(reason) => {
                    skipped.push(skip(&path, row.line, reason));
                    continue;
                }
            };
            let mut fields = BTreeMap::new();
            fields.insert("subject_zh".to_string(), zh.clone());
            fields.insert("subject_en".to_string(), en.clone());
            fields.insert("category".to_string(), category.clone());
            if let Some(c) = expl_col {
                fields.insert("explanation".to_string(), f[c].clone());
            }
            items.push(Item {
                id: format!("{subject}/{split}/{}", f[id_col]),
                subject: subject.clone(),
                question: f[q_col].clone(),
                choices: options,
                answer: Answer::Choice(answer),
                fields,
            });
        }
    }
    Ok(items)
}

/// `{question}\nA. {A}\nB. {B}\nC. {C}\nD. {D}\n答案：` — `format_example` in
/// hkust-nlp/ceval code/evaluator_series/evaluators/llama.py (and chatglm.py).
fn format_example(item: &Item) -> String {
    format!("{}{}\n答案：", item.question, dotted_options(&item.choices))
}

impl Suite for Ceval {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "ceval",
            description: "C-Eval: Chinese exam multiple choice, 52 subjects (val split scored)",
            license: "CC BY-NC-SA 4.0",
            homepage: "https://github.com/hkust-nlp/ceval",
            template_source: "hkust-nlp/ceval code/evaluator_series/evaluators/llama.py \
                              (generate_few_shot_prompt, format_example)",
            modes: &[Mode::Letter, Mode::Loglik, Mode::Generate],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let map = read_mapping(dir)?;
        let mut skipped = Vec::new();
        let items = load_split(dir, "val", &map, &mut skipped)?;
        if items.is_empty() {
            return Err(DataError::Empty {
                path: dir.join("val"),
                hint: "expected val/<subject>_val.csv files with answers".to_string(),
            });
        }
        let dev = if crate::files::is_dir(&dir.join("dev")) {
            load_split(dir, "dev", &map, &mut skipped)?
        } else {
            Vec::new()
        };
        Ok(SuiteData { items, dev, skipped })
    }

    /// Header `以下是中国关于{中文科目名}考试的单项选择题，请选出其中的正确答案。\n\n`,
    /// then each exemplar as `format_example` + `{answer}\n\n`, then the item
    /// ending in `答案：` (hkust-nlp/ceval
    /// code/evaluator_series/evaluators/llama.py). Upstream adds the header
    /// only in few-shot runs; kaoshi keeps it at 0-shot too, so the model is
    /// always told the subject.
    fn prompt(&self, item: &Item, fewshot: &[&Item], mode: Mode) -> Prompt {
        let subject = item.fields.get("subject_zh").unwrap_or(&item.subject);
        let mut context = format!("以下是中国关于{subject}考试的单项选择题，请选出其中的正确答案。\n\n");
        for ex in fewshot {
            context.push_str(&format_example(ex));
            if let Answer::Choice(a) = ex.answer {
                context.push_str(super::exam_common::LETTERS[a]);
            }
            context.push_str("\n\n");
        }
        context.push_str(&format_example(item));
        lettered_prompt(context, item.choices.len(), mode)
    }
}
