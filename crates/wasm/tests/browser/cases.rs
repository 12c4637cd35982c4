//! The browser tests, run in the page (`browser_page.rs`) and in a
//! dedicated worker (`browser_worker.rs`) through the JS-facing API.
//! WebGPU is SwiftShader in headless Chromium: the GPU tests fail (never
//! skip) when `navigator.gpu` yields no adapter.

use js_sys::{Object, Reflect, Uint8Array};
use kaoshi_wasm::Model;
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use crate::common::*;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Score {
    logprob: f64,
    is_greedy: bool,
    n_tokens: usize,
    token_logprobs: Vec<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Info {
    architecture: String,
    layers: usize,
    dim: usize,
    vocab: usize,
    tensor_types: std::collections::BTreeMap<String, TypeSummary>,
    backend: String,
    adapter: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TypeSummary {
    tensors: usize,
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).expect("set option");
    }
    o.into()
}

async fn load(bytes: &[u8], backend: &str) -> Result<Model, JsValue> {
    Model::load(Uint8Array::from(bytes), Some(backend.to_string())).await
}

async fn load_stories(backend: &str) -> Model {
    match load(STORIES260K, backend).await {
        Ok(m) => m,
        Err(e) => panic!("loading stories260K on {backend} failed: {}", error_text(&e)),
    }
}

fn error_text(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(err) => format!("{}: {}", String::from(err.name()), String::from(err.message())),
        None => format!("{e:?}"),
    }
}

fn error_name(e: &JsValue) -> String {
    String::from(e.dyn_ref::<js_sys::Error>().expect("a JS Error object").name())
}

