//! The one forward request (`Model::run`) on stories260K: hooks that change
//! nothing change no bit, interventions addressed by batch row, the hook
//! points beyond the residual stream, and typed errors for requests and
//! hooks that do not fit the model.

use kaoshi_cpu::CpuBackend;
use kaoshi_e2e::{load, stories260k};
use kaoshi_formats::GgufFile;
use kaoshi_model::{
    Capture, CaptureRequest, Forward, HookPoint, HookSet, HostTensor, Intervention, KeySpan, Model, ModelError, RowSet,
};

/// stories260K: 5 blocks, width 64, 8 query heads of 8 sharing 4 key/value
/// heads, MLP 172.
const LAYERS: usize = 5;
const HEADS: usize = 8;
const HEAD_DIM: usize = 8;

const PROMPT: [u32; 6] = [1, 400, 300, 280, 500, 33];

fn captures_of(points: impl IntoIterator<Item = HookPoint>, rows: RowSet) -> Vec<CaptureRequest> {
    points.into_iter().map(|point| CaptureRequest { point, rows: rows.clone() }).collect()
}

/// Logits of every row and the captures of one causal pass, read back.
fn run(model: &Model<CpuBackend>, tokens: &[u32], hooks: Option<&HookSet>) -> (HostTensor, Vec<Capture>) {
    let rows: Vec<usize> = (0..tokens.len()).collect();
    let out = model.run(Forward::causal(tokens).logit_rows(&rows).hooks(hooks), &mut model.new_cache()).expect("run");
    let logits = out.logits.to_host(model.backend(), model.config().vocab_size).expect("logits");
    (logits, out.captures.download(model.backend()).expect("captures"))
}

fn find(got: &[Capture], point: HookPoint, row: usize) -> &[f32] {
    &got.iter().find(|c| c.point == point && c.row == row).unwrap_or_else(|| panic!("{point} row {row}")).values
}

/// Captures everywhere and interventions that change nothing (a zero
/// vector, neurons scaled by 1) give the logits of a pass without hooks bit
/// for bit, although some of them run the block's products unfused.
#[test]
fn hooks_that_change_nothing_change_no_bit() {
    let (model, _) = load(&stories260k());
    let (plain, _) = run(&model, &PROMPT, None);
    let mut points: Vec<HookPoint> = (0..LAYERS).flat_map(HookPoint::of_block).collect();
    points.extend([HookPoint::Embed, HookPoint::LnFinal]);
    let hooks = HookSet {
        captures: captures_of(points, RowSet::All),
        interventions: vec![
            Intervention::AddVector {
                point: HookPoint::ResidMid(2),
                vector: vec![0.0; 64],
                scale: 3.0,
                rows: RowSet::All,
            },
            Intervention::ScaleNeurons { layer: 1, neurons: (0..172).collect(), factor: 1.0, rows: RowSet::All },
        ],
    };
    let (hooked, got) = run(&model, &PROMPT, Some(&hooks));
    assert_eq!(hooked.data, plain.data, "a no-op hook changed the logits");
    assert_eq!(got.len(), (HookPoint::of_block(0).len() * LAYERS + 2) * PROMPT.len());
}

/// Two copies of one prompt as rows of one batch (the second sees only its
/// own keys): a vector added to the second copy's rows (`RowSet::Batch`)
/// steers it exactly as the same vector steers the prompt alone, and leaves
/// the first copy's logits as they are without it.
#[test]
fn interventions_addressed_by_batch_row() {
    let (model, _) = load(&stories260k());
    let n = PROMPT.len();
    let vector: Vec<f32> = (0..64).map(|i| if i % 3 == 0 { 0.5 } else { -0.25 }).collect();
    let steer = |rows: RowSet| HookSet {
        interventions: vec![Intervention::AddVector {
            point: HookPoint::ResidPost(1),
            vector: vector.clone(),
            scale: 2.0,
            rows,
        }],
        ..Default::default()
    };
    let (plain, _) = run(&model, &PROMPT, None);
    let (steered, _) = run(&model, &PROMPT, Some(&steer(RowSet::All)));
    assert_ne!(plain.data, steered.data, "the vector must matter");

    let tokens: Vec<u32> = PROMPT.iter().chain(&PROMPT).copied().collect();
    let positions: Vec<usize> = (0..n).chain(0..n).collect();
    let spans: Vec<KeySpan> = (0..n)
        .map(KeySpan::causal)
        .chain((0..n).map(|j| KeySpan { shared: 0, own_start: n, own_end: n + j + 1 }))
        .collect();
    let rows: Vec<usize> = (0..2 * n).collect();
    let hooks = steer(RowSet::Batch((n..2 * n).collect()));
    let req = Forward::spans(&tokens, &positions, &spans).logit_rows(&rows).hooks(Some(&hooks));
    let out = model.run(req, &mut model.new_cache()).expect("run");
    let both = out.logits.to_host(model.backend(), model.config().vocab_size).expect("logits");
    let (first, second) = both.data.split_at(plain.data.len());
    let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() <= 1e-4 * (1.0 + y.abs()));
    assert!(close(first, &plain.data), "the unsteered copy moved");
    assert!(close(second, &steered.data), "the steered copy differs from the prompt steered alone");
}

