//! CMRC 2018 dev paragraphs (Chinese Wikipedia) as a Chinese perplexity
//! corpus, from <https://github.com/ymcui/cmrc2018>
//! (`squad-style-data/cmrc2018_dev.json`, SQuAD-v1 layout).
//!
//! Items are the `context` strings of `data[].paragraphs[]`, in file order,
//! deduplicated by exact text (the first occurrence's id is kept; the dev
//! file has 848 paragraphs, all distinct). The scored text is the paragraph
//! as is (no template). `fields`: `title` (article title), `chars` (Unicode
//! scalar count, for bits per character) and `bytes` (UTF-8 bytes).
//! A paragraph without a `context` string is skipped (record number =
//! position among all paragraphs); a file that is not SQuAD-style JSON is a
//! `DataError::Malformed`.

use std::collections::HashSet;
use std::path::Path;

use super::shared_io::{fields, read_utf8};
use crate::extract::Extractor;
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Skip, Suite, SuiteData, SuiteInfo};

/// The CMRC 2018 perplexity suite.
pub struct Cmrc2018;

/// The file the loader reads inside the suite folder.
pub const FILE: &str = "cmrc2018_dev.json";

impl Suite for Cmrc2018 {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "cmrc2018",
            description: "CMRC 2018 dev paragraphs (Chinese Wikipedia): Chinese perplexity / bits per character",
            license: "CC BY-SA 4.0",
            homepage: "https://github.com/ymcui/cmrc2018",
            template_source: "none: the paragraph text as is (ymcui/cmrc2018 squad-style-data/cmrc2018_dev.json `context`)",
            modes: &[Mode::Perplexity],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let path = dir.join(FILE);
        let text = read_utf8(&path)?;
        let root: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| DataError::malformed(&path, e.line(), format!("invalid JSON: {e}")))?;
        let Some(articles) = root.get("data").and_then(|d| d.as_array()) else {
            return Err(DataError::malformed(&path, 1, "expected SQuAD-style JSON with a `data` array"));
        };
        let mut data = SuiteData::default();
        let mut seen = HashSet::new();
        let mut n = 0usize;
        for article in articles {
            let title = article.get("title").and_then(|t| t.as_str()).unwrap_or_default();
            let paragraphs = article.get("paragraphs").and_then(|p| p.as_array()).map_or(&[][..], |v| v.as_slice());
            for para in paragraphs {
                n += 1;
                let Some(context) = para.get("context").and_then(|c| c.as_str()).filter(|c| !c.trim().is_empty())
                else {
                    data.skipped.push(Skip {
                        path: path.clone(),
                        line: n,
                        reason: format!("paragraph {n}: missing `context`"),
                    });
                    continue;
                };
                if !seen.insert(context.to_owned()) {
                    continue;
                }
                let id = para.get("id").and_then(|i| i.as_str()).map_or_else(|| format!("{FILE}#{n}"), str::to_owned);
                data.items.push(Item {
                    id,
                    subject: "cmrc2018".into(),
                    question: context.to_owned(),
                    choices: Vec::new(),
                    answer: Answer::None,
                    fields: fields([
                        ("title", title.to_owned()),
                        ("chars", context.chars().count().to_string()),
                        ("bytes", context.len().to_string()),
                    ]),
                });
            }
        }
        if data.items.is_empty() {
            return Err(DataError::Empty { path, hint: "SQuAD-style paragraphs with `context`".into() });
        }
        Ok(data)
    }

    fn prompt(&self, item: &Item, _fewshot: &[&Item], _mode: Mode) -> Prompt {
        Prompt::Perplexity { text: item.question.clone() }
    }

    fn extractor(&self, _item: &Item) -> Extractor {
        Extractor::Text
    }
}
