//! End to end: stories260K (a real trained llama, F32) decoded greedily
//! from BOS gives the same tokens on the GPU backend as on the CPU backend.
//! Needs ../shared/fixtures (from the repository root) and a GPU adapter.

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
    let gpu = greedy(&Model::load(&file, GpuBackend::from_device(dev)).expect("load on GPU"), bos, n);
    eprintln!("{n} tokens: CPU {cpu_time:?}, GPU {:?}", started.elapsed());
    let first_diff = cpu.iter().zip(&gpu).position(|(a, b)| a != b);
    assert_eq!(first_diff, None, "GPU tokens diverge from CPU at step {first_diff:?}");
    assert_eq!(gpu.len(), n);
}
