//! XCOPA (cambridgeltl/xcopa): causal commonsense reasoning in 11 languages.
//!
//! Files: `<lang>/test.<lang>.jsonl` (scored, 500 per language) and
//! `<lang>/val.<lang>.jsonl` (100 per language, few-shot exemplars), each line
//! `{premise, choice1, choice2, question: cause|effect, label: 0|1, idx,
//! changed}`. Subject = language code (the folder name).
//!
//! Scored by loglikelihood as lm-evaluation-harness's `xcopa_<lang>` tasks
//! (lm_eval/tasks/xcopa/utils.py): context `premise.strip()[:-1] + " " +
//! connector`, continuations `" " + choice[0].lower() + choice[1:]` (the
//! harness's default `target_delimiter` is `" "`). Few-shot exemplars are the
//! first n of the val split (the harness samples them from validation with a
//! seed), each `context + " " + correct choice + "\n\n"`.

use std::collections::BTreeMap;
use std::path::Path;

use super::exam_common::{drop_last_char, json_str, lower_first, read_utf8, skip};
use crate::extract::Extractor;
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Skip, Suite, SuiteData, SuiteInfo};

/// The XCOPA suite.
pub struct Xcopa;

/// `(language, cause connector, effect connector)`, copied from
/// EleutherAI/lm-evaluation-harness lm_eval/tasks/xcopa/utils.py
/// (`doc_to_text_<lang>` partials).
const CONNECTORS: &[(&str, &str, &str)] = &[
    ("et", "sest", "seetõttu"),
    ("ht", "poukisa", "donk sa"),
    ("it", "perché", "quindi"),
    ("id", "karena", "maka"),
    ("qu", "imataq", "chaymi"),
    ("sw", "kwa sababu", "kwa hiyo"),
    ("zh", "因为", "所以"),
    ("ta", "காரணமாக", "எனவே"),
    ("th", "เพราะ", "ดังนั้น"),
    ("tr", "çünkü", "bu yüzden"),
    ("vi", "bởi vì", "vì vậy"),
];

fn connector(lang: &str, question: &str) -> Option<&'static str> {
    let &(_, cause, effect) = CONNECTORS.iter().find(|c| c.0 == lang)?;
    match question {
        "cause" => Some(cause),
        "effect" => Some(effect),
        _ => None,
    }
}

fn load_file(path: &Path, lang: &str, split: &str, skipped: &mut Vec<Skip>) -> Result<Vec<Item>, DataError> {
    let text = read_utf8(path)?;
    let mut items = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| DataError::malformed(path, lineno, format!("invalid JSON: {e}")))?;
        let premise = json_str(&v, "premise").unwrap_or_default();
        let c1 = json_str(&v, "choice1").unwrap_or_default();
        let c2 = json_str(&v, "choice2").unwrap_or_default();
        let question = json_str(&v, "question").unwrap_or_default();
        let label = v.get("label").and_then(serde_json::Value::as_u64);
        let reason = if premise.trim().is_empty() {
            Some("premise is empty".to_string())
        } else if c1.is_empty() || c2.is_empty() {
            Some("choice1/choice2 is empty".to_string())
        } else if connector(lang, question).is_none() {
            Some(format!("question {question:?} is not cause/effect"))
        } else if !matches!(label, Some(0 | 1)) {
            Some("label is missing or not 0/1".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            skipped.push(skip(path, lineno, reason));
            continue;
        }
        let idx = match v.get("idx") {
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => format!("line{lineno}"),
        };
        let mut fields = BTreeMap::new();
        fields.insert("question".to_string(), question.to_string());
        if let Some(c) = v.get("changed") {
            fields.insert("changed".to_string(), c.to_string());
        }
        items.push(Item {
            id: format!("{lang}/{split}/{idx}"),
            subject: lang.to_string(),
            question: premise.to_string(),
            choices: vec![c1.to_string(), c2.to_string()],
            answer: Answer::Choice(label.unwrap_or_default() as usize),
            fields,
        });
    }
    Ok(items)
}

/// lm-eval's `doc_to_text`: `premise.strip()[:-1] + f" {connector}"`.
fn doc_to_text(item: &Item) -> String {
    let question = item.fields.get("question").map(String::as_str).unwrap_or_default();
    let conn = connector(&item.subject, question).unwrap_or_default();
    format!("{} {conn}", drop_last_char(item.question.trim()))
}

impl Suite for Xcopa {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "xcopa",
            description: "XCOPA: causal commonsense reasoning (choice of plausible alternatives), \
                          11 languages (test split scored)",
            license: "CC BY 4.0",
            homepage: "https://github.com/cambridgeltl/xcopa",
            template_source: "EleutherAI/lm-evaluation-harness lm_eval/tasks/xcopa/utils.py \
                              (doc_to_text, doc_to_choice, connectors)",
            modes: &[Mode::Loglik],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let mut data = SuiteData::default();
        let langs: Vec<String> = crate::files::list_dir(dir)?
            .into_iter()
            .filter(|(_, file)| !file)
            .filter_map(|(p, _)| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        for lang in langs {
            let ldir = dir.join(&lang);
            let test = ldir.join(format!("test.{lang}.jsonl"));
            let val = ldir.join(format!("val.{lang}.jsonl"));
            if !crate::files::is_file(&test) && !crate::files::is_file(&val) {
                continue;
            }
            if !CONNECTORS.iter().any(|c| c.0 == lang) {
                return Err(DataError::malformed(
                    &ldir,
                    0,
                    format!("language {lang:?} has no connector words in lm-eval's xcopa/utils.py"),
                ));
            }
            if crate::files::is_file(&test) {
                data.items.extend(load_file(&test, &lang, "test", &mut data.skipped)?);
            }
            if crate::files::is_file(&val) {
                data.dev.extend(load_file(&val, &lang, "val", &mut data.skipped)?);
            }
        }
        if data.items.is_empty() {
            return Err(DataError::Empty {
                path: dir.to_path_buf(),
                hint: "expected <lang>/test.<lang>.jsonl files".to_string(),
            });
        }
        Ok(data)
    }

    /// Loglik in every mode (the only protocol lm-eval defines for XCOPA):
    /// context = exemplars (`doc_to_text + " " + lowered correct choice +
    /// "\n\n"`) + `doc_to_text(item)`; continuations `" " + lowered choice`.
    fn prompt(&self, item: &Item, fewshot: &[&Item], _mode: Mode) -> Prompt {
        let mut context = String::new();
        for ex in fewshot {
            let correct = match ex.answer {
                Answer::Choice(a) => ex.choices.get(a).map(String::as_str).unwrap_or_default(),
                _ => "",
            };
            context.push_str(&format!("{} {}\n\n", doc_to_text(ex), lower_first(correct)));
        }
        context.push_str(&doc_to_text(item));
        Prompt::Choices {
            context,
            continuations: item.choices.iter().map(|c| format!(" {}", lower_first(c))).collect(),
        }
    }

    fn extractor(&self, _item: &Item) -> Extractor {
        Extractor::Letter { n_choices: 2 }
    }
}
