//! `demo`: a built-in suite of 32 easy questions (16 Chinese, 16 English)
//! written for kaoshi, so that `kaoshi eval` runs with no download. It shows
//! the pipeline; its scores mean little.
//!
//! Template: kaoshi's own, in the C-Eval layout (question, lettered options,
//! "答案：" / "Answer:").

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Suite, SuiteData, SuiteInfo};

/// The demo items, compiled into the binary.
const DATA: &str = include_str!("../../data/demo.jsonl");

#[derive(Deserialize)]
struct Row {
    id: String,
    subject: String,
    question: String,
    choices: Vec<String>,
    answer: usize,
}

/// The built-in demo suite.
pub struct Demo;

fn letters(n: usize) -> Vec<String> {
    (0..n).map(|i| char::from(b'A' + i as u8).to_string()).collect()
}

impl Suite for Demo {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "demo",
            description: "32 easy questions (16 zh, 16 en) written for kaoshi; built in",
            license: "MIT OR Apache-2.0 (kaoshi's own)",
            homepage: "built into kaoshi",
            template_source: "kaoshi's own, C-Eval layout",
            modes: &[Mode::Loglik, Mode::Letter, Mode::Generate],
        }
    }

    fn load(&self, _dir: &Path) -> Result<SuiteData, DataError> {
        let mut items = Vec::new();
        for (i, line) in DATA.lines().enumerate() {
            let r: Row = serde_json::from_str(line)
                .map_err(|e| DataError::malformed("demo.jsonl (built in)", i + 1, e.to_string()))?;
            let mut fields = BTreeMap::new();
            fields.insert("lang".to_string(), if r.id.starts_with("zh") { "zh" } else { "en" }.to_string());
            items.push(Item {
                id: r.id,
                subject: r.subject,
                question: r.question,
                choices: r.choices,
                answer: Answer::Choice(r.answer),
                fields,
            });
        }
        Ok(SuiteData { items, dev: Vec::new(), skipped: Vec::new() })
    }

    fn prompt(&self, item: &Item, fewshot: &[&Item], mode: Mode) -> Prompt {
        let zh = item.fields.get("lang").is_some_and(|l| l == "zh");
        let cue = if zh { "答案：" } else { "Answer:" };
        let render = |it: &Item| {
            let mut s = format!("{}\n", it.question);
            for (l, c) in letters(it.choices.len()).iter().zip(&it.choices) {
                s.push_str(&format!("{l}. {c}\n"));
            }
            s.push_str(cue);
            s
        };
        let mut context = String::new();
        for ex in fewshot {
            let gold = match ex.answer {
                Answer::Choice(i) => letters(i + 1).pop().unwrap_or_default(),
                _ => String::new(),
            };
            context.push_str(&format!("{} {gold}\n\n", render(ex)));
        }
        context.push_str(&render(item));
        match mode {
            Mode::Letter => Prompt::Letters { context, letters: letters(item.choices.len()) },
            Mode::Generate => Prompt::Generate { prompt: context, stop: vec!["\n".into()], max_tokens: 16 },
            _ => Prompt::Choices { context, continuations: item.choices.iter().map(|c| format!(" {c}")).collect() },
        }
    }
}
