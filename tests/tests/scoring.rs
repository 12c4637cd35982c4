//! Teacher-forced scoring: the shared-prefix batched path must equal scoring
//! each context + continuation from scratch, and `is_greedy` must agree with
//! greedy generation.

use kaoshi_e2e::{load, stories260k, synthetic};
use kaoshi_engine::{
    GenerateParams, SamplingParams, ScoreRequest, generate, score_continuations, score_from_scratch, score_requests,
};

/// Batched and from-scratch passes differ only in summation order inside
/// the matmuls and softmax; on these small f32 models that is below 1e-4
/// nats per token.
const TOL: f64 = 1e-4;

fn check_shared_prefix_equals_scratch(path: &std::path::Path) {
    let (model, tok) = load(path);
    let context = tok.encode("Once upon a time, there was a little", true, false).expect("encode");
    let conts: Vec<Vec<u32>> = [" girl named Lily.", " dog", " boy who liked to run fast", " cat"]
        .iter()
        .map(|c| tok.encode(c, false, false).expect("encode"))
        .collect();
    let batched = score_continuations(&model, &context, &conts, None).expect("score");
    for (c, b) in conts.iter().zip(&batched) {
        let s = score_from_scratch(&model, &context, c).expect("scratch");
        assert_eq!(b.n_tokens, c.len());
        assert_eq!(b.token_logprobs.len(), c.len());
        assert!((b.logprob - s.logprob).abs() < TOL * c.len() as f64, "{} vs {}", b.logprob, s.logprob);
        for (x, y) in b.token_logprobs.iter().zip(&s.token_logprobs) {
            assert!((x - y).abs() < TOL, "{x} vs {y}");
        }
        assert_eq!(b.is_greedy, s.is_greedy);
    }
}

#[test]
fn shared_prefix_equals_scratch_on_stories260k() {
    check_shared_prefix_equals_scratch(&stories260k());
}

#[test]
fn shared_prefix_equals_scratch_on_synthetic_qwen2() {
    check_shared_prefix_equals_scratch(&synthetic("qwen2"));
}

#[test]
fn shared_prefix_equals_scratch_on_synthetic_qwen3() {
    check_shared_prefix_equals_scratch(&synthetic("qwen3"));
}

#[test]
fn is_greedy_agrees_with_greedy_generation() {
    let (model, tok) = load(&stories260k());
    let context = tok.encode("Once upon a time", true, false).expect("encode");
    let p =
        GenerateParams { max_tokens: 8, sampling: SamplingParams::default(), stop_ids: vec![], stop_strings: vec![] };
    let greedy = generate(&model, &tok, &context, &p, None, &mut |_| true).expect("generate").tokens;
    let mut altered = greedy.clone();
    let last = altered.len() - 1;
    altered[last] = (altered[last] + 1) % 512;
    let scores = score_continuations(&model, &context, &[greedy.clone(), altered], None).expect("score");
    assert!(scores[0].is_greedy, "the greedy continuation must score as greedy");
    assert!(!scores[1].is_greedy, "a changed last token is not greedy");
    // The greedy continuation's tokens are each the argmax, so each has the
    // largest log-probability at its step; the altered one shares all but the last.
    assert_eq!(scores[0].token_logprobs[..last], scores[1].token_logprobs[..last]);
    assert!(scores[0].token_logprobs[last] > scores[1].token_logprobs[last]);
}

#[test]
fn text_requests_split_like_lm_eval_harness() {
    let (model, tok) = load(&stories260k());
    let reqs = vec![
        ScoreRequest { context: "The cat sat on the ".into(), continuation: "mat".into() },
        ScoreRequest { context: "The cat sat on the ".into(), continuation: "dog".into() },
        ScoreRequest { context: "Lily".into(), continuation: " was happy".into() },
    ];
    let out = score_requests(&model, &tok, &reqs).expect("score");
    assert_eq!(out.len(), 3);
    // The trailing space moves to the continuation: context tokens are those of "The cat sat on the".
    assert_eq!(out[0].context_tokens, tok.encode("The cat sat on the", true, false).expect("encode"));
    assert_eq!(out[0].context_tokens[0], tok.bos_id().expect("BOS"));
    let whole = tok.encode("The cat sat on the mat", true, false).expect("encode");
    assert_eq!([out[0].context_tokens.clone(), out[0].tokens.clone()].concat(), whole);
    for r in &out {
        assert!(r.score.logprob < 0.0);
        assert_eq!(r.score.n_tokens, r.tokens.len());
    }
}

#[test]
fn empty_context_without_bos_is_an_error_not_a_panic() {
    let (model, _) = load(&stories260k());
    let err = score_continuations(&model, &[], &[vec![5]], None).expect_err("must fail");
    assert!(err.to_string().contains("context has no tokens"), "{err}");
    let err = score_continuations(&model, &[1], &[vec![]], None).expect_err("must fail");
    assert!(err.to_string().contains("no tokens"), "{err}");
}
