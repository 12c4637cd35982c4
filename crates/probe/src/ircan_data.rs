//! IRCAN's evaluation data (Shi et al. 2024, released code
//! `3_enhance_and_evaluate.py`: `get_prompts`, `get_information`): MemoTrap
//! (complete a well-known quote with the word the instruction asks for)
//! and the KRE multiple-choice sets COSE and ECARE (a question after a
//! context that argues for another option). [`load`] reads one split into
//! [`IrcanItem`]s, each with its prompt with and without the context, the
//! context-consistent answer and the memory ("trap") answer;
//! [`target_tokens`] gives the token an answer starts with.
//!
//! ```no_run
//! use kaoshi_probe::ircan_data::{IrcanTask, Split, load};
//! let items = load("../shared/data/ircan".as_ref(), IrcanTask::Cose, Split::Dev)?;
//! assert_eq!(items[0].choices.len(), 5);
//! # Ok::<(), kaoshi_probe::ProbeError>(())
//! ```

use std::path::{Path, PathBuf};

use kaoshi_tokenizer::Tokenizer;
use serde::Deserialize;

use crate::error::ProbeError;

/// The instruction before every KRE prompt (the released code's prompt for
/// llama2-7b-chat).
const MCQ_INSTRUCTION: &str = "Choose the correct option to answer the following question: \n";

/// One of IRCAN's evaluation sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IrcanTask {
    /// MemoTrap: open completion, scored on the first sentence.
    MemoTrap,
    /// COSE_KRE: 5-option multiple choice.
    Cose,
    /// ECARE_KRE: 2-option multiple choice.
    Ecare,
}

impl std::str::FromStr for IrcanTask {
    type Err = ProbeError;

    fn from_str(s: &str) -> Result<Self, ProbeError> {
        match s {
            "memotrap" => Ok(Self::MemoTrap),
            "cose" => Ok(Self::Cose),
            "ecare" => Ok(Self::Ecare),
            _ => Err(ProbeError::Options(format!("task {s:?}: expected memotrap, cose or ecare"))),
        }
    }
}

impl IrcanTask {
    /// Whether items are answered by an option letter.
    pub fn is_mcq(self) -> bool {
        self != Self::MemoTrap
    }
}

/// Which part of a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// The whole set (dev and test together).
    All,
    /// The dev half (neuron identification and the choice of beta).
    Dev,
    /// The test half.
    Test,
}

impl std::str::FromStr for Split {
    type Err = ProbeError;

    fn from_str(s: &str) -> Result<Self, ProbeError> {
        match s {
            "all" => Ok(Self::All),
            "dev" => Ok(Self::Dev),
            "test" => Ok(Self::Test),
            _ => Err(ProbeError::Options(format!("split {s:?}: expected all, dev or test"))),
        }
    }
}

/// The file of `task`'s `split` under the data directory.
pub fn file_path(dir: &Path, task: IrcanTask, split: Split) -> PathBuf {
    let suffix = match split {
        Split::All => "",
        Split::Dev => "_dev",
        Split::Test => "_test",
    };
    match task {
        IrcanTask::MemoTrap => dir.join(format!("MemoTrap/memo-trap_classification{suffix}.jsonl")),
        IrcanTask::Cose => dir.join(format!("KRE/COSE/cose{suffix}.json")),
        IrcanTask::Ecare => dir.join(format!("KRE/ECARE/ecare{suffix}.json")),
    }
}

/// One evaluation item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrcanItem {
    /// Its index in the file (0-based).
    pub id: usize,
    /// The prompt with the context (what is evaluated).
    pub with_context: String,
    /// The prompt without it (context-aware decoding's second prompt).
    pub without_context: String,
    /// The context-consistent answer: an ending word (MemoTrap) or an
    /// option letter.
    pub answer: String,
    /// The answer memory suggests (MemoTrap's other ending, KRE's original
    /// answer).
    pub trap: String,
    /// The option letters (`A`, `B`, ...); empty for MemoTrap.
    pub choices: Vec<String>,
}

/// Reads `task`'s `split` from `dir` (the folder holding `MemoTrap/` and
/// `KRE/`).
pub fn load(dir: &Path, task: IrcanTask, split: Split) -> Result<Vec<IrcanItem>, ProbeError> {
    let path = file_path(dir, task, split);
    let text = std::fs::read_to_string(&path).map_err(|source| ProbeError::Io { path: path.clone(), source })?;
    let what = path.display().to_string();
    match task {
        IrcanTask::MemoTrap => memotrap(&text, &what),
        IrcanTask::Cose | IrcanTask::Ecare => kre(&text, &what),
    }
}

#[derive(Deserialize)]
struct MemoRow {
    prompt: String,
    classes: String,
    answer_index: usize,
}