/// The points beyond the residual stream hold what they should:
/// `hook_embed` is block 0's input; the first row attends to itself alone,
/// so its `hook_z` is its `hook_v` (per key/value head) and its pattern puts
/// all weight on key 0; every pattern row sums to 1 over visible keys and
/// is 0 on later ones; a vector added at `hook_v` of row 0 moves its
/// `hook_z` by exactly that vector; `ln_final` is the last block's output
/// RMS-normalized and scaled by `output_norm.weight`.
#[test]
fn hook_points_beyond_the_residual_stream() {
    let (model, _) = load(&stories260k());
    let l = 3;
    let mut points = vec![HookPoint::Embed, HookPoint::LnFinal, HookPoint::ResidPost(LAYERS - 1)];
    points.extend(HookPoint::of_block(0));
    points.extend(HookPoint::of_block(l));
    let hooks = HookSet { captures: captures_of(points, RowSet::All), ..Default::default() };
    let (_, got) = run(&model, &PROMPT, Some(&hooks));
    assert_eq!(find(&got, HookPoint::Embed, 2), find(&got, HookPoint::ResidPre(0), 2));
    let (v0, z0) = (find(&got, HookPoint::AttnV(l), 0), find(&got, HookPoint::AttnZ(l), 0));
    assert_eq!((v0.len(), z0.len()), (4 * HEAD_DIM, HEADS * HEAD_DIM));
    for h in 0..HEADS {
        let kv = h / 2;
        for e in 0..HEAD_DIM {
            assert!((z0[h * HEAD_DIM + e] - v0[kv * HEAD_DIM + e]).abs() < 1e-6, "head {h}");
        }
    }
    let keys = PROMPT.len();
    for row in 0..keys {
        let p = find(&got, HookPoint::AttnPattern(l), row);
        assert_eq!(p.len(), HEADS * keys);
        for h in 0..HEADS {
            let w = &p[h * keys..(h + 1) * keys];
            assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-5, "row {row} head {h}: {w:?}");
            assert!(w[row + 1..].iter().all(|&x| x == 0.0), "row {row} sees later keys: {w:?}");
            assert!(w[..=row].iter().all(|&x| x > 0.0));
        }
    }
    assert!(find(&got, HookPoint::AttnPattern(l), 0).chunks(keys).all(|w| w[0] == 1.0));

    let shift: Vec<f32> = (0..4 * HEAD_DIM).map(|i| i as f32 / 16.0).collect();
    let moved = HookSet {
        captures: captures_of([HookPoint::AttnZ(l)], RowSet::Batch(vec![0])),
        interventions: vec![Intervention::AddVector {
            point: HookPoint::AttnV(l),
            vector: shift.clone(),
            scale: 1.0,
            rows: RowSet::Batch(vec![0]),
        }],
    };
    let (_, after) = run(&model, &PROMPT, Some(&moved));
    let z0_after = find(&after, HookPoint::AttnZ(l), 0);
    for h in 0..HEADS {
        for e in 0..HEAD_DIM {
            let d = z0_after[h * HEAD_DIM + e] - z0[h * HEAD_DIM + e];
            assert!((d - shift[(h / 2) * HEAD_DIM + e]).abs() < 1e-5, "head {h} dim {e}: moved by {d}");
        }
    }

    let file = GgufFile::open(&stories260k()).expect("open");
    let weight = file.read_vector_f32("output_norm.weight").expect("output_norm.weight");
    let eps = model.config().rms_eps;
    for row in 0..keys {
        let x = find(&got, HookPoint::ResidPost(LAYERS - 1), row);
        let rms = (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32 + eps).sqrt();
        let want: Vec<f32> = x.iter().zip(&weight).map(|(v, w)| v / rms * w).collect();
        let got_row = find(&got, HookPoint::LnFinal, row);
        assert!(want.iter().zip(got_row).all(|(a, b)| (a - b).abs() < 1e-5), "row {row}");
    }
}

/// Hook names round-trip, the new ones included.
#[test]
fn new_hook_names_round_trip() {
    for name in [
        "hook_embed",
        "ln_final.hook_normalized",
        "blocks.2.attn.hook_q",
        "blocks.2.attn.hook_k",
        "blocks.2.attn.hook_v",
        "blocks.2.attn.hook_z",
        "blocks.0.attn.hook_pattern",
    ] {
        let p: HookPoint = name.parse().expect(name);
        assert_eq!(p.to_string(), name);
    }
}

/// Requests and hooks that do not fit the model are typed errors, raised
/// before anything runs.
#[test]
fn bad_requests_and_hooks_are_errors() {
    let (model, _) = load(&stories260k());
    let fails = |req: Forward<'_>| model.run(req, &mut model.new_cache()).err().expect("an error");
    assert!(matches!(fails(Forward::causal(&[])), ModelError::BadRequest(_)));
    assert!(matches!(fails(Forward::causal(&[1, 2]).logit_rows(&[2])), ModelError::BadRequest(_)));
    let spans = [KeySpan::causal(0)];
    assert!(matches!(fails(Forward::spans(&[1, 2], &[0, 1], &spans)), ModelError::BadRequest(_)));
    let hooked = |hooks: HookSet| {
        let e = fails(Forward::causal(&[1, 2]).hooks(Some(&hooks)));
        assert!(matches!(e, ModelError::Hook(_)), "{e}");
        e.to_string()
    };
    let capture = |point| HookSet { captures: captures_of([point], RowSet::All), ..Default::default() };
    assert!(hooked(capture(HookPoint::ResidPost(LAYERS))).contains("block 5"));
    let add = |point, n| HookSet {
        interventions: vec![Intervention::AddVector { point, vector: vec![0.0; n], scale: 1.0, rows: RowSet::All }],
        ..Default::default()
    };
    assert!(hooked(add(HookPoint::AttnPattern(0), 16)).contains("captured, not changed"));
    assert!(hooked(add(HookPoint::AttnK(0), 64)).contains("32"), "k is 4 heads x 8 wide");
    let scale = HookSet {
        interventions: vec![Intervention::ScaleNeurons {
            layer: 0,
            neurons: vec![172],
            factor: 0.0,
            rows: RowSet::All,
        }],
        ..Default::default()
    };
    assert!(hooked(scale).contains("172"));
}
