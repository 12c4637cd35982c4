//! Answer extraction from generated text.
//!
//! [`extract`] turns a model's output into a normalized answer string for an
//! [`Extractor`]; [`extract_letter`] and [`extract_number`] are the typed
//! building blocks. Nothing here guesses: an output with no recognizable
//! answer gives `None`, which the caller scores as wrong (the CMMLU script
//! instead returns a *random* letter; kaoshi never does).
//!
//! ```
//! use kaoshi_eval::extract::{Extractor, extract, extract_letter, extract_number};
//!
//! assert_eq!(extract_letter("分析……故选：Ｂ。", 4), Some('B'));
//! assert_eq!(extract_letter("Let's think step by step.", 4), None);
//! assert_eq!(extract_number("共 1,234 元，答案是 1,234"), Some(1234.0));
//! assert_eq!(extract(&Extractor::Number, "\\boxed{\\frac{3}{4}}").as_deref(), Some("0.75"));
//! ```
//!
//! # Normalization (letters and numbers)
//!
//! Full-width ASCII (U+FF01..U+FF5E: `Ａ`, `１`, `：`, `（`, `．`, ...) is
//! mapped to ASCII first, except the full-width comma `，`, and U+2212 MINUS
//! SIGN to `-`.
//!
//! # Letters ([`extract_letter`])
//!
//! Only upper-case letters among the first `n_choices` (`A`.. ) count; a letter
//! outside them is ignored, as if absent. A candidate letter must stand alone:
//! the characters on either side must not be ASCII letters or digits (so
//! `Answer` gives no `A`, `Let's` no `L`, `AB` nothing), nor may it start an
//! English contraction (`I'm`). The rules, in priority order:
//!
//! 1. **Answer statements.** Every match of every pattern below is collected
//!    and the one that *ends last* in the text wins (a model that reasons, then
//!    concludes, states its final answer last; GAOKAO-Bench's single-choice
//!    scorer also reads the output from the end). Patterns, adapted from
//!    OpenCompass `first_option_postprocess`
//!    (opencompass/utils/text_postprocessors.py) and CMMLU `extract_choice`
//!    (haonan-li/CMMLU src/mp_utils.py), written here as regexes (`(…)?`
//!    optional, `|` alternatives, spaces allowed between parts), `L` being the
//!    letter, optionally wrapped in `( [ { 【 「 * "`:
//!    - `答案】?(应该|应|就)?(选项)?(是|为|选择|选)?(选项)?:?L` — `答案是A`,
//!      `答案为：B`, `正确答案是C`, `最终答案：D`, `答案是选项A`, GAOKAO's `【答案】B`;
//!    - `(故|所以|因此|因而|则|即|应|我)选(择)?:?L` and `选择:?L`;
//!    - `(正确|符合题意)的?(选项|答案|一项|说法)?(是|为|选):?L`;
//!    - `选项L(是|为)?(正确|是对的|符合题意)` and `L(选?项)?(是|为)?(正确|符合题意|当选)`
//!      (`A项正确`, `D当选`, `A是正确的`; `A不正确` is no match);
//!    - English, words case-insensitive:
//!      `(correct|final|best|right)? (answer|option|choice) (is|would be|should be|will be):? (option|choice)? L`,
//!      `answer\**:L` (`Answer: B`, `**Final Answer:** B`),
//!      `I (would |will )?(choose|pick|select):? L`, `(option|choice) \(?L\)? is (the )?(correct|right|best)`;
//!    - `boxed{(\text{)?L` (`\boxed{B}`).
//! 2. **Leading letter.** The output (after leading whitespace and markup such
//!    as `(`, `*`, `【`) starts with an option letter (CMMLU `extract_choice`:
//!    `response[0] in choices`), followed by the end, punctuation
//!    (`. 。 、 : ) ] 】 , ， ; ；`), a line break, or a space that is not
//!    followed by a lower-case ASCII word (`A bird…` and `I think…` are
//!    English words, not answers).
//! 3. **Bare letter.** The *last* stand-alone option letter anywhere in the
//!    text (GAOKAO-Bench `Bench/bench_function.py` single_choice: the last
//!    `[A-D]` of the output), skipping letters followed by a space and a
//!    lower-case ASCII word, as in rule 2.
//!
//! So an explicit statement always beats a bare letter, and among statements
//! the last one wins: `答案是A。……不对，答案是B` gives `B`; `A。答案是C` gives `C`.
//!
//! # Numbers ([`extract_number`])
//!
//! The number tokens of the text are `-?digits[,ddd…][.digits]`, optionally
//! followed by `/digits` (a fraction, evaluated: `3/4` → 0.75). A `%` is
//! ignored (`12%` → 12, the number as written), the convention of the suite
//! loaders' `parse_number` for CMATH's golden answers; upstream CMATH divides
//! both sides by 100, which compares the same. Commas are thousands
//! separators only in groups of exactly three digits (`1,234` → 1234; `1,2,3`
//! are three numbers); the full-width comma `，` is never one (it is left
//! unnormalized: Chinese writes no thousands separator with it). A `-` is a sign only when not preceded by
//! a letter or digit (`3-5` gives 3 and 5). LaTeX `\frac{a}{b}` / `\dfrac`
//! become `a/b` and CMATH's `b分之a` (digits) becomes `a/b` before tokenizing.
//! Priority:
//!
//! 1. the last `\boxed{…}`: the last number inside it;
//! 2. the last answer marker immediately followed by a number (`答案是 12`,
//!    `答案：12`, `the answer is $12`, GSM8K's `#### 12`);
//! 3. the last number in the text (lm-evaluation-harness gsm8k
//!    "flexible-extract" takes the last match).
//!
//! CMATH's own scorer (XiaoMi/cmath utils.py `extract_digits_prediction`,
//! truncation `"t"`) is more lenient: it keeps the *last two* number
//! candidates and counts a hit if either matches. [`extract_numbers`] returns
//! all numbers in order so a caller can reproduce that, and [`numbers_match`]
//! is CMATH's `match_digits` tolerance.
//!
//! The canonical string of a number ([`format_number`]) is the integer for
//! integral values below 1e15 (`12`, `-3`), otherwise Rust's shortest
//! round-trip decimal (`0.5`, `0.75`, `0.3333333333333333`); it parses back
//! with `str::parse::<f64>` exactly.
//!
//! # Text
//!
//! The output with leading whitespace removed, cut at the first blank line,
//! trimmed; `None` when empty.
//!
//! # GAOKAO-Bench ([`Extractor::Gaokao`])
//!
//! The benchmark's own per-question-type rules and partial-credit scoring, in
//! [`gaokao`]: the answers, one per sub-question, joined by `,` (`B`, `BD`,
//! `C,A,D`).

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

