//! `kaoshi quantize`'s files hold the block layouts every reader decodes: a
//! synthetic F32 llama quantized to each type the GPU runs (F32, F16,
//! Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K) loads on the CPU and on the
//! GPU backend, and their logits agree within the tolerance of
//! `e2e.rs`'s synthetic K-quant test: top-1 on >= 99% of positions and
//! max |gpu - cpu| <= 1e-3 of the largest logit (the two backends decode
//! the same bytes; they differ in summation order). Fails without an
//! adapter when `KAOSHI_REQUIRE_GPU=1`.

mod common;

use kaoshi_cpu::CpuBackend;
use kaoshi_cpu::quantize::{Options, TYPES, quantize_file};
use kaoshi_cpu::synth::{SynthSpec, write_synthetic};
use kaoshi_formats::{GgmlDType, GgufFile};
use kaoshi_gpu::GpuBackend;
use kaoshi_model::Model;

#[test]
fn quantized_models_give_the_cpu_logits_on_the_gpu() {
    if common::gpu_or_skip().is_none() {
        return;
    }
    let dir = std::env::temp_dir();
    let input = dir.join(format!("kaoshi-gpu-quantize-f32-{}.gguf", std::process::id()));
    write_synthetic(&SynthSpec::small_llama(), GgmlDType::F32, 21, None, &input, &mut |_, _| {}).expect("synthesize");
    let tokens: Vec<u32> = (0..16u32).map(|i| (i * 53 + 3) % 300).collect();
    for dtype in TYPES {
        let out = dir.join(format!("kaoshi-gpu-quantize-{}-{}.gguf", dtype.name(), std::process::id()));
        let opts = Options { dtype, keep_output_type: false, threads: 2 };
        quantize_file(&input, &out, &opts, &mut |_, _| {}).expect("quantize");
        let file = GgufFile::open(&out).expect("open quantized model");
        for t in file.tensors().iter().filter(|t| t.shape.len() == 2) {
            assert_eq!(t.dtype, dtype, "{} is not {dtype}", t.name);
        }
        let want = common::causal_logits(&Model::load(&file, CpuBackend::new()).expect("load on CPU"), &tokens);
        let dev = common::gpu_or_skip().expect("the adapter opened before");
        let got =
            common::causal_logits(&Model::load(&file, GpuBackend::from_device(dev)).expect("load on GPU"), &tokens);
        assert_eq!((got.rows, got.cols), (want.rows, want.cols));
        let max_abs = got.data.iter().zip(&want.data).map(|(g, w)| (g - w).abs()).fold(0f32, f32::max);
        let scale = want.data.iter().map(|w| w.abs()).fold(0f32, f32::max);
        let same = (0..want.rows)
            .filter(|&i| kaoshi_model::host_argmax(got.row(i)) == kaoshi_model::host_argmax(want.row(i)))
            .count();
        eprintln!(
            "{dtype}: top-1 {same}/{} positions, max |gpu - cpu| {max_abs:.3e} (max |logit| {scale:.3})",
            want.rows
        );
        assert!(same * 100 >= want.rows * 99, "{dtype}: top-1 agrees on {same} of {} positions", want.rows);
        assert!(max_abs <= 1e-3 * scale.max(1.0), "{dtype}: max abs diff {max_abs}");
        let _ = std::fs::remove_file(&out);
    }
    let _ = std::fs::remove_file(&input);
}
