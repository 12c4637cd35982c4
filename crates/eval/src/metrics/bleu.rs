//! Corpus BLEU (Papineni et al. 2002) as sacrebleu computes it by default:
//! n-grams up to 4, one reference per segment, brevity penalty, `exp`
//! smoothing (Chen & Cherry 2014 method 3, mteval's), scores in 0..100.
//!
//! Statistics are summed over the corpus (matches and totals per order, the
//! hypothesis and reference lengths) and combined once:
//!
//! ```text
//! p_n  = 100 · matches_n / totals_n            (clipped n-gram precision)
//!        100 / (2^k · totals_n)                 if matches_n = 0, the k-th such order
//! BP   = exp(1 − ref_len / sys_len)  if sys_len < ref_len, else 1  (0 if sys_len = 0)
//! BLEU = BP · exp(¼ Σ log p_n)                  (log 0 taken as −9999999999)
//! ```
//!
//! As in sacrebleu's `BLEU.compute_bleu` (sacrebleu/metrics/bleu.py): a corpus
//! with no matching unigram-to-4-gram at all scores 0 (its "early stop",
//! issue #141); an order with no n-grams in the hypotheses (`totals_n = 0`)
//! keeps `p_n = 0`, so a corpus of hypotheses under 4 tokens scores 0.
//!
//! Tokenizers ([`Tokenizer`]), from sacrebleu/tokenizers:
//! - [`Tokenizer::Thirteen`] `13a` (the default; mteval-v13a): unescape
//!   `&quot; &amp; &lt; &gt;`, drop `<skipped>` and `-\n`, then split off
//!   punctuation and symbols, periods and commas unless between digits, and a
//!   dash after a digit.
//! - [`Tokenizer::Zh`] `zh` (sacrebleu's default when the target is Chinese):
//!   every CJK character (the code-point ranges of `tokenizer_zh.py`) becomes
//!   its own token, then the 13a regexes apply to the rest.
//! - [`Tokenizer::Char`] `char`: every non-space character is a token.
//! - [`Tokenizer::None`]: split on whitespace only.
//!
//! [`Tokenizer::for_target`] picks `zh` for Chinese targets, `char` for
//! Japanese (sacrebleu uses `ja-mecab` there, which needs MeCab; `zh` would
//! leave runs of kana as single tokens, so `char` is the closer stand-in — a
//! Japanese BLEU from kaoshi is therefore not comparable to sacrebleu's), and
//! `13a` otherwise (sacrebleu's `ko-mecab` for Korean is likewise absent).

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// Maximum n-gram order.
const ORDER: usize = 4;

/// A sacrebleu tokenizer; see the [module documentation](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tokenizer {
    /// `13a` (mteval-v13a), sacrebleu's default.
    Thirteen,
    /// `zh`: CJK characters split, 13a for the rest.
    Zh,
    /// `char`: one token per non-space character.
    Char,
    /// `none`: whitespace split only.
    None,
}

impl Tokenizer {
    /// The tokenizer for a target language code (`zh`, `zho_Hans`, `ja`,
    /// `jpn_Jpan`, `en`, ...): `zh` for Chinese, `char` for Japanese, `13a`
    /// otherwise.
    pub fn for_target(lang: &str) -> Self {
        let lang = lang.to_ascii_lowercase();
        let base = lang.split(['_', '-']).next().unwrap_or("");
        match base {
            "zh" | "zho" | "cmn" | "yue" => Self::Zh,
            "ja" | "jpn" => Self::Char,
            _ => Self::Thirteen,
        }
    }

    /// sacrebleu's name for it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Thirteen => "13a",
            Self::Zh => "zh",
            Self::Char => "char",
            Self::None => "none",
        }
    }

    /// The tokens of `line`.
    pub fn tokenize(&self, line: &str) -> Vec<String> {
        let joined = match self {
            Self::Thirteen => tokenize_13a(line),
            Self::Zh => tokenize_zh(line),
            Self::Char => return line.chars().filter(|c| !c.is_whitespace()).map(String::from).collect(),
            Self::None => line.to_string(),
        };
        joined.split_whitespace().map(String::from).collect()
    }
}

/// sacrebleu `TokenizerRegexp`: the language-dependent part of 13a.
fn tokenize_regexp(line: &str) -> String {
    static RES: LazyLock<[(Regex, &str); 4]> = LazyLock::new(|| {
        [
            // punctuation and symbols: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
            (Regex::new(r"([\{-~\[-` -&\(-\+:-@/])").unwrap(), " ${1} "),
            // period and comma unless preceded by a digit
            (Regex::new(r"([^0-9])([\.,])").unwrap(), "${1} ${2} "),
            // period and comma unless followed by a digit
            (Regex::new(r"([\.,])([^0-9])").unwrap(), " ${1} ${2}"),
            // dash preceded by a digit
            (Regex::new(r"([0-9])(-)").unwrap(), "${1} ${2} "),
        ]
    });
    let mut s = line.to_string();
    for (re, rep) in RES.iter() {
        s = re.replace_all(&s, *rep).into_owned();
    }
    s
}

/// sacrebleu `Tokenizer13a`.
fn tokenize_13a(line: &str) -> String {
    let mut s = line.replace("<skipped>", "").replace("-\n", "").replace('\n', " ");
    if s.contains('&') {
        s = s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    }
    tokenize_regexp(&format!(" {s} "))
}

