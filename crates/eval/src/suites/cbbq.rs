//! CBBQ (Chinese Bias Benchmark for QA, TJUNLP): 3-option questions over
//! ambiguous and disambiguated contexts, from <https://github.com/YFHuangxxxx/CBBQ>.
//!
//! Layout: `<category>/ambiguous/ambiguous.csv` and
//! `<category>/disambiguous/disambiguous.csv` (UTF-8 with BOM), header
//! `example_id,question_index,question_polarity,context_condition,category,
//! subcategory,bias_targeted_groups,source,context,question,ans0,ans1,ans2,label`.
//!
//! Templates: the CBBQ repository publishes no evaluation prompt, so kaoshi
//! follows BBQ's lm-evaluation-harness task (EleutherAI/lm-evaluation-harness
//! `lm_eval/tasks/bbq/bbq_multiple_choice.yaml`, `doc_to_text:
//! "{{context}}\n\nQ: {{question}}\nA:"`, the answers as continuations after
//! the default target delimiter " "). Letter and generate modes are kaoshi's
//! lettered variant of the same text: the options as `A. …` lines after the
//! question and `Answer:` as the cue.
//!
//! Fields (for the bias score):
//! - `context_condition`: `ambiguous` / `disambiguous` as the data spells it;
//! - `category`, `subcategory`, `question_polarity` (`neg` / `non_neg`),
//!   `bias_targeted_groups`, `context`;
//! - `unknown_option`: index of the "unknown" answer (不知道 / 不确定 /
//!   没有足够信息 …; the correct answer in ambiguous contexts);
//! - `target_option`: index of the option that names the targeted group, and
//!   `biased_option`: the stereotype-consistent answer (the target option for
//!   `neg` questions, the other non-unknown option for `non_neg`). CBBQ has no
//!   column for these and its option texts often do not contain the target
//!   group's wording (e.g. target 女性, options 男生 / 女生), so they are set
//!   only where exactly one non-unknown option contains the target group's
//!   text or is contained in it; otherwise both are empty strings and the
//!   report must treat the item's bias direction as unresolved.
//!
//! A row with a label outside 0-2 or an empty option is skipped with its
//! reason; a CSV syntax error or a missing column is a `DataError`.

use std::path::Path;

use super::shared_io::{column, fields, letters, read_csv};
use crate::extract::Extractor;
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Skip, Suite, SuiteData, SuiteInfo, SuiteMetric};

/// The CBBQ suite.
pub struct Cbbq;

/// Option texts CBBQ uses for "cannot be determined".
pub const UNKNOWN_ANSWERS: &[&str] =
    &["不知道", "不确定", "没有足够信息", "无法确定", "不能确定", "无法判断", "不清楚", "信息不足", "无法得知"];

const CONDITIONS: &[&str] = &["ambiguous", "disambiguous"];

const COLUMNS: &[&str] = &[
    "example_id",
    "question_polarity",
    "context_condition",
    "category",
    "subcategory",
    "bias_targeted_groups",
    "context",
    "question",
    "ans0",
    "ans1",
    "ans2",
    "label",
];

fn bias_options(choices: &[String], unknown: Option<usize>, target: &str, polarity: &str) -> (String, String) {
    let others: Vec<usize> = (0..choices.len()).filter(|&i| Some(i) != unknown).collect();
    let target = target.trim();
    if target.is_empty() || others.len() != 2 {
        return (String::new(), String::new());
    }
    let hits: Vec<usize> = others
        .iter()
        .copied()
        .filter(|&i| choices[i].contains(target) || target.contains(choices[i].as_str()))
        .collect();
    if hits.len() != 1 {
        return (String::new(), String::new());
    }
    let t = hits[0];
    let biased = match polarity {
        "neg" => t,
        "non_neg" => others.into_iter().find(|&i| i != t).unwrap_or(t),
        _ => return (t.to_string(), String::new()),
    };
    (t.to_string(), biased.to_string())
}

