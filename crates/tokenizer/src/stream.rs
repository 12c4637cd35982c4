//! Incremental detokenization for streaming output.

use crate::Tokenizer;
use crate::error::TokenizerError;

/// Incremental detokenizer for streaming: feed ids, get back only complete
/// UTF-8 text; partial multi-byte sequences are held until they complete.
///
/// Special (control) tokens produce no text, and the leading space that a
/// SentencePiece vocabulary adds is stripped from the first piece, so the
/// concatenated output equals [`Tokenizer::decode`] with `skip_special =
/// true` on the same ids. When the stream continues a prompt, start it with
/// [`StreamDecoder::continuing`] so the first piece keeps its space.
#[derive(Debug)]
pub struct StreamDecoder<'a> {
    tok: &'a Tokenizer,
    pending: Vec<u8>,
    prev: Option<u32>,
}

impl<'a> StreamDecoder<'a> {
    /// A decoder for a fresh stream (the first piece loses its space prefix).
    pub fn new(tok: &'a Tokenizer) -> Self {
        Self { tok, pending: Vec::new(), prev: None }
    }

    /// A decoder whose ids follow `last` (e.g. the last prompt token), so the
    /// first piece is treated as a continuation, not the start of the text.
    pub fn continuing(tok: &'a Tokenizer, last: Option<u32>) -> Self {
        Self { tok, pending: Vec::new(), prev: last }
    }

    /// Adds one id and returns whatever text is now complete (maybe empty).
    pub fn push(&mut self, id: u32) -> Result<String, TokenizerError> {
        self.tok.append_piece(&mut self.pending, self.prev, id, true)?;
        self.prev = Some(id);
        Ok(self.take_complete())
    }

    /// Flushes held bytes; an incomplete sequence becomes U+FFFD.
    pub fn finish(&mut self) -> String {
        let out = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        out
    }

    fn take_complete(&mut self) -> String {
        let mut out = String::new();
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(s) => {
                    out.push_str(s);
                    self.pending.clear();
                    return out;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    // valid_up_to bytes are valid UTF-8 by definition.
                    out.push_str(&String::from_utf8_lossy(&self.pending[..valid]));
                    match e.error_len() {
                        // Incomplete sequence at the end: keep it for later.
                        None => {
                            self.pending.drain(..valid);
                            return out;
                        }
                        Some(bad) => {
                            out.push('\u{FFFD}');
                            self.pending.drain(..valid + bad);
                        }
                    }
                }
            }
        }
    }
}
