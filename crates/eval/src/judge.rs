//! LLM-as-judge prompts and verdict parsing, without any model.
//!
//! A suite that is scored by a judge ([`crate::Mode::Judge`]) renders a
//! [`JudgePrompt`] for each candidate answer ([`crate::Suite::judge_prompt`]);
//! the harness generates the judge's verdict greedily and [`parse_verdict`]
//! reads the score out of it.
//!
//! # Verdict formats
//!
//! - [`VerdictFormat::DoubleBracket`]: MT-Bench's `[[rating]]` (Zheng et al.
//!   2023, "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena";
//!   lm-sys/FastChat `fastchat/llm_judge/common.py` reads it with
//!   `\[\[(\d+\.?\d*)\]\]`). Regex here: `\[\[\s*(\d+(?:\.\d+)?)\s*\]\]`,
//!   so `[[8]]`, `Rating: [[8]]` and `[[ 7.5 ]]` all read.
//! - [`VerdictFormat::GaokaoTotal`]: GAOKAO-Bench's `【总分】N分`
//!   (OpenLMLab/GAOKAO-Bench `Bench/bench_function.py` `subjective_grade`:
//!   `【总分】\s*(?:.*=)?\s*(\d+(\.\d*)?)\s*分`, which also reads a sum such as
//!   `【总分】2+3=5分`). Regex here: `【总分】[ \t]*(?:[^\n]*=)?[ \t]*(\d+(?:\.\d+)?)[ \t]*分`
//!   (same rule, `.` spelled as "not a newline" and `\s` kept to one line);
//!   `得分：N` / `得分:N` is accepted as a fallback only when no `【总分】`
//!   is present.
//!
//! # Rules (documented, tested)
//!
//! - A score outside `min..=max` is no score (`[[11]]` on a 1–10 scale,
//!   `【总分】12分` on a 10-point question): GAOKAO-Bench rejects a total over
//!   the full marks too.
//! - Several scores that all agree count once; scores that disagree are no
//!   score (GAOKAO-Bench accepts exactly one `【总分】`; FastChat takes the
//!   first match — kaoshi takes neither side of a disagreement).
//! - No score is `None`: the item is counted as unparsed, never given a
//!   made-up score.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// How the judge writes its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictFormat {
    /// `[[8]]` / `Rating: [[8]]` (MT-Bench).
    DoubleBracket,
    /// `【总分】5分` (GAOKAO-Bench), with `得分：5` as a fallback.
    GaokaoTotal,
}

/// What the judge is asked, and how its answer is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgePrompt {
    /// The full prompt text the judge model sees (before its chat template).
    pub prompt: String,
    /// How the verdict gives the score.
    pub format: VerdictFormat,
    /// The lowest valid score.
    pub min: f64,
    /// The highest valid score (full marks); scores are normalised by it.
    pub max: f64,
}

/// MT-Bench's single-answer grading prompt, `single-v1`, from
/// lm-sys/FastChat `fastchat/llm_judge/data/judge_prompts.jsonl` (Zheng et
/// al. 2023). Upstream sends it as the user turn after the system prompt
/// "You are a helpful assistant."; kaoshi renders the user turn only (the
/// judge's own chat template, when enabled, supplies any system text).
pub const MT_BENCH_SINGLE_V1: &str = "[Instruction]\nPlease act as an impartial judge and evaluate the quality of the response provided by an AI assistant to the user question displayed below. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of the response. Begin your evaluation by providing a short explanation. Be as objective as possible. After providing your explanation, you must rate the response on a scale of 1 to 10 by strictly following this format: \"[[rating]]\", for example: \"Rating: [[5]]\".\n\n[Question]\n{question}\n\n[The Start of Assistant's Answer]\n{answer}\n[The End of Assistant's Answer]";

/// Where [`MT_BENCH_SINGLE_V1`] comes from, for results.json.
pub const MT_BENCH_SOURCE: &str = "MT-Bench single-answer grading prompt single-v1 (Zheng et al. 2023; \
                                   lm-sys/FastChat fastchat/llm_judge/data/judge_prompts.jsonl), verdict [[rating]] on 1-10";

/// MT-Bench `single-v1` for `question` and `answer` (1–10, `[[rating]]`).
pub fn mt_bench_single(question: &str, answer: &str) -> JudgePrompt {
    JudgePrompt {
        prompt: fill(MT_BENCH_SINGLE_V1, &[("{question}", question), ("{answer}", answer)]),
        format: VerdictFormat::DoubleBracket,
        min: 1.0,
        max: 10.0,
    }
}

