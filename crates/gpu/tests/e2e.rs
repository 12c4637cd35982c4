//! End to end: stories260K (a real trained llama, F32) decoded greedily
//! from BOS gives the same tokens on the GPU backend as on the CPU backend.
//! Needs ../shared/fixtures (from the repository root) and a GPU adapter.
//! Also: a synthetic llama in each of Q2_K..Q6_K gives the CPU's logits.

mod common;

use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::GpuBackend;
use kaoshi_model::{Backend, Model};

/// Tokens greedy decoding produces from BOS, one forward step per token.
fn greedy<B: Backend>(model: &Model<B>, bos: u32, n: usize) -> Vec<u32> {
    let mut cache = model.new_cache();
    let mut tokens = Vec::with_capacity(n);
    let mut next = bos;
    for _ in 0..n {
        let logits = model.forward_causal(&[next], &mut cache, None, &[0]).expect("forward");
        let row = logits.row(0);
        let best = (0..row.len()).fold(0, |b, i| if row[i] > row[b] { i } else { b });
        next = best as u32;
        tokens.push(next);
    }
    tokens
}

#[test]
fn stories260k_greedy_from_bos_equals_cpu() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/models/stories260K/stories260K.gguf");
    assert!(path.exists(), "this test needs {} (the ../shared fixtures next to the repository)", path.display());
    let Some(dev) = common::gpu_or_skip() else { return };
    let file = GgufFile::open(&path).expect("open stories260K");
    let bos = file.metadata().get_u64("tokenizer.ggml.bos_token_id").expect("metadata").expect("BOS id") as u32;
    let n = 256;
    let started = std::time::Instant::now();
    let cpu = greedy(&Model::load(&file, CpuBackend::new()).expect("load on CPU"), bos, n);
    let cpu_time = started.elapsed();
    let started = std::time::Instant::now();
    let model = Model::load(&file, GpuBackend::from_device(dev)).expect("load on GPU");
    let gpu = greedy(&model, bos, n);
    eprintln!("{n} tokens: CPU {cpu_time:?}, GPU {:?}", started.elapsed());
    // Decoding binds the same buffers every step: bind groups are reused
    // (bind_cache.rs), apart from the first steps and after the key/value
    // cache moves to a larger buffer.
    let (reused, made) = model.backend().device().bind_group_stats();
    let share = reused as f64 / (reused + made) as f64;
    eprintln!("bind groups: {reused} reused, {made} made");
    assert!(share > 0.8, "only {:.1}% of bind groups reused", share * 100.0);
    let first_diff = cpu.iter().zip(&gpu).position(|(a, b)| a != b);
    assert_eq!(first_diff, None, "GPU tokens diverge from CPU at step {first_diff:?}");
    assert_eq!(gpu.len(), n);
}

/// Logits of all `tokens` in one causal forward pass.
fn logits<B: Backend>(model: &Model<B>, tokens: &[u32]) -> kaoshi_model::HostTensor {
    let rows: Vec<usize> = (0..tokens.len()).collect();
    model.forward_causal(tokens, &mut model.new_cache(), None, &rows).expect("forward")
}

fn argmax(row: &[f32]) -> usize {
    (0..row.len()).fold(0, |b, i| if row[i] > row[b] { i } else { b })
}

/// A synthetic llama (2 layers, dim 256, 4 heads, ffn 512, vocab 300) with
/// every matrix in Q2_K, Q3_K, Q4_K, Q5_K, then Q6_K: the GPU's logits for
/// 16 tokens agree with the CPU's (16 rows, so the CPU dequantizes and runs
/// f32 GEMMs; the difference is summation order). Top-1 on >= 99% of
/// positions.
#[test]
fn synthetic_llama_k_quants_logits_match_cpu() {
    use kaoshi_formats::GgmlDType;
    use kaoshi_formats::synth::{SynthSpec, write_synthetic};
    let spec = SynthSpec {
        arch: "llama".into(),
        layers: 2,
        dim: 256,
        heads: 4,
        kv_heads: 4,
        head_dim: 64,
        ffn: 512,
        vocab: 300,
        context: 64,
        rope_theta: 10000.0,
        rms_eps: 1e-5,
        tied: false,
    };
    let tokens: Vec<u32> = (0..16u32).map(|i| (i * 37 + 5) % 300).collect();
    for dtype in [GgmlDType::Q2K, GgmlDType::Q3K, GgmlDType::Q4K, GgmlDType::Q5K, GgmlDType::Q6K] {
        let path = std::env::temp_dir().join(format!("kaoshi-gpu-synth-{dtype:?}-{}.gguf", std::process::id()));
        write_synthetic(&spec, dtype, 7, None, &path, &mut |_, _| {}).expect("write synthetic model");
        let file = GgufFile::open(&path).expect("open synthetic model");
        for info in file.tensors().iter().filter(|t| t.shape.len() == 2) {
            assert_eq!(info.dtype, dtype, "{} is not {dtype:?}", info.name);
        }
        let want = logits(&Model::load(&file, CpuBackend::new()).expect("load on CPU"), &tokens);
        let Some(dev) = common::gpu_or_skip() else { return };
        let got = logits(&Model::load(&file, GpuBackend::from_device(dev)).expect("load on GPU"), &tokens);
        assert_eq!((got.rows, got.cols), (want.rows, want.cols));
        let max_abs = got.data.iter().zip(&want.data).map(|(g, w)| (g - w).abs()).fold(0f32, f32::max);
        let scale = want.data.iter().map(|w| w.abs()).fold(0f32, f32::max);
        let same = (0..want.rows).filter(|&i| argmax(got.row(i)) == argmax(want.row(i))).count();
        eprintln!(
            "{dtype:?}: top-1 {same}/{} positions, max |gpu - cpu| {max_abs:.3e} (max |logit| {scale:.3})",
            want.rows
        );
        assert!(same * 100 >= want.rows * 99, "{dtype:?}: top-1 agrees on {same} of {} positions", want.rows);
        assert!(max_abs <= 1e-3 * scale.max(1.0), "{dtype:?}: max abs diff {max_abs}");
        let _ = std::fs::remove_file(&path);
    }
}
