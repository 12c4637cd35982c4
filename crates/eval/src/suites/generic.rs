//! A generic task format: plug a JSONL or CSV file into kaoshi with a small
//! JSON task file, no code (for LHMKE, FineMath, OpenEval data and the like).
//!
//! ```json
//! {
//!   "name": "lhmke-demo",
//!   "description": "optional",
//!   "license": "optional", "homepage": "optional",
//!   "data": "data/items.jsonl",
//!   "format": "jsonl",
//!   "fields": {
//!     "question": "q",
//!     "choices": ["A", "B", "C", "D"],
//!     "answer": "answer",
//!     "subject": "subject",
//!     "id": "id"
//!   },
//!   "template": "{question}\nA. {A}\nB. {B}\nC. {C}\nD. {D}\n答案：",
//!   "mode": "letter",
//!   "extractor": {"kind": "letter", "n_choices": 4},
//!   "stop": ["\n"], "max_tokens": 32
//! }
//! ```
//!
//! - `data` is relative to the task file's folder (absolute paths work too);
//!   [`Suite::load`]'s `dir` argument is not used: the task file names its data.
//! - `format`: `jsonl` (one JSON object a line) or `csv` (with a header row;
//!   a UTF-8 BOM is accepted).
//! - `fields`: source field/column names. `question` and `answer` are
//!   required; options come either from `choices` (one field per option, in
//!   order) or from `choices_field` (one field holding a JSON array of
//!   strings — in CSV, a cell with JSON array text); `subject` and `id` are
//!   optional (subject defaults to the task name, id to `file:line`).
//! - `mode`: `letter` (next-token letter logits, default when there are
//!   options), `loglik` (each option text as a continuation after a space,
//!   lm-evaluation-harness style) or `generate` (default without options).
//! - `extractor`: the [`Extractor`] in its JSON form; default `letter` with the
//!   option count when there are options (4 with `choices_field`: give
//!   it explicitly when rows have more), else `text`. It also decides how
//!   `answer` is read: with options, a letter (`"B"`, case-insensitive) or a
//!   JSON integer (0-based index); with `number`, a number (`"1,234"`, `"3/4"`,
//!   `"12%"` accepted); with `text`, the text as is.
//!
//! Metrics: accuracy (and `acc_norm` in loglik mode); a task whose answers
//! are text (no options, no `number` extractor) also gets chrF and BLEU of
//! the generated text against them.
//!
//! Template placeholders: `{question}`, `{subject}`, `{A}`, `{B}`, … (the
//! option texts by letter) and `{choices}` (all options as `A. text` lines
//! joined by `\n`). Substitution is a single pass, so braces inside the data
//! are never re-expanded; an unknown `{name}` is left as written.
//!
//! Decisions on bad data: a row that lacks a field the task names, has an
//! empty question or option, or an answer that cannot be read is **skipped**
//! with its file, line and reason (counted in `SuiteData::skipped`, never
//! silent) — user data is often ragged and one bad row should not sink a run.
//! Structural problems are `DataError`s: an unreadable or non-UTF-8 file, a
//! line that is not JSON, a CSV syntax error, and a task file that does not
//! parse. No usable rows → `DataError::Empty`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::shared_io::{fields, json_text, letters, parse_number, read_csv, read_jsonl, read_utf8};
use crate::extract::Extractor;
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Skip, Suite, SuiteData, SuiteInfo, SuiteMetric};

/// Field names of a generic task.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldMap {
    /// The question field.
    pub question: String,
    /// One field per option, in order.
    #[serde(default)]
    pub choices: Vec<String>,
    /// A field holding all options as a JSON array of strings.
    #[serde(default)]
    pub choices_field: Option<String>,
    /// The answer field.
    pub answer: String,
    /// The subject field (optional).
    #[serde(default)]
    pub subject: Option<String>,
    /// The id field (optional).
    #[serde(default)]
    pub id: Option<String>,
}