/// Replaces each placeholder in `template` once, in order, never re-reading
/// substituted text (a `{answer}` inside a question stays as it is).
pub fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    for (key, value) in slots {
        match rest.find(key) {
            Some(i) => {
                out.push_str(&rest[..i]);
                out.push_str(value);
                rest = &rest[i + key.len()..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

static DOUBLE_BRACKET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[\[\s*(\d+(?:\.\d+)?)\s*\]\]").unwrap());
static GAOKAO_TOTAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"【总分】[ \t]*(?:[^\n]*=)?[ \t]*(\d+(?:\.\d+)?)[ \t]*分").unwrap());
static DEFEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"得分[ \t]*[：:][ \t]*(\d+(?:\.\d+)?)").unwrap());

fn captures(re: &Regex, text: &str) -> Vec<f64> {
    re.captures_iter(text).filter_map(|c| c.get(1)?.as_str().parse().ok()).collect()
}

/// The score in `verdict`, or `None` when there is none, several that
/// disagree, or one outside `min..=max` (see the module rules).
pub fn parse_verdict(format: VerdictFormat, verdict: &str, min: f64, max: f64) -> Option<f64> {
    let scores = match format {
        VerdictFormat::DoubleBracket => captures(&DOUBLE_BRACKET, verdict),
        VerdictFormat::GaokaoTotal => {
            let total = captures(&GAOKAO_TOTAL, verdict);
            if total.is_empty() && !verdict.contains("【总分】") { captures(&DEFEN, verdict) } else { total }
        }
    };
    let first = *scores.first()?;
    if scores.iter().any(|s| *s != first) {
        return None;
    }
    (min..=max).contains(&first).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_table() {
        use VerdictFormat::{DoubleBracket as B, GaokaoTotal as G};
        let cases: &[(VerdictFormat, &str, f64, Option<f64>)] = &[
            (B, "[[8]]", 10.0, Some(8.0)),
            (B, "The answer is helpful.\nRating: [[8]]", 10.0, Some(8.0)),
            (B, "Rating: [[ 7.5 ]]", 10.0, Some(7.5)),
            (B, "Rating: [[10]]", 10.0, Some(10.0)),
            (B, "Rating: [[11]]", 10.0, None),                    // above the scale
            (B, "Rating: [[0]]", 10.0, None),                     // below MT-Bench's 1
            (B, "[[3]] ... [[7]]", 10.0, None),                   // disagreeing ratings
            (B, "Rating: [[6]]\nRating: [[6]]", 10.0, Some(6.0)), // repeated, agreeing
            (B, "Rating: [8]", 10.0, None),                       // single brackets are not the format
            (B, "Rating: [[rating]]", 10.0, None),
            (B, "Rating: [[-3]]", 10.0, None),
            (B, "Once upon a time there was a girl", 10.0, None),
            (B, "", 10.0, None),
            (G, "【判分理由】基本正确\n【得分】4\n【总分】4分", 5.0, Some(4.0)),
            (G, "【总分】 2+3=5分", 5.0, Some(5.0)),
            (G, "【总分】2.5分", 5.0, Some(2.5)),
            (G, "【总分】12分", 10.0, None), // over the full marks
            (G, "【总分】3分 ……【总分】5分", 10.0, None),
            (G, "得分：8", 10.0, Some(8.0)),
            (G, "得分: 8", 10.0, Some(8.0)),
            (G, "【总分】未知\n得分：8", 10.0, None), // a 【总分】 that does not parse wins
            (G, "[[8]]", 10.0, None),
        ];
        for (fmt, text, max, want) in cases {
            let min = if *fmt == B { 1.0 } else { 0.0 };
            assert_eq!(parse_verdict(*fmt, text, min, *max), *want, "{fmt:?} {text:?}");
        }
    }

    #[test]
    fn mt_bench_prompt_substitutes_once() {
        let p = mt_bench_single("问 {answer}", "答");
        assert!(p.prompt.contains("[Question]\n问 {answer}\n"));
        assert!(p.prompt.contains("[The Start of Assistant's Answer]\n答\n[The End of Assistant's Answer]"));
        assert_eq!((p.min, p.max), (1.0, 10.0));
    }
}
