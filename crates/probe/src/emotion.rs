//! `kaoshi probe emotion`: ConTrans' emotion evaluation (`eval_emotion.py`,
//! scenarios from RepE, Zou et al. 2023). Each prompt ends in "The emotion
//! of the above scenario is"; on the negative scenarios (those of the other
//! five emotions) and the positive ones:
//!
//! - token accuracy: the top-1 next token over the whole vocabulary is the
//!   concept's emotion word;
//! - logit accuracy: among the six emotion words' first tokens, the
//!   concept's has the largest logit (a top-1 hit counts, as in the
//!   authors' code).
//!
//! An emotion word's token is the first token the word adds after the
//! prompt (`prompt + " " + word`, tokenized whole, less the prompt's
//! tokens): the authors take `encode(word)[1]` for llama (the SentencePiece
//! word with its leading space) and `encode(" " + word)[0]` for Pythia, and
//! this rule gives those tokens on both kinds of tokenizer.
//!
//! With a control vector, each scale of a list is evaluated in turn (the
//! vector times the scale added at its blocks' outputs, every position).

use kaoshi_model::{Backend, ControlVector, Forward, HookSet, KeySpan, Model, Steering};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::ProbeError;

/// The six emotions, in ConTrans' order.
pub const EMOTIONS: [&str; 6] = ["happiness", "sadness", "anger", "fear", "disgust", "surprise"];

/// Accuracies on one list of prompts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Accuracy {
    /// Top-1 next token is the emotion word.
    pub token: f64,
    /// The emotion word's logit is the largest of the six.
    pub logit: f64,
    /// Prompts.
    pub n: usize,
}

/// One scale's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleResult {
    /// The multiplier of the control vector (0 without one).
    pub scale: f32,
    /// On the negative scenarios (the paper's figure).
    pub neg: Accuracy,
    /// On the positive scenarios.
    pub pos: Accuracy,
    /// On the negative scenarios: how often each emotion word wins among the six.
    pub neg_predicted: Vec<(String, usize)>,
}

/// What `kaoshi probe emotion` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmotionReport {
    /// "emotion".
    pub probe: &'static str,
    /// The concept evaluated.
    pub concept: String,
    /// Each emotion word's token id and text.
    pub emotion_tokens: Vec<(String, u32, String)>,
    /// The blocks steered (empty without a control vector).
    pub steered_blocks: Vec<usize>,
    /// One entry per scale.
    pub results: Vec<ScaleResult>,
}

/// The first token `continuation` adds after `prompt`, split as `kaoshi
/// score` and `kaoshi eval` split a pair ([`kaoshi_engine::score::encode_pair`]).
pub fn first_token_after(tok: &Tokenizer, prompt: &str, continuation: &str) -> Result<u32, ProbeError> {
    let (_, cont) =
        kaoshi_engine::score::encode_pair(tok, prompt, continuation).map_err(|e| ProbeError::Data(e.to_string()))?;
    Ok(cont[0])
}

/// The evaluation: `pos` and `neg` prompts (cut to the shorter list, as
/// the authors' `read_data`), for `concept`; with `vector`, each of
/// `scales` (times the vector, at `layers` or all its blocks);
/// `progress(done, total)` counts prompts over all scales.
#[allow(clippy::too_many_arguments)]
pub fn run<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    pos: &[String],
    neg: &[String],
    concept: &str,
    vector: Option<(&ControlVector, Option<std::ops::RangeInclusive<usize>>)>,
    scales: &[f32],
    max_rows: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<EmotionReport, ProbeError> {
    let target = EMOTIONS
        .iter()
        .position(|e| *e == concept)
        .ok_or_else(|| ProbeError::Options(format!("concept {concept:?}: expected one of {}", EMOTIONS.join(", "))))?;
    let n = pos.len().min(neg.len());
    if n == 0 {
        return Err(ProbeError::Data("no evaluation prompts".into()));
    }
    let ids: Vec<u32> =
        EMOTIONS.iter().map(|e| first_token_after(tok, &neg[0], &format!(" {e}"))).collect::<Result<_, _>>()?;
    for i in 0..ids.len() {
        if let Some(j) = (i + 1..ids.len()).find(|&j| ids[j] == ids[i]) {
            return Err(ProbeError::Data(format!(
                "{} and {} start with the same token {}: logit accuracy cannot tell them apart",
                EMOTIONS[i], EMOTIONS[j], ids[i]
            )));
        }
    }
    let scales: Vec<f32> = if vector.is_some() { scales.to_vec() } else { vec![0.0] };
    let total = 2 * n * scales.len();
    let mut results = Vec::with_capacity(scales.len());
    let mut steered_blocks = Vec::new();
    for (k, &scale) in scales.iter().enumerate() {
        let hooks = match &vector {
            Some((cv, layers)) => {
                let s = Steering::new(&[(cv, scale)], layers.clone(), model.config())?;
                steered_blocks = s.layers.keys().copied().collect();
                Some(s.hooks())
            }
            None => None,
        };
        let done = 2 * n * k;
        let (neg_acc, counts) =
            evaluate(model, tok, &neg[..n], &ids, target, hooks.as_ref(), max_rows, &mut |d, _| {
                progress(done + d, total)
            })?;
        let (pos_acc, _) = evaluate(model, tok, &pos[..n], &ids, target, hooks.as_ref(), max_rows, &mut |d, _| {
            progress(done + n + d, total)
        })?;
        let neg_predicted = EMOTIONS.iter().map(|e| e.to_string()).zip(counts).collect();
        results.push(ScaleResult { scale, neg: neg_acc, pos: pos_acc, neg_predicted });
    }
    let emotion_tokens = EMOTIONS
        .iter()
        .zip(&ids)
        .map(|(e, &id)| (e.to_string(), id, tok.token_text(id).unwrap_or_default().to_string()))
        .collect();
    Ok(EmotionReport { probe: "emotion", concept: concept.to_string(), emotion_tokens, steered_blocks, results })
}

