//! stories260K, a real trained llama: greedy decoding must reproduce
//! llama2.c's `run.c` output byte for byte.

use kaoshi_e2e::{load, shared, stories260k};
use kaoshi_engine::{GenerateParams, SamplingParams, generate};

fn greedy(max_tokens: usize) -> GenerateParams {
    GenerateParams { max_tokens, sampling: SamplingParams::default(), stop_ids: vec![], stop_strings: vec![] }
}

#[test]
fn greedy_from_bos_matches_llama2c() {
    let (model, tok) = load(&stories260k());
    let expected_path =
        shared().join("fixtures/models/stories260K/expected/observed_llama2c_run.c_t0_n256_noprompt.txt");
    let expected = std::fs::read_to_string(expected_path).expect("expected output");
    // run.c -n 256 runs 256 forward steps from BOS, printing the token each
    // step produces: 256 generated tokens, then a newline.
    let bos = tok.bos_id().expect("stories260K has BOS");
    let mut streamed = String::new();
    let out = generate(&model, &tok, &[bos], &greedy(256), None, &mut |s| {
        streamed.push_str(s);
        true
    })
    .expect("generate");
    assert_eq!(out.tokens.len(), 256);
    assert_eq!(streamed, out.text, "streamed pieces must add up to the text");
    assert_eq!(out.text, expected.trim_end_matches('\n'));
}

#[test]
fn greedy_after_prompt_matches_llama2c() {
    let (model, tok) = load(&stories260k());
    let expected_path =
        shared().join("fixtures/models/stories260K/expected/observed_llama2c_run.c_t0_n64_prompt_shoggoth.txt");
    let expected = std::fs::read_to_string(expected_path).expect("expected output");
    let prompt = tok.encode("One day, Lily met a Shoggoth", true, false).expect("encode");
    // run.c -n 64 -i PROMPT: 64 forward steps from BOS; the steps over the
    // prompt force its tokens, the rest generate: 64 - (prompt.len() - 1).
    let out = generate(&model, &tok, &prompt, &greedy(65 - prompt.len()), None, &mut |_| true).expect("generate");
    let all: Vec<u32> = prompt[1..].iter().chain(&out.tokens).copied().collect();
    assert_eq!(tok.decode(&all, true).expect("decode"), expected.trim_end_matches('\n'));
}

#[test]
fn seeded_sampling_is_reproducible_and_differs_between_seeds() {
    let (model, tok) = load(&stories260k());
    let bos = tok.bos_id().expect("BOS");
    let run = |seed| {
        let p = GenerateParams {
            max_tokens: 40,
            sampling: SamplingParams { temperature: 1.0, top_k: 40, top_p: 0.95, seed },
            stop_ids: tok.stop_ids(),
            stop_strings: vec![],
        };
        generate(&model, &tok, &[bos], &p, None, &mut |_| true).expect("generate").tokens
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn stop_string_cuts_the_text_before_it() {
    let (model, tok) = load(&stories260k());
    let bos = tok.bos_id().expect("BOS");
    let p = GenerateParams { stop_strings: vec!["Lily".into()], ..greedy(100) };
    let out = generate(&model, &tok, &[bos], &p, None, &mut |_| true).expect("generate");
    assert_eq!(out.text, "Once upon a time, there was a little girl named ");
    assert_eq!(out.stop, kaoshi_engine::StopReason::StopString);
}

#[test]
fn streamed_text_after_a_prompt_keeps_its_leading_space() {
    let (model, tok) = load(&stories260k());
    let prompt = tok.encode("One day, Lily met a Shoggoth", true, false).expect("encode");
    let out = generate(&model, &tok, &prompt, &greedy(3), None, &mut |_| true).expect("generate");
    // llama2.c continues the prompt with " named Sam".
    assert!(out.text.starts_with(" named"), "{:?}", out.text);
}
