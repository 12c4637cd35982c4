//! Hook points: captures read the right activations, interventions change
//! them, and both apply in scoring and generation.

use kaoshi_e2e::{load, stories260k};
use kaoshi_engine::{GenerateParams, SamplingParams, generate, score_continuations};
use kaoshi_model::{Backend, Capture, CaptureRequest, Forward, HookPoint, HookSet, Intervention, Model, RowSet};

fn capture(points: &[HookPoint], positions: Option<Vec<usize>>) -> HookSet {
    let rows = positions.map_or(RowSet::All, RowSet::Positions);
    HookSet {
        captures: points.iter().map(|&point| CaptureRequest { point, rows: rows.clone() }).collect(),
        ..Default::default()
    }
}

/// One causal pass over `tokens` with `hooks`, from an empty cache: the
/// captured rows, read back.
fn captured<B: Backend>(model: &Model<B>, tokens: &[u32], hooks: &HookSet) -> Vec<Capture> {
    let req = Forward::causal(tokens).no_logits().hooks(Some(hooks));
    let out = model.run(req, &mut model.new_cache()).expect("forward");
    out.captures.download(model.backend()).expect("read back")
}

#[test]
fn hook_names_round_trip() {
    for name in
        ["blocks.0.hook_resid_pre", "blocks.3.hook_resid_mid", "blocks.4.mlp.hook_post", "blocks.1.mlp.hook_pre_linear"]
    {
        let p: HookPoint = name.parse().expect("parse");
        assert_eq!(p.to_string(), name);
    }
    assert!("blocks.x.hook_resid_pre".parse::<HookPoint>().is_err());
    assert!("resid_pre".parse::<HookPoint>().is_err());
}

#[test]
fn residual_stream_is_the_sum_of_its_parts() {
    let (model, _) = load(&stories260k());
    let tokens = [1u32, 400, 300, 280, 500];
    let l = 2;
    let hooks = capture(
        &[
            HookPoint::ResidPre(l),
            HookPoint::AttnOut(l),
            HookPoint::ResidMid(l),
            HookPoint::MlpOut(l),
            HookPoint::ResidPost(l),
            HookPoint::MlpPost(l),
        ],
        Some(vec![1, 3]),
    );
    let got = captured(&model, &tokens, &hooks);
    assert_eq!(got.len(), 6 * 2);
    let get =
        |p: HookPoint, pos: usize| &got.iter().find(|c| c.point == p && c.position == pos).expect("captured").values;
    for pos in [1, 3] {
        let (pre, attn, mid, mlp, post) = (
            get(HookPoint::ResidPre(l), pos),
            get(HookPoint::AttnOut(l), pos),
            get(HookPoint::ResidMid(l), pos),
            get(HookPoint::MlpOut(l), pos),
            get(HookPoint::ResidPost(l), pos),
        );
        assert_eq!(pre.len(), 64);
        assert_eq!(get(HookPoint::MlpPost(l), pos).len(), 172);
        for i in 0..64 {
            assert!((pre[i] + attn[i] - mid[i]).abs() < 1e-5);
            assert!((mid[i] + mlp[i] - post[i]).abs() < 1e-5);
        }
    }
    // resid_post of block l is resid_pre of block l + 1.
    let hooks2 = capture(&[HookPoint::ResidPre(l + 1)], Some(vec![3]));
    assert_eq!(&captured(&model, &tokens, &hooks2)[0].values, get(HookPoint::ResidPost(l), 3));
}

#[test]
fn zeroing_all_neurons_removes_the_mlp_output() {
    let (model, _) = load(&stories260k());
    let l = 1;
    let mut hooks = capture(&[HookPoint::ResidMid(l), HookPoint::ResidPost(l), HookPoint::MlpPost(l)], None);
    hooks.interventions.push(Intervention::ScaleNeurons {
        layer: l,
        neurons: (0..172).collect(),
        factor: 0.0,
        rows: RowSet::All,
    });
    let got = captured(&model, &[1, 30, 40], &hooks);
    for pos in 0..3 {
        let find = |p| got.iter().find(|c| c.point == p && c.position == pos).expect("captured");
        assert_eq!(find(HookPoint::ResidMid(l)).values, find(HookPoint::ResidPost(l)).values);
        assert!(find(HookPoint::MlpPost(l)).values.iter().all(|&v| v == 0.0));
    }
}

#[test]
fn steering_vector_changes_scores_and_generation_and_zero_vector_does_not() {
    let (model, tok) = load(&stories260k());
    let context = tok.encode("Once upon a time", true, false).expect("encode");
    let conts = vec![tok.encode(" there was a dog", false, false).expect("encode")];
    let plain = score_continuations(&model, &context, &conts, None).expect("score");
    let steer = |scale: f32| HookSet {
        interventions: vec![Intervention::AddVector {
            point: HookPoint::ResidPost(0),
            vector: (0..64).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect(),
            scale,
            rows: RowSet::All,
        }],
        ..Default::default()
    };
    let same = score_continuations(&model, &context, &conts, Some(&steer(0.0))).expect("score");
    assert!((same[0].logprob - plain[0].logprob).abs() < 1e-6);
    let strong = steer(4.0);
    let steered = score_continuations(&model, &context, &conts, Some(&strong)).expect("score");
    assert!((steered[0].logprob - plain[0].logprob).abs() > 0.1, "{} vs {}", steered[0].logprob, plain[0].logprob);
    let p =
        GenerateParams { max_tokens: 20, sampling: SamplingParams::default(), stop_ids: vec![], stop_strings: vec![] };
    let a = generate(&model, &tok, &context, &p, None, &mut |_| true).expect("generate");
    let b = generate(&model, &tok, &context, &p, Some(&strong), &mut |_| true).expect("generate");
    assert_ne!(a.tokens, b.tokens);
}

#[test]
fn wrong_vector_width_is_an_error() {
    let (model, _) = load(&stories260k());
    let hooks = HookSet {
        interventions: vec![Intervention::AddVector {
            point: HookPoint::MlpPost(0),
            vector: vec![0.0; 64],
            scale: 1.0,
            rows: RowSet::All,
        }],
        ..Default::default()
    };
    let req = Forward::causal(&[1, 2]).no_logits().hooks(Some(&hooks));
    let err = model.run(req, &mut model.new_cache()).err().expect("width 64 != 172");
    assert!(err.to_string().contains("172"), "{err}");
}
