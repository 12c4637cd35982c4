//! Tokenizer fertility and parity across languages (Rust et al., "How
//! Good is Your Tokenizer?", ACL 2021; Petrov et al., "Language Model
//! Tokenizers Introduce Unfairness Between Languages", NeurIPS 2023), from
//! token counts alone ([`SentenceTokens`] in, [`FertilityStats`] out).
//!
//! - fertility: tokens per whitespace-separated word, or per character for
//!   a language written without spaces between words (most of its
//!   characters in Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar or
//!   Tibetan: [`is_spaceless_char`]); `unit` says which. Both figures are
//!   reported for every language.
//! - parity: a sentence's token count over its reference translation's
//!   (English by default), averaged over sentences (Petrov et al.'s
//!   premium).
//! - bytes per token, and the share of tokens that are byte fallbacks
//!   (`<0xNN>`) or unknown.
//!
//! Token counts never include BOS or EOS.

use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::data::ParallelCorpus;
use crate::error::ProbeError;

/// Whether `c` belongs to a script written without spaces between words:
/// Han (with CJK punctuation), Hiragana, Katakana, Thai, Lao, Tibetan,
/// Myanmar, Khmer (Unicode blocks).
pub fn is_spaceless_char(c: char) -> bool {
    matches!(
        c as u32,
        0x0E00..=0x0EFF // Thai, Lao
            | 0x0F00..=0x0FFF // Tibetan
            | 0x1000..=0x109F // Myanmar
            | 0x1780..=0x17FF // Khmer
            | 0x3000..=0x30FF // CJK punctuation, Hiragana, Katakana
            | 0x3400..=0x4DBF // CJK extension A
            | 0x4E00..=0x9FFF // CJK unified ideographs
            | 0xF900..=0xFAFF // CJK compatibility ideographs
            | 0xFF00..=0xFFEF // full-width forms
            | 0x20000..=0x3134F // CJK extensions B..G
    )
}

/// What a tokenizer made of one sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceTokens {
    /// Tokens (no BOS, no EOS).
    pub tokens: usize,
    /// Of which byte-fallback tokens.
    pub byte_fallback: usize,
    /// Of which unknown tokens.
    pub unknown: usize,
    /// Whitespace-separated words.
    pub words: usize,
    /// Unicode scalar values, whitespace excluded.
    pub chars: usize,
    /// Of which in a script written without spaces.
    pub spaceless_chars: usize,
    /// UTF-8 bytes.
    pub bytes: usize,
}

impl SentenceTokens {
    /// The counts of `text` split into `tokens` tokens, `byte_fallback`
    /// and `unknown` of them byte or unknown tokens.
    pub fn of(text: &str, tokens: usize, byte_fallback: usize, unknown: usize) -> Self {
        Self {
            tokens,
            byte_fallback,
            unknown,
            words: text.split_whitespace().count(),
            chars: text.chars().filter(|c| !c.is_whitespace()).count(),
            spaceless_chars: text.chars().filter(|&c| is_spaceless_char(c)).count(),
            bytes: text.len(),
        }
    }
}

/// One language's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FertilityStats {
    /// Language code.
    pub lang: String,
    /// Sentences.
    pub sentences: usize,
    /// Mean tokens per sentence.
    pub tokens_per_sentence: f64,
    /// Tokens per whitespace word (all tokens over all words).
    pub tokens_per_word: f64,
    /// Tokens per non-space character.
    pub tokens_per_char: f64,
    /// "word", or "char" for a script without spaces.
    pub unit: &'static str,
    /// `tokens_per_word` or `tokens_per_char`, as `unit` says.
    pub fertility: f64,
    /// UTF-8 bytes per token.
    pub bytes_per_token: f64,
    /// Share of byte-fallback tokens.
    pub byte_fallback_share: f64,
    /// Share of unknown tokens.
    pub unknown_share: f64,
    /// Mean over sentences of tokens over the reference translation's.
    pub parity: f64,
}

