//! The gradient backend: its forward pass equals the CPU backend's, and its
//! gradients equal central finite differences of its own forward pass in
//! f64, on tiny synthetic models of the three architectures.

use kaoshi_cpu::grad::{Objective, Precision, gradients};
use kaoshi_cpu::synth::{SynthSpec, synthetic_bytes};
use kaoshi_cpu::{CpuBackend, GradBackend};
use kaoshi_formats::{GgmlDType, GgufFile};
use kaoshi_model::{BackendError, Forward, HookPoint, HookSet, Intervention, Model, ModelError, RowSet};

const TOKENS: [u32; 7] = [1, 17, 4, 33, 8, 21, 40];

fn tiny(arch: &str) -> GgufFile {
    let spec = SynthSpec {
        arch: arch.into(),
        layers: 3,
        dim: 64,
        heads: 4,
        kv_heads: 2,
        head_dim: 16,
        ffn: 96,
        vocab: 50,
        context: 64,
        rope_theta: 10000.0,
        rms_eps: 1e-5,
        tied: arch != "llama",
        rope_freqs: false,
    };
    let bytes = synthetic_bytes(&spec, GgmlDType::F32, 11).expect("synthetic model");
    GgufFile::from_bytes("tiny", bytes).expect("opens")
}

/// The last row's logits under `hooks`.
fn last_logits<B: kaoshi_model::Backend>(model: &Model<B>, hooks: Option<&HookSet>) -> Vec<f32> {
    let mut cache = model.new_cache();
    let rows = [TOKENS.len() - 1];
    let out = model.run(Forward::causal(&TOKENS).logit_rows(&rows).hooks(hooks), &mut cache).expect("pass");
    out.logits.to_host(model.backend(), model.config().vocab_size).expect("logits").data
}

#[test]
fn the_gradient_backend_computes_the_cpu_forward_pass() {
    for arch in ["llama", "qwen2", "qwen3"] {
        let file = tiny(arch);
        let cpu = Model::load(&file, CpuBackend::new()).expect("cpu");
        let grad = Model::load(&file, GradBackend::new(Precision::F32)).expect("grad");
        let (a, b) = (last_logits(&cpu, None), last_logits(&grad, None));
        let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max);
        // Same f32 weights and op order, except that the CPU backend sums
        // the RMS norm's squares in f64: differences of a few ulps of
        // logits of size ~1.
        assert!(worst < 1e-4, "{arch}: logits differ by {worst}");
    }
}

/// The probability of token 5 at the last row with `extra` interventions,
/// computed in f64 on the f64 model (no leaves).
fn probability(model: &Model<GradBackend>, extra: Vec<Intervention>) -> f64 {
    let hooks = HookSet { captures: Vec::new(), interventions: extra };
    let mut cache = model.new_cache();
    let rows = [TOKENS.len() - 1];
    let out = model.run(Forward::causal(&TOKENS).logit_rows(&rows).hooks(Some(&hooks)), &mut cache).expect("pass");
    let logits = out.logits.into_single().expect("one block");
    gradients(&logits, &Objective::ProbabilitySum(vec![(0, 5)]), Vec::new()).expect("probability").value
}

#[test]
fn gradients_equal_central_finite_differences_in_f64() {
    // Central differences in f64 with eps = 1e-4: truncation O(eps²) ~ 1e-8
    // and rounding 1e-16/eps ~ 1e-12 of the gradient's scale, far inside
    // the 1e-6 allowed.
    let eps = 1e-4f32;
    for arch in ["llama", "qwen3"] {
        let file = tiny(arch);
        let model = Model::load(&file, GradBackend::new(Precision::F64)).expect("f64 model");
        let last = TOKENS.len() - 1;
        for point in [HookPoint::MlpPost(1), HookPoint::AttnV(0), HookPoint::Ln1(2)] {
            let hooks = HookSet { captures: Vec::new(), interventions: vec![Intervention::GradientLeaf { point }] };
            let mut cache = model.new_cache();
            let rows = [last];
            let out =
                model.run(Forward::causal(&TOKENS).logit_rows(&rows).hooks(Some(&hooks)), &mut cache).expect("pass");
            let logits = out.logits.into_single().expect("one block");
            let g = gradients(&logits, &Objective::ProbabilitySum(vec![(0, 5)]), model.backend().take_leaves())
                .expect("gradients");
            assert_eq!(g.leaves.len(), 1);
            let leaf = &g.leaves[0];
            assert_eq!((leaf.rows, leaf.point), (TOKENS.len(), point));
            // The value differentiated is the forward's probability.
            let p = probability(&model, Vec::new());
            assert!((g.value - p).abs() < 1e-6, "{arch} {point}: objective {} vs forward {p}", g.value);
            let scale = leaf.grads.iter().fold(0f64, |m, x| m.max(x.abs()));
            assert!(scale > 1e-6, "{arch} {point}: a zero gradient tests nothing");
            // Rows 2 and the last: the earlier row reaches the output only
            // through attention.
            for row in [2, last] {
                for col in [0, 3, leaf.cols - 1] {
                    let mut unit = vec![0f32; leaf.cols];
                    unit[col] = 1.0;
                    let bump = |s: f32| Intervention::AddVector {
                        point,
                        vector: unit.clone(),
                        scale: s,
                        rows: RowSet::Batch(vec![row]),
                    };
                    let fd = (probability(&model, vec![bump(eps)]) - probability(&model, vec![bump(-eps)]))
                        / (2.0 * f64::from(eps));
                    let exact = leaf.grads[row * leaf.cols + col];
                    assert!(
                        (fd - exact).abs() <= 1e-6 * scale,
                        "{arch} {point} row {row} col {col}: finite difference {fd}, gradient {exact} (scale {scale})"
                    );
                }
            }
        }
    }
}