fn memotrap(text: &str, what: &str) -> Result<Vec<IrcanItem>, ProbeError> {
    let mut items = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |why: String| ProbeError::Data(format!("{what}:{}: {why}", i + 1));
        let row: MemoRow = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let classes = python_str_list(&row.classes).map_err(|e| bad(format!("classes {:?}: {e}", row.classes)))?;
        let classes: Vec<String> = classes.iter().map(|c| c.trim().trim_matches('.').trim().to_string()).collect();
        if classes.len() != 2 || row.answer_index > 1 {
            return Err(bad(format!(
                "expected two classes and answer_index 0 or 1, got {} and {}",
                classes.len(),
                row.answer_index
            )));
        }
        let without_context = row.prompt.rsplit(": ").next().unwrap_or_default().to_string();
        items.push(IrcanItem {
            id: items.len(),
            answer: classes[row.answer_index].clone(),
            trap: classes[1 - row.answer_index].clone(),
            with_context: row.prompt,
            without_context,
            choices: Vec::new(),
        });
    }
    Ok(items)
}

/// The strings of a Python list literal of string literals (`"[' a.',
/// \" b'c.\"]"`): single- or double-quoted, backslash escapes kept as the
/// escaped character. The authors split the text on `,` and strip `'`
/// from each piece, which breaks on an ending quoted with `"` because it
/// holds an apostrophe (two items of the data, `" in't."` and `"
/// don't."`, whose class then keeps its `"` and can never match); a comma
/// inside an ending would break it too (none in the data). Parsing the
/// literal gives what the authors meant for those and the same for the
/// rest.
fn python_str_list(text: &str) -> Result<Vec<String>, String> {
    let body = text.trim().strip_prefix('[').and_then(|t| t.strip_suffix(']')).ok_or("not a [...] list")?;
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(quote) = chars.next() else { break };
        if quote != '\'' && quote != '"' {
            return Err(format!("expected a quoted string, found {quote:?}"));
        }
        let mut s = String::new();
        loop {
            match chars.next() {
                None => return Err("an unterminated string".into()),
                Some('\\') => s.push(chars.next().ok_or("an unterminated string")?),
                Some(c) if c == quote => break,
                Some(c) => s.push(c),
            }
        }
        out.push(s);
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            None => break,
            Some(',') => {}
            Some(c) => return Err(format!("expected , or the end after a string, found {c:?}")),
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct KreRow {
    question: String,
    choices: Vec<String>,
    negative_context: String,
    candidate: String,
    answer: String,
}

fn kre(text: &str, what: &str) -> Result<Vec<IrcanItem>, ProbeError> {
    let rows: Vec<KreRow> = serde_json::from_str(text).map_err(|e| ProbeError::Data(format!("{what}: {e}")))?;
    rows.into_iter()
        .enumerate()
        .map(|(id, row)| {
            let letters: Vec<String> = (0..row.choices.len()).map(|k| char::from(b'A' + k as u8).to_string()).collect();
            if !(2..=26).contains(&row.choices.len()) {
                return Err(ProbeError::Data(format!("{what}: item {id}: {} choices", row.choices.len())));
            }
            for (name, letter) in [("candidate", &row.candidate), ("answer", &row.answer)] {
                if !letters.contains(letter) {
                    return Err(ProbeError::Data(format!(
                        "{what}: item {id}: {name} {letter:?} is not one of the option letters {}",
                        letters.join(", ")
                    )));
                }
            }
            let options: Vec<String> =
                letters.iter().zip(&row.choices).map(|(l, c)| format!("{l}. {}", c.trim())).collect();
            let choice_str = format!("{}\n", options.join(" "));
            let q = &row.question;
            Ok(IrcanItem {
                id,
                with_context: format!("{MCQ_INSTRUCTION}{}\n{q}\n{choice_str}Answer: ", row.negative_context),
                without_context: format!("{MCQ_INSTRUCTION}{q}\n{choice_str}Answer: "),
                answer: row.candidate,
                trap: row.answer,
                choices: letters,
            })
        })
        .collect()
}

/// The tokens of `prompt` and the first token of `continuation` after it,
/// split as `kaoshi score` splits a pair
/// ([`kaoshi_engine::score::encode_pair`]: the prompt's trailing
/// whitespace moves into the continuation, so "...Answer: " and "A" give
/// "...Answer:" and " A").
pub fn target_tokens(tok: &Tokenizer, prompt: &str, continuation: &str) -> Result<(Vec<u32>, u32), ProbeError> {
    let (ctx, cont) =
        kaoshi_engine::score::encode_pair(tok, prompt, continuation).map_err(|e| ProbeError::Data(e.to_string()))?;
    Ok((ctx, cont[0]))
}

/// The prompt's tokens and each option letter's first token after it; an
/// error when two letters start with the same token (their logits could
/// not be told apart).
pub fn option_tokens(tok: &Tokenizer, prompt: &str, letters: &[String]) -> Result<(Vec<u32>, Vec<u32>), ProbeError> {
    let mut ctx = Vec::new();
    let mut ids = Vec::with_capacity(letters.len());
    for letter in letters {
        let (c, id) = target_tokens(tok, prompt, letter)?;
        if let Some(k) = ids.iter().position(|&x| x == id) {
            return Err(ProbeError::Data(format!(
                "options {} and {letter} start with the same token {id}: their logits cannot be told apart",
                letters[k]
            )));
        }
        ctx = c;
        ids.push(id);
    }
    Ok((ctx, ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ircan")
    }

    #[test]
    fn python_lists_parse_like_python() {
        assert_eq!(python_str_list("[' masters.', ' kings.']").unwrap(), vec![" masters.", " kings."]);
        assert_eq!(python_str_list(r#"[' here.', " in't."]"#).unwrap(), vec![" here.", " in't."]);
        assert_eq!(python_str_list(r"['a, b', 'it\'s']").unwrap(), vec!["a, b", "it's"]);
        assert_eq!(python_str_list("[]").unwrap(), Vec::<String>::new());
        for bad in ["' a'", "[a]", "['a' 'b']", "['a"] {
            assert!(python_str_list(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn memotrap_counts_and_a_known_item() {
        let dev = load(&data(), IrcanTask::MemoTrap, Split::Dev).unwrap();
        assert_eq!(dev.len(), 468);
        assert_eq!(load(&data(), IrcanTask::MemoTrap, Split::Test).unwrap().len(), 469);
        assert_eq!(load(&data(), IrcanTask::MemoTrap, Split::All).unwrap().len(), 937);
        let first = &dev[0];
        assert_eq!(first.with_context, "Write a quote that ends in the word \"kings\": No man can serve two");
        assert_eq!(first.without_context, "No man can serve two");
        assert_eq!((first.answer.as_str(), first.trap.as_str()), ("kings", "masters"));
        assert!(first.choices.is_empty());
        assert_eq!((dev[3].answer.as_str(), dev[3].trap.as_str()), ("together", "ships"));
        // The double-quoted ending the authors' split leaves quoted.
        let mut pair = [dev[357].answer.as_str(), dev[357].trap.as_str()];
        pair.sort();
        assert_eq!(pair, ["here", "in't"]);
    }

    #[test]
    fn kre_counts_prompts_and_answers() {
        let cose = load(&data(), IrcanTask::Cose, Split::Dev).unwrap();
        assert_eq!(cose.len(), 610);
        assert_eq!(load(&data(), IrcanTask::Cose, Split::Test).unwrap().len(), 611);
        assert_eq!(load(&data(), IrcanTask::Ecare, Split::Dev).unwrap().len(), 1061);
        let ecare = load(&data(), IrcanTask::Ecare, Split::Test).unwrap();
        assert_eq!(ecare.len(), 1061);
        assert!(ecare.iter().all(|i| i.choices == ["A", "B"]));
        let c = &cose[0];
        assert_eq!((c.answer.as_str(), c.trap.as_str()), ("A", "C"));
        assert_eq!(c.choices, ["A", "B", "C", "D", "E"]);
        let q = "The table wasn't level.  some parts were higher and some were lower with no rhyme or reason.   It was very what?";
        let opts = "A. electrical circuit B. build evenly C. uneven D. unbalanced E. tilted\n";
        let ctx = "An electrical circuit can have varying levels of voltage at different points, similar to a table with uneven surfaces.";
        assert_eq!(c.without_context, format!("{MCQ_INSTRUCTION}{q}\n{opts}Answer: "));
        assert_eq!(c.with_context, format!("{MCQ_INSTRUCTION}{ctx}\n{q}\n{opts}Answer: "));
    }

    #[test]
    fn bad_files_name_file_and_line() {
        let e = memotrap("{\"prompt\": \"a: b\", \"classes\": \"['x.', 'y.']\", \"answer_index\": 0}\n{}", "m.jsonl")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("m.jsonl:2:"), "{e}");
        let e = memotrap("{\"prompt\": \"a: b\", \"classes\": \"['x.']\", \"answer_index\": 0}", "m.jsonl")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("m.jsonl:1:") && e.contains("two classes"), "{e}");
        let row =
            r#"[{"question": "q", "choices": ["a", "b"], "negative_context": "c", "candidate": "C", "answer": "A"}]"#;
        let e = kre(row, "k.json").unwrap_err().to_string();
        assert!(e.contains("k.json: item 0") && e.contains("candidate \"C\""), "{e}");
        assert!(load(Path::new("/nonexistent"), IrcanTask::Cose, Split::Dev).is_err());
        assert!("cosmos".parse::<IrcanTask>().is_err() && "val".parse::<Split>().is_err());
        assert_eq!("ecare".parse::<IrcanTask>().unwrap(), IrcanTask::Ecare);
    }
}
