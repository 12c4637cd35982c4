//! The importance probe against an independent computation on a tiny
//! synthetic f64 model: a neuron's importance |Σ_t a·g| equals the
//! derivative of the loss when the neuron is scaled by (1 + ε) at every
//! position, measured by central finite differences of forward passes
//! with no gradient leaves; and zeroing the neuron moves the loss in the
//! direction the first-order term says, when the term is large.

use kaoshi_cpu::GradBackend;
use kaoshi_cpu::grad::{Objective, Precision, gradients};
use kaoshi_cpu::synth::{SynthSpec, synthetic_bytes};
use kaoshi_formats::{GgmlDType, GgufFile};
use kaoshi_model::{Forward, HookSet, Intervention, Model, RowSet};
use kaoshi_probe::importance::{Site, taylor};
use kaoshi_probe::importance_probe::score_sentence;

const TOKENS: [u32; 7] = [1, 17, 4, 33, 8, 21, 40];

fn tiny() -> Model<GradBackend> {
    let spec = SynthSpec {
        arch: "qwen2".into(),
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
        tied: true,
        rope_freqs: false,
    };
    let bytes = synthetic_bytes(&spec, GgmlDType::F32, 5).expect("synthetic model");
    let file = GgufFile::from_bytes("tiny", bytes).expect("opens");
    Model::load(&file, GradBackend::new(Precision::F64)).expect("f64 model")
}

/// The mean next-token loss of TOKENS under `interventions`, no leaves.
fn loss(model: &Model<GradBackend>, interventions: Vec<Intervention>) -> f64 {
    let hooks = HookSet { captures: Vec::new(), interventions };
    let rows: Vec<usize> = (0..TOKENS.len()).collect();
    let picks: Vec<(usize, u32)> = (0..TOKENS.len() - 1).map(|i| (i, TOKENS[i + 1])).collect();
    let mut cache = model.new_cache();
    let out = model.run(Forward::causal(&TOKENS).logit_rows(&rows).hooks(Some(&hooks)), &mut cache).expect("pass");
    let logits = out.logits.into_single().expect("one block");
    gradients(&logits, &Objective::MeanNll(picks), Vec::new()).expect("loss").value
}

/// The activation at `site` of block `layer` (a leaf's values).
fn activation(model: &Model<GradBackend>, site: Site, layer: usize) -> (Vec<f64>, Vec<f64>, usize) {
    let point = site.point(layer);
    let hooks = HookSet { captures: Vec::new(), interventions: vec![Intervention::GradientLeaf { point }] };
    let rows: Vec<usize> = (0..TOKENS.len()).collect();
    let picks: Vec<(usize, u32)> = (0..TOKENS.len() - 1).map(|i| (i, TOKENS[i + 1])).collect();
    let mut cache = model.new_cache();
    let out = model.run(Forward::causal(&TOKENS).logit_rows(&rows).hooks(Some(&hooks)), &mut cache).expect("pass");
    let logits = out.logits.into_single().expect("one block");
    let g = gradients(&logits, &Objective::MeanNll(picks), model.backend().take_leaves()).expect("grad");
    let leaf = g.leaves.into_iter().next().expect("one leaf");
    (leaf.values, leaf.grads, leaf.cols)
}

/// Neuron `j` of `site` scaled by `factor` at every position: one
/// AddVector per row adding (factor - 1)·a[t][j] to column j.
fn scale(site: Site, layer: usize, j: usize, values: &[f64], cols: usize, factor: f64) -> Vec<Intervention> {
    (0..TOKENS.len())
        .map(|t| {
            let mut v = vec![0f32; cols];
            v[j] = ((factor - 1.0) * values[t * cols + j]) as f32;
            Intervention::AddVector { point: site.point(layer), vector: v, scale: 1.0, rows: RowSet::Batch(vec![t]) }
        })
        .collect()
}

#[test]
fn importance_is_the_derivative_of_the_loss_under_scaling_a_neuron() {
    let model = tiny();
    let scores = score_sentence(&model, &TOKENS).expect("scores");
    assert_eq!(scores.neurons.len(), 3);
    assert_eq!(scores.tokens, TOKENS.len());
    assert!((scores.loss - loss(&model, Vec::new())).abs() < 1e-9);
    let eps = 1e-4;
    let cases = [
        (Site::Gate, 1, 5),
        (Site::Up, 2, 40),
        (Site::Down, 0, 7),
        (Site::V, 0, 3),
        (Site::Q, 1, 20),
        (Site::O, 2, 11),
        (Site::Ln1, 1, 9),
        (Site::Ln2, 2, 60),
        (Site::K, 2, 31),
    ];
    for (site, layer, j) in cases {
        let (values, grads, cols) = activation(&model, site, layer);
        let site_scores = &scores.neurons[layer][site.index()];
        assert_eq!(site_scores.len(), cols, "{site:?}");
        // All leaves at once give each leaf the same total derivative as
        // a leaf alone.
        let alone = taylor(&values, &grads, cols);
        assert!((alone[j].abs() - site_scores[j]).abs() <= 1e-10 * site_scores[j].max(1e-6), "{site:?}");
        // Central differences in f64 of a smooth loss, eps 1e-4: the
        // truncation error is O(eps²) of the second derivative's scale,
        // rounding ~1e-16/eps; 1e-6 relative (with a floor of 1e-9) holds
        // both with room. The vectors are f32: the shift (factor-1)·a is
        // rounded to ~1e-7 relative, so the derivative inherits 1e-7.
        let up = loss(&model, scale(site, layer, j, &values, cols, 1.0 + eps));
        let down = loss(&model, scale(site, layer, j, &values, cols, 1.0 - eps));
        let fd = (up - down) / (2.0 * eps);
        let tol = 1e-6 * site_scores[j].max(1e-3);
        assert!(
            (fd.abs() - site_scores[j]).abs() <= tol,
            "{site:?} {layer} {j}: |fd| {fd}, importance {}",
            site_scores[j]
        );
        assert!(site_scores.iter().any(|&s| s > 1e-8), "{site:?}: all zero tests nothing");
    }
    // The most important gate neuron of block 1, zeroed: the loss moves the
    // way the signed first-order term says (a sanity check of the sign; the
    // size differs by the higher orders, printed for the reader).
    let (values, grads, cols) = activation(&model, Site::Gate, 1);
    let t = taylor(&values, &grads, cols);
    let j = (0..cols).max_by(|&a, &b| t[a].abs().total_cmp(&t[b].abs())).expect("a neuron");
    let zeroed = loss(&model, scale(Site::Gate, 1, j, &values, cols, 0.0)) - loss(&model, Vec::new());
    eprintln!("gate 1 neuron {j}: zeroing changes the loss by {zeroed:.3e}, first order -Σa·g = {:.3e}", -t[j]);
    assert_eq!(zeroed.signum(), (-t[j]).signum());
}