#[test]
fn the_mean_loss_gradient_matches_finite_differences_across_positions() {
    let file = tiny("qwen2");
    let model = Model::load(&file, GradBackend::new(Precision::F64)).expect("f64 model");
    let point = HookPoint::AttnQ(1);
    let picks: Vec<(usize, u32)> = (0..TOKENS.len() - 1).map(|i| (i, TOKENS[i + 1])).collect();
    let loss = |extra: Vec<Intervention>, leaf: bool| {
        let mut interventions = extra;
        if leaf {
            interventions.push(Intervention::GradientLeaf { point });
        }
        let hooks = HookSet { captures: Vec::new(), interventions };
        let mut cache = model.new_cache();
        let rows: Vec<usize> = (0..TOKENS.len()).collect();
        let out = model.run(Forward::causal(&TOKENS).logit_rows(&rows).hooks(Some(&hooks)), &mut cache).expect("pass");
        let logits = out.logits.into_single().expect("one block");
        gradients(&logits, &Objective::MeanNll(picks.clone()), model.backend().take_leaves()).expect("loss")
    };
    let g = loss(Vec::new(), true);
    let leaf = &g.leaves[0];
    let scale = leaf.grads.iter().fold(0f64, |m, x| m.max(x.abs()));
    // Central differences of an f64 loss: eps 1e-5 leaves ~1e-10 error.
    let eps = 1e-5f32;
    for (row, col) in [(0, 1), (3, 20), (5, 63)] {
        let mut unit = vec![0f32; leaf.cols];
        unit[col] = 1.0;
        let bump = |s: f32| {
            vec![Intervention::AddVector { point, vector: unit.clone(), scale: s, rows: RowSet::Batch(vec![row]) }]
        };
        let fd = (loss(bump(eps), false).value - loss(bump(-eps), false).value) / (2.0 * f64::from(eps));
        let exact = leaf.grads[row * leaf.cols + col];
        assert!(
            (fd - exact).abs() <= 1e-6 * scale.max(1e-3),
            "row {row} col {col}: finite difference {fd}, gradient {exact}"
        );
    }
}

#[test]
fn a_leaf_downstream_does_not_cut_the_paths_of_a_leaf_upstream() {
    let file = tiny("llama");
    let model = Model::load(&file, GradBackend::new(Precision::F64)).expect("f64 model");
    let picks: Vec<(usize, u32)> = (0..TOKENS.len() - 1).map(|i| (i, TOKENS[i + 1])).collect();
    let run = |points: &[HookPoint]| {
        let interventions = points.iter().map(|&point| Intervention::GradientLeaf { point }).collect();
        let hooks = HookSet { captures: Vec::new(), interventions };
        let mut cache = model.new_cache();
        let rows: Vec<usize> = (0..TOKENS.len()).collect();
        let out = model.run(Forward::causal(&TOKENS).logit_rows(&rows).hooks(Some(&hooks)), &mut cache).expect("pass");
        let logits = out.logits.into_single().expect("one block");
        gradients(&logits, &Objective::MeanNll(picks.clone()), model.backend().take_leaves()).expect("loss")
    };
    let alone = run(&[HookPoint::Ln1(1)]);
    let both = run(&[HookPoint::Ln1(1), HookPoint::AttnQ(1), HookPoint::MlpPost(1)]);
    assert_eq!(both.leaves.len(), 3);
    let (a, b) = (&alone.leaves[0].grads, &both.leaves[0].grads);
    let worst = a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0f64, f64::max);
    assert!(worst < 1e-12, "ln1's gradient changes by {worst} when q and the MLP are leaves too");
    assert!(a.iter().any(|&g| g != 0.0));
}

#[test]
fn other_backends_refuse_gradients_with_a_typed_error() {
    let file = tiny("llama");
    let model = Model::load(&file, CpuBackend::new()).expect("cpu");
    let hooks = HookSet {
        captures: Vec::new(),
        interventions: vec![Intervention::GradientLeaf { point: HookPoint::MlpPost(0) }],
    };
    let mut cache = model.new_cache();
    let e = model.run(Forward::causal(&TOKENS).hooks(Some(&hooks)), &mut cache).err().expect("refused");
    assert!(matches!(e, ModelError::Backend(BackendError::NoGradients { backend: "cpu", .. })), "{e:?}");
    assert!(e.to_string().contains("gradient"), "{e}");
}
