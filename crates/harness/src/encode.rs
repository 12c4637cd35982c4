//! Turning rendered prompts into token ids, with or without the model's chat
//! template.

use kaoshi_tokenizer::Tokenizer;
use kaoshi_tokenizer::chat::{ChatMessage, ChatTemplate, RenderOptions};

use crate::error::HarnessError;

/// Whether prompts are wrapped in the model's chat template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatMode {
    /// Use the template when the model has one.
    Auto,
    /// Never.
    None,
}

/// Encodes prompts for one model: plain text gets BOS as the tokenizer says;
/// with a chat template the prompt becomes one user turn followed by the
/// assistant header, special tokens in the rendered text are parsed, and BOS
/// is added only if the template did not write it.
pub struct PromptEncoder<'a> {
    tok: &'a Tokenizer,
    chat: Option<(ChatTemplate, RenderOptions)>,
}

impl<'a> PromptEncoder<'a> {
    /// An encoder; `mode` decides whether the model's template is used.
    pub fn new(tok: &'a Tokenizer, mode: ChatMode) -> Result<Self, HarnessError> {
        let chat = match (mode, tok.chat_template()) {
            (ChatMode::Auto, Some(src)) => {
                let template = ChatTemplate::new(src).map_err(|e| HarnessError::Chat(e.to_string()))?;
                Some((template, RenderOptions::for_tokenizer(tok, true)))
            }
            _ => None,
        };
        Ok(Self { tok, chat })
    }

    /// Whether the chat template is applied.
    pub fn uses_chat(&self) -> bool {
        self.chat.is_some()
    }

    /// The text the model sees for `prompt`.
    pub fn render(&self, prompt: &str) -> Result<String, HarnessError> {
        match &self.chat {
            None => Ok(prompt.to_string()),
            Some((t, opts)) => t
                .render(&[ChatMessage { role: "user".into(), content: prompt.to_string() }], opts)
                .map_err(|e| HarnessError::Chat(e.to_string())),
        }
    }

    /// Token ids of rendered text.
    pub fn encode(&self, rendered: &str) -> Result<Vec<u32>, HarnessError> {
        if self.chat.is_none() {
            return Ok(self.tok.encode(rendered, true, false)?);
        }
        let mut ids = self.tok.encode(rendered, false, true)?;
        if let Some(bos) = self.tok.bos_id().filter(|_| self.tok.add_bos()) {
            if ids.first() != Some(&bos) {
                ids.insert(0, bos);
            }
        }
        Ok(ids)
    }

    /// Context and continuation ids the way lm-evaluation-harness splits a
    /// pair (`kaoshi_engine::score::split_pair`, as `kaoshi score` does),
    /// with this encoder's encoding.
    pub fn encode_pair(&self, rendered_ctx: &str, continuation: &str) -> Result<(Vec<u32>, Vec<u32>), HarnessError> {
        kaoshi_engine::score::split_pair(rendered_ctx, continuation, |s| self.encode(s))?
            .ok_or_else(|| HarnessError::Item(format!("continuation {continuation:?} has no tokens after the context")))
    }

    /// The single token a letter answer starts with after the prompt: the
    /// last id of the letter encoded alone (CMMLU's `tokenizer(letter).input_ids[-1]`).
    pub fn letter_id(&self, letter: &str) -> Result<u32, HarnessError> {
        let ids = self.tok.encode(letter, false, false)?;
        ids.last().copied().ok_or_else(|| HarnessError::Item(format!("letter {letter:?} has no token")))
    }
}