pub mod gaokao;

pub use gaokao::{GaokaoType, extract_gaokao, gaokao_credit};

/// How a suite's answers are pulled out of generated text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Extractor {
    /// An option letter among the first `n_choices` letters (A, B, ...).
    Letter {
        /// Number of options.
        n_choices: usize,
    },
    /// A number (the last one, as GSM8K/CMATH scripts do).
    Number,
    /// The text itself, trimmed, up to the first blank line (translation).
    Text,
    /// GAOKAO-Bench's rules for `question_type` ([`gaokao`]), for an item of
    /// `n_answers` sub-questions; scored with partial credit
    /// ([`gaokao_credit`]).
    Gaokao {
        /// The question type (`Obj_Prompt.json` `type`).
        question_type: GaokaoType,
        /// Sub-questions: the length of the item's answer list.
        n_answers: usize,
    },
}

/// The normalized answer in `output`: `"A"`..`"Z"` for [`Extractor::Letter`],
/// the canonical number string ([`format_number`]) for [`Extractor::Number`],
/// the first paragraph, trimmed, for [`Extractor::Text`], the answers joined
/// by `,` for [`Extractor::Gaokao`]. `None` when nothing
/// can be extracted.
pub fn extract(extractor: &Extractor, output: &str) -> Option<String> {
    match extractor {
        Extractor::Letter { n_choices } => extract_letter(output, *n_choices).map(String::from),
        Extractor::Number => extract_number(output).map(format_number),
        Extractor::Text => extract_text(output),
        Extractor::Gaokao { question_type, n_answers } => {
            extract_gaokao(output, *question_type, *n_answers).map(|a| a.join(","))
        }
    }
}