async fn await_js(p: js_sys::Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

fn info(m: &Model) -> Info {
    serde_wasm_bindgen::from_value(m.info().expect("info")).expect("info shape")
}

async fn generate(m: &Model, prompt: &str, max_tokens: u32) -> String {
    let opts = obj(&[("maxTokens", max_tokens.into()), ("temperature", 0.0.into()), ("stopAtEos", false.into())]);
    generate_with(m, prompt, opts).await
}

async fn generate_with(m: &Model, prompt: &str, opts: JsValue) -> String {
    let text = await_js(m.generate(prompt.into(), Some(opts))).await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    text.as_string().expect("generate returns a string")
}

async fn scores(m: &Model) -> Vec<Vec<f64>> {
    let conts: Vec<String> = CONTINUATIONS.iter().map(|c| c.to_string()).collect();
    let v = await_js(m.score(CONTEXT.into(), conts)).await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    let s: Vec<Score> = serde_wasm_bindgen::from_value(v).expect("score shape");
    for x in &s {
        assert_eq!(x.n_tokens, x.token_logprobs.len());
        assert!((x.logprob - x.token_logprobs.iter().sum::<f64>()).abs() < 1e-9);
        let _ = x.is_greedy;
    }
    s.into_iter().map(|x| x.token_logprobs).collect()
}

async fn logits(m: &Model, tokens: &[u32]) -> Vec<f32> {
    let v = await_js(m.logits(tokens.to_vec())).await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    v.dyn_into::<js_sys::Float32Array>().expect("a Float32Array").to_vec()
}

#[wasm_bindgen_test]
async fn cpu_greedy_256_from_bos_equals_llama2c() {
    let m = load_stories("cpu").await;
    let i = info(&m);
    assert_eq!((i.architecture.as_str(), i.layers, i.dim, i.vocab), ("llama", 5, 64, 512));
    assert_eq!(i.backend, "cpu");
    assert!(i.tensor_types["F32"].tensors > 0);
    // llama2.c run.c -n 256: 256 tokens from BOS, the text then a newline.
    assert_eq!(generate(&m, "", 256).await, STORIES260K_GREEDY_256.trim_end_matches('\n'));
}

#[wasm_bindgen_test]
async fn cpu_scores_equal_the_native_reference() {
    let m = load_stories("cpu").await;
    assert_near_reference(&scores(&m).await, TOL_CPU, "wasm cpu");
}

#[wasm_bindgen_test]
async fn bad_bytes_and_options_reject_with_named_errors() {
    let e = load(b"<!doctype html><title>404</title>", "cpu").await.err().expect("not GGUF must fail");
    assert_eq!(error_name(&e), "ModelFormatError", "{}", error_text(&e));
    assert!(error_text(&e).contains("not a GGUF file"), "{}", error_text(&e));
    let e = load(&STORIES260K[..STORIES260K.len() / 3], "cpu").await.err().expect("truncated must fail");
    assert_eq!(error_name(&e), "ModelFormatError", "{}", error_text(&e));
    let e = load(STORIES260K, "webgl").await.err().expect("unknown backend must fail");
    assert_eq!(error_name(&e), "KaoshiError", "{}", error_text(&e));
    let m = load_stories("cpu").await;
    let controller = web_sys::AbortController::new().expect("AbortController");
    controller.abort();
    let opts = obj(&[("maxTokens", 8.into()), ("signal", controller.signal().into())]);
    let e = await_js(m.generate("Once".into(), Some(opts))).await.expect_err("an aborted signal must reject");
    assert_eq!(error_name(&e), "AbortError", "{}", error_text(&e));
}

#[wasm_bindgen_test]
async fn gpu_logits_equal_cpu_logits() {
    let gpu = load_stories("gpu").await;
    let i = info(&gpu);
    assert_eq!(i.backend, "gpu");
    console_log!("WebGPU adapter: {:?}", i.adapter);
    let cpu = load_stories("cpu").await;
    let tokens = cpu.tokenize("Once upon a time, there was a little girl named Lily. She liked", None).expect("tokens");
    let (rel, bad) = compare_logits(&logits(&gpu, &tokens).await, &logits(&cpu, &tokens).await, 512);
    console_log!("gpu vs cpu over {} positions: max abs diff / max abs logit = {rel:e}", tokens.len());
    assert!(rel <= TOL_LOGITS, "max abs diff / max abs logit = {rel} > {TOL_LOGITS}");
    assert!(bad.is_empty(), "top-1 differs at positions {bad:?}");
}

#[wasm_bindgen_test]
async fn gpu_scores_and_greedy_text_equal_the_cpu() {
    let gpu = load_stories("gpu").await;
    assert_near_reference(&scores(&gpu).await, TOL_GPU, "wasm gpu");
    let cpu = load_stories("cpu").await;
    assert_eq!(generate(&gpu, "Lily", 32).await, generate(&cpu, "Lily", 32).await);
    // Top-k sampling: WebGPU selects the 40 candidates on the device (the
    // host's list exactly, for the same logits). The logits differ from the
    // CPU's by rounding only (gpu_logits_equal_cpu_logits), far from moving
    // a seeded draw across a boundary in 48 tokens of this model.
    let sampled = || {
        obj(&[
            ("maxTokens", 48.into()),
            ("temperature", 1.0.into()),
            ("topK", 40.into()),
            ("topP", 0.95.into()),
            ("seed", 5.into()),
            ("stopAtEos", false.into()),
        ])
    };
    let (g, c) = (generate_with(&gpu, "Lily", sampled()).await, generate_with(&cpu, "Lily", sampled()).await);
    assert_eq!(g, c);
    assert_ne!(g, generate(&cpu, "Lily", 48).await, "sampling is not greedy");
}

/// Quantized models on WebGPU against the CPU. The kernels (each weight
/// type's decoder, the lanes matrix-vector kernel, the tiled kernel, the
/// quantized embedding gather) are the ones the native tests check, but
/// here they run on the browser's WebGPU, whose compiler and float
/// behaviour are not Vulkan's (SwiftShader's sin/cos once broke parity).
/// Both sides dequantize the same blocks and sum in f32 in different orders
/// (the CPU, from 8 rows on, runs an f32 GEMM on the dequantized matrix), so
/// the stories260K tolerance applies: TOL_LOGITS (1e-4 of the largest
/// logit); measured at most 1.4e-6 on SwiftShader, any type.
#[wasm_bindgen_test]
async fn quantized_models_give_the_cpu_logits_on_webgpu() {
    use kaoshi_cpu::synth::{SynthSpec, synthetic_bytes};
    use kaoshi_formats::GgmlDType;
    let spec = SynthSpec::small_llama();
    let tokens: Vec<u32> = (0..16u32).map(|i| (i * 37 + 5) % 300).collect();
    let types = [
        GgmlDType::Q4_0,
        GgmlDType::Q4_1,
        GgmlDType::Q5_0,
        GgmlDType::Q5_1,
        GgmlDType::Q8_0,
        GgmlDType::Q2K,
        GgmlDType::Q3K,
        GgmlDType::Q4K,
        GgmlDType::Q5K,
        GgmlDType::Q6K,
        GgmlDType::F16,
    ];
    for dtype in types {
        let bytes = synthetic_bytes(&spec, dtype, 7).unwrap_or_else(|e| panic!("{dtype:?}: {e}"));
        let gpu = load(&bytes, "gpu").await.unwrap_or_else(|e| panic!("{dtype:?} on gpu: {}", error_text(&e)));
        let cpu = load(&bytes, "cpu").await.unwrap_or_else(|e| panic!("{dtype:?} on cpu: {}", error_text(&e)));
        assert_eq!(info(&gpu).backend, "gpu");
        // The CPU's 16 rows are the reference; a causal row depends only on
        // the tokens up to it, so the GPU's 4-token pass (matrix-vector
        // kernels, <= 8 rows) is checked against their first 4 rows and its
        // 16-token pass (tiled kernels) against all.
        let want = logits(&cpu, &tokens).await;
        for n in [4, 16] {
            let got = logits(&gpu, &tokens[..n]).await;
            let (rel, bad) = compare_logits(&got, &want[..n * 300], 300);
            console_log!("{dtype:?}, {n} rows: max |gpu - cpu| / max |logit| = {rel:.2e}");
            assert!(rel <= TOL_LOGITS, "{dtype:?}, {n} rows: {rel:e}");
            assert!(bad.is_empty(), "{dtype:?}, {n} rows: top-1 differs at positions {bad:?}");
        }
    }
}

/// One CMMLU subject file (the loader reads whichever subjects it is given).
const CMMLU_AGRONOMY: &[u8] = include_bytes!("../../../../../shared/data/cmmlu/test/agronomy.csv");

#[derive(Debug, Deserialize)]
struct Record {
    doc_id: String,
    prediction: Option<String>,
    logprobs: Option<Vec<f64>>,
}

/// Runs `suite` through `Model.runSuite`; returns the streamed records and
/// the outcome's `acc,none`.
async fn run_suite(m: &Model, suite: &str, mode: &str, files: &[(&str, &[u8])]) -> Result<(Vec<Record>, f64), JsValue> {
    let file_obj = Object::new();
    for (path, bytes) in files {
        Reflect::set(&file_obj, &JsValue::from_str(path), &Uint8Array::from(*bytes)).expect("set file");
    }
    let request =
        obj(&[("suite", suite.into()), ("mode", mode.into()), ("limit", 8.into()), ("files", file_obj.into())]);
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = seen.clone();
    let on_record =
        wasm_bindgen::closure::Closure::<dyn FnMut(JsValue, f64, f64)>::new(move |r: JsValue, _d: f64, _t: f64| {
            sink.borrow_mut().push(serde_wasm_bindgen::from_value::<Record>(r).expect("record shape"));
        });
    let opts = obj(&[("onRecord", on_record.as_ref().clone())]);
    let outcome = await_js(m.run_suite(request, Some(opts))).await?;
    let acc = Reflect::get(
        &Reflect::get(&Reflect::get(&outcome, &"metrics".into())?, &"metrics".into())?,
        &"acc,none".into(),
    )?;
    drop(on_record);
    let records = std::mem::take(&mut *seen.borrow_mut());
    Ok((records, acc.as_f64().unwrap_or(f64::NAN)))
}

#[wasm_bindgen_test]
async fn suites_run_on_the_gpu_as_on_the_cpu() {
    let files: [(&str, &[u8]); 1] = [("test/agronomy.csv", CMMLU_AGRONOMY)];
    let cpu = load_stories("cpu").await;
    let gpu = load_stories("gpu").await;
    for (suite, mode, files) in [("cmmlu", "letter", &files[..]), ("demo", "loglik", &[][..])] {
        let (c, acc_c) = run_suite(&cpu, suite, mode, files).await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
        let (g, acc_g) = run_suite(&gpu, suite, mode, files).await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
        assert_eq!(c.len(), 8, "{suite}: records");
        assert_eq!(acc_c, acc_g, "{suite}: accuracy on the CPU and the GPU");
        for (a, b) in c.iter().zip(&g) {
            assert_eq!((&a.doc_id, &a.prediction), (&b.doc_id, &b.prediction), "{suite}");
            for (x, y) in a.logprobs.as_ref().expect("logprobs").iter().zip(b.logprobs.as_ref().expect("logprobs")) {
                assert!((x - y).abs() <= TOL_GPU, "{suite} {}: {x} vs {y} (tol {TOL_GPU})", a.doc_id);
            }
        }
        console_log!("{suite} ({mode}): 8 items, acc {acc_c} on the CPU and the GPU");
    }
    let bad: [(&str, &[u8]); 1] = [("test/agronomy.csv", b"\"\",\"Question\",\"A\"\n\"1\",\"q\"\n")];
    let e = run_suite(&cpu, "cmmlu", "letter", &bad).await.expect_err("a malformed file must fail");
    assert_eq!(error_name(&e), "SuiteDataError", "{}", error_text(&e));
    assert!(error_text(&e).contains("agronomy.csv"), "{}", error_text(&e));
}

/// A `Blob` is read tensor by tensor in a worker (`FileReaderSync`), with
/// the same greedy text as the bytes on both backends and progress up to
/// the file's size; in the page, where there is no `FileReaderSync`, it
/// rejects saying a worker is needed.
#[wasm_bindgen_test]
async fn blobs_load_piece_by_piece_in_a_worker() {
    let parts = js_sys::Array::of1(&Uint8Array::from(STORIES260K));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).expect("Blob");
    let in_worker = Reflect::has(&js_sys::global(), &JsValue::from_str("FileReaderSync")).unwrap_or(false);
    if !in_worker {
        let e = Model::load_blob(blob, Some("cpu".into()), None).await.err().expect("no FileReaderSync in a page");
        assert!(error_text(&e).contains("Web Worker"), "{}", error_text(&e));
        return;
    }
    let want = generate(&load_stories("cpu").await, "Lily", 32).await;
    for backend in ["cpu", "gpu"] {
        let seen = std::rc::Rc::new(std::cell::Cell::new((0.0f64, 0.0f64, 0usize)));
        let sink = seen.clone();
        let progress = wasm_bindgen::closure::Closure::<dyn FnMut(f64, f64)>::new(move |loaded: f64, total: f64| {
            let (last, _, calls) = sink.get();
            assert!(loaded >= last, "progress went back: {loaded} < {last}");
            sink.set((loaded, total, calls + 1));
        });
        let f: &js_sys::Function = progress.as_ref().unchecked_ref();
        let m = Model::load_blob(blob.clone(), Some(backend.into()), Some(f.clone()))
            .await
            .unwrap_or_else(|e| panic!("{backend}: {}", error_text(&e)));
        assert_eq!(info(&m).backend, backend);
        let (loaded, total, calls) = seen.get();
        assert_eq!(total, STORIES260K.len() as f64);
        assert!(calls > 10 && loaded > 0.9 * total, "{backend}: {calls} progress calls, {loaded} of {total} bytes");
        assert_eq!(generate(&m, "Lily", 32).await, want, "{backend}: text from a Blob");
        console_log!("{backend}: stories260K from a Blob in {calls} reads");
    }
}

