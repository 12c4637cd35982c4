//! WikiText-2 test (tokenized v1, with `<unk>`), as documents for perplexity.
//!
//! Documents are split as lm-evaluation-harness's `wikitext_document_level`
//! builder does (EleutherAI/lm-evaluation-harness
//! `lm_eval/tasks/wikitext/wikitext_workaround/wikitext_document_level/wikitext_document_level.py`,
//! `_generate_examples`): the file is split on `\n`; a line is a page title
//! when, after `replace("= = =", "===").replace("= =", "==").strip()`, it
//! starts with `"= "` and ends with `" ="` (so `= = Section = =` lines are
//! not); each title starts a new page, the lines collected so far form the
//! previous page (`"\n".join`, kept only when not blank). The last page is
//! kept when not blank (upstream also yields a blank one).
//!
//! The scored text is the page after lm-eval's `wikitext_detokenizer`
//! (`lm_eval/tasks/wikitext/preprocess_wikitext.py`, used as
//! `doc_to_target` of `lm_eval/tasks/wikitext/wikitext.yaml`), implemented
//! rule by rule in [`detokenize`]. `fields["words"]` and `fields["bytes"]`
//! count the page *before* detokenization, as lm-eval's `process_results`
//! does (`len(re.split(r"\s+", page))`, UTF-8 bytes) for word perplexity
//! and bits per byte.
//!
//! NOTE: lm-eval runs this on `wikitext-2-raw-v1`; this file is the
//! tokenized v1 with `<unk>`, which stays in the text, so numbers are not
//! comparable to lm-eval's.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use super::shared_io::{fields, read_utf8};
use crate::extract::Extractor;
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Suite, SuiteData, SuiteInfo};

/// The WikiText-2 suite.
pub struct Wikitext2;

/// The file the loader reads inside the suite folder.
pub const FILE: &str = "test.txt";

/// Splits WikiText text into pages as lm-eval's `wikitext_document_level` does.
pub fn split_pages(text: &str) -> Vec<String> {
    let mut pages = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        let r = line.replace("= = =", "===").replace("= =", "==");
        let r = r.trim();
        if r.starts_with("= ") && r.ends_with(" =") {
            let page = cur.join("\n");
            if !page.trim().is_empty() {
                pages.push(page);
            }
            cur.clear();
        }
        cur.push(line);
    }
    let page = cur.join("\n");
    if !page.trim().is_empty() {
        pages.push(page);
    }
    pages
}

struct Rules {
    slash: Regex,
    paren: Regex,
    bracket: Regex,
    brace: Regex,
    dquote: Regex,
    squote: Regex,
}

static RULES: LazyLock<Rules> = LazyLock::new(|| Rules {
    slash: Regex::new(r"/' [0-9]/").expect("regex"),
    paren: Regex::new(r"\(\s*([^\)]*?)\s*\)").expect("regex"),
    bracket: Regex::new(r"\[\s*([^\]]*?)\s*\]").expect("regex"),
    brace: Regex::new(r"\{\s*([^}]*?)\s*\}").expect("regex"),
    dquote: Regex::new(r#""\s*([^"]*?)\s*""#).expect("regex"),
    squote: Regex::new(r"'\s*([^']*?)\s*'").expect("regex"),
});

/// lm-eval's `wikitext_detokenizer`, rule by rule in the same order.
pub fn detokenize(page: &str) -> String {
    let r = &*RULES;
    // contractions
    let mut s = page.replace("s '", "s'");
    s = r.slash.replace_all(&s, "/'[0-9]/").into_owned();
    // number separators
    s = s.replace(" @-@ ", "-").replace(" @,@ ", ",").replace(" @.@ ", ".");
    // punctuation
    for (from, to) in [(" : ", ": "), (" ; ", "; "), (" . ", ". "), (" ! ", "! "), (" ? ", "? "), (" , ", ", ")] {
        s = s.replace(from, to);
    }
    // double brackets
    s = r.paren.replace_all(&s, "(${1})").into_owned();
    s = r.bracket.replace_all(&s, "[${1}]").into_owned();
    s = r.brace.replace_all(&s, "{${1}}").into_owned();
    s = r.dquote.replace_all(&s, "\"${1}\"").into_owned();
    s = r.squote.replace_all(&s, "'${1}'").into_owned();
    // miscellaneous
    s = s.replace("= = = =", "====").replace("= = =", "===").replace("= =", "==");
    s = s.replace(" \u{b0} ", "\u{b0}");
    s = s.replace(" \n", "\n").replace("\n ", "\n");
    s = s.replace(" N ", " 1 ");
    s.replace(" 's", "'s")
}

/// Whitespace-split word count as Python's `len(re.split(r"\s+", page))`.
pub fn word_count(page: &str) -> usize {
    static WS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").expect("regex"));
    WS.split(page).count()
}

impl Suite for Wikitext2 {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "wikitext2",
            description: "WikiText-2 test (tokenized v1) documents: English perplexity / bits per byte",
            license: "CC BY-SA 3.0 (WikiText, Salesforce release)",
            homepage: "https://github.com/pytorch/examples/tree/main/word_language_model/data/wikitext-2",
            template_source: "EleutherAI/lm-evaluation-harness lm_eval/tasks/wikitext/preprocess_wikitext.py (wikitext_detokenizer) + wikitext_document_level.py page split",
            modes: &[Mode::Perplexity],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let path = dir.join(FILE);
        let text = read_utf8(&path)?;
        let mut data = SuiteData::default();
        for (i, page) in split_pages(&text).into_iter().enumerate() {
            let title = page
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| l.trim_matches(|c| c == '=' || c == ' ').to_owned())
                .unwrap_or_default();
            data.items.push(Item {
                id: format!("{FILE}#{}", i + 1),
                subject: "wikitext2".into(),
                question: detokenize(&page),
                choices: Vec::new(),
                answer: Answer::None,
                fields: fields([
                    ("title", title),
                    ("words", word_count(&page).to_string()),
                    ("bytes", page.len().to_string()),
                ]),
            });
        }
        if data.items.is_empty() {
            return Err(DataError::Empty { path, hint: "WikiText text with ` = Title = ` pages".into() });
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
