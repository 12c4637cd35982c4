//! The IFD runner ([`crate::ifd`] holds the math): each candidate's
//! response teacher-forced once after its instruction and once alone, many
//! candidates as rows of one pass ([`crate::pack`]), and the pairwise judge.
//!
//! # What the model sees ([`IfdEncoder`])
//!
//! Without a chat template (`--chat-template none`, or a model without
//! one) the format is Cherry-LLM's Alpaca prompt (tianyi-lab/Cherry_LLM
//! `cherry_seletion/data_analysis.py`, `PROMPT_DICT["prompt_no_input"]`,
//! `--prompt alpaca`):
//!
//! - conditioned: `"Below is an instruction that describes a task. Write a
//!   response that appropriately completes the request.\n\n### Instruction:\n"
//!   + instruction + "\n\n### Response:" + response`;
//! - direct: `"### Response:" + response` (Cherry-LLM's `direct_answer_text`),
//!   so the first response token always has a context.
//!
//! With the model's chat template the conversation is rendered with the
//! instruction as the user turn and the response as the assistant turn
//! (conditioned), or the response as the only (assistant) message (direct:
//! the template's own system text and assistant header, no user turn). In
//! both the context is the rendered text before the response; the end-of-turn
//! marker after it is not scored.
//!
//! The response tokens are those of the whole text after the context's own
//! token count (Cherry-LLM's `start_token = len(tokenizer.encode(text[:start]))`),
//! so the two perplexities cover the response text tokenized in place. BOS
//! is added as the tokenizer says (`add_bos`); with a chat template, only
//! when the template did not write it (as `kaoshi eval` does).

use kaoshi_engine::{GenerateParams, SamplingParams, generate};
use kaoshi_model::{Backend, Model, ModelError};
use kaoshi_tokenizer::Tokenizer;
use kaoshi_tokenizer::chat::{ChatMessage, ChatTemplate, RenderOptions};
use serde::{Deserialize, Serialize};

use crate::ProbeError;
use crate::ifd::{Candidate, Verdict, ifd, parse_pairwise, ppl};
use crate::pack::pack;

/// Cherry-LLM's Alpaca prompt before the instruction.
pub const ALPACA_HEAD: &str = "Below is an instruction that describes a task. \
                               Write a response that appropriately completes the request.\n\n### Instruction:\n";
/// Cherry-LLM's Alpaca prompt after the instruction; also the direct context.
pub const ALPACA_TAIL: &str = "\n\n### Response:";

/// Token ids of one candidate: `(context, response)` conditioned and direct.
#[derive(Debug, Clone, PartialEq)]
pub struct Encoded {
    /// After the instruction.
    pub conditioned: (Vec<u32>, Vec<u32>),
    /// Alone.
    pub direct: (Vec<u32>, Vec<u32>),
}

/// One candidate's IFD on one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IfdScore {
    /// `ppl_conditioned / ppl_direct`.
    pub ifd: f64,
    /// PPL(R | I).
    pub ppl_conditioned: f64,
    /// PPL(R).
    pub ppl_direct: f64,
    /// Response tokens scored after the instruction.
    pub n_conditioned: usize,
    /// Response tokens scored alone.
    pub n_direct: usize,
}

/// Renders and encodes candidates for one model.
pub struct IfdEncoder<'a> {
    tok: &'a Tokenizer,
    chat: Option<(ChatTemplate, RenderOptions)>,
}

impl<'a> IfdEncoder<'a> {
    /// An encoder; with `chat` the model's template is used when it has one.
    pub fn new(tok: &'a Tokenizer, chat: bool) -> Result<Self, ProbeError> {
        let chat = match tok.chat_template().filter(|_| chat) {
            Some(src) => {
                let t = ChatTemplate::new(src).map_err(|e| ProbeError::Options(format!("chat template: {e}")))?;
                Some((t, RenderOptions::for_tokenizer(tok, false)))
            }
            None => None,
        };
        Ok(Self { tok, chat })
    }

    /// Whether the chat template is applied.
    pub fn uses_chat(&self) -> bool {
        self.chat.is_some()
    }