/// A lost WebGPU device (destroyed as the browser would lose it) makes the
/// model's calls reject with a `WebGpuUnavailableError`, not panic or hang;
/// a model loaded again works.
#[wasm_bindgen_test]
async fn a_lost_gpu_device_rejects_and_a_new_model_works() {
    let gpu = load_stories("gpu").await;
    let want = generate(&gpu, "Lily", 16).await;
    assert!(gpu.lose_gpu_device(), "the model is on the GPU");
    let opts = obj(&[("maxTokens", 16.into()), ("temperature", 0.0.into())]);
    let e = await_js(gpu.generate("Lily".into(), Some(opts))).await.expect_err("a lost device must fail");
    assert_eq!(error_name(&e), "WebGpuUnavailableError", "{}", error_text(&e));
    console_log!("after losing the device: {}", error_text(&e));
    let again = load_stories("gpu").await;
    assert_eq!(generate(&again, "Lily", 16).await, want);
    assert!(!load_stories("cpu").await.lose_gpu_device(), "nothing to lose on the CPU");
}

/// Every kernel variant this adapter can run compiles into a pipeline in
/// the browser's own WGSL compiler (Tint in Chromium). naga validates every
/// variant natively (`crates/gpu/tests/shaders.rs`), but only the kernels
/// the F32 stories260K model uses run in the other browser tests; this
/// reaches the quantized ones (matvec_lanes.wgsl, the tiled kernel, embed)
/// too. It runs in the page only: the worker has the same compiler, and the
/// ~180 pipelines take about a minute on SwiftShader.
#[wasm_bindgen_test]
async fn every_kernel_variant_compiles_in_the_browser() {
    if !Reflect::has(&js_sys::global(), &"document".into()).unwrap_or(false) {
        console_log!("kernel variants are compiled in the page run");
        return;
    }
    let dev = kaoshi_gpu::GpuDevice::new_async().await.expect("a WebGPU adapter (SwiftShader in CI)");
    let specs: Vec<kaoshi_gpu::KernelSpec> =
        kaoshi_gpu::KernelSpec::all().into_iter().filter(|s| dev.can_run(s)).collect();
    assert!(specs.len() >= 100, "only {} variants can run on this adapter", specs.len());
    let started = js_sys::Date::now();
    let mut failures = Vec::new();
    for spec in &specs {
        let errors = dev.compile_errors(*spec).await;
        if !errors.is_empty() {
            failures.push(format!("{spec:?}: {}", errors.join("; ")));
        }
    }
    console_log!("{} kernel variants compiled in {:.0} ms", specs.len(), js_sys::Date::now() - started);
    assert!(failures.is_empty(), "{} of {} variants failed:\n{}", failures.len(), specs.len(), failures.join("\n"));
}