/// The first paragraph of `output` (up to the first blank line), trimmed.
fn extract_text(output: &str) -> Option<String> {
    static BLANK_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\n[ \t\r]*\n").unwrap());
    let text = output.trim_start();
    let first = BLANK_LINE.splitn(text, 2).next().unwrap_or("").trim();
    (!first.is_empty()).then(|| first.to_string())
}

/// Maps full-width ASCII (U+FF01..U+FF5E) but `，` to ASCII and U+2212 to `-`.
fn normalize_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF0C}' => c,
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{2212}' => '-',
            _ => c,
        })
        .collect()
}

/// Answer-statement patterns; the letter is the group `l`. Compiled once with
/// `[A-Z]`; letters beyond `n_choices` are filtered after matching.
static STATEMENTS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    // Optional opening markup before a letter.
    const OPEN: &str = r#"[\s(\[{【「*"'“]*"#;
    [
        // 答案是A / 答案为：B / 答案：C / 正确答案是D / 答案应该是A / 答案是选项B / 答案选C / 【答案】A
        format!(r"答案】?\s*(?:应该|应|就)?\s*(?:选项)?\s*(?:是|为|选择|选)?\s*(?:选项)?\s*:?{OPEN}(?P<l>[A-Z])"),
        // 故选A / 所以选择B / 应选C / 我选D / 选择：A (not 因此选项A…, often "A is wrong")
        format!(r"(?:(?:故|所以|因此|因而|则|即|应|我)\s*选(?:择)?|选择)\s*:?{OPEN}(?P<l>[A-Z])"),
        // 正确的选项是A / 符合题意的是B / 说法正确的是C
        format!(r"(?:正确|符合题意)的?(?:选项|答案|一项|说法)?\s*(?:是|为|选)\s*:?{OPEN}(?P<l>[A-Z])"),
        // 选项A正确 / 选项B是对的 / A项正确 / C选项符合题意 / D当选 / A是正确的
        r"选项\s*(?P<l>[A-Z])\s*(?:是|为)?\s*(?:正确|是对的|符合题意)".to_string(),
        r"(?P<l>[A-Z])\s*(?:选?项)?\s*(?:是|为)?\s*(?:正确|符合题意|当选)".to_string(),
        // The (correct|final) answer is (option) B
        format!(
            r"(?i:(?:correct|final|best|right)?\s*(?:answer|option|choice)\s+(?:is|would\s+be|should\s+be|will\s+be)\s*:?\s*(?:option\s+|choice\s+)?){OPEN}(?P<l>[A-Z])"
        ),
        // Answer: B / **Final Answer:** B
        format!(r"(?i:answer)\s*\**\s*:{OPEN}(?P<l>[A-Z])"),
        // I choose B
        format!(r"(?i:\bI\s+(?:would\s+|will\s+)?(?:choose|pick|select))\s*:?{OPEN}(?P<l>[A-Z])"),
        // Option B is correct
        r"(?i:option|choice)\s+\(?(?P<l>[A-Z])\)?\s+(?i:is\s+(?:the\s+)?(?:correct|right|best))".to_string(),
        // \boxed{B}
        r"boxed\{\s*(?:\\text\{)?\s*(?P<l>[A-Z])".to_string(),
    ]
    .iter()
    .map(|p| Regex::new(p).unwrap())
    .collect()
});

