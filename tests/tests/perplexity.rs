//! Rolling-window perplexity against a direct computation.

use kaoshi_e2e::{load, stories260k};
use kaoshi_engine::{PerplexityParams, perplexity, score_from_scratch};

const TEXT: &str = "Once upon a time, there was a little girl named Lily. She loved to play outside. \
One day, she saw a big red ball in the park and ran to get it.";

#[test]
fn one_window_equals_scoring_the_text_after_bos() {
    let (model, tok) = load(&stories260k());
    let ids = tok.encode(TEXT, false, false).expect("encode");
    let bos = tok.bos_id().expect("BOS");
    let direct = score_from_scratch(&model, &[bos], &ids).expect("score");
    let r = perplexity(&model, &tok, TEXT, PerplexityParams { ctx: 256, stride: 128 }, &mut |_, _| {}).expect("ppl");
    assert_eq!(r.n_windows, 1);
    assert_eq!(r.n_tokens, ids.len());
    assert!((r.nll + direct.logprob).abs() < 1e-3, "{} vs {}", r.nll, -direct.logprob);
    assert!((r.ppl - (r.nll / r.n_tokens as f64).exp()).abs() < 1e-9);
    assert!((r.bits_per_byte - r.nll / std::f64::consts::LN_2 / TEXT.len() as f64).abs() < 1e-12);
}

#[test]
fn strided_windows_score_every_token_once_with_context() {
    let (model, tok) = load(&stories260k());
    let ids = tok.encode(TEXT, false, false).expect("encode");
    let bos = tok.bos_id().expect("BOS");
    let (ctx, stride) = (16, 8);
    let r = perplexity(&model, &tok, TEXT, PerplexityParams { ctx, stride }, &mut |_, _| {}).expect("ppl");
    assert_eq!(r.n_tokens, ids.len());
    // Reference: token t (t >= ctx) is predicted from BOS + the tokens of its window.
    let mut nll = 0.0;
    let mut scored = 0;
    let mut begin = 0;
    while scored < ids.len() {
        let end = (begin + ctx).min(ids.len());
        let ctx_ids: Vec<u32> = std::iter::once(bos).chain(ids[begin..scored.max(begin)].iter().copied()).collect();
        let s = score_from_scratch(&model, &ctx_ids, &ids[scored.max(begin)..end]).expect("score");
        nll -= s.logprob;
        scored = end;
        begin += stride;
    }
    assert!((r.nll - nll).abs() < 1e-3, "{} vs {nll}", r.nll);
    // More context can only help this model on average: the strided value is below non-overlapping windows'.
    let disjoint = perplexity(&model, &tok, TEXT, PerplexityParams { ctx, stride: ctx }, &mut |_, _| {}).expect("ppl");
    assert_eq!(disjoint.n_tokens, ids.len());
    assert!(r.nll < disjoint.nll, "{} vs {}", r.nll, disjoint.nll);
}

#[test]
fn bad_window_settings_are_errors() {
    let (model, tok) = load(&stories260k());
    for (ctx, stride) in [(0, 1), (8, 0), (8, 9), (1 << 20, 8)] {
        assert!(perplexity(&model, &tok, TEXT, PerplexityParams { ctx, stride }, &mut |_, _| {}).is_err());
    }
}
