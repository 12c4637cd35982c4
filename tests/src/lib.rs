//! Helpers for the end-to-end tests: where the shared fixtures are, and
//! small synthetic models written on demand.

use std::path::{Path, PathBuf};

use kaoshi_cpu::CpuBackend;
use kaoshi_cpu::synth::{SynthSpec, write_synthetic};
use kaoshi_formats::GgufFile;
use kaoshi_model::Model;
use kaoshi_tokenizer::Tokenizer;

/// `../shared` beside the repository, where the real fixtures live.
/// Panics with instructions when it is missing: these tests must not pass
/// without their data.
pub fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    assert!(
        p.join("fixtures").is_dir(),
        "the shared fixtures are missing: expected {} (the project's ../shared folder)",
        p.display()
    );
    p
}

/// The stories260K model file (a real trained llama, F32).
pub fn stories260k() -> PathBuf {
    shared().join("fixtures/models/stories260K/stories260K.gguf")
}

/// Loads a model and its GGUF tokenizer on the CPU.
pub fn load(path: &Path) -> (Model<CpuBackend>, Tokenizer) {
    let file = GgufFile::open(path).expect("open model");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    let model = Model::load(&file, CpuBackend::new()).expect("load model");
    (model, tok)
}

/// Writes (once per test process) a small synthetic model of `arch` in F32
/// with stories260K's vocabulary, and returns its path.
pub fn synthetic(arch: &str) -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = std::env::temp_dir().join(format!("kaoshi-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join(format!("{arch}.gguf"));
    if !out.exists() {
        let spec = SynthSpec {
            arch: arch.into(),
            layers: 2,
            dim: 64,
            heads: 4,
            kv_heads: 2,
            head_dim: 16,
            ffn: 96,
            vocab: 512,
            context: 512,
            rope_theta: 10_000.0,
            rms_eps: 1e-6,
            tied: arch == "qwen2",
            rope_freqs: false,
        };
        let vocab = GgufFile::open(&stories260k()).expect("open stories260K");
        let tmp = dir.join(format!("{arch}.gguf.part"));
        write_synthetic(&spec, kaoshi_formats::GgmlDType::F32, 7, Some(&vocab), &tmp, &mut |_, _| {})
            .expect("write synthetic model");
        std::fs::rename(&tmp, &out).expect("rename");
    }
    out
}