    /// Token ids of rendered text (BOS as the module doc says).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, ProbeError> {
        if self.chat.is_none() {
            return Ok(self.tok.encode(text, true, false)?);
        }
        let mut ids = self.tok.encode(text, false, true)?;
        if let Some(bos) = self.tok.bos_id().filter(|_| self.tok.add_bos()) {
            if ids.first() != Some(&bos) {
                ids.insert(0, bos);
            }
        }
        Ok(ids)
    }

    /// Renders `messages` with the template and splits the text before the
    /// last occurrence of `response`.
    fn chat_context(&self, messages: &[ChatMessage], response: &str, id: &str) -> Result<String, ProbeError> {
        let Some((t, opts)) = &self.chat else { return Err(ProbeError::Options("no chat template".into())) };
        let text = t.render(messages, opts).map_err(|e| ProbeError::Data(format!("id {id:?}: chat template: {e}")))?;
        let at = text.rfind(response).ok_or_else(|| {
            ProbeError::Data(format!("id {id:?}: the chat template does not keep the response verbatim"))
        })?;
        Ok(text[..at].to_string())
    }

    /// `(conditioned context, direct context)` text of a candidate.
    pub fn contexts(&self, c: &Candidate) -> Result<(String, String), ProbeError> {
        if self.chat.is_none() {
            return Ok((format!("{ALPACA_HEAD}{}{ALPACA_TAIL}", c.instruction), ALPACA_TAIL.trim_start().to_string()));
        }
        let user = ChatMessage::new("user", c.instruction.clone());
        let assistant = ChatMessage::new("assistant", c.response.clone());
        let cond = self.chat_context(&[user, assistant.clone()], &c.response, &c.id)?;
        let direct = self.chat_context(&[assistant], &c.response, &c.id)?;
        Ok((cond, direct))
    }

    /// A candidate's token ids.
    pub fn encode_candidate(&self, c: &Candidate) -> Result<Encoded, ProbeError> {
        let (cond, direct) = self.contexts(c)?;
        let split = |ctx: &str| -> Result<(Vec<u32>, Vec<u32>), ProbeError> {
            let head = self.encode(ctx)?;
            let whole = self.encode(&format!("{ctx}{}", c.response))?;
            match whole.get(head.len()..) {
                Some(r) if !r.is_empty() && !head.is_empty() => Ok((head, r.to_vec())),
                _ => Err(ProbeError::Data(format!("id {:?}: the response has no tokens after its context", c.id))),
            }
        };
        Ok(Encoded { conditioned: split(&cond)?, direct: split(&direct)? })
    }
}

/// Scores encoded candidates on `model`, both sequences of each candidate
/// as rows of shared passes of at most `max_rows` rows (each row sees only
/// its own sequence). A sequence longer than the model's context is an
/// error naming the candidate (`ids` in the order of `enc`).
pub fn score<B: Backend>(
    model: &Model<B>,
    enc: &[Encoded],
    ids: &[&str],
    max_rows: usize,
) -> Result<Vec<IfdScore>, ProbeError> {
    let ctx_max = model.config().context_length;
    let mut seqs = Vec::with_capacity(enc.len() * 2);
    let mut heads = Vec::with_capacity(enc.len() * 2);
    for (e, id) in enc.iter().zip(ids) {
        for (head, resp) in [&e.conditioned, &e.direct] {
            if head.len() + resp.len() > ctx_max {
                return Err(ProbeError::Data(format!(
                    "id {id:?}: {} tokens, over the model's context of {ctx_max}",
                    head.len() + resp.len()
                )));
            }
            seqs.push(head.iter().chain(resp).copied().collect::<Vec<u32>>());
            heads.push(head.len());
        }
    }
    let mut logprobs: Vec<Vec<f64>> = vec![Vec::new(); seqs.len()];
    for p in pack(&seqs, max_rows.max(1)) {
        let (mut rows, mut picks, mut owner) = (Vec::new(), Vec::new(), Vec::new());
        for &(start, len, k) in &p.seqs {
            for (j, &t) in seqs[k].iter().enumerate().take(len).skip(heads[k]) {
                picks.push((rows.len(), t));
                rows.push(start + j - 1);
                owner.push(k);
            }
        }
        let out = p.run(model, None, Some(&rows))?;
        let got = out.logits.token_scores(model.backend(), &picks).map_err(ModelError::from)?;
        for (k, s) in owner.into_iter().zip(got) {
            logprobs[k].push(s.log_prob);
        }
    }
    Ok(logprobs
        .chunks(2)
        .map(|pair| IfdScore {
            ifd: ifd(&pair[0], &pair[1]),
            ppl_conditioned: ppl(&pair[0]),
            ppl_direct: ppl(&pair[1]),
            n_conditioned: pair[0].len(),
            n_direct: pair[1].len(),
        })
        .collect())
}

