//! CMATH (XiaoMi): Chinese elementary-school math word problems, grades 1-6,
//! annotated with the number of reasoning steps (FineMath-style difficulty).
//!
//! Data: `cmath_dev.jsonl` from <https://github.com/XiaoMi/cmath>
//! (`datasets/cmath_dev.jsonl`), one JSON object a line:
//! `{"grade", "input", "golden", "reasoning_step", "num_digits"}`.
//!
//! Template: XiaoMi/cmath ships no prompt (its `eval.py` only scores a
//! free-form `response` field against `golden`), so kaoshi uses a minimal
//! zero-shot Chinese question/answer cue, `问题：{input}\n答案：`, with the
//! dev items as optional few-shot exemplars (`问题：…\n答案：{golden}`).
//!
//! Answers: `golden` is an integer, decimal, fraction (`2/6` → its value)
//! or percent (`12%` → 12, the number as written); the raw string is kept in
//! `fields["golden"]` so scoring can apply upstream's lenient matching.
//! A row with a missing `input`/`golden` or an unparsable `golden` is skipped
//! with its reason; a line that is not JSON is a `DataError::Malformed`.

use std::path::Path;

use super::shared_io::{fields, json_str, parse_number, read_jsonl};
use crate::extract::Extractor;
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Skip, Suite, SuiteData, SuiteInfo};

/// The CMATH suite.
pub struct Cmath;

/// The file the loader reads inside the suite folder.
pub const FILE: &str = "cmath_dev.jsonl";

impl Suite for Cmath {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "cmath",
            description: "CMATH: Chinese elementary-school math word problems (grades 1-6, by reasoning steps)",
            license: "CC BY 4.0 (dataset); MIT (code)",
            homepage: "https://github.com/XiaoMi/cmath",
            template_source: "kaoshi zero-shot cue `问题：{input}\\n答案：` (XiaoMi/cmath eval.py ships no prompt)",
            modes: &[Mode::Generate],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let path = dir.join(FILE);
        let mut data = SuiteData::default();
        for (line, obj) in read_jsonl(&path)? {
            let skip = |reason: String| Skip { path: path.clone(), line, reason };
            let question = match json_str(&path, line, &obj, "input") {
                Ok(q) if !q.trim().is_empty() => q,
                _ => {
                    data.skipped.push(skip("missing `input`".into()));
                    continue;
                }
            };
            let golden = match json_str(&path, line, &obj, "golden") {
                Ok(g) if !g.trim().is_empty() => g,
                _ => {
                    data.skipped.push(skip("missing `golden` answer".into()));
                    continue;
                }
            };
            let Some(value) = parse_number(&golden) else {
                data.skipped.push(skip(format!("`golden` is not a number: {golden:?}")));
                continue;
            };
            let grade = json_str(&path, line, &obj, "grade").unwrap_or_default();
            let steps = json_str(&path, line, &obj, "reasoning_step").unwrap_or_default();
            let digits = json_str(&path, line, &obj, "num_digits").unwrap_or_default();
            data.items.push(Item {
                id: format!("{FILE}:{line}"),
                subject: format!("grade{grade}"),
                question,
                choices: Vec::new(),
                answer: Answer::Number(value),
                fields: fields([
                    ("grade", grade),
                    ("reasoning_step", steps),
                    ("num_digits", digits),
                    ("golden", golden),
                ]),
            });
        }
        if data.items.is_empty() {
            return Err(DataError::Empty { path, hint: "CMATH JSONL rows with `input` and `golden`".into() });
        }
        Ok(data)
    }

    fn prompt(&self, item: &Item, fewshot: &[&Item], _mode: Mode) -> Prompt {
        let mut prompt = String::new();
        for ex in fewshot {
            let golden = ex.fields.get("golden").cloned().unwrap_or_default();
            prompt.push_str(&format!("问题：{}\n答案：{}\n\n", ex.question, golden));
        }
        prompt.push_str(&format!("问题：{}\n答案：", item.question));
        Prompt::Generate { prompt, stop: vec!["\n\n".into(), "问题：".into()], max_tokens: 256 }
    }

    fn extractor(&self, _item: &Item) -> Extractor {
        Extractor::Number
    }
}