/// Accuracies on `prompts`, and how often each emotion wins among the six.
/// The prompts' longest common token prefix (the six demonstrations) runs
/// once; each prompt's own tokens then run as rows that see that prefix
/// and their own earlier tokens (the rows of one pass, up to `max_rows`),
/// which computes what each prompt would alone.
#[allow(clippy::too_many_arguments)]
fn evaluate<B: Backend>(
    model: &Model<B>,
    tok: &Tokenizer,
    prompts: &[String],
    ids: &[u32],
    target: usize,
    hooks: Option<&HookSet>,
    max_rows: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Accuracy, Vec<usize>), ProbeError> {
    let encoded: Vec<Vec<u32>> = prompts.iter().map(|p| tok.encode(p, true, false)).collect::<Result<_, _>>()?;
    let vocab = model.config().vocab_size;
    let shared = common_prefix(&encoded);
    let mut prefix_cache = model.new_cache();
    if shared > 0 {
        model.run(Forward::causal(&encoded[0][..shared]).no_logits().hooks(hooks), &mut prefix_cache)?;
    }
    let (mut token_hits, mut logit_hits, mut done) = (0usize, 0usize, 0usize);
    let mut counts = vec![0usize; ids.len()];
    let mut next = 0;
    while next < encoded.len() {
        // Prompts whose own tokens fit in one pass (at least one prompt).
        let (mut tokens, mut positions, mut spans, mut last) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        while next < encoded.len() && (last.is_empty() || tokens.len() + encoded[next].len() - shared <= max_rows) {
            let own = &encoded[next][shared..];
            let start = shared + tokens.len();
            for (j, &t) in own.iter().enumerate() {
                tokens.push(t);
                positions.push(shared + j);
                spans.push(KeySpan { shared, own_start: start, own_end: start + j + 1 });
            }
            last.push(tokens.len() - 1);
            next += 1;
        }
        let mut cache = prefix_cache.clone();
        let req = Forward::spans(&tokens, &positions, &spans).logit_rows(&last).hooks(hooks);
        let logits = model.run(req, &mut cache)?.logits.to_host(model.backend(), vocab)?;
        for r in 0..last.len() {
            let row = logits.row(r);
            let top = kaoshi_model::host_argmax(row) as u32;
            let best = (0..ids.len()).max_by(|&a, &b| row[ids[a] as usize].total_cmp(&row[ids[b] as usize]));
            let best = best.unwrap_or(0);
            counts[best] += 1;
            let hit = top == ids[target];
            token_hits += usize::from(hit);
            logit_hits += usize::from(hit || best == target);
        }
        done += last.len();
        progress(done, prompts.len());
    }
    let n = prompts.len();
    Ok((Accuracy { token: token_hits as f64 / n as f64, logit: logit_hits as f64 / n as f64, n }, counts))
}

/// The length of the longest token prefix all `seqs` share, leaving each
/// at least one token of its own.
fn common_prefix(seqs: &[Vec<u32>]) -> usize {
    let Some(first) = seqs.first() else { return 0 };
    let mut n = seqs.iter().map(Vec::len).min().unwrap_or(0).saturating_sub(1);
    for s in &seqs[1..] {
        n = n.min(first.iter().zip(s).take_while(|(a, b)| a == b).count());
    }
    n
}

#[cfg(test)]
mod tests {
    use super::common_prefix;

    #[test]
    fn the_prefix_leaves_every_prompt_a_token() {
        assert_eq!(common_prefix(&[vec![1, 2, 3, 4], vec![1, 2, 5], vec![1, 2, 3]]), 2);
        assert_eq!(common_prefix(&[vec![1, 2], vec![1, 2]]), 1);
        assert_eq!(common_prefix(&[vec![7, 8, 9]]), 2);
        assert_eq!(common_prefix(&[vec![1], vec![2]]), 0);
    }
}
