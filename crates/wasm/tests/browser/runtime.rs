//! The backend choice and the forward request in the browser: `auto` and
//! a software adapter (SwiftShader), a weight type without GPU kernels,
//! Llama-3.1-style rope factors on WebGPU, and captures read back after a
//! pass on WebGPU. Run in the page and in a dedicated worker.

use js_sys::Uint8Array;
use kaoshi_cpu::synth::{SynthSpec, synthetic_bytes};
use kaoshi_formats::GgmlDType;
use kaoshi_model::{CaptureRequest, HookPoint, HookSet, RowSet};
use kaoshi_wasm::{BackendChoice, Model, Session};
use serde::Deserialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use crate::common::*;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Info {
    backend: String,
    fallback_reason: Option<String>,
}

fn info(m: &Model) -> Info {
    serde_wasm_bindgen::from_value(m.info().expect("info")).expect("info shape")
}

fn error_text(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(err) => format!("{}: {}", String::from(err.name()), String::from(err.message())),
        None => format!("{e:?}"),
    }
}

async fn load(bytes: &[u8], backend: &str) -> Result<Model, JsValue> {
    Model::load(Uint8Array::from(bytes), Some(backend.to_string())).await
}

async fn logits(m: &Model, tokens: &[u32]) -> Vec<f32> {
    let v = JsFuture::from(m.logits(tokens.to_vec())).await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    v.dyn_into::<js_sys::Float32Array>().expect("a Float32Array").to_vec()
}

/// Whether the browser's WebGPU adapter is a fallback (software) one.
async fn adapter_is_software() -> bool {
    let dev = kaoshi_gpu::GpuDevice::new_async().await.expect("a WebGPU adapter (SwiftShader in CI)");
    dev.info().software
}

/// `auto` runs on the CPU when the only adapter is a software rasterizer
/// (SwiftShader here), saying so in `info().fallbackReason`; `gpu` takes it.
#[wasm_bindgen_test]
async fn auto_leaves_a_software_adapter_for_the_cpu() {
    let software = adapter_is_software().await;
    let auto = load(STORIES260K, "auto").await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    let i = info(&auto);
    console_log!("auto: backend {}, reason {:?}", i.backend, i.fallback_reason);
    if software {
        assert_eq!(i.backend, "cpu");
        let reason = i.fallback_reason.expect("a reason for the CPU");
        assert!(reason.contains("software rasterizer"), "{reason}");
    } else {
        assert_eq!((i.backend.as_str(), i.fallback_reason), ("gpu", None));
    }
    let gpu = load(STORIES260K, "gpu").await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    assert_eq!(info(&gpu).backend, "gpu");
}

/// BF16 weights have no GPU kernels: `gpu` rejects with
/// `UnsupportedQuantError` (the kind carried through the backend trait),
/// `auto` loads on the CPU.
#[wasm_bindgen_test]
async fn a_weight_type_without_gpu_kernels_is_unsupported_quant() {
    let bytes = synthetic_bytes(&SynthSpec::small_llama(), GgmlDType::BF16, 3).expect("BF16 model");
    let e = load(&bytes, "gpu").await.err().expect("BF16 weights on WebGPU must fail");
    assert_eq!(String::from(e.dyn_ref::<js_sys::Error>().expect("an Error").name()), "UnsupportedQuantError");
    assert!(error_text(&e).contains("BF16"), "{}", error_text(&e));
    let auto = load(&bytes, "auto").await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    assert_eq!(info(&auto).backend, "cpu");
}

/// A llama with `rope_freqs.weight` (Llama 3.1's frequency factors) loads
/// on WebGPU, where a tensor cannot be read back synchronously, and gives
/// the CPU's logits (TOL_LOGITS, as every WebGPU parity test); the factors
/// matter (the model without them gives other logits).
#[wasm_bindgen_test]
async fn rope_frequency_factors_load_on_webgpu() {
    let spec = SynthSpec { rope_freqs: true, ..SynthSpec::small_llama() };
    let bytes = synthetic_bytes(&spec, GgmlDType::F32, 7).expect("model with rope_freqs");
    let tokens: Vec<u32> = (0..12u32).map(|i| (i * 41 + 3) % 300).collect();
    let gpu = load(&bytes, "gpu").await.unwrap_or_else(|e| panic!("rope_freqs on gpu: {}", error_text(&e)));
    let cpu = load(&bytes, "cpu").await.unwrap_or_else(|e| panic!("{}", error_text(&e)));
    let want = logits(&cpu, &tokens).await;
    let (rel, bad) = compare_logits(&logits(&gpu, &tokens).await, &want, 300);
    console_log!("rope_freqs: max |gpu - cpu| / max |logit| = {rel:.2e}");
    assert!(rel <= TOL_LOGITS && bad.is_empty(), "{rel:e}, top-1 differs at {bad:?}");
    let plain = synthetic_bytes(&SynthSpec::small_llama(), GgmlDType::F32, 7).expect("model");
    let without = logits(&load(&plain, "cpu").await.expect("load"), &tokens).await;
    let (rel, _) = compare_logits(&without, &want, 300);
    assert!(rel > 1e-3, "the frequency factors changed nothing ({rel:e})");
}

/// Captures stay on the device during the pass and are read back after it
/// with awaited reads (WebGPU cannot block): every point of a block, the
/// attention pattern included, at chosen batch rows, equals the CPU's.
#[wasm_bindgen_test]
async fn captures_are_read_back_after_the_pass_on_webgpu() {
    let gpu = Session::load(STORIES260K.to_vec(), BackendChoice::Gpu).await.expect("gpu session");
    let cpu = Session::load(STORIES260K.to_vec(), BackendChoice::Cpu).await.expect("cpu session");
    let points = [
        HookPoint::Embed,
        HookPoint::AttnQ(2),
        HookPoint::AttnPattern(2),
        HookPoint::AttnZ(2),
        HookPoint::MlpPost(2),
        HookPoint::ResidPost(4),
        HookPoint::LnFinal,
    ];
    let rows = RowSet::Batch(vec![0, 5, 9]);
    let hooks = HookSet {
        captures: points.iter().map(|&point| CaptureRequest { point, rows: rows.clone() }).collect(),
        ..Default::default()
    };
    let tokens = cpu.prompt_tokens("Once upon a time, there was a little girl").expect("tokens");
    assert!(tokens.len() > 9);
    let got = gpu.capture(&tokens, &hooks).await.expect("gpu captures");
    let want = cpu.capture(&tokens, &hooks).await.expect("cpu captures");
    assert_eq!(got.len(), points.len() * 3);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.point, g.row, g.values.len()), (w.point, w.row, w.values.len()));
        let scale = w.values.iter().fold(0f32, |m, x| m.max(x.abs()));
        let diff = g.values.iter().zip(&w.values).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(diff <= TOL_LOGITS * scale.max(1e-3), "{} row {}: {diff} of {scale}", g.point, g.row);
    }
}
