//! GAOKAO-Bench's own answer extraction and scoring for objective questions.
//!
//! Extraction follows `extract`-by-question-type in OpenLMLab/GAOKAO-Bench
//! `Bench/bench_function.py` (`choice_test`, the block after the model call
//! that fills `model_answer`); scoring follows `Bench/OBJ_score_evaluation.py`
//! (`count_score`, `check_length_equal` and the Physics branch of
//! `obj_score_eval`). Both are reimplemented here from their behaviour.
//!
//! | type | extraction (upstream) | credit per item |
//! |---|---|---|
//! | `single_choice` | the *last* `[A-D]` character of the output | 1 if it is the answer, else 0 |
//! | `multi_choice` | whitespace removed; every `[A-D]` from the first `【答案】` to the end, concatenated (no `【答案】`: those of the last 10 characters) | 1 exact set, ½ a non-empty subset of the answer ("Fully correct: 6 points; Partially correct: 3 points"), 0 otherwise |
//! | `multi_question_choice` | the letters of all `【答案】[:：]*X` when there are exactly as many as sub-questions, else the first `[A-Z]` characters of the output, one per sub-question | fraction of sub-questions right, in order |
//! | `five_out_of_seven` | the first `[A-G]` characters of the output, one per blank | fraction of blanks right, in order |
//!
//! Upstream's `check_length_equal` replaces a `model_answer` whose length is
//! not the number of sub-questions by all-wrong `Z`s; here such an output
//! extracts to `None` (counted as unextracted, scored 0), which scores the same.
//!
//! Deviations, all of which only change outputs upstream mis-reads:
//! - full-width letters and colons (`Ｂ`, `：`) are mapped to ASCII first, as
//!   everywhere in [`crate::extract`];
//! - `multi_choice`: upstream tests `answer_index > 0`, so an output that
//!   *starts* with `【答案】` falls to the last-10-characters rule; here any
//!   `【答案】` counts. The answer is compared as a *set* (upstream compares the
//!   letter strings, so `DB` for `BD` earns only the partial 3 points);
//! - `five_out_of_seven` takes as many letters as the item has blanks
//!   (upstream: 5, which every item of the type has).
//!
//! Upstream's reported number is a *scoring rate*: points earned over points
//! possible, every sub-question weighing its `score` points, so an item with
//! five sub-questions weighs five times a single question. kaoshi's `acc` is
//! the mean per-item credit (every item weighs the same); the harness also
//! reports upstream's weighting as `scoring_rate`.

use serde::{Deserialize, Serialize};

use super::normalize_width;
use crate::item::Answer;

/// A GAOKAO-Bench objective question type (`type` in `Bench/Obj_Prompt.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GaokaoType {
    /// One answer among A-D.
    SingleChoice,
    /// Multi-select among A-D (Physics); partial credit.
    MultiChoice,
    /// Several sub-questions, one letter each (reading comprehension).
    MultiQuestionChoice,
    /// Five blanks filled from seven options A-G (English cloze).
    FiveOutOfSeven,
}

impl GaokaoType {
    /// The type named in `Obj_Prompt.json` (`single_choice`, ...).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "single_choice" => Some(Self::SingleChoice),
            "multi_choice" => Some(Self::MultiChoice),
            "multi_question_choice" => Some(Self::MultiQuestionChoice),
            "five_out_of_seven" => Some(Self::FiveOutOfSeven),
            _ => None,
        }
    }

    /// The `Obj_Prompt.json` spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::SingleChoice => "single_choice",
            Self::MultiChoice => "multi_choice",
            Self::MultiQuestionChoice => "multi_question_choice",
            Self::FiveOutOfSeven => "five_out_of_seven",
        }
    }

    /// How many option letters the type uses (A-D, or A-G for five-of-seven).
    pub fn n_choices(&self) -> usize {
        if *self == Self::FiveOutOfSeven { 7 } else { 4 }
    }
}

fn letters_in(text: &str, last: char) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(move |c| ('A'..=last).contains(c))
}

