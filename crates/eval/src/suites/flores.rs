//! FLORES-200 devtest: 1,012 sentences, line-aligned across languages
//! (`devtest/<lang_Script>.devtest`), here as translation items.
//!
//! Directions: [`Flores::DEFAULT`] builds zho_Hans→eng_Latn and
//! eng_Latn→zho_Hans (2 × 1,012 items); [`Flores::load_directions`] builds
//! any configured list of (source, target) codes.
//!
//! Template: lm-evaluation-harness GPT-3-style translation prompt
//! (EleutherAI/lm-evaluation-harness `lm_eval/tasks/translation/wmt16_de-en.yaml`:
//! `doc_to_text: 'German phrase: {{translation["de"]}}\n\n  English phrase:'`,
//! which YAML folds to `German phrase: …\nEnglish phrase:`; target
//! `' {{translation["en"]}}'`; `wmt_common_yaml` stops at `"\n"`):
//! `{Source} phrase: {sentence}\n{Target} phrase:` with English language
//! names ([`language_name`]). Few-shot exemplars, if given, are rendered the
//! same way with ` {reference}` and joined by a blank line.
//!
//! Items: id `<src>-<tgt>:<line>`, subject `<src>-<tgt>`, question = source
//! sentence, `Answer::Text(reference)`. Files of different lengths →
//! `DataError::Malformed` at the first line the shorter file lacks; a line
//! pair with an empty side is skipped with its reason.

use std::path::Path;

use super::shared_io::{fields, read_utf8};
use crate::extract::Extractor;
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Skip, Suite, SuiteData, SuiteInfo, SuiteMetric};

/// The FLORES-200 translation suite for a fixed list of directions.
pub struct Flores {
    /// (source, target) FLORES-200 codes, e.g. `("zho_Hans", "eng_Latn")`.
    pub directions: &'static [(&'static str, &'static str)],
}

impl Flores {
    /// The default directions: Chinese (Simplified) ↔ English.
    pub const DEFAULT: Flores = Flores { directions: &[("zho_Hans", "eng_Latn"), ("eng_Latn", "zho_Hans")] };

    /// Builds items for any list of directions from the folder holding `devtest/`.
    pub fn load_directions<S: AsRef<str>>(dir: &Path, directions: &[(S, S)]) -> Result<SuiteData, DataError> {
        let base = if crate::files::is_dir(&dir.join("devtest")) { dir.join("devtest") } else { dir.to_path_buf() };
        let mut data = SuiteData::default();
        for (src, tgt) in directions {
            let (src, tgt) = (src.as_ref(), tgt.as_ref());
            let sp = base.join(format!("{src}.devtest"));
            let tp = base.join(format!("{tgt}.devtest"));
            let st = read_utf8(&sp)?;
            let tt = read_utf8(&tp)?;
            let sl: Vec<&str> = st.lines().collect();
            let tl: Vec<&str> = tt.lines().collect();
            if sl.len() != tl.len() {
                let (short, n) = if sl.len() < tl.len() { (&sp, sl.len()) } else { (&tp, tl.len()) };
                return Err(DataError::malformed(
                    short,
                    n + 1,
                    format!("not line-aligned: {src} has {} lines, {tgt} has {}", sl.len(), tl.len()),
                ));
            }
            for (i, (s, t)) in sl.iter().zip(&tl).enumerate() {
                let line = i + 1;
                if s.trim().is_empty() || t.trim().is_empty() {
                    let path = if s.trim().is_empty() { sp.clone() } else { tp.clone() };
                    data.skipped.push(Skip { path, line, reason: "empty sentence".into() });
                    continue;
                }
                data.items.push(Item {
                    id: format!("{src}-{tgt}:{line}"),
                    subject: format!("{src}-{tgt}"),
                    question: (*s).to_owned(),
                    choices: Vec::new(),
                    answer: Answer::Text((*t).to_owned()),
                    fields: fields([("src_lang", src.to_owned()), ("tgt_lang", tgt.to_owned())]),
                });
            }
        }
        if data.items.is_empty() {
            return Err(DataError::Empty { path: base, hint: "<lang_Script>.devtest files".into() });
        }
        Ok(data)
    }
}

/// The English name used in the prompt for a FLORES-200 code (the code
/// itself when unknown).
pub fn language_name(code: &str) -> &str {
    match code {
        "arb_Arab" => "Arabic",
        "deu_Latn" => "German",
        "eng_Latn" => "English",
        "fra_Latn" => "French",
        "hin_Deva" => "Hindi",
        "jpn_Jpan" => "Japanese",
        "kor_Hang" => "Korean",
        "rus_Cyrl" => "Russian",
        "spa_Latn" => "Spanish",
        "swh_Latn" => "Swahili",
        "zho_Hans" => "Chinese",
        "zho_Hant" => "Traditional Chinese",
        other => other,
    }
}

impl Suite for Flores {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "flores",
            description: "FLORES-200 devtest translation (default zho_Hans<->eng_Latn), chrF/BLEU",
            license: "CC BY-SA 4.0",
            homepage: "https://github.com/facebookresearch/flores/tree/main/flores200",
            template_source: "EleutherAI/lm-evaluation-harness lm_eval/tasks/translation/wmt16_de-en.yaml (`X phrase: …\\nY phrase:`)",
            modes: &[Mode::Generate],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        Self::load_directions(dir, self.directions)
    }

    fn prompt(&self, item: &Item, fewshot: &[&Item], _mode: Mode) -> Prompt {
        let render = |it: &Item| {
            let s = it.fields.get("src_lang").map(String::as_str).unwrap_or_default();
            let t = it.fields.get("tgt_lang").map(String::as_str).unwrap_or_default();
            format!("{} phrase: {}\n{} phrase:", language_name(s), it.question, language_name(t))
        };
        let mut prompt = String::new();
        for ex in fewshot {
            prompt.push_str(&render(ex));
            if let Answer::Text(r) = &ex.answer {
                prompt.push_str(&format!(" {r}"));
            }
            prompt.push_str("\n\n");
        }
        prompt.push_str(&render(item));
        Prompt::Generate { prompt, stop: vec!["\n".into()], max_tokens: 256 }
    }

    fn extractor(&self, _item: &Item) -> Extractor {
        Extractor::Text
    }

    fn metrics(&self) -> &[SuiteMetric] {
        &[SuiteMetric::ReferenceOverlap]
    }
}
