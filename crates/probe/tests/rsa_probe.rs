//! The RSA runner (kaoshi_probe::rsa_probe) on stories260K and FLORES-200
//! sentences from ../shared: its RDMs against ones computed here from the
//! model's own hook captures (each stimulus run alone), and on the GPU
//! against the CPU (lavapipe in CI; a missing adapter fails under
//! KAOSHI_REQUIRE_GPU=1).

use std::path::{Path, PathBuf};

use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::{GpuBackend, GpuDevice};
use kaoshi_model::{Backend, CaptureRequest, Forward, HookPoint, HookSet, Model, RowSet};
use kaoshi_probe::data::ParallelCorpus;
use kaoshi_probe::rsa::{Compare, Distance, rdm};
use kaoshi_probe::rsa_probe::{self, RsaOptions};
use kaoshi_probe::xling::Pool;
use kaoshi_tokenizer::Tokenizer;

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("data/flores200").is_dir(), "these tests need {} (the ../shared folder)", p.display());
    p
}

fn stimuli(n: usize) -> Vec<String> {
    let c = ParallelCorpus::read(&shared().join("data/flores200"), &["eng_Latn".to_string()], Some(n)).expect("FLORES");
    c.sentences[0].clone()
}

fn load() -> (GgufFile, Model<CpuBackend>, Tokenizer) {
    let file = GgufFile::open(&shared().join("fixtures/models/stories260K/stories260K.gguf")).expect("open");
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map()).expect("tokenizer");
    let model = Model::load(&file, CpuBackend::new()).expect("load");
    (file, model, tok)
}

fn options(pool: Pool, prefix: Option<&str>) -> RsaOptions {
    RsaOptions {
        pool,
        distance: Distance::Correlation,
        compare: Compare::Spearman,
        permutations: 0,
        bootstrap: 0,
        seed: 0,
        prefix: prefix.map(String::from),
    }
}

fn max_diff(a: &[Vec<Vec<f64>>], b: &[Vec<Vec<f64>>]) -> f64 {
    a.iter().flatten().flatten().zip(b.iter().flatten().flatten()).fold(0f64, |m, (x, y)| m.max((x - y).abs()))
}

/// The mean-pooled RDM at block `l`'s output, computed here: each
/// stimulus run alone after `prefix` (ids), its own rows averaged.
fn rdm_by_hand<B: Backend>(model: &Model<B>, tok: &Tokenizer, s: &[String], prefix: &[u32], l: usize) -> Vec<Vec<f64>> {
    let hooks = HookSet {
        captures: vec![CaptureRequest { point: HookPoint::ResidPost(l), rows: RowSet::All }],
        ..Default::default()
    };
    let emb: Vec<Vec<f64>> = s
        .iter()
        .map(|s| {
            let ids = [prefix, &tok.encode(s, false, false).expect("ids")].concat();
            let out =
                model.run(Forward::causal(&ids).no_logits().hooks(Some(&hooks)), &mut model.new_cache()).expect("run");
            let rows = out.captures.download(model.backend()).expect("captures");
            let own = &rows[prefix.len()..];
            let mut mean = vec![0f64; model.config().dim];
            for r in own {
                mean.iter_mut().zip(&r.values).for_each(|(m, v)| *m += f64::from(*v) / own.len() as f64);
            }
            mean
        })
        .collect();
    rdm(&emb, Distance::Correlation)
}

#[test]
fn runner_rdms_equal_a_computation_from_captures() {
    let (_, model, tok) = load();
    let s = stimuli(7);
    // 64 rows a pass: the stimuli run in several packs.
    let r = rsa_probe::model_rdms(&model, &tok, &s, &options(Pool::Mean, None), 64, &mut |_, _| {}).expect("rdms");
    assert_eq!(r.layers, ["emb", "0", "1", "2", "3", "4"]);
    assert!(r.bos && r.prefix_tokens == 1, "stories260K's tokenizer adds a BOS");
    let bos = [tok.bos_id().expect("bos")];
    for l in [1, 4] {
        let want = rdm_by_hand(&model, &tok, &s, &bos, l);
        // Packed rows sum in another order than single runs: f32 noise.
        let d = max_diff(&[want], &r.rdms[l + 1..l + 2]);
        assert!(d < 1e-4, "block {l}: {d}");
    }
    let prefix = "Read the sentence:";
    let with = rsa_probe::model_rdms(&model, &tok, &s, &options(Pool::Mean, Some(prefix)), 256, &mut |_, _| {})
        .expect("with a prefix");
    let ids = tok.encode(prefix, true, false).expect("prefix ids");
    assert_eq!(with.prefix_tokens, ids.len());
    assert!(max_diff(&[rdm_by_hand(&model, &tok, &s, &ids, 2)], &with.rdms[3..4]) < 1e-4);
    assert!(max_diff(&with.rdms[..1], &r.rdms[..1]) < 1e-12, "the prefix is left out of the embedding layer's mean");
    assert!(max_diff(&with.rdms[5..], &r.rdms[5..]) > 1e-3, "and changes the last block's");
    let last = rsa_probe::model_rdms(&model, &tok, &s, &options(Pool::Last, None), 256, &mut |_, _| {}).expect("last");
    assert!(max_diff(&last.rdms, &r.rdms) > 1e-3);
}

#[test]
fn a_stimulus_without_tokens_and_too_few_stimuli_are_refused() {
    let (_, model, tok) = load();
    let s = vec!["a cat".to_string(), String::new(), "a dog".to_string()];
    let e = rsa_probe::model_rdms(&model, &tok, &s, &options(Pool::Mean, None), 64, &mut |_, _| {}).expect_err("empty");
    assert!(e.to_string().contains("stimulus 2"), "{e}");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rsa-stimuli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let f = dir.join("two.txt");
    std::fs::write(&f, "one\ntwo\n\n").expect("write");
    assert!(rsa_probe::read_stimuli(&f).expect_err("two").to_string().contains("at least 3"));
    std::fs::write(&f, "one\n\ntwo\nthree\n").expect("write");
    assert!(rsa_probe::read_stimuli(&f).expect_err("blank").to_string().contains("two.txt:2"));
    std::fs::write(&f, "").expect("write");
    assert!(rsa_probe::read_stimuli(&f).is_err());
}

#[test]
fn rsa_on_the_gpu_gives_the_cpus_rdms() {
    let dev = match GpuDevice::new() {
        Ok(d) => d,
        Err(e) if std::env::var("KAOSHI_REQUIRE_GPU").is_ok_and(|v| v == "1") => panic!("KAOSHI_REQUIRE_GPU=1: {e}"),
        Err(e) => {
            eprintln!("SKIPPED: no GPU device ({e})");
            return;
        }
    };
    let (file, cpu, tok) = load();
    let gpu = Model::load(&file, GpuBackend::from_device(dev)).expect("load on the GPU");
    let s = stimuli(6);
    let o = options(Pool::Mean, Some("Sentence:"));
    let a = rsa_probe::model_rdms(&cpu, &tok, &s, &o, 256, &mut |_, _| {}).expect("cpu");
    let b = rsa_probe::model_rdms(&gpu, &tok, &s, &o, 256, &mut |_, _| {}).expect("gpu");
    // Distances in [0, 2] from f32 activations; the kernels sum in another
    // order than the CPU: 1e-4, as the xling probe's GPU check.
    let d = max_diff(&a.rdms, &b.rdms);
    assert!(d < 1e-4, "max RDM difference {d}");
    let r = rsa_probe::against_model(&a, &b, &o);
    assert!(r.rho.iter().all(|&x| x > 0.999), "{:?}", r.rho);
}