/// The model's answers in `output`, one string per sub-question (upstream's
/// `model_answer`): `["B"]`, `["BD"]` (multi-choice: the letters as written),
/// `["C", "A", "D"]`. `n_answers` is the number of sub-questions (the length
/// of the item's answer list). `None` when fewer answers than that are found.
pub fn extract_gaokao(output: &str, qtype: GaokaoType, n_answers: usize) -> Option<Vec<String>> {
    let text = normalize_width(output);
    let answers: Vec<String> = match qtype {
        // re.findall(r'[A-D]', model_output[::-1])[0]
        GaokaoType::SingleChoice => letters_in(&text, 'D').last().map(String::from).into_iter().collect(),
        GaokaoType::MultiChoice => {
            // content = re.sub(r'\s+', '', model_output)
            let content: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let tail = match content.find("【答案】") {
                Some(i) => &content[i..],
                None => {
                    let start = content.char_indices().rev().nth(9).map_or(0, |(i, _)| i);
                    &content[start..]
                }
            };
            let letters: String = letters_in(tail, 'D').collect();
            if letters.is_empty() { Vec::new() } else { vec![letters] }
        }
        GaokaoType::MultiQuestionChoice => {
            // re.findall(r"【答案】\s*[:：]*\s*[A-Z]", model_output)
            static STATED: std::sync::LazyLock<regex::Regex> =
                std::sync::LazyLock::new(|| regex::Regex::new(r"【答案】\s*:*\s*([A-Z])").unwrap());
            let stated: Vec<String> = STATED.captures_iter(&text).map(|c| c[1].to_string()).collect();
            if stated.len() == n_answers {
                stated
            } else {
                letters_in(&text, 'Z').take(n_answers).map(String::from).collect()
            }
        }
        GaokaoType::FiveOutOfSeven => letters_in(&text, 'G').take(n_answers).map(String::from).collect(),
    };
    (n_answers > 0 && answers.len() == n_answers).then_some(answers)
}

fn index_of(letter: char) -> Option<usize> {
    letter.is_ascii_uppercase().then(|| (letter as u8 - b'A') as usize)
}

/// The credit in `0.0..=1.0` that `prediction` (the [`extract_gaokao`]
/// answers joined by `,`, as [`crate::extract::extract`] returns them) earns
/// against `gold` (as the GAOKAO-Bench loader builds it); see the
/// [module documentation](self). No prediction, or a gold answer of another
/// shape than the type's, earns 0.
pub fn gaokao_credit(qtype: GaokaoType, gold: &Answer, prediction: Option<&str>) -> f64 {
    let Some(pred) = prediction else { return 0.0 };
    let parts: Vec<&str> = pred.split(',').map(str::trim).collect();
    match (qtype, gold) {
        (GaokaoType::SingleChoice, Answer::Choice(g)) => {
            let p = pred.trim().chars().next().and_then(index_of);
            f64::from(u8::from(parts.len() == 1 && p == Some(*g)))
        }
        (GaokaoType::MultiChoice, Answer::Choices(set)) => {
            let mut picked: Vec<usize> = pred.chars().filter_map(index_of).collect();
            picked.sort_unstable();
            picked.dedup();
            if picked.is_empty() || parts.len() != 1 {
                0.0
            } else if picked == *set {
                1.0
            } else if picked.iter().all(|p| set.contains(p)) {
                // OBJ_score_evaluation.py: "Fully correct: 6 points; Partially
                // correct: 3 points; Incorrect: 0 points."
                0.5
            } else {
                0.0
            }
        }
        (GaokaoType::MultiQuestionChoice | GaokaoType::FiveOutOfSeven, Answer::Choices(gold)) => {
            // count_score: `score` points per sub-question right, positionally;
            // a length mismatch is all wrong (check_length_equal).
            if gold.is_empty() || parts.len() != gold.len() {
                return 0.0;
            }
            let right = parts
                .iter()
                .zip(gold)
                .filter(|(p, g)| {
                    let mut cs = p.chars();
                    matches!((cs.next().and_then(index_of), cs.next()), (Some(i), None) if i == **g)
                })
                .count();
            right as f64 / gold.len() as f64
        }
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_credit_rules() {
        let bd = Answer::Choices(vec![1, 3]);
        assert_eq!(gaokao_credit(GaokaoType::MultiChoice, &bd, Some("BD")), 1.0);
        assert_eq!(gaokao_credit(GaokaoType::MultiChoice, &bd, Some("DB")), 1.0);
        assert_eq!(gaokao_credit(GaokaoType::MultiChoice, &bd, Some("B")), 0.5);
        assert_eq!(gaokao_credit(GaokaoType::MultiChoice, &bd, Some("BC")), 0.0);
        assert_eq!(gaokao_credit(GaokaoType::MultiChoice, &bd, None), 0.0);
        let cad = Answer::Choices(vec![2, 0, 3]);
        assert_eq!(gaokao_credit(GaokaoType::MultiQuestionChoice, &cad, Some("C,A,D")), 1.0);
        assert!((gaokao_credit(GaokaoType::MultiQuestionChoice, &cad, Some("C,B,D")) - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(gaokao_credit(GaokaoType::MultiQuestionChoice, &cad, Some("C,A")), 0.0);
        assert_eq!(gaokao_credit(GaokaoType::SingleChoice, &Answer::Choice(1), Some("B")), 1.0);
        assert_eq!(gaokao_credit(GaokaoType::SingleChoice, &Answer::Choice(1), Some("C")), 0.0);
    }
}
