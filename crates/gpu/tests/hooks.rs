//! Hooks on the GPU: the two ops only hooks use (`scale_columns`,
//! `attention_pattern`) against the CPU, captures of every hook point
//! against the CPU's, a no-op hook bit-identical to none, and hooks over a
//! batch that runs in slices. Needs a GPU adapter (lavapipe works).

mod common;

use common::{check, for_each_variant, gpu_or_skip, values};
use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::{GpuBackend, GpuDevice};
use kaoshi_model::{
    Backend, Capture, CaptureRequest, Forward, HookPoint, HookSet, Intervention, KeySpan, Model, RowSet,
};

#[test]
fn scale_columns_matches_cpu() {
    let cpu = CpuBackend::new();
    let data = values(7 * 40, 3);
    let want_x = cpu.upload(&data, 7, 40).unwrap();
    let cols = [0, 5, 39, 17];
    for rows in [None, Some(&[1usize, 4, 6][..])] {
        let want = cpu.download(&cpu.scale_columns(&want_x, &cols, -2.5, rows).unwrap()).unwrap();
        for_each_variant(|dev| {
            let x = dev.upload_tensor(&data, 7, 40).unwrap();
            let got = dev.download_tensor(&dev.scale_columns(&x, &cols, -2.5, rows).unwrap()).unwrap();
            check("scale_columns", dev, &got, &want.data);
        });
    }
}

#[test]
fn attention_pattern_matches_cpu() {
    let cpu = CpuBackend::new();
    let (n, t, heads, kv_heads, head_dim) = (5, 9, 4, 2, 8);
    let (q, k) = (values(n * heads * head_dim, 11), values(t * kv_heads * head_dim, 12));
    let spans: Vec<KeySpan> = (0..n)
        .map(|i| if i % 2 == 0 { KeySpan::causal(t - n + i) } else { KeySpan { shared: 2, own_start: 5, own_end: 7 } })
        .collect();
    let (cq, ck) = (cpu.upload(&q, n, heads * head_dim).unwrap(), cpu.upload(&k, t, kv_heads * head_dim).unwrap());
    // Three keys wider than k: those weigh 0.
    let width = t + 3;
    let want =
        cpu.download(&cpu.attention_pattern(&cq, &ck, heads, kv_heads, head_dim, &spans, width).unwrap()).unwrap();
    assert_eq!((want.rows, want.cols), (n, heads * width));
    assert!(want.data.chunks(width).all(|w| w[t..].iter().all(|&x| x == 0.0)));
    for_each_variant(|dev| {
        let (gq, gk) = (
            dev.upload_tensor(&q, n, heads * head_dim).unwrap(),
            dev.upload_tensor(&k, t, kv_heads * head_dim).unwrap(),
        );
        let got = dev.attention_pattern(&gq, &gk, heads, kv_heads, head_dim, &spans, width).unwrap();
        let got = dev.download_tensor(&got).unwrap();
        check("attention_pattern", dev, &got, &want.data);
    });
}

fn stories260k() -> GgufFile {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/models/stories260K/stories260K.gguf");
    assert!(path.exists(), "this test needs {} (the ../shared fixtures next to the repository)", path.display());
    GgufFile::open(&path).unwrap()
}

/// Every hook point of blocks 0 and 3, the embedding and the final norm,
/// at two rows.
fn many_captures() -> HookSet {
    let mut points = vec![HookPoint::Embed, HookPoint::LnFinal];
    for l in [0, 3] {
        points.extend(HookPoint::of_block(l));
    }
    let rows = RowSet::Batch(vec![2, 17]);
    HookSet {
        captures: points.into_iter().map(|point| CaptureRequest { point, rows: rows.clone() }).collect(),
        ..Default::default()
    }
}

/// Logits of the last row and the captures of one causal pass.
fn run<B: Backend>(model: &Model<B>, tokens: &[u32], hooks: Option<&HookSet>) -> (Vec<f32>, Vec<Capture>) {
    let out = model.run(Forward::causal(tokens).hooks(hooks), &mut model.new_cache()).expect("run");
    let logits = out.logits.to_host(model.backend(), model.config().vocab_size).expect("logits").data;
    (logits, out.captures.download(model.backend()).expect("captures"))
}

fn tokens() -> Vec<u32> {
    (0..20u32).map(|i| 1 + (i * 37 + 5) % 500).collect()
}

