//! The wasm crate's Rust side, natively: its async generation and scoring
//! loops must give exactly what `kaoshi_engine` gives on the CPU backend,
//! the reference scores the browser tests use must hold, errors must have
//! the right kinds, and (on a GPU, lavapipe in CI) the GPU path must agree
//! with the CPU.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use kaoshi_cpu::CpuBackend;
use kaoshi_engine::{GenerateParams, SamplingParams};
use kaoshi_formats::GgufFile;
use kaoshi_model::Model;
use kaoshi_tokenizer::Tokenizer;
use kaoshi_wasm::{BackendChoice, ErrorKind, Session};

fn session(choice: BackendChoice) -> Result<Session, kaoshi_wasm::Error> {
    pollster::block_on(Session::load(STORIES260K.to_vec(), choice))
}

fn engine_model() -> (Model<CpuBackend>, Tokenizer) {
    let file = GgufFile::from_bytes("stories260K.gguf", STORIES260K).expect("open");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    (Model::load(&file, CpuBackend::new()).expect("load"), tok)
}

fn params(max_tokens: usize, sampling: SamplingParams) -> GenerateParams {
    GenerateParams { max_tokens, sampling, stop_ids: vec![], stop_strings: vec![] }
}

fn token_logprobs(s: &Session) -> Vec<Vec<f64>> {
    let conts: Vec<String> = CONTINUATIONS.iter().map(|c| c.to_string()).collect();
    let scores = pollster::block_on(s.score(CONTEXT, &conts)).expect("score");
    scores.into_iter().map(|s| s.token_logprobs).collect()
}

#[test]
fn greedy_and_sampled_generation_equal_the_engine() {
    let s = session(BackendChoice::Cpu).expect("load");
    assert_eq!(s.info().backend, "cpu");
    let (model, tok) = engine_model();
    let bos = s.prompt_tokens("").expect("prompt");
    assert_eq!(bos, vec![tok.bos_id().expect("BOS")]);
    let sampled = SamplingParams { temperature: 1.0, top_k: 40, top_p: 0.95, seed: 5 };
    for p in [params(256, SamplingParams::default()), params(60, sampled)] {
        let ours = pollster::block_on(s.generate(&bos, &p, &|| false)).expect("generate");
        let engine = kaoshi_engine::generate(&model, &tok, &bos, &p, None, &mut |_| true).expect("engine");
        assert_eq!(ours, engine, "{p:?}");
    }
    let greedy = pollster::block_on(s.generate(&bos, &params(256, SamplingParams::default()), &|| false)).unwrap();
    assert_eq!(greedy.text, STORIES260K_GREEDY_256.trim_end_matches('\n'));
}

#[test]
fn streamed_pieces_make_the_text_and_a_failing_callback_stops_generation() {
    let s = session(BackendChoice::Cpu).expect("load");
    let bos = s.prompt_tokens("").expect("prompt");
    let p = params(256, SamplingParams::default());
    let mut pieces: Vec<String> = Vec::new();
    let out = pollster::block_on(s.generate_streaming(&bos, &p, &|| false, &mut |piece| {
        pieces.push(piece.to_owned());
        Ok(())
    }))
    .expect("generate");
    assert!(pieces.len() > 10, "{} pieces", pieces.len());
    assert!(pieces.iter().all(|p| !p.is_empty()));
    assert_eq!(pieces.concat(), out.text);
    assert_eq!(out.text, STORIES260K_GREEDY_256.trim_end_matches('\n'));

    let mut calls = 0;
    let e = pollster::block_on(s.generate_streaming(&bos, &p, &|| false, &mut |_| {
        calls += 1;
        if calls == 3 { Err(kaoshi_wasm::Error::other("stop here")) } else { Ok(()) }
    }))
    .unwrap_err();
    assert_eq!(calls, 3, "no piece after the failing one");
    assert_eq!(e.message, "stop here");
}

#[test]
fn abort_stops_generation_with_an_abort_error() {
    let s = session(BackendChoice::Cpu).expect("load");
    let bos = s.prompt_tokens("").expect("prompt");
    let e = pollster::block_on(s.generate(&bos, &params(10, SamplingParams::default()), &|| true)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Abort);
    assert_eq!(e.kind.js_name(), "AbortError");
}

#[test]
fn scores_equal_the_engine_and_the_reference() {
    let s = session(BackendChoice::Cpu).expect("load");
    let (model, tok) = engine_model();
    let mut ctx = Vec::new();
    let mut conts = Vec::new();
    for c in CONTINUATIONS {
        let (x, cont) = kaoshi_engine::score::encode_pair(&tok, CONTEXT, c).expect("encode");
        ctx = x;
        conts.push(cont);
    }
    let engine = kaoshi_engine::score_continuations(&model, &ctx, &conts, None).expect("engine");
    let ours = pollster::block_on(s.score_tokens(&ctx, &conts)).expect("score");
    assert_eq!(ours, engine, "the async scoring loop must equal the engine exactly on the CPU");
    let got = token_logprobs(&s);
    println!("REFERENCE_TOKEN_LOGPROBS = {got:?}");
    assert_near_reference(&got, TOL_CPU, "native cpu");
}

