//! Where `AnyModel::load` puts a model, and why: the CPU when asked, a
//! software adapter left for the CPU by `auto` (unless accepted), a model
//! the GPU cannot hold moved to the CPU by `auto` with the reason, and a
//! malformed file refused on any backend. GPU cases need an adapter
//! (lavapipe works) and fail without one under `KAOSHI_REQUIRE_GPU=1`.

use kaoshi_cpu::synth::{SynthSpec, synthetic_bytes};
use kaoshi_formats::{GgmlDType, GgufFile};
use kaoshi_model::{BackendError, ModelError};
use kaoshi_runtime::{
    AnyModel, BackendChoice, Fallback, GpuTuning, LoadOptions, choose_device, with_model, with_model_pair,
};

fn stories260k() -> GgufFile {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/models/stories260K/stories260K.gguf");
    assert!(path.exists(), "this test needs {} (the ../shared fixtures next to the repository)", path.display());
    GgufFile::open(&path).unwrap()
}

fn load(
    file: &GgufFile,
    choice: BackendChoice,
    auto_accepts_software: bool,
) -> Result<kaoshi_runtime::Placement, ModelError> {
    let opts = LoadOptions { auto_accepts_software, ..LoadOptions::default() };
    pollster::block_on(AnyModel::load(file, choice, opts))
}

/// Whether a GPU adapter opens and is a software one; `None` without an
/// adapter (a failure under `KAOSHI_REQUIRE_GPU=1`).
fn adapter_is_software() -> Option<bool> {
    match pollster::block_on(choose_device(BackendChoice::Gpu, &GpuTuning::default(), false)) {
        Ok((Some(dev), None)) => Some(dev.info().software),
        Ok(other) => panic!("gpu gave no device and no error: fallback {:?}", other.1),
        Err(e) if std::env::var("KAOSHI_REQUIRE_GPU").is_ok_and(|v| v == "1") => {
            panic!("KAOSHI_REQUIRE_GPU=1 but no GPU device could be opened: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED: no GPU device ({e}); set KAOSHI_REQUIRE_GPU=1 to make this a failure");
            None
        }
    }
}

#[test]
fn cpu_is_the_cpu_and_generic_code_runs_on_it() {
    let placed = load(&stories260k(), BackendChoice::Cpu, false).unwrap();
    assert!(placed.fallback.is_none());
    assert_eq!((placed.model.backend_name(), placed.model.describe()), ("cpu", "cpu".to_string()));
    assert!(placed.model.adapter().is_none() && !placed.model.lose_device());
    assert_eq!(with_model!(&placed.model, |m| m.config().vocab_size), 512);
    let judge = load(&stories260k(), BackendChoice::Cpu, false).unwrap();
    let pair = with_model_pair!(&placed.model, &judge.model, |m, j| m.config().n_layers + j.config().n_layers);
    assert_eq!(pair, Some(10));
}

#[test]
fn a_malformed_file_fails_before_any_device() {
    let file = GgufFile::from_bytes("not-a-model.gguf", synthetic_vocab_only()).unwrap();
    let errors: Vec<String> = [BackendChoice::Cpu, BackendChoice::Gpu, BackendChoice::Auto]
        .into_iter()
        .map(|choice| {
            let e = load(&file, choice, true).err().expect("a vocabulary is not a model");
            assert!(!matches!(e, ModelError::Backend(_)), "{choice}: {e}");
            e.to_string()
        })
        .collect();
    assert!(errors.iter().all(|e| *e == errors[0]), "{errors:?}");
}

/// A vocabulary-only GGUF (llama.cpp's tokenizer fixtures): no weights.
fn synthetic_vocab_only() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/tokenizers/llama.cpp-vocab/ggml-vocab-llama-spm.gguf");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn auto_leaves_a_software_adapter_for_the_cpu() {
    let Some(software) = adapter_is_software() else { return };
    let file = stories260k();
    let placed = load(&file, BackendChoice::Auto, false).unwrap();
    if software {
        assert_eq!(placed.model.backend_name(), "cpu");
        match &placed.fallback {
            Some(f @ Fallback::SoftwareAdapter(name)) => {
                assert!(!name.is_empty());
                assert!(f.to_string().contains("software rasterizer"), "{f}");
            }
            other => panic!("expected a software-adapter fallback, got {other:?}"),
        }
    } else {
        assert_eq!(placed.model.backend_name(), "gpu");
        assert!(placed.fallback.is_none());
    }
    let accepted = load(&file, BackendChoice::Auto, true).unwrap();
    assert_eq!(accepted.model.backend_name(), "gpu");
    assert!(accepted.model.describe().starts_with("gpu: "));
    let gpu = load(&file, BackendChoice::Gpu, false).unwrap();
    assert_eq!(gpu.model.backend_name(), "gpu", "gpu takes any adapter");
    if software {
        let pair = with_model_pair!(&gpu.model, &placed.model, |_m, _j| ());
        assert!(pair.is_none(), "a GPU model and a CPU model make no pair");
    }
}

/// BF16 weights have no GPU kernels: `gpu` fails with the kind, `auto`
/// (given a GPU) loads on the CPU and says which tensor did not load.
#[test]
fn auto_moves_a_model_the_gpu_cannot_hold_to_the_cpu() {
    if adapter_is_software().is_none() {
        return;
    }
    let bytes = synthetic_bytes(&SynthSpec::small_llama(), GgmlDType::BF16, 3).unwrap();
    let file = GgufFile::from_bytes("bf16.gguf", bytes).unwrap();
    match load(&file, BackendChoice::Gpu, false) {
        Err(ModelError::Backend(BackendError::UnsupportedDtype { dtype, .. })) => assert_eq!(dtype, "BF16"),
        other => panic!("expected UnsupportedDtype, got {:?}", other.err()),
    }
    let placed = load(&file, BackendChoice::Auto, true).unwrap();
    assert_eq!(placed.model.backend_name(), "cpu");
    match &placed.fallback {
        Some(f @ Fallback::LoadFailed { error: BackendError::UnsupportedDtype { .. }, .. }) => {
            assert!(f.to_string().contains("BF16"), "{f}");
        }
        other => panic!("expected a load-failed fallback, got {other:?}"),
    }
}
