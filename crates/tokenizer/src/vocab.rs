//! The vocabulary table shared by the GGUF and tiktoken tokenizers.

use std::collections::HashMap;

/// Token attribute, numbered as GGUF `tokenizer.ggml.token_type` does
/// (llama.cpp `llama_token_type`: 1 normal, 2 unknown, 3 control,
/// 4 user-defined, 5 unused, 6 byte; 0/other is treated as normal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenType {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

impl TokenType {
    pub(crate) fn from_gguf(code: i64) -> Self {
        match code {
            2 => Self::Unknown,
            3 => Self::Control,
            4 => Self::UserDefined,
            5 => Self::Unused,
            6 => Self::Byte,
            _ => Self::Normal,
        }
    }
}

/// Token strings, their types and the reverse index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocab {
    pub tokens: Vec<String>,
    pub types: Vec<TokenType>,
    /// text -> id; when a text repeats, the later id wins (as in llama.cpp).
    pub index: HashMap<String, u32>,
}

impl Vocab {
    pub(crate) fn new(tokens: Vec<String>, types: Vec<TokenType>) -> Self {
        let mut index = HashMap::with_capacity(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            index.insert(t.clone(), i as u32);
        }
        Self { tokens, types, index }
    }

    pub(crate) fn len(&self) -> usize {
        self.tokens.len()
    }

    pub(crate) fn ty(&self, id: u32) -> Option<TokenType> {
        self.types.get(id as usize).copied()
    }

    /// Tokens that `tokenizer_st_partition` in llama.cpp splits out of raw
    /// text before the model runs: control, unknown and user-defined ones,
    /// longest text first.
    pub(crate) fn partition_tokens(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..self.len() as u32)
            .filter(|&i| {
                matches!(self.ty(i), Some(TokenType::Control | TokenType::Unknown | TokenType::UserDefined))
                    && !self.tokens[i as usize].is_empty()
            })
            .collect();
        ids.sort_by(|&a, &b| self.tokens[b as usize].len().cmp(&self.tokens[a as usize].len()).then(a.cmp(&b)));
        ids
    }
}