/// Data file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON object a line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// The task file, as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    /// Suite name.
    pub name: String,
    /// One line on what it measures.
    #[serde(default)]
    pub description: Option<String>,
    /// Licence of the data.
    #[serde(default)]
    pub license: Option<String>,
    /// Where the data comes from.
    #[serde(default)]
    pub homepage: Option<String>,
    /// Data file, relative to the task file.
    pub data: PathBuf,
    /// Data format.
    pub format: Format,
    /// Field names.
    pub fields: FieldMap,
    /// Prompt template.
    pub template: String,
    /// Scoring mode (`letter`, `loglik`, `generate`).
    #[serde(default)]
    pub mode: Option<Mode>,
    /// Answer extraction for generate mode.
    #[serde(default)]
    pub extractor: Option<Extractor>,
    /// Stop strings (generate mode; default `["\n\n"]`).
    #[serde(default)]
    pub stop: Option<Vec<String>>,
    /// Token limit (generate mode; default 256).
    #[serde(default)]
    pub max_tokens: Option<usize>,
}

/// A suite defined by a task file.
#[derive(Debug, Clone)]
pub struct GenericTask {
    /// The parsed task file.
    pub spec: TaskSpec,
    /// The task file.
    pub task_file: PathBuf,
    /// The data file, resolved against the task file's folder.
    pub data_path: PathBuf,
    name: &'static str,
    description: &'static str,
    license: &'static str,
    homepage: &'static str,
}