/// Captures at every point agree with the CPU's (same tolerance as the
/// model's logits in `split.rs`: relative to the largest value); a hook set
/// that changes nothing gives the GPU's own logits bit for bit; neurons
/// zeroed on some rows and a vector added give the CPU's logits.
#[test]
fn captures_and_interventions_agree_with_the_cpu() {
    let Some(dev) = gpu_or_skip() else { return };
    let file = stories260k();
    let cpu = Model::load(&file, CpuBackend::new()).unwrap();
    let gpu = Model::load(&file, GpuBackend::from_device(dev)).unwrap();
    let tokens = tokens();
    let hooks = many_captures();
    let (plain, _) = run(&gpu, &tokens, None);
    let (hooked, got) = run(&gpu, &tokens, Some(&hooks));
    assert_eq!(hooked, plain, "captures changed the GPU's logits");
    let (_, want) = run(&cpu, &tokens, Some(&hooks));
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.point, g.position, g.row, g.values.len()), (w.point, w.position, w.row, w.values.len()));
        let scale = w.values.iter().fold(0f32, |m, x| m.max(x.abs()));
        let diff = g.values.iter().zip(&w.values).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(diff <= 1e-4 * scale.max(1e-3), "{} row {}: max |gpu - cpu| {diff} of {scale}", g.point, g.row);
    }
    let steer = HookSet {
        interventions: vec![
            Intervention::ScaleNeurons {
                layer: 1,
                neurons: (0..172).step_by(3).collect(),
                factor: 0.0,
                rows: RowSet::Batch(vec![3, 9, 19]),
            },
            Intervention::AddVector {
                point: HookPoint::ResidMid(2),
                vector: values(64, 4),
                scale: 1.5,
                rows: RowSet::Positions(vec![5, 6]),
            },
        ],
        ..Default::default()
    };
    let (g, _) = run(&gpu, &tokens, Some(&steer));
    let (c, _) = run(&cpu, &tokens, Some(&steer));
    assert_ne!(g, plain, "the interventions must matter");
    let scale = c.iter().fold(0f32, |m, x| m.max(x.abs()));
    let diff = g.iter().zip(&c).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(diff <= 1e-4 * scale, "steered logits: max |gpu - cpu| {diff} of {scale}");
}

/// A batch longer than one activation holds runs in slices, and hooks see
/// every slice: the captures (rows of both slices) and the logits equal
/// those of a GPU that runs the batch whole.
#[test]
fn hooks_see_every_slice_of_a_long_batch() {
    let Some(mut small) = gpu_or_skip() else { return };
    small.set_split_bytes(8 * 1024);
    let whole_dev = GpuDevice::new().expect("a second device");
    let file = stories260k();
    let sliced = Model::load(&file, GpuBackend::from_device(small)).unwrap();
    let whole = Model::load(&file, GpuBackend::from_device(whole_dev)).unwrap();
    assert!(sliced.backend().max_batch_rows(sliced.config().ffn_dim) < 20, "the batch must need slices");
    let tokens = tokens();
    let hooks = many_captures();
    let before = sliced.backend().dispatch_count();
    let (a, got) = run(&sliced, &tokens, Some(&hooks));
    let sliced_dispatches = sliced.backend().dispatch_count() - before;
    let before = whole.backend().dispatch_count();
    let (b, want) = run(&whole, &tokens, Some(&hooks));
    assert!(sliced_dispatches > whole.backend().dispatch_count() - before, "no slices ran");
    assert_eq!(got.len(), want.len());
    let rows = |c: &[Capture]| c.iter().map(|c| (c.point, c.row)).collect::<std::collections::HashSet<_>>();
    assert_eq!(rows(&got), rows(&want));
    for g in &got {
        let w = want.iter().find(|w| (w.point, w.row) == (g.point, g.row)).unwrap();
        let scale = w.values.iter().fold(0f32, |m, x| m.max(x.abs()));
        let diff = g.values.iter().zip(&w.values).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
        assert!(diff <= 1e-4 * scale.max(1e-3), "{} row {}: {diff} of {scale}", g.point, g.row);
    }
    let scale = b.iter().fold(0f32, |m, x| m.max(x.abs()));
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 1e-4 * scale));
}

/// Gradients are the CPU gradient backend's alone: a gradient leaf on the
/// GPU is refused with the typed error that says so.
#[test]
fn a_gradient_leaf_on_the_gpu_is_a_typed_refusal() {
    let Some(dev) = gpu_or_skip() else { return };
    let file = stories260k();
    let gpu = Model::load(&file, GpuBackend::from_device(dev)).unwrap();
    let hooks = HookSet {
        interventions: vec![kaoshi_model::Intervention::GradientLeaf { point: HookPoint::MlpPost(1) }],
        ..Default::default()
    };
    let e = gpu.run(Forward::causal(&tokens()).hooks(Some(&hooks)), &mut gpu.new_cache()).err().expect("refused");
    assert!(matches!(e, kaoshi_model::ModelError::Backend(kaoshi_model::BackendError::NoGradients { .. })), "{e:?}");
}