/// Whether the option letter at byte range `start..end` of `text` stands
/// alone: no ASCII letter or digit on either side, no contraction after it.
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let mut after = text[end..].chars();
    let next = after.next();
    if before.is_some_and(|c| c.is_ascii_alphanumeric()) || next.is_some_and(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    // I'm, A's
    !(matches!(next, Some('\'' | '’')) && after.next().is_some_and(|c| c.is_ascii_alphabetic()))
}

/// Whether the letter ending at byte `end` is followed by a space and a
/// lower-case ASCII word (`A bird`, `I think`): an English word, not an answer.
fn starts_english_word(text: &str, end: usize) -> bool {
    let rest = &text[end..];
    let trimmed = rest.trim_start_matches([' ', '\t']);
    trimmed.len() < rest.len() && trimmed.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

fn in_range(c: char, n_choices: usize) -> bool {
    c.is_ascii_uppercase() && ((c as u8 - b'A') as usize) < n_choices.min(26)
}

/// The option letter a model chose in `output`, among the first `n_choices`
/// letters; see the [module documentation](self) for the rules.
pub fn extract_letter(output: &str, n_choices: usize) -> Option<char> {
    if n_choices == 0 {
        return None;
    }
    let text = normalize_width(output);

    // 1. Answer statements: the one ending last wins.
    let mut best: Option<(usize, char)> = None;
    for re in STATEMENTS.iter() {
        for caps in re.captures_iter(&text) {
            let l = caps.name("l").expect("every statement pattern has group l");
            let c = l.as_str().chars().next().unwrap_or('?');
            if in_range(c, n_choices) && stands_alone(&text, l.start(), l.end()) {
                let end = caps.get(0).map_or(l.end(), |m| m.end());
                if best.is_none_or(|(e, _)| end >= e) {
                    best = Some((end, c));
                }
            }
        }
    }
    if let Some((_, c)) = best {
        return Some(c);
    }

    // 2. Leading letter.
    static LEADING: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^[\s(\[{【「*"'“]*(?P<l>[A-Z])"#).unwrap());
    if let Some(l) = LEADING.captures(&text).and_then(|c| c.name("l")) {
        let c = l.as_str().chars().next().unwrap_or('?');
        let next = text[l.end()..].chars().next();
        let ok_next = match next {
            None => true,
            Some(n) => {
                ".。、:)]】}」,，;；*\"”\n\r".contains(n) || (n.is_whitespace() && !starts_english_word(&text, l.end()))
            }
        };
        if in_range(c, n_choices) && ok_next && stands_alone(&text, l.start(), l.end()) {
            return Some(c);
        }
    }

    // 3. The last bare letter.
    text.char_indices()
        .rev()
        .find(|&(i, c)| {
            let end = i + c.len_utf8();
            in_range(c, n_choices) && stands_alone(&text, i, end) && !starts_english_word(&text, end)
        })
        .map(|(_, c)| c)
}

/// One number token of the text, with where it starts (its sign included).
struct NumberToken {
    value: f64,
    start: usize,
}

/// Rewrites `\frac{a}{b}` / `\dfrac{a}{b}` / `\tfrac{a}{b}` to `a/b` and CMATH's
/// `b分之a` to `a/b`.
fn rewrite_fractions(text: &str) -> String {
    static LATEX_FRAC: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\\[dt]?frac\s*\{\s*([^{}]+?)\s*\}\s*\{\s*([^{}]+?)\s*\}").unwrap());
    static CN_FRAC: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d+)\s*分之\s*(\d+)").unwrap());
    let t = LATEX_FRAC.replace_all(text, "${1}/${2}");
    CN_FRAC.replace_all(&t, "${2}/${1}").into_owned()
}

/// All number tokens of `text` (already normalized and rewritten), in order.
fn number_tokens(text: &str) -> Vec<NumberToken> {
    static NUM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?P<int>\d+(?:,\d+)*)(?:\.(?P<frac>\d+))?(?:\s*/\s*(?P<den>\d+(?:\.\d+)?))?").unwrap()
    });
    let mut out = Vec::new();
    for caps in NUM.captures_iter(text) {
        let m = caps.get(0).expect("group 0");
        let int = caps.name("int").expect("int group");
        let negative = text[..m.start()]
            .strip_suffix('-')
            .is_some_and(|before| !before.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric()));
        let start = if negative { m.start() - 1 } else { m.start() };
        let groups: Vec<&str> = int.as_str().split(',').collect();
        let thousands = groups.len() > 1 && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3);
        if groups.len() > 1 && !thousands {
            // A list such as 1,2,3: separate numbers; fractions/decimals attach
            // to the last piece only.
            let mut offset = int.start();
            for (k, g) in groups.iter().enumerate() {
                let last = k + 1 == groups.len();
                let value = if last { finish_number(g, &caps) } else { g.parse::<f64>().ok() };
                let sign = if k == 0 && negative { -1.0 } else { 1.0 };
                if let Some(v) = value {
                    out.push(NumberToken { value: sign * v, start: if k == 0 { start } else { offset } });
                }
                offset += g.len() + 1;
            }
            continue;
        }
        let digits: String = groups.concat();
        if let Some(v) = finish_number(&digits, &caps) {
            out.push(NumberToken { value: if negative { -v } else { v }, start });
        }
    }
    out
}

