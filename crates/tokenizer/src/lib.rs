//! kaoshi-tokenizer: text <-> token ids for every tokenizer kind kaoshi reads,
//! and chat-template rendering.
//!
//! (module docs to be written by the module authors)

pub mod chat;