#[test]
fn errors_have_the_kinds_js_sees() {
    let not_gguf = pollster::block_on(Session::load(b"<!doctype html><p>not found</p>".to_vec(), BackendChoice::Cpu));
    assert_eq!(not_gguf.unwrap_err().kind, ErrorKind::ModelFormat);
    let truncated =
        pollster::block_on(Session::load(STORIES260K[..STORIES260K.len() / 2].to_vec(), BackendChoice::Cpu));
    assert_eq!(truncated.unwrap_err().kind, ErrorKind::ModelFormat);
    // The type id of the first tensor patched to IQ4_XS (23), which kaoshi has no kernels for.
    let mut patched = STORIES260K.to_vec();
    let file = GgufFile::from_bytes("stories260K.gguf", STORIES260K).expect("open");
    let name = &file.tensors()[0].name;
    let mut needle = (name.len() as u64).to_le_bytes().to_vec();
    needle.extend(name.as_bytes());
    let at = patched.windows(needle.len()).position(|w| w == needle).expect("tensor info") + needle.len();
    let n_dims = u32::from_le_bytes(patched[at..at + 4].try_into().unwrap()) as usize;
    let type_at = at + 4 + 8 * n_dims;
    patched[type_at..type_at + 4].copy_from_slice(&23u32.to_le_bytes());
    let e = pollster::block_on(Session::load(patched, BackendChoice::Cpu)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnsupportedQuant, "{e}");
    assert_eq!(e.kind.js_name(), "UnsupportedQuantError");
    let e = kaoshi_wasm::Error::from("webgl".parse::<BackendChoice>().unwrap_err());
    assert_eq!(e.kind, ErrorKind::Kaoshi);
}

/// The GPU session, or `None` with a message when there is no adapter
/// (a failure under `KAOSHI_REQUIRE_GPU=1`, as in CI).
fn gpu_or_skip() -> Option<Session> {
    match session(BackendChoice::Gpu) {
        Ok(s) => Some(s),
        Err(e) if e.kind == ErrorKind::WebGpuUnavailable => {
            if std::env::var("KAOSHI_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!("KAOSHI_REQUIRE_GPU=1 but no GPU device could be opened: {e}");
            }
            eprintln!("SKIPPED: no GPU device ({e}); set KAOSHI_REQUIRE_GPU=1 to make this a failure");
            None
        }
        Err(e) => panic!("the GPU backend failed to load stories260K: {e}"),
    }
}

#[test]
fn gpu_path_agrees_with_the_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    assert_eq!(gpu.info().backend, "gpu");
    assert!(gpu.info().adapter.is_some());
    let cpu = session(BackendChoice::Cpu).expect("load");
    let tokens = cpu.prompt_tokens("Once upon a time, there was a little girl named Lily. She liked").expect("tokens");
    let a = pollster::block_on(gpu.logits(&tokens)).expect("gpu logits");
    let b = pollster::block_on(cpu.logits(&tokens)).expect("cpu logits");
    let (rel, bad) = compare_logits(&a, &b, cpu.info().vocab);
    println!("gpu vs cpu logits: max abs diff / max abs logit = {rel:e}");
    assert!(rel <= TOL_LOGITS, "{rel}");
    assert!(bad.is_empty(), "top-1 differs at positions {bad:?}");
    let got = token_logprobs(&gpu);
    assert_near_reference(&got, TOL_GPU, "native gpu");
    let bos = cpu.prompt_tokens("").expect("prompt");
    let p = params(32, SamplingParams::default());
    let g = pollster::block_on(gpu.generate(&bos, &p, &|| false)).expect("gpu generate");
    let c = pollster::block_on(cpu.generate(&bos, &p, &|| false)).expect("cpu generate");
    assert_eq!(g.tokens, c.tokens);
    // Top-k sampling awaits the device's candidates (top_k_async): the same
    // tokens as the engine's synchronous loop on a GPU model.
    let (_, tok) = engine_model();
    let file = GgufFile::from_bytes("stories260K.gguf", STORIES260K).expect("open");
    let dev = kaoshi_gpu::GpuDevice::new().expect("a second GPU device");
    let model = Model::load(&file, kaoshi_gpu::GpuBackend::from_device(dev)).expect("load on GPU");
    let p = params(60, SamplingParams { temperature: 1.0, top_k: 40, top_p: 0.95, seed: 5 });
    let ours = pollster::block_on(gpu.generate(&bos, &p, &|| false)).expect("gpu sampled");
    let engine = kaoshi_engine::generate(&model, &tok, &bos, &p, None, &mut |_| true).expect("engine on GPU");
    assert_eq!(ours, engine);
}

#[test]
fn auto_uses_the_gpu_when_there_is_one() {
    let s = session(BackendChoice::Auto).expect("auto always loads");
    match s.info().backend.as_str() {
        "gpu" => assert!(s.info().fallback_reason.is_none()),
        "cpu" => assert!(s.info().fallback_reason.is_some(), "a CPU fallback says why"),
        other => panic!("backend {other}"),
    }
}
