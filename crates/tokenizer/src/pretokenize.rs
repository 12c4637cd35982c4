//! Regex pre-tokenizers for byte-level BPE vocabularies.
//!
//! The expressions are the ones llama.cpp uses (src/llama-vocab.cpp,
//! `llm_tokenizer_bpe` constructor, per `LLAMA_VOCAB_PRE_TYPE_*`). A list
//! with several expressions is applied in sequence: each one further splits
//! every piece produced by the previous one, and the text between matches is
//! kept as a piece of its own (llama.cpp `unicode_regex_split_stl`).

use fancy_regex::Regex;

use crate::error::TokenizerError;

/// GPT-2 (llama.cpp `LLAMA_VOCAB_PRE_TYPE_GPT2`).
const GPT2: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";
/// Llama 3 (`LLAMA_VOCAB_PRE_TYPE_LLAMA3`; llama.cpp's case-insensitive rewrite
/// of the tokenizer.json expression).
const LLAMA3: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Qwen2 (`LLAMA_VOCAB_PRE_TYPE_QWEN2`): as Llama 3 but single digits.
const QWEN2: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// DeepSeek LLM (`LLAMA_VOCAB_PRE_TYPE_DEEPSEEK_LLM`). The letter class is
/// written with escapes: several of its Greek/letterlike code points have
/// canonical equivalents and must not be normalised.
const DEEPSEEK_LLM: &[&str] = &[
    "[\r\n]",
    "\\s?[A-Za-z\u{B5}\u{C0}-\u{D6}\u{D8}-\u{F6}\u{F8}-\u{1BA}\u{1BC}-\u{1BF}\u{1C4}-\u{293}\u{295}-\u{2AF}\u{370}-\u{373}\u{376}\u{377}\u{37B}-\u{37D}\u{37F}\u{386}\u{388}-\u{38A}\u{38C}\u{38E}-\u{3A1}\u{3A3}-\u{3F5}\u{3F7}-\u{481}\u{48A}-\u{52F}\u{531}-\u{556}\u{10A0}-\u{10C5}\u{13A0}-\u{13F5}\u{13F8}-\u{13FD}\u{1C90}-\u{1CBA}\u{1CBD}-\u{1CBF}\u{1D00}-\u{1D2B}\u{1D6B}-\u{1D77}\u{1D79}-\u{1D9A}\u{1E00}-\u{1F15}\u{1F18}-\u{1F1D}\u{1F20}-\u{1F45}\u{1F48}-\u{1F4D}\u{1F50}-\u{1F57}\u{1F59}\u{1F5B}\u{1F5D}\u{1F5F}-\u{1F7D}\u{1F80}-\u{1FB4}\u{1FB6}-\u{1FBC}\u{1FBE}\u{1FC2}-\u{1FC4}\u{1FC6}-\u{1FCC}\u{1FD0}-\u{1FD3}\u{1FD6}-\u{1FDB}\u{1FE0}-\u{1FEC}\u{1FF2}-\u{1FF4}\u{1FF6}-\u{1FFC}\u{2102}\u{2107}\u{210A}-\u{2113}\u{2115}\u{2119}-\u{211D}\u{2124}\u{2126}\u{2128}\u{212A}-\u{212D}\u{212F}-\u{2134}\u{2139}\u{213C}-\u{213F}\u{2145}-\u{2149}\u{214E}\u{2183}\u{2184}\u{2C00}-\u{2C7B}\u{2C7E}-\u{2CE4}\u{2CEB}-\u{2CEE}\u{2CF2}\u{2CF3}\u{A640}-\u{A66D}\u{A680}-\u{A69B}\u{A722}-\u{A76F}\u{A771}-\u{A787}\u{A78B}-\u{A78E}\u{AB70}-\u{ABBF}\u{FB00}-\u{FB06}\u{FB13}-\u{FB17}\u{FF21}-\u{FF3A}\u{FF41}-\u{FF5A}\u{10400}-\u{1044F}\u{104B0}-\u{104D3}\u{104D8}-\u{104FB}\u{10C80}-\u{10CB2}\u{10CC0}-\u{10CF2}\u{118A0}-\u{118DF}\u{1E900}-\u{1E943}]+",
    "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
    "\\s+$",
    "[一-龥ࠀ-一가-퟿]+",
    "\\p{N}+",
];
/// DeepSeek Coder (`LLAMA_VOCAB_PRE_TYPE_DEEPSEEK_CODER`).
const DEEPSEEK_CODER: &[&str] = &["[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[一-龥ࠀ-一가-퟿]+", "\\p{N}"];
/// Falcon (`LLAMA_VOCAB_PRE_TYPE_FALCON`).
const FALCON: &[&str] = &[r"[\p{P}\$\+<=>\^~\|`]+", GPT2, "[0-9][0-9][0-9]"];
/// StarCoder, Refact, Command-R, SmolLM, CodeShell, EXAONE, Minerva.
const STARCODER: &[&str] = &[r"\p{N}", GPT2];
/// llama.cpp `LLAMA_VOCAB_PRE_TYPE_DEFAULT` (missing or "default" name).
const DEFAULT: &[&str] = &[r"[\p{P}\$\+<=>\^~\|]+", GPT2, r"\p{N}+", "[0-9][0-9][0-9]"];