const MODES_LETTER: &[Mode] = &[Mode::Letter, Mode::Loglik, Mode::Generate];
const MODES_LOGLIK: &[Mode] = &[Mode::Loglik, Mode::Letter, Mode::Generate];
const MODES_GENERATE_MC: &[Mode] = &[Mode::Generate, Mode::Letter, Mode::Loglik];
const MODES_GENERATE: &[Mode] = &[Mode::Generate];

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl GenericTask {
    /// Reads and checks a task file. Errors name the task file (and the JSON
    /// line for syntax errors).
    pub fn from_file(task_file: &Path) -> Result<Self, DataError> {
        let text = read_utf8(task_file)?;
        let spec: TaskSpec = serde_json::from_str(&text)
            .map_err(|e| DataError::malformed(task_file, e.line(), format!("task file: {e}")))?;
        let bad = |msg: &str| DataError::malformed(task_file, 1, format!("task file: {msg}"));
        if spec.name.trim().is_empty() {
            return Err(bad("`name` is empty"));
        }
        if !spec.fields.choices.is_empty() && spec.fields.choices_field.is_some() {
            return Err(bad("give either `fields.choices` or `fields.choices_field`, not both"));
        }
        if spec.fields.choices.len() > 26 {
            return Err(bad("at most 26 options"));
        }
        let has_choices = !spec.fields.choices.is_empty() || spec.fields.choices_field.is_some();
        match spec.mode {
            Some(Mode::Perplexity | Mode::Judge) => return Err(bad("`mode` must be letter, loglik or generate")),
            Some(Mode::Letter | Mode::Loglik) if !has_choices => {
                return Err(bad("letter/loglik mode needs `fields.choices` or `fields.choices_field`"));
            }
            _ => {}
        }
        if matches!(spec.extractor, Some(Extractor::Letter { .. })) && !has_choices {
            return Err(bad("a letter extractor needs options"));
        }
        let base = task_file.parent().unwrap_or_else(|| Path::new("."));
        let data_path = base.join(&spec.data);
        Ok(Self {
            name: leak(spec.name.clone()),
            description: leak(
                spec.description.clone().unwrap_or_else(|| format!("generic task from {}", task_file.display())),
            ),
            license: leak(spec.license.clone().unwrap_or_else(|| "unknown (see the data's source)".into())),
            homepage: leak(spec.homepage.clone().unwrap_or_default()),
            data_path,
            task_file: task_file.to_path_buf(),
            spec,
        })
    }

    /// The task's extractor (the same for every item): the spec's, else a
    /// letter among the options, else the text.
    pub fn task_extractor(&self) -> Extractor {
        match &self.spec.extractor {
            Some(e) => e.clone(),
            // `choices_field` tasks have a per-row option count; without an
            // explicit extractor the letter range defaults to A-D.
            None if self.has_choices() => {
                let n = self.spec.fields.choices.len();
                Extractor::Letter { n_choices: if n == 0 { 4 } else { n } }
            }
            None => Extractor::Text,
        }
    }

    fn has_choices(&self) -> bool {
        !self.spec.fields.choices.is_empty() || self.spec.fields.choices_field.is_some()
    }

    fn mode(&self) -> Mode {
        self.spec.mode.unwrap_or(if self.has_choices() { Mode::Letter } else { Mode::Generate })
    }

    /// One row → an item, or the reason it is skipped.
    fn row_to_item(&self, get: &dyn Fn(&str) -> Option<serde_json::Value>, line: usize) -> Result<Item, String> {
        let f = &self.spec.fields;
        let text = |name: &str| -> Result<String, String> {
            get(name)
                .as_ref()
                .and_then(json_text)
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| format!("missing or empty field `{name}`"))
        };
        let question = text(&f.question)?;
        let choices: Vec<String> = if let Some(cf) = &f.choices_field {
            let v = get(cf).ok_or_else(|| format!("missing field `{cf}`"))?;
            let arr = match v {
                serde_json::Value::Array(a) => a,
                serde_json::Value::String(s) => match serde_json::from_str::<serde_json::Value>(&s) {
                    Ok(serde_json::Value::Array(a)) => a,
                    _ => return Err(format!("field `{cf}` is not a JSON array of options")),
                },
                _ => return Err(format!("field `{cf}` is not a JSON array of options")),
            };
            let opts: Option<Vec<String>> = arr.iter().map(|x| json_text(x).filter(|s| !s.trim().is_empty())).collect();
            let opts = opts.ok_or_else(|| format!("field `{cf}` has an empty or non-text option"))?;
            if opts.is_empty() || opts.len() > 26 {
                return Err(format!("field `{cf}` has {} options (1-26 allowed)", opts.len()));
            }
            opts
        } else {
            f.choices.iter().map(|c| text(c)).collect::<Result<_, _>>()?
        };
        let raw = get(&f.answer).ok_or_else(|| format!("missing field `{}`", f.answer))?;
        let answer = if !choices.is_empty() {
            let idx = match &raw {
                serde_json::Value::Number(n) => n.as_u64().map(|n| n as usize),
                serde_json::Value::String(s) => {
                    let t = s.trim();
                    let mut cs = t.chars();
                    match (cs.next(), cs.next()) {
                        (Some(c), None) if c.is_ascii_alphabetic() => {
                            Some((c.to_ascii_uppercase() as u8 - b'A') as usize)
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            match idx {
                Some(i) if i < choices.len() => Answer::Choice(i),
                _ => {
                    return Err(format!(
                        "answer {raw} is not an option letter or 0-based index of {} options",
                        choices.len()
                    ));
                }
            }
        } else {
            let t = json_text(&raw)
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| format!("empty answer `{}`", f.answer))?;
            match self.task_extractor() {
                Extractor::Number => {
                    Answer::Number(parse_number(&t).ok_or_else(|| format!("answer is not a number: {t:?}"))?)
                }
                _ => Answer::Text(t),
            }
        };
        let subject = match &f.subject {
            Some(s) => text(s)?,
            None => self.spec.name.clone(),
        };
        let id = f.id.as_ref().and_then(|k| get(k).as_ref().and_then(json_text));
        let file = self.data_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Item {
            id: id.unwrap_or_else(|| format!("{file}:{line}")),
            subject,
            question,
            choices,
            answer,
            fields: fields([("task", self.spec.name.clone())]),
        })
    }

    /// Renders the template for `item` (single pass; unknown names kept).
    pub fn render(&self, item: &Item) -> String {
        let letters = letters(item.choices.len());
        let t = &self.spec.template;
        let mut out = String::with_capacity(t.len() + item.question.len());
        let mut rest = t.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let name = &after[..close];
            let value = match name {
                "question" => Some(item.question.clone()),
                "subject" => Some(item.subject.clone()),
                "choices" => Some(
                    letters.iter().zip(&item.choices).map(|(l, c)| format!("{l}. {c}")).collect::<Vec<_>>().join("\n"),
                ),
                _ => letters.iter().position(|l| l == name).map(|i| item.choices[i].clone()),
            };
            match value {
                Some(v) => out.push_str(&v),
                None => out.push_str(&rest[open..open + close + 2]),
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn answer_text(item: &Item) -> String {
        match &item.answer {
            Answer::Choice(i) => letters(item.choices.len()).get(*i).cloned().unwrap_or_default(),
            Answer::Number(n) => n.to_string(),
            Answer::Text(t) => t.clone(),
            _ => String::new(),
        }
    }
}

impl Suite for GenericTask {
    fn info(&self) -> SuiteInfo {
        let modes = match (self.mode(), self.has_choices()) {
            (Mode::Loglik, _) => MODES_LOGLIK,
            (Mode::Generate, true) => MODES_GENERATE_MC,
            (Mode::Generate, false) => MODES_GENERATE,
            _ => MODES_LETTER,
        };
        SuiteInfo {
            name: self.name,
            description: self.description,
            license: self.license,
            homepage: self.homepage,
            template_source: "the user's task file (`template`)",
            modes,
        }
    }

    fn load(&self, _dir: &Path) -> Result<SuiteData, DataError> {
        let path = &self.data_path;
        let mut data = SuiteData::default();
        let mut push = |line: usize, r: Result<Item, String>| match r {
            Ok(item) => data.items.push(item),
            Err(reason) => data.skipped.push(Skip { path: path.clone(), line, reason }),
        };
        match self.spec.format {
            Format::Jsonl => {
                for (line, obj) in read_jsonl(path)? {
                    push(line, self.row_to_item(&|k| obj.get(k).cloned(), line));
                }
            }
            Format::Csv => {
                let (header, rows) = read_csv(path)?;
                let cols: BTreeMap<&str, usize> = header.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
                for (line, row) in rows {
                    let get = |k: &str| cols.get(k).map(|&i| serde_json::Value::String(row[i].clone()));
                    push(line, self.row_to_item(&get, line));
                }
            }
        }
        if data.items.is_empty() {
            return Err(DataError::Empty {
                path: path.clone(),
                hint: format!("rows with the fields named in {}", self.task_file.display()),
            });
        }
        Ok(data)
    }

    fn prompt(&self, item: &Item, fewshot: &[&Item], mode: Mode) -> Prompt {
        let mut context = String::new();
        for ex in fewshot {
            let ans = Self::answer_text(ex);
            // Exemplars: the rendered template, then the answer right after
            // it (the letter, the number or the text; in loglik mode the
            // option text after a space, as the continuations are scored),
            // then a blank line.
            let shown = match (&ex.answer, mode) {
                (Answer::Choice(i), Mode::Loglik) => format!(" {}", ex.choices[*i]),
                _ => ans,
            };
            context.push_str(&format!("{}{}\n\n", self.render(ex), shown));
        }
        context.push_str(&self.render(item));
        match mode {
            Mode::Letter => Prompt::Letters { context, letters: letters(item.choices.len()) },
            Mode::Loglik => {
                Prompt::Choices { context, continuations: item.choices.iter().map(|c| format!(" {c}")).collect() }
            }
            _ => Prompt::Generate {
                prompt: context,
                stop: self.spec.stop.clone().unwrap_or_else(|| vec!["\n\n".into()]),
                max_tokens: self.spec.max_tokens.unwrap_or(256),
            },
        }
    }

    fn extractor(&self, _item: &Item) -> Extractor {
        self.task_extractor()
    }

    /// Tasks whose answers are text (no options, no number extractor) get
    /// chrF and BLEU of the generated text against them.
    fn metrics(&self) -> &[SuiteMetric] {
        let text_answers = !self.has_choices() && self.task_extractor() != Extractor::Number;
        if text_answers { &[SuiteMetric::ReferenceOverlap] } else { &[] }
    }
}
