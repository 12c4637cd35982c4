//! The probes end to end on real models and FLORES-200 (../shared):
//! stories260K (tiny, trained) and SmolLM2-135M-Instruct (fetched by
//! ../shared/models/get-smollm2.sh), checked against computations written
//! here from the model's own hook captures, and on the GPU against the CPU
//! (lavapipe in CI; a missing adapter fails under KAOSHI_REQUIRE_GPU=1).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::{GpuBackend, GpuDevice};
use kaoshi_model::{Backend, CaptureRequest, Forward, HookPoint, HookSet, Intervention, Model, RowSet};
use kaoshi_probe::data::ParallelCorpus;
use kaoshi_probe::lape::{LapeParams, LapeSelection, select};
use kaoshi_probe::similarity::cosine;
use kaoshi_probe::{fertility, lape_probe, xling};
use kaoshi_tokenizer::Tokenizer;

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("data/flores200").is_dir(), "these tests need {} (the ../shared folder)", p.display());
    p
}

fn flores(langs: &[&str], limit: usize) -> ParallelCorpus {
    let langs: Vec<String> = langs.iter().map(|s| s.to_string()).collect();
    ParallelCorpus::read(&shared().join("data/flores200"), &langs, Some(limit)).expect("FLORES-200")
}

fn smollm2() -> PathBuf {
    let script = shared().join("models/get-smollm2.sh");
    let out = std::process::Command::new("bash").arg(&script).output().expect("run get-smollm2.sh");
    assert!(out.status.success(), "get-smollm2.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().into()
}

fn load(path: &Path) -> (GgufFile, Model<CpuBackend>, Tokenizer) {
    let file = GgufFile::open(path).expect("open");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    let model = Model::load(&file, CpuBackend::new()).expect("load");
    (file, model, tok)
}

fn gpu() -> Option<GpuDevice> {
    match GpuDevice::new() {
        Ok(d) => Some(d),
        Err(e) if std::env::var("KAOSHI_REQUIRE_GPU").is_ok_and(|v| v == "1") => panic!("KAOSHI_REQUIRE_GPU=1: {e}"),
        Err(e) => {
            eprintln!("SKIPPED: no GPU device ({e})");
            None
        }
    }
}

fn assert_similarity_matrices(r: &xling::XlingReport) {
    for m in [&r.similarity.centroid, &r.similarity.centered, &r.similarity.paired] {
        for layer in m {
            for (i, row) in layer.iter().enumerate() {
                assert_eq!(row[i], 1.0, "ones on the diagonal");
                for (j, v) in row.iter().enumerate() {
                    assert!(v.is_finite() && (-1.0 - 1e-9..=1.0 + 1e-9).contains(v), "{v}");
                    assert!((v - layer[j][i]).abs() < 1e-12, "symmetric");
                }
            }
        }
    }
}

/// The centroid cosine of languages 0 and 1 at block `l`'s output,
/// computed here: each sentence run alone, its last row captured.
fn centroid_cosine_by_hand<B: Backend>(model: &Model<B>, tok: &Tokenizer, corpus: &ParallelCorpus, l: usize) -> f64 {
    let hooks = HookSet {
        captures: vec![CaptureRequest { point: HookPoint::ResidPost(l), rows: RowSet::All }],
        ..Default::default()
    };
    let centroids: Vec<Vec<f64>> = corpus.sentences[..2]
        .iter()
        .map(|sentences| {
            let mut sum = vec![0f64; model.config().dim];
            for s in sentences {
                let ids = tok.encode(s, true, false).expect("ids");
                let out = model
                    .run(Forward::causal(&ids).no_logits().hooks(Some(&hooks)), &mut model.new_cache())
                    .expect("run");
                let rows = out.captures.download(model.backend()).expect("captures");
                for (acc, v) in sum.iter_mut().zip(&rows.last().expect("a row").values) {
                    *acc += f64::from(*v) / sentences.len() as f64;
                }
            }
            sum
        })
        .collect();
    cosine(&centroids[0], &centroids[1])
}

#[test]
fn xling_on_stories260k_equals_a_computation_from_captures() {
    let (_, model, tok) = load(&shared().join("fixtures/models/stories260K/stories260K.gguf"));
    let corpus = flores(&["eng_Latn", "fra_Latn", "spa_Latn"], 6);
    // Few rows a pass: the sentences run in several packs.
    let r = xling::run(&model, &tok, &corpus, xling::Pool::Last, 64, &mut |_, _| {}).expect("xling");
    assert_eq!(r.layers.len(), 6);
    assert_similarity_matrices(&r);
    for l in [0, 4] {
        let want = centroid_cosine_by_hand(&model, &tok, &corpus, l);
        let got = r.similarity.centroid[l + 1][0][1];
        // The probe packs sentences into one pass; f32 sums in another order.
        assert!((got - want).abs() < 1e-4, "block {l}: {got} vs {want}");
    }
    let mean = xling::run(&model, &tok, &corpus, xling::Pool::Mean, 256, &mut |_, _| {}).expect("mean pool");
    assert_similarity_matrices(&mean);
    assert_ne!(mean.similarity.centroid, r.similarity.centroid);
}

/// Perplexity of `sentences` computed here: each sentence run alone with
/// every row's logits, log-softmax in f64, every token after the first.
fn perplexity_by_hand<B: Backend>(model: &Model<B>, tok: &Tokenizer, sentences: &[String], hooks: &HookSet) -> f64 {
    let (mut nll, mut n) = (0f64, 0usize);
    for s in sentences {
        let ids = tok.encode(s, true, false).expect("ids");
        let rows: Vec<usize> = (0..ids.len()).collect();
        let hooks = (!hooks.is_empty()).then_some(hooks);
        let out = model.run(Forward::causal(&ids).logit_rows(&rows).hooks(hooks), &mut model.new_cache()).expect("run");
        let logits = out.logits.to_host(model.backend(), model.config().vocab_size).expect("logits");
        for (r, &next) in ids.iter().enumerate().skip(1) {
            let row = &logits.data[(r - 1) * logits.cols..r * logits.cols];
            let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
            let lse = max + row.iter().map(|&v| (f64::from(v) - max).exp()).sum::<f64>().ln();
            nll += lse - f64::from(row[next as usize]);
            n += 1;
        }
    }
    (nll / n as f64).exp()
}

/// The ablation's perplexities, packed several sentences a pass, equal
/// the same perplexities computed sentence by sentence, plain and with
/// a language's neurons zeroed by a hook set written here.
#[test]
fn ablation_perplexity_equals_a_computation_from_logits() {
    let (_, model, tok) = load(&shared().join("fixtures/models/stories260K/stories260K.gguf"));
    let corpus = flores(&["eng_Latn", "fra_Latn"], 5);
    let neurons: BTreeMap<usize, Vec<usize>> = [(1, vec![3, 40, 100]), (4, vec![7, 8])].into();
    let selection = LapeSelection {
        neurons: [("eng_Latn".to_string(), neurons.clone())].into(),
        per_layer: BTreeMap::new(),
        n_selected: 5,
        filter_value: 0.5,
        bar_value: 0.5,
        selected: Vec::new(),
    };
    // With BOS the English sentences are 55, 148, 99, 199 and 95 tokens:
    // packs of at most 300 rows hold two sentences, two sentences, one.
    let ab = lape_probe::ablate(&model, &tok, &corpus, &selection, 300, &mut |_, _| {}).expect("ablate");
    let zero_en = HookSet {
        interventions: neurons
            .iter()
            .map(|(&layer, ns)| Intervention::ScaleNeurons {
                layer,
                neurons: ns.clone(),
                factor: 0.0,
                rows: RowSet::All,
            })
            .collect(),
        ..Default::default()
    };
    for (b, sentences) in corpus.sentences.iter().enumerate() {
        let base = perplexity_by_hand(&model, &tok, sentences, &HookSet::default());
        let zeroed = perplexity_by_hand(&model, &tok, sentences, &zero_en);
        // f32 logits from packed passes vs one sentence a pass: sums of
        // ~100 log-probs agree to about 1e-5 relative.
        assert!((ab.base_ppl[b] / base - 1.0).abs() < 1e-4, "base {b}: {} vs {base}", ab.base_ppl[b]);
        assert!((ab.ppl[0][b] / zeroed - 1.0).abs() < 1e-4, "zeroed {b}: {} vs {zeroed}", ab.ppl[0][b]);
        assert_eq!(ab.ppl[1][b], ab.base_ppl[b], "French has no neurons: nothing zeroed");
        assert!((zeroed / base - 1.0).abs() > 1e-3, "zeroing changes the perplexity");
    }
}

#[test]
fn probes_on_smollm2_and_flores() {
    let (_, model, tok) = load(&smollm2());
    let corpus = flores(&["eng_Latn", "zho_Hans", "fra_Latn"], 8);
    let r = xling::run(&model, &tok, &corpus, xling::Pool::Last, 256, &mut |_, _| {}).expect("xling");
    assert_eq!(r.layers.len(), 31);
    assert_similarity_matrices(&r);
    let want = centroid_cosine_by_hand(&model, &tok, &corpus, 14);
    assert!((r.similarity.centroid[15][0][1] - want).abs() < 1e-4, "{} vs {want}", r.similarity.centroid[15][0][1]);

    let (counts, counted) = lape_probe::count(&model, &tok, &corpus, None, 256, &mut |_, _| {}).expect("count");
    assert_eq!(counted, 8);
    // The counts of one sentence, by hand from its captures.
    let ids = tok.encode(&corpus.sentences[1][0], true, false).expect("ids");
    // BOS, when the tokenizer adds one, is not a token of the sentence.
    let skip = usize::from(tok.add_bos() && ids.first() == tok.bos_id().as_ref());
    let hooks = HookSet {
        captures: vec![CaptureRequest {
            point: HookPoint::MlpPre(3),
            rows: RowSet::Batch((skip..ids.len()).collect()),
        }],
        ..Default::default()
    };
    let out = model.run(Forward::causal(&ids).no_logits().hooks(Some(&hooks)), &mut model.new_cache()).expect("run");
    let rows = out.captures.download(model.backend()).expect("captures");
    let mut by_hand = vec![0u64; 1536];
    for row in &rows {
        for (c, &g) in by_hand.iter_mut().zip(&row.values) {
            *c += u64::from(g > 0.0);
        }
    }
    let single =
        ParallelCorpus { langs: vec!["zho_Hans".into()], sentences: vec![vec![corpus.sentences[1][0].clone()]] };
    let (c1, _) = lape_probe::count(&model, &tok, &single, None, 256, &mut |_, _| {}).expect("count one");
    assert_eq!(&c1.over_zero[0][3 * 1536..4 * 1536], &by_hand[..], "block 3's counts of one sentence");
    assert_eq!(c1.tokens[0], (ids.len() - skip) as u64, "BOS is not counted");

    let selection = select(&counts, &LapeParams::default());
    assert_eq!(selection.n_selected, (30.0f64 * 1536.0 * 0.01).round() as usize);
    for layers in selection.neurons.values() {
        assert!(layers.iter().all(|(&l, ns)| l < 30 && ns.iter().all(|&j| j < 1536)));
    }
    let eval = flores(&["eng_Latn", "zho_Hans", "fra_Latn"], 10);
    let held = ParallelCorpus {
        langs: eval.langs.clone(),
        sentences: eval.sentences.iter().map(|s| s[8..].to_vec()).collect(),
    };
    let ab = lape_probe::ablate(&model, &tok, &held, &selection, 256, &mut |_, _| {}).expect("ablate");
    assert!(ab.base_ppl.iter().chain(ab.ppl.iter().flatten()).all(|p| p.is_finite() && *p > 1.0));
    // Zeroing zh's neurons hurts zh more than English.
    assert!(ab.delta_ppl[1][1] > ab.delta_ppl[1][0], "{:?}", ab.delta_ppl);

    let f = fertility::run(&tok, &corpus, 0).expect("fertility");
    assert_eq!(f.languages[0].parity, 1.0);
    assert_eq!((f.languages[1].unit, f.languages[0].unit), ("char", "word"));
    assert!(f.languages.iter().all(|s| s.fertility.is_finite() && s.bytes_per_token > 0.0));
}

/// stories260K's SentencePiece vocabulary of 512 falls back to bytes for
/// Chinese: byte tokens are counted.
#[test]
fn fertility_counts_byte_fallbacks() {
    let (_, _, tok) = load(&shared().join("fixtures/models/stories260K/stories260K.gguf"));
    let corpus = flores(&["eng_Latn", "zho_Hans"], 20);
    let f = fertility::run(&tok, &corpus, 0).expect("fertility");
    assert!(f.languages[1].byte_fallback_share > 0.5, "{:?}", f.languages[1]);
    assert!(f.languages[0].byte_fallback_share < f.languages[1].byte_fallback_share);
}

/// xling and the LAPE counts on the GPU give the CPU's numbers: cosines
/// within 1e-4 (f32 sums in other orders, through 5 blocks), and neuron
/// counts equal but for gates within float error of 0 (at most 0.1% of
/// the counts differ).
#[test]
fn probes_on_the_gpu_give_the_cpus_numbers() {
    let Some(dev) = gpu() else { return };
    let path = shared().join("fixtures/models/stories260K/stories260K.gguf");
    let (file, cpu, tok) = load(&path);
    let gpu = Model::load(&file, GpuBackend::from_device(dev)).expect("load on the GPU");
    let corpus = flores(&["eng_Latn", "deu_Latn"], 4);
    let a = xling::run(&cpu, &tok, &corpus, xling::Pool::Mean, 256, &mut |_, _| {}).expect("cpu");
    let b = xling::run(&gpu, &tok, &corpus, xling::Pool::Mean, 256, &mut |_, _| {}).expect("gpu");
    for (x, y) in [(&a.similarity.centroid, &b.similarity.centroid), (&a.similarity.paired, &b.similarity.paired)] {
        let d =
            x.iter().flatten().flatten().zip(y.iter().flatten().flatten()).fold(0f64, |m, (p, q)| m.max((p - q).abs()));
        assert!(d < 1e-4, "max difference {d}");
    }
    let (c1, _) = lape_probe::count(&cpu, &tok, &corpus, None, 256, &mut |_, _| {}).expect("cpu counts");
    let (c2, _) = lape_probe::count(&gpu, &tok, &corpus, None, 256, &mut |_, _| {}).expect("gpu counts");
    assert_eq!(c1.tokens, c2.tokens);
    let (total, differ): (u64, u64) = c1
        .over_zero
        .iter()
        .flatten()
        .zip(c2.over_zero.iter().flatten())
        .fold((0, 0), |(t, d), (x, y)| (t + x, d + x.abs_diff(*y)));
    assert!(differ * 1000 <= total, "{differ} of {total} counts differ");
}
