//! Hooks on a trained model: SmolLM2-135M-Instruct (Q4_1, 30 blocks),
//! fetched with `../shared/models/get-smollm2.sh` (a failed fetch fails the
//! test, with the script's message). The GPU's captures (the attention
//! pattern, the MLP neurons, the final norm) equal the CPU's, the patterns
//! are distributions over the visible keys, and zeroing neurons moves both
//! backends' next-token log-probabilities alike. Needs a GPU adapter
//! (lavapipe works).

mod common;

use common::gpu_or_skip;
use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::GpuBackend;
use kaoshi_model::{Backend, Capture, CaptureRequest, Forward, HookPoint, HookSet, Intervention, Model, RowSet};
use kaoshi_tokenizer::Tokenizer;

fn smollm2() -> std::path::PathBuf {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models/get-smollm2.sh");
    assert!(script.exists(), "this test needs {} (the ../shared folder)", script.display());
    let out = std::process::Command::new("bash").arg(&script).output().expect("run get-smollm2.sh");
    assert!(out.status.success(), "get-smollm2.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().into()
}

/// Every row's logits and the captures of one causal pass. (With 8 rows
/// or more the CPU multiplies in f32 as the GPU does; one row would go
/// through candle's quantized product, which rounds x to 8 bits.)
fn run<B: Backend>(m: &Model<B>, tokens: &[u32], hooks: &HookSet) -> (Vec<f32>, Vec<Capture>) {
    let rows: Vec<usize> = (0..tokens.len()).collect();
    let out = m.run(Forward::causal(tokens).logit_rows(&rows).hooks(Some(hooks)), &mut m.new_cache()).expect("run");
    let logits = out.logits.to_host(m.backend(), m.config().vocab_size).expect("logits").data;
    (logits, out.captures.download(m.backend()).expect("captures"))
}

/// `max |a - b|` over `max |b|`.
fn rel_diff(a: &[f32], b: &[f32]) -> f32 {
    let scale = b.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-6);
    a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs())) / scale
}

#[test]
fn smollm2_captures_and_interventions_agree_on_cpu_and_gpu() {
    let Some(dev) = gpu_or_skip() else { return };
    let file = GgufFile::open(&smollm2()).expect("open SmolLM2");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    let cpu = Model::load(&file, CpuBackend::new()).expect("load on the CPU");
    let gpu = Model::load(&file, GpuBackend::from_device(dev)).expect("load on the GPU");
    let tokens = tok.encode("The capital of France is Paris, and the capital of Italy is", false, false).expect("ids");
    assert!(tokens.len() >= 8, "8 rows or more: the CPU multiplies in f32, as the GPU does");
    let rows = RowSet::Batch(vec![0, tokens.len() / 2, tokens.len() - 1]);
    let points = [HookPoint::AttnPattern(12), HookPoint::MlpPost(12), HookPoint::ResidPost(29), HookPoint::LnFinal];
    let hooks = HookSet {
        captures: points.iter().map(|&point| CaptureRequest { point, rows: rows.clone() }).collect(),
        ..Default::default()
    };
    let (_, want) = run(&cpu, &tokens, &hooks);
    let (_, got) = run(&gpu, &tokens, &hooks);
    assert_eq!(got.len(), want.len());
    // Both sides dequantize the same Q4_1 blocks and sum in f32 in other
    // orders through 30 blocks; measured on lavapipe: at most 2e-5 of the
    // largest value, 5e-4 allowed.
    for (g, w) in got.iter().zip(&want) {
        let d = rel_diff(&g.values, &w.values);
        eprintln!("{} row {}: max |gpu - cpu| / max |cpu| = {d:.1e}", g.point, g.row);
        assert!((g.point, g.row) == (w.point, w.row) && d <= 5e-4, "{} row {}: {d}", g.point, g.row);
    }
    // Each head's pattern is a distribution over the keys its row sees.
    let keys = tokens.len();
    for c in want.iter().filter(|c| c.point == HookPoint::AttnPattern(12)) {
        for head in c.values.chunks(keys) {
            assert!((head.iter().sum::<f32>() - 1.0).abs() < 1e-4, "row {}", c.row);
            assert!(head[c.row + 1..].iter().all(|&p| p == 0.0), "row {} sees later keys", c.row);
        }
    }
    // Zeroing a tenth of block 12's neurons at every row changes the
    // logits, by the same amount on both backends (measured: 2e-5 of the
    // change on lavapipe; 5e-3 allowed).
    let zero = HookSet {
        interventions: vec![Intervention::ScaleNeurons {
            layer: 12,
            neurons: (0..1536).step_by(10).collect(),
            factor: 0.0,
            rows: RowSet::All,
        }],
        ..Default::default()
    };
    let none = HookSet::default();
    let (c0, c1) = (run(&cpu, &tokens, &none).0, run(&cpu, &tokens, &zero).0);
    let (g0, g1) = (run(&gpu, &tokens, &none).0, run(&gpu, &tokens, &zero).0);
    let moved: Vec<f32> = c1.iter().zip(&c0).map(|(a, b)| a - b).collect();
    let moved_gpu: Vec<f32> = g1.iter().zip(&g0).map(|(a, b)| a - b).collect();
    let size = moved.iter().fold(0f32, |m, x| m.max(x.abs()));
    eprintln!("zeroing 154 neurons of block 12 moves the logits by up to {size:.3}");
    assert!(size > 0.05, "the intervention must matter ({size})");
    let d = rel_diff(&moved_gpu, &moved);
    eprintln!("the GPU's change of the logits differs from the CPU's by {d:.1e} of it");
    assert!(d <= 5e-3, "{d}");
}