/// The value of integer part `int` with the decimals and denominator of
/// `caps`; `None` for a zero denominator.
fn finish_number(int: &str, caps: &regex::Captures<'_>) -> Option<f64> {
    let mut s = int.to_string();
    if let Some(f) = caps.name("frac") {
        s.push('.');
        s.push_str(f.as_str());
    }
    let mut v: f64 = s.parse().ok()?;
    if let Some(den) = caps.name("den") {
        let d: f64 = den.as_str().parse().ok()?;
        if d == 0.0 {
            return None;
        }
        v /= d;
    }
    Some(v)
}

/// The contents of the last `\boxed{…}` of `text`, braces balanced.
fn last_boxed(text: &str) -> Option<&str> {
    let at = text.rfind("boxed{")?;
    let body = &text[at + "boxed{".len()..];
    let mut depth = 1usize;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&body[..i]);
                }
            }
            _ => {}
        }
    }
    Some(body)
}

/// All numbers in `output`, in order of appearance, after the normalization
/// described in the [module documentation](self).
pub fn extract_numbers(output: &str) -> Vec<f64> {
    let text = rewrite_fractions(&normalize_width(output));
    number_tokens(&text).into_iter().map(|t| t.value).collect()
}

/// The number a model gave as its answer in `output`: the last `\boxed{}`
/// number, else the number right after the last answer marker, else the last
/// number; see the [module documentation](self).
pub fn extract_number(output: &str) -> Option<f64> {
    let text = rewrite_fractions(&normalize_width(output));
    if let Some(boxed) = last_boxed(&text)
        && let Some(t) = number_tokens(boxed).last()
    {
        return Some(t.value);
    }
    static MARKER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?:答案(?:应该|应)?(?:是|为)?|(?i:the\s+(?:final\s+)?answer\s+is)|(?i:answer)|####)\s*:?\s*[\\$¥￥]*\s*$",
        )
        .unwrap()
    });
    let tokens = number_tokens(&text);
    let stated = tokens.iter().rev().find(|t| MARKER.is_match(&text[..t.start]));
    stated.or(tokens.last()).map(|t| t.value)
}

/// The canonical string of a number: the integer for integral values below
/// 1e15 in magnitude, otherwise Rust's shortest round-trip decimal.
pub fn format_number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    format!("{x}")
}

/// Whether two numbers are the same answer, by CMATH's `match_digits`
/// (XiaoMi/cmath utils.py): integral values must be equal; otherwise the
/// relative difference `|a - b| / (min(|a|, |b|) + 1e-6)` must be below 1e-2.
pub fn numbers_match(a: f64, b: f64) -> bool {
    if a.fract() == 0.0 && b.fract() == 0.0 {
        return a == b;
    }
    (a - b).abs() / (a.abs().min(b.abs()) + 1e-6) < 1e-2
}