/// Whether sacrebleu's `TokenizerZh._is_chinese_char` says yes. Two of its
/// ranges are written `'\u20000'..'\u2a6d6'` and `'\u2f800'..'\u2fa1d'`, which
/// Python reads as two-character strings (`'\u2000' + '0'`, ...); compared with
/// one character they select U+2001..=U+2A6D and U+2F81..=U+2FA1, and that is
/// what sacrebleu does, so that is what this does.
fn is_zh_char(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DB5}'
        | '\u{4E00}'..='\u{9FA5}'
        | '\u{9FA6}'..='\u{9FBB}'
        | '\u{F900}'..='\u{FA2D}'
        | '\u{FA30}'..='\u{FA6A}'
        | '\u{FA70}'..='\u{FAD9}'
        | '\u{2001}'..='\u{2A6D}'
        | '\u{2F81}'..='\u{2FA1}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{2E80}'..='\u{2EFF}'
        | '\u{3000}'..='\u{303F}'
        | '\u{31C0}'..='\u{31EF}'
        | '\u{2F00}'..='\u{2FDF}'
        | '\u{2FF0}'..='\u{2FFF}'
        | '\u{3100}'..='\u{312F}'
        | '\u{31A0}'..='\u{31BF}'
        | '\u{FE10}'..='\u{FE1F}'
        | '\u{FE30}'..='\u{FE4F}'
        // (sacrebleu's U+2600..U+26FF and U+2700..U+27BF lie inside U+2001..=U+2A6D)
        | '\u{3200}'..='\u{32FF}'
        | '\u{3300}'..='\u{33FF}')
}

/// sacrebleu `TokenizerZh`.
fn tokenize_zh(line: &str) -> String {
    let mut s = String::with_capacity(line.len() * 2);
    for c in line.trim().chars() {
        if is_zh_char(c) {
            s.push(' ');
            s.push(c);
            s.push(' ');
        } else {
            s.push(c);
        }
    }
    tokenize_regexp(&s)
}

/// A corpus BLEU score with its statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bleu {
    /// BLEU, 0..100.
    pub score: f64,
    /// Smoothed n-gram precisions p1..p4, 0..100.
    pub precisions: [f64; ORDER],
    /// Brevity penalty.
    pub bp: f64,
    /// Clipped n-gram matches per order.
    pub matches: [usize; ORDER],
    /// Hypothesis n-grams per order.
    pub totals: [usize; ORDER],
    /// Hypothesis tokens.
    pub sys_len: usize,
    /// Reference tokens.
    pub ref_len: usize,
    /// The tokenizer's sacrebleu name.
    pub tokenizer: &'static str,
}

fn ngram_counts(tokens: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut m = HashMap::new();
    for w in tokens.windows(n) {
        *m.entry(w).or_insert(0) += 1;
    }
    m
}

/// Corpus BLEU of `hypotheses` against one reference each. Panics if the
/// slices differ in length.
pub fn corpus_bleu<H: AsRef<str>, R: AsRef<str>>(hypotheses: &[H], references: &[R], tokenizer: Tokenizer) -> Bleu {
    assert_eq!(hypotheses.len(), references.len(), "one reference per hypothesis");
    let mut matches = [0usize; ORDER];
    let mut totals = [0usize; ORDER];
    let (mut sys_len, mut ref_len) = (0usize, 0usize);
    for (h, r) in hypotheses.iter().zip(references) {
        // sacrebleu strips trailing whitespace before tokenizing.
        let hyp = tokenizer.tokenize(h.as_ref().trim_end());
        let refs = tokenizer.tokenize(r.as_ref().trim_end());
        sys_len += hyp.len();
        ref_len += refs.len();
        for n in 1..=ORDER {
            let hc = ngram_counts(&hyp, n);
            let rc = ngram_counts(&refs, n);
            totals[n - 1] += hyp.len().saturating_sub(n - 1);
            matches[n - 1] += hc.iter().map(|(g, &c)| c.min(rc.get(g).copied().unwrap_or(0))).sum::<usize>();
        }
    }
    let (score, precisions, bp) = bleu_from_stats(&matches, &totals, sys_len, ref_len);
    Bleu { score, precisions, bp, matches, totals, sys_len, ref_len, tokenizer: tokenizer.name() }
}

/// sacrebleu `BLEU.compute_bleu` with `smooth_method="exp"` and no effective
/// order: (score, precisions, brevity penalty).
fn bleu_from_stats(
    matches: &[usize; ORDER],
    totals: &[usize; ORDER],
    sys_len: usize,
    ref_len: usize,
) -> (f64, [f64; ORDER], f64) {
    let bp = if sys_len < ref_len {
        if sys_len > 0 { (1.0 - ref_len as f64 / sys_len as f64).exp() } else { 0.0 }
    } else {
        1.0
    };
    let mut precisions = [0.0; ORDER];
    if matches.iter().all(|&m| m == 0) {
        return (0.0, precisions, bp);
    }
    let mut smooth = 1.0;
    for n in 0..ORDER {
        if totals[n] == 0 {
            break;
        }
        if matches[n] == 0 {
            smooth *= 2.0;
            precisions[n] = 100.0 / (smooth * totals[n] as f64);
        } else {
            precisions[n] = 100.0 * matches[n] as f64 / totals[n] as f64;
        }
    }
    // sacrebleu's my_log: log(0) is -9999999999.
    let log = |p: f64| if p == 0.0 { -9_999_999_999.0 } else { p.ln() };
    let score = bp * (precisions.iter().map(|&p| log(p)).sum::<f64>() / ORDER as f64).exp();
    (score, precisions, bp)
}