/// MT-Bench's pairwise judge prompt `pair-v2`, system part (Zheng et al.
/// 2023; lm-sys/FastChat `fastchat/llm_judge/data/judge_prompts.jsonl`).
/// Star-Agents App. A.1 has its judge compare a candidate with the base
/// response; its exact prompt was not at hand, so MT-Bench's is used.
pub const PAIR_V2_SYSTEM: &str = "Please act as an impartial judge and evaluate the quality of the responses provided by two AI assistants to the user question displayed below. You should choose the assistant that follows the user's instructions and answers the user's question better. Your evaluation should consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level of detail of their responses. Begin your evaluation by comparing the two responses and provide a short explanation. Avoid any position biases and ensure that the order in which the responses were presented does not influence your decision. Do not allow the length of the responses to influence your evaluation. Do not favor certain names of the assistants. Be as objective as possible. After providing your explanation, output your final verdict by strictly following this format: \"[[A]]\" if assistant A is better, \"[[B]]\" if assistant B is better, and \"[[C]]\" for a tie.";

/// Where the judge prompt comes from, for probe.json.
pub const PAIR_V2_SOURCE: &str = "MT-Bench pairwise prompt pair-v2 (Zheng et al. 2023; lm-sys/FastChat \
                                  fastchat/llm_judge/data/judge_prompts.jsonl); candidate = assistant A, base = assistant B";

/// MT-Bench `pair-v2`'s user part for a question and answers A and B.
pub fn pair_v2_user(question: &str, answer_a: &str, answer_b: &str) -> String {
    format!(
        "[User Question]\n{question}\n\n[The Start of Assistant A's Answer]\n{answer_a}\n[The End of Assistant A's Answer]\n\n\
         [The Start of Assistant B's Answer]\n{answer_b}\n[The End of Assistant B's Answer]"
    )
}

/// A judge's answer: its raw text and the verdict read from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judged {
    /// What the judge wrote.
    pub raw: String,
    /// `[[A]]`/`[[B]]`/`[[C]]`, or `None` when unparsed.
    pub verdict: Option<Verdict>,
}

/// Has the judge compare `candidate` (A) with `base` (B) for `question`,
/// greedily, at most `max_tokens`: with its chat template (system and user
/// turns) when `chat` and it has one, else the system text, a blank line
/// and the user text. A prompt longer than the context less `max_tokens` is
/// left-truncated.
pub fn judge<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    chat: bool,
    question: &str,
    candidate: &str,
    base: &str,
    max_tokens: usize,
) -> Result<Judged, ProbeError> {
    let user = pair_v2_user(question, candidate, base);
    let enc = IfdEncoder::new(tok, chat)?;
    let text = match &enc.chat {
        Some((t, opts)) => {
            let opts = RenderOptions { add_generation_prompt: true, ..opts.clone() };
            let msgs = [ChatMessage::new("system", PAIR_V2_SYSTEM), ChatMessage::new("user", user)];
            t.render(&msgs, &opts).map_err(|e| ProbeError::Options(format!("judge chat template: {e}")))?
        }
        None => format!("{PAIR_V2_SYSTEM}\n\n{user}\n\n"),
    };
    let mut ids = enc.encode(&text)?;
    let room = model.config().context_length.saturating_sub(max_tokens).max(1);
    if ids.len() > room {
        ids.drain(..ids.len() - room);
    }
    let params = GenerateParams {
        max_tokens: max_tokens.max(1),
        sampling: SamplingParams::default(),
        stop_ids: tok.stop_ids(),
        stop_strings: Vec::new(),
    };
    let out = generate(model, tok, &ids, &params, None, &mut |_| true)
        .map_err(|e| ProbeError::Options(format!("judge: {e}")))?;
    Ok(Judged { verdict: parse_pairwise(&out.text), raw: out.text })
}
