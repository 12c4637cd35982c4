//! IRCAN attribution: completeness of integrated gradients (the sum of a
//! block's attributions approaches `p(α=1) − p(α=0)` as the steps grow) on
//! a tiny synthetic model in f64 and on SmolLM2-135M-Instruct (fetched by
//! ../shared/models/get-smollm2.sh) for MemoTrap items; the interpolation
//! row at `α = 1` reproduces the context pass.

use std::path::{Path, PathBuf};
use std::time::Instant;

use kaoshi_cpu::GradBackend;
use kaoshi_cpu::grad::Precision;
use kaoshi_cpu::synth::{SynthSpec, synthetic_bytes};
use kaoshi_engine::score::encode_pair;
use kaoshi_formats::{GgmlDType, GgufFile};
use kaoshi_model::Model;
use kaoshi_probe::ircan_attr::{AttrOptions, IgMode, Points, attribute};
use kaoshi_tokenizer::Tokenizer;

fn smollm2() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/models/get-smollm2.sh");
    assert!(script.is_file(), "this test needs {} (the ../shared folder)", script.display());
    let out = std::process::Command::new("bash").arg(&script).output().expect("run get-smollm2.sh");
    assert!(out.status.success(), "get-smollm2.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().into()
}

fn opts(steps: usize, mode: IgMode, points: Points, layers: Vec<usize>) -> AttrOptions {
    AttrOptions { steps, mode, points, layers }
}

#[test]
fn completeness_gap_shrinks_with_steps_on_a_tiny_model() {
    let spec = SynthSpec {
        layers: 3,
        dim: 64,
        heads: 4,
        kv_heads: 2,
        head_dim: 16,
        ffn: 96,
        vocab: 50,
        ..SynthSpec::small_llama()
    };
    let file = GgufFile::from_bytes("tiny", synthetic_bytes(&spec, GgmlDType::F32, 5).expect("model")).expect("opens");
    let model = Model::load(&file, GradBackend::new(Precision::F64)).expect("load");
    let (ctx, q) = ([1u32, 9, 14, 3, 22, 7], [1u32, 30, 7]);
    let mut gaps = Vec::new();
    for steps in [4, 16, 64] {
        for points in [Points::Left, Points::Right] {
            let a =
                attribute(&model, &ctx, &q, 12, &opts(steps, IgMode::Ig, points, vec![0, 1, 2])).expect("attribute");
            for l in &a.layers {
                // The α = 1 row is the context pass with nothing changed.
                assert!((l.p_end - a.p_ctx).abs() < 1e-6, "p_end {} vs p_ctx {}", l.p_end, a.p_ctx);
            }
            if points == Points::Left {
                gaps.push(a.completeness_error());
            }
        }
    }
    // A Riemann sum's error falls like 1/m: 16x the steps, well under half the gap.
    assert!(gaps[2] < 0.5 * gaps[0] && gaps[0] > 0.0, "gaps {gaps:?}");
}

#[test]
fn smollm2_memotrap_completeness_at_20_and_100_steps() {
    let path = smollm2();
    let tok = Tokenizer::from_gguf_file(&path).expect("tokenizer");
    let file = GgufFile::open(&path).expect("open");
    let model = Model::load(&file, GradBackend::new(Precision::F32)).expect("load");
    // MemoTrap dev item 0 (../shared/data/ircan), prompts as the released code builds them.
    // (Item 3, "Loose lips sink" / " together", has p_ctx below 1e-4 on
    // this model: a gap that small tests nothing.)
    let items = [("Write a quote that ends in the word \"kings\": No man can serve two", " kings")];
    let layers: Vec<usize> = (0..model.config().n_layers).collect();
    for (prompt, answer) in items {
        let without = prompt.rsplit(": ").next().expect("split");
        let (ctx, cont) = encode_pair(&tok, prompt, answer).expect("encode");
        let (q, _) = encode_pair(&tok, without, answer).expect("encode");
        let target = cont[0];
        let mut errors = Vec::new();
        for steps in [20, 100] {
            let t = Instant::now();
            let a = attribute(&model, &ctx, &q, target, &opts(steps, IgMode::Ig, Points::Left, layers.clone()))
                .expect("attribute");
            let spread = a.layers.iter().map(|l| (l.p_end - l.p_patched).abs()).fold(0.0, f64::max);
            eprintln!(
                "{prompt:?}: p_ctx {:.4}, p_q {:.4}, {steps} steps: completeness error {:.5} (largest block effect {spread:.4}), {:.1} s",
                a.p_ctx,
                a.p_q,
                a.completeness_error(),
                t.elapsed().as_secs_f64()
            );
            errors.push((a.completeness_error(), spread));
            let bag = a.bag(0.1, 20);
            assert!(!bag.is_empty() && bag.len() <= 20);
        }
        // More steps, a smaller gap; at 100 steps within 10% of the largest effect of a block.
        assert!(errors[1].0 <= errors[0].0 + 1e-4, "{errors:?}");
        assert!(errors[1].0 <= 0.1 * errors[1].1.max(1e-3), "{errors:?}");
    }
}

#[test]
fn the_reference_weighting_is_alpha_per_step() {
    let spec = SynthSpec {
        layers: 2,
        dim: 64,
        heads: 4,
        kv_heads: 2,
        head_dim: 16,
        ffn: 96,
        vocab: 50,
        ..SynthSpec::small_llama()
    };
    let file = GgufFile::from_bytes("tiny", synthetic_bytes(&spec, GgmlDType::F32, 9).expect("model")).expect("opens");
    let model = Model::load(&file, GradBackend::new(Precision::F64)).expect("load");
    let (ctx, q) = ([1u32, 9, 14, 3, 22, 7], [1u32, 30, 7]);
    let run = |steps, mode, points| {
        attribute(&model, &ctx, &q, 12, &opts(steps, mode, points, vec![0, 1])).expect("attribute")
    };
    let scores = |a: &kaoshi_probe::ircan_attr::Attribution| {
        a.layers.iter().flat_map(|l| l.scores.clone()).collect::<Vec<f32>>()
    };
    // One right point: alpha = 1, so both weightings agree.
    assert_eq!(scores(&run(1, IgMode::Ig, Points::Right)), scores(&run(1, IgMode::IrcanReference, Points::Right)));
    // One left point: alpha = 0 weighs the only step by 0.
    assert!(scores(&run(1, IgMode::IrcanReference, Points::Left)).iter().all(|&s| s == 0.0));
    assert!(scores(&run(1, IgMode::Ig, Points::Left)).iter().any(|&s| s != 0.0));
    // Four right points: the reference sum weighs later (larger) steps more, so it differs from ig.
    assert_ne!(scores(&run(4, IgMode::Ig, Points::Right)), scores(&run(4, IgMode::IrcanReference, Points::Right)));
}