/// The figures of `lang`'s sentences, against `reference` (the same
/// sentences in the reference language, line by line).
pub fn stats(lang: &str, sentences: &[SentenceTokens], reference: &[SentenceTokens]) -> FertilityStats {
    let sum = |f: fn(&SentenceTokens) -> usize| sentences.iter().map(f).sum::<usize>() as f64;
    let (tokens, words, chars, bytes) = (sum(|s| s.tokens), sum(|s| s.words), sum(|s| s.chars), sum(|s| s.bytes));
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    let tokens_per_word = ratio(tokens, words);
    let tokens_per_char = ratio(tokens, chars);
    let spaceless = 2.0 * sum(|s| s.spaceless_chars) > chars;
    let pairs: Vec<f64> = sentences
        .iter()
        .zip(reference)
        .filter(|(_, r)| r.tokens > 0)
        .map(|(s, r)| s.tokens as f64 / r.tokens as f64)
        .collect();
    FertilityStats {
        lang: lang.to_string(),
        sentences: sentences.len(),
        tokens_per_sentence: ratio(tokens, sentences.len() as f64),
        tokens_per_word,
        tokens_per_char,
        unit: if spaceless { "char" } else { "word" },
        fertility: if spaceless { tokens_per_char } else { tokens_per_word },
        bytes_per_token: ratio(bytes, tokens),
        byte_fallback_share: ratio(sum(|s| s.byte_fallback), tokens),
        unknown_share: ratio(sum(|s| s.unknown), tokens),
        parity: ratio(pairs.iter().sum(), pairs.len() as f64),
    }
}

/// What `kaoshi probe fertility` reports (and writes as `probe.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FertilityReport {
    /// "fertility".
    pub probe: &'static str,
    /// The tokenizer's kind.
    pub tokenizer: String,
    /// The language parity is measured against.
    pub reference: String,
    /// One entry per language, in the order asked for.
    pub languages: Vec<FertilityStats>,
}

/// Tokenizes every sentence of `corpus` (no special tokens) and measures
/// each language, parity against the language at index `reference`.
pub fn run(tok: &Tokenizer, corpus: &ParallelCorpus, reference: usize) -> Result<FertilityReport, ProbeError> {
    let mut per_lang = Vec::with_capacity(corpus.langs.len());
    for sentences in &corpus.sentences {
        let mut counted = Vec::with_capacity(sentences.len());
        for s in sentences {
            let ids = tok.encode(s, false, false)?;
            let bytes = ids.iter().filter(|&&id| tok.is_byte_token(id)).count();
            let unknown = ids.iter().filter(|&&id| tok.is_unknown(id)).count();
            counted.push(SentenceTokens::of(s, ids.len(), bytes, unknown));
        }
        per_lang.push(counted);
    }
    let reference_counts =
        per_lang.get(reference).ok_or_else(|| ProbeError::Options("no reference language".into()))?;
    let languages = corpus.langs.iter().zip(&per_lang).map(|(l, c)| stats(l, c, reference_counts)).collect();
    Ok(FertilityReport {
        probe: "fertility",
        tokenizer: tok.kind().to_string(),
        reference: corpus.langs[reference].clone(),
        languages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-tokenised: "the cat sat" as [the][cat][s][at] (4 tokens, 3
    /// words, 9 characters, 11 bytes) and "a dog" as [a][dog] (2 tokens);
    /// their Chinese translations "猫坐着" as 3 tokens of which one byte
    /// fallback and "狗" as 1 token.
    #[test]
    fn fertility_and_parity_by_hand() {
        let en = [SentenceTokens::of("the cat sat", 4, 0, 0), SentenceTokens::of("a dog", 2, 0, 0)];
        let zh = [SentenceTokens::of("猫坐着", 3, 1, 0), SentenceTokens::of("狗", 1, 0, 0)];
        assert!(zh.iter().all(|s| s.spaceless_chars == s.chars));
        let e = stats("eng_Latn", &en, &en);
        assert_eq!((e.unit, e.fertility, e.tokens_per_sentence), ("word", 6.0 / 5.0, 3.0));
        assert_eq!(e.bytes_per_token, (11.0 + 5.0) / 6.0);
        assert_eq!(e.parity, 1.0);
        let z = stats("zho_Hans", &zh, &en);
        assert_eq!(z.unit, "char");
        assert_eq!(z.fertility, 4.0 / 4.0);
        assert_eq!(z.parity, (3.0 / 4.0 + 1.0 / 2.0) / 2.0);
        assert_eq!(z.byte_fallback_share, 0.25);
        assert_eq!(z.bytes_per_token, (9.0 + 3.0) / 4.0);
    }
}
