//! IRCAN's forward-only evaluation on SmolLM2 (fetched by
//! ../shared/models/get-smollm2.sh) and IRCAN's data (../shared/data/ircan):
//! 8 MemoTrap and 8 COSE dev items, plain, under context-aware decoding,
//! and under neuron scaling. The multiple-choice letter is checked against
//! the engine's own scoring of each option.

use std::path::{Path, PathBuf};

use kaoshi_cpu::CpuBackend;
use kaoshi_engine::score::{ScoreRequest, score_requests};
use kaoshi_formats::GgufFile;
use kaoshi_model::{Model, Steering};
use kaoshi_probe::ircan_data::{IrcanItem, IrcanTask, Split, load};
use kaoshi_probe::ircan_eval::{EvalResult, evaluate};
use kaoshi_probe::neurons::NeuronList;
use kaoshi_tokenizer::Tokenizer;

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("data/ircan").is_dir(), "these tests need {} (the ../shared folder)", p.display());
    p
}

fn smollm2() -> (Model<CpuBackend>, Tokenizer) {
    let out = std::process::Command::new("bash")
        .arg(shared().join("models/get-smollm2.sh"))
        .output()
        .expect("run get-smollm2.sh");
    assert!(out.status.success(), "get-smollm2.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    let path = PathBuf::from(String::from_utf8(out.stdout).expect("utf-8").trim());
    let file = GgufFile::open(&path).expect("open");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    (Model::load(&file, CpuBackend::new()).expect("load"), tok)
}

fn items(task: IrcanTask) -> Vec<IrcanItem> {
    load(&shared().join("data/ircan"), task, Split::Dev).expect("data").into_iter().take(8).collect()
}

fn run(
    model: &Model<CpuBackend>,
    tok: &Tokenizer,
    items: &[IrcanItem],
    task: IrcanTask,
    cad: Option<f32>,
) -> EvalResult {
    let mut calls = 0;
    let r = evaluate(model, tok, items, task, cad, &mut |done, total| {
        calls += 1;
        assert_eq!((done, total), (calls, items.len()));
    })
    .expect("evaluate");
    assert_eq!(calls, items.len());
    consistent(&r, items);
    r
}

/// Metrics in [0, 1] that count the predictions, each prediction checked
/// against its item.
fn consistent(r: &EvalResult, items: &[IrcanItem]) {
    assert_eq!((r.n, r.predictions.len()), (items.len(), items.len()));
    let share = |f: fn(&kaoshi_probe::ircan_eval::Prediction) -> bool| {
        r.predictions.iter().filter(|p| f(p)).count() as f64 / r.n as f64
    };
    assert_eq!(r.accuracy, share(|p| p.correct));
    assert_eq!(r.trap_rate, share(|p| p.trap));
    assert!((0.0..=1.0).contains(&r.accuracy) && (0.0..=1.0).contains(&r.trap_rate));
    assert!(r.accuracy + r.trap_rate <= 1.0);
    for (p, item) in r.predictions.iter().zip(items) {
        assert_eq!(p.id, item.id);
        assert_eq!(p.correct, p.predicted == item.answer);
        assert_eq!(p.trap, p.predicted == item.trap);
        if !item.choices.is_empty() {
            assert!(item.choices.contains(&p.predicted), "{p:?}");
        }
    }
}

#[test]
fn ircan_evaluation_on_smollm2() {
    let (mut model, tok) = smollm2();

    let memo = items(IrcanTask::MemoTrap);
    let plain = run(&model, &tok, &memo, IrcanTask::MemoTrap, None);
    eprintln!("MemoTrap x8: accuracy {} trap {}", plain.accuracy, plain.trap_rate);
    for p in &plain.predictions {
        eprintln!("  {} {:?} -> {:?}", p.id, p.text, p.predicted);
        assert!(p.text.trim().starts_with(&p.predicted), "{p:?}");
    }
    // CAD at alpha 0 is plain greedy decoding, over 20 tokens instead of 10:
    // the same first sentence whenever the 10 tokens held its end.
    let cad0 = run(&model, &tok, &memo, IrcanTask::MemoTrap, Some(0.0));
    for (a, b) in plain.predictions.iter().zip(&cad0.predictions) {
        assert!(b.text.starts_with(&a.text), "{a:?} {b:?}");
        if a.text.contains('.') {
            assert_eq!(a, b);
        }
    }
    let cad = run(&model, &tok, &memo, IrcanTask::MemoTrap, Some(0.5));
    eprintln!("MemoTrap x8 CAD 0.5: accuracy {} trap {}", cad.accuracy, cad.trap_rate);

    let cose = items(IrcanTask::Cose);
    let mcq = run(&model, &tok, &cose, IrcanTask::Cose, None);
    eprintln!(
        "COSE x8: accuracy {} trap {} {:?}",
        mcq.accuracy,
        mcq.trap_rate,
        mcq.predictions.iter().map(|p| p.predicted.as_str()).collect::<String>()
    );
    assert_eq!(run(&model, &tok, &cose, IrcanTask::Cose, Some(0.0)), mcq);
    let mcq_cad = run(&model, &tok, &cose, IrcanTask::Cose, Some(0.5));
    eprintln!("COSE x8 CAD 0.5: accuracy {} trap {}", mcq_cad.accuracy, mcq_cad.trap_rate);
    // The engine's scoring of "prompt" + "A", "B", ... picks the same letter
    // (one token per letter: its log-probability orders as its logit).
    for (item, p) in cose.iter().zip(&mcq.predictions) {
        let requests: Vec<ScoreRequest> = item
            .choices
            .iter()
            .map(|l| ScoreRequest { context: item.with_context.clone(), continuation: l.clone() })
            .collect();
        let scored = score_requests(&model, &tok, &requests).expect("score");
        assert!(scored.iter().all(|s| s.tokens.len() == 1));
        let best = (0..scored.len())
            .reduce(|a, b| if scored[b].score.logprob > scored[a].score.logprob { b } else { a })
            .expect("options");
        assert_eq!(item.choices[best], p.predicted, "item {}", item.id);
    }

    // Neurons scaled by 1 change nothing; by 0 (ablating a thousand) they
    // change the logits enough to move some answer; evaluate leaves the
    // steering as it was.
    let neurons = NeuronList::random(model.config().n_layers, model.config().ffn_dim, 1000, 7).pairs();
    model.set_steering(Some(Steering::default().with_neurons(&neurons, 1.0, model.config()).expect("steering")));
    assert_eq!(run(&model, &tok, &memo, IrcanTask::MemoTrap, None), plain);
    assert_eq!(run(&model, &tok, &cose, IrcanTask::Cose, None), mcq);
    assert!(model.steering().is_some_and(|s| s.neuron_factor == 1.0 && !s.neurons.is_empty()));
    model.set_steering(Some(Steering::default().with_neurons(&neurons, 0.0, model.config()).expect("steering")));
    let ablated = run(&model, &tok, &memo, IrcanTask::MemoTrap, None);
    eprintln!("MemoTrap x8, 1000 random neurons ablated: accuracy {}", ablated.accuracy);
    assert_ne!(
        ablated.predictions.iter().map(|p| &p.text).collect::<Vec<_>>(),
        plain.predictions.iter().map(|p| &p.text).collect::<Vec<_>>()
    );
}

#[test]
fn bad_requests_are_errors() {
    let (model, tok) = smollm2();
    let none: Vec<IrcanItem> = Vec::new();
    assert!(evaluate(&model, &tok, &none, IrcanTask::Cose, None, &mut |_, _| {}).is_err());
    let cose = items(IrcanTask::Cose);
    assert!(evaluate(&model, &tok, &cose[..1], IrcanTask::Cose, Some(f32::NAN), &mut |_, _| {}).is_err());
    // Two options that start with the same token cannot be told apart.
    let mut twin = cose[0].clone();
    twin.choices = vec!["A".into(), "A".into()];
    let e = evaluate(&model, &tok, &[twin], IrcanTask::Cose, None, &mut |_, _| {}).unwrap_err().to_string();
    assert!(e.contains("same token"), "{e}");
}