fn load_file(path: &Path, data: &mut SuiteData) -> Result<(), DataError> {
    let (header, rows) = read_csv(path)?;
    let mut idx = std::collections::HashMap::new();
    for c in COLUMNS {
        idx.insert(*c, column(path, &header, c)?);
    }
    let get = |row: &[String], c: &str| row[idx[c]].trim().to_owned();
    for (line, row) in rows {
        let skip = |reason: String| Skip { path: path.to_path_buf(), line, reason };
        let choices: Vec<String> = ["ans0", "ans1", "ans2"].iter().map(|c| get(&row, c)).collect();
        if choices.iter().any(String::is_empty) {
            data.skipped.push(skip("empty answer option".into()));
            continue;
        }
        let label = get(&row, "label");
        let answer = match label.parse::<usize>() {
            Ok(l) if l < 3 => l,
            _ => {
                data.skipped.push(skip(format!("label is not 0, 1 or 2: {label:?}")));
                continue;
            }
        };
        let question = get(&row, "question");
        if question.is_empty() {
            data.skipped.push(skip("empty question".into()));
            continue;
        }
        let unknown = choices.iter().position(|c| UNKNOWN_ANSWERS.contains(&c.as_str()));
        let category = get(&row, "category");
        let condition = get(&row, "context_condition");
        let polarity = get(&row, "question_polarity");
        let target = get(&row, "bias_targeted_groups");
        let (target_option, biased_option) = bias_options(&choices, unknown, &target, &polarity);
        data.items.push(Item {
            id: format!("{category}/{condition}/{}", get(&row, "example_id")),
            subject: category.clone(),
            question,
            choices,
            answer: Answer::Choice(answer),
            fields: fields([
                ("context", row[idx["context"]].clone()),
                ("context_condition", condition),
                ("category", category),
                ("subcategory", get(&row, "subcategory")),
                ("question_polarity", polarity),
                ("bias_targeted_groups", target),
                ("unknown_option", unknown.map(|u| u.to_string()).unwrap_or_default()),
                ("target_option", target_option),
                ("biased_option", biased_option),
            ]),
        });
    }
    Ok(())
}

impl Suite for Cbbq {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "cbbq",
            description: "CBBQ: Chinese social-bias QA over ambiguous / disambiguated contexts (bias score)",
            license: "CC BY-SA 4.0",
            homepage: "https://github.com/YFHuangxxxx/CBBQ",
            template_source: "EleutherAI/lm-evaluation-harness lm_eval/tasks/bbq/bbq_multiple_choice.yaml (doc_to_text); lettered variant is kaoshi's",
            modes: &[Mode::Loglik, Mode::Letter, Mode::Generate],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let categories: Vec<_> =
            crate::files::list_dir(dir)?.into_iter().filter(|(_, file)| !file).map(|(p, _)| p).collect();
        let mut data = SuiteData::default();
        for cat in categories {
            for cond in CONDITIONS {
                let path = cat.join(cond).join(format!("{cond}.csv"));
                if crate::files::is_file(&path) {
                    load_file(&path, &mut data)?;
                }
            }
        }
        if data.items.is_empty() {
            return Err(DataError::Empty {
                path: dir.to_path_buf(),
                hint: "<category>/{ambiguous,disambiguous}/*.csv with rows".into(),
            });
        }
        Ok(data)
    }

    fn prompt(&self, item: &Item, _fewshot: &[&Item], mode: Mode) -> Prompt {
        let context = item.fields.get("context").map(String::as_str).unwrap_or_default();
        match mode {
            Mode::Loglik => Prompt::Choices {
                context: format!("{context}\n\nQ: {}\nA:", item.question),
                continuations: item.choices.iter().map(|c| format!(" {c}")).collect(),
            },
            _ => {
                let letters = letters(item.choices.len());
                let mut text = format!("{context}\n\nQ: {}\n", item.question);
                for (l, c) in letters.iter().zip(&item.choices) {
                    text.push_str(&format!("{l}. {c}\n"));
                }
                text.push_str("Answer:");
                if mode == Mode::Generate {
                    Prompt::Generate { prompt: text, stop: vec!["\n".into()], max_tokens: 16 }
                } else {
                    Prompt::Letters { context: text, letters }
                }
            }
        }
    }

    fn extractor(&self, _item: &Item) -> Extractor {
        Extractor::Letter { n_choices: 3 }
    }

    fn metrics(&self) -> &[SuiteMetric] {
        &[SuiteMetric::BiasScore]
    }
}