/// Names accepted by [`PreTokenizer::by_name`], as llama.cpp spells them.
pub(crate) const KNOWN: &[&str] = &[
    "default",
    "gpt-2",
    "phi-2",
    "mpt",
    "olmo",
    "jais",
    "llama3",
    "llama-v3",
    "llama-bpe",
    "falcon3",
    "dbrx",
    "smaug-bpe",
    "qwen2",
    "deepseek-r1-qwen",
    "stablelm2",
    "deepseek-llm",
    "deepseek-coder",
    "falcon",
    "starcoder",
    "refact",
    "command-r",
    "smollm",
    "codeshell",
    "exaone",
    "minerva-7b",
];

/// A compiled sequence of split expressions.
#[derive(Debug, Clone)]
pub(crate) struct PreTokenizer {
    regexes: Vec<Regex>,
}

impl PreTokenizer {
    /// The pre-tokenizer llama.cpp uses for `tokenizer.ggml.pre = name`.
    pub(crate) fn by_name(name: &str) -> Result<Self, TokenizerError> {
        let exprs: &[&str] = match name {
            "default" | "" => DEFAULT,
            "gpt-2" | "gpt2" | "phi-2" | "mpt" | "olmo" | "jais" => &[GPT2],
            "llama3" | "llama-v3" | "llama-bpe" | "falcon3" | "dbrx" | "smaug-bpe" => &[LLAMA3],
            "qwen2" | "deepseek-r1-qwen" | "stablelm2" => &[QWEN2],
            "deepseek-llm" => DEEPSEEK_LLM,
            "deepseek-coder" => DEEPSEEK_CODER,
            "falcon" => FALCON,
            "starcoder" | "refact" | "command-r" | "smollm" | "codeshell" | "exaone" | "minerva-7b" => STARCODER,
            _ => {
                return Err(TokenizerError::UnknownPreTokenizer { name: name.to_string(), known: KNOWN.join(", ") });
            }
        };
        let regexes = exprs
            .iter()
            .map(|e| {
                Regex::new(e).map_err(|err| TokenizerError::Malformed {
                    what: format!("pre-tokenizer regex for `{name}`: {err}"),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { regexes })
    }

    /// Splits `text` into pieces; concatenating them gives `text` back.
    pub(crate) fn split<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut pieces: Vec<&'a str> = if text.is_empty() { vec![] } else { vec![text] };
        for re in &self.regexes {
            let mut next = Vec::with_capacity(pieces.len() * 2);
            for piece in pieces {
                let mut last = 0;
                for m in re.find_iter(piece) {
                    // A backtracking-limit error leaves the rest as one piece.
                    let Ok(m) = m else { break };
                    if m.start() > last {
                        next.push(&piece[last..m.start()]);
                    }
                    if m.end() > m.start() {
                        next.push(m.as_str());
                    }
                    last = m.end();
                }
                if last < piece.len() {
                    next.push(&piece[last..]);
                }
            }
            pieces = next;
        }
        pieces
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_known_compile() {
        for e in DEEPSEEK_LLM {
            if let Err(err) = Regex::new(e) {
                panic!("{e}: {err:?}");
            }
        }
        for name in KNOWN {
            PreTokenizer::by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
