//! Logits parity of kaoshi (`Model` on `CpuBackend`) against an independent
//! implementation: candle-transformers 0.11.1's `quantized_llama`,
//! `quantized_qwen2` and `quantized_qwen3`, on seeded synthetic models of each
//! architecture in each storage type, and on the real stories260K model.
//!
//! The two sides share only candle-core's kernels (`QMatMul`, dequantization);
//! the model code (tensor names, rope layout, biases, q/k norms, tied
//! embeddings, GQA, masking, KV cache) is written independently on each side.
//!
//! Error measure: `max |kaoshi - candle| / max |candle|` over every logit of
//! every position. Run with `--nocapture` to see the measured figures.

use std::fs::File;
use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::models::{quantized_llama, quantized_qwen2, quantized_qwen3};
use kaoshi_cpu::CpuBackend;
use kaoshi_cpu::synth::{SynthSpec, write_synthetic};
use kaoshi_formats::{GgmlDType, GgufFile};
use kaoshi_model::{Backend, Forward, HostTensor, KvCache, Model};

/// Relative tolerance (`max |kaoshi - candle| / max |candle|` over all
/// positions) per architecture and storage type: the one place to change a
/// bound. Measured on x86-64 (2 cores, candle 0.11.1) with the spec below on
/// seeds 42 (the seed used here), 7, 99, 1, 2 and 3; the worst figure over the
/// six seeds is in each comment.
///
/// - F32 / F16 (1e-5, measured <= 1.7e-6): F16 weights become f32 matrices on
///   both sides (`QMatMul` dequantizes them), so both rows do the same f32
///   arithmetic in a different order (rope and RMS norm as loops here with an
///   f64 sum of squares, candle-nn ops there). candle's decode and prefill
///   paths disagree with each other by the same 1.5e-6. These rows are the
///   sharp test of the model code: rope layout, biases, q/k norms, GQA, tied
///   output, masking and the KV cache.
/// - Quantized (5e-2, measured <= 2.4e-2): both sides run the same `QMatMul`
///   kernels, which first quantize the activations to Q8_0 (for Q8_0, Q4_0)
///   or Q8_K (for the K-quants). Most runs agree to <= 5.4e-7, or bit for bit
///   with Q8_0 activations, whose f16 block scales absorb last-bit
///   differences. But a last-bit difference sometimes lands on a rounding
///   boundary and moves one activation by a whole quantization step (1/127
///   of its block's maximum); that step reaches every later logit through
///   the KV cache. 1 to 3 runs in 6 per row do this, with jumps of 4e-4 to
///   2.4e-2, and candle's own decode and prefill paths differ from each other
///   by up to 1.7e-2 the same way. The bound is about twice the worst jump
///   seen; argmax must still agree (see `compare`). It is a coarse check:
///   measured for scale, 4-bit weights against their f32 originals differ by
///   2e-1, another token sequence by 1.4, but Q8_0 weights against f32 only
///   by 2.6e-2, under the bound. So these rows catch a wrong block layout,
///   type or tensor, not subtle arithmetic; the F32/F16 rows do that, and
///   the printed "bit-close positions" count shows how many positions of a
///   quantized run agree to 1e-5.
/// - qwen3 uses the same bounds as the others because the test asks candle
///   for f32 rope tables: by default candle's quantized_qwen3 builds its
///   sin/cos tables in F16 unless the file says `general.dtype = 0`
///   (`RotaryEmbedding::new`), which rounds each angle `pos * inv_freq` to
///   11 bits. That is the ~3e-3 disagreement with an exact reference noted
///   in ../shared/TESTING.md. Setting `general.dtype = 0` in the metadata
///   handed to candle (not in the file) makes it a tight reference: 1.5e-6
///   instead of 3.9e-4 on the F32 model. `qwen3_default_f16_rope_is_loose`
///   keeps the default's figure in view with its own bound `QWEN3_F16_ROPE`.
const TOLERANCES: &[(&str, GgmlDType, f32)] = &[
    ("llama", GgmlDType::F32, 1e-5),  // 1.5e-6
    ("llama", GgmlDType::F16, 1e-5),  // 1.7e-6
    ("llama", GgmlDType::Q8_0, 5e-2), // 5.8e-3 (jump; else 0)
    ("llama", GgmlDType::Q4_0, 5e-2), // 0 (no jump in 6 seeds)
    ("llama", GgmlDType::Q4K, 5e-2),  // 8.4e-3 (jump; else 3.4e-7)
    ("llama", GgmlDType::Q6K, 5e-2),  // 2.1e-2 (jump; else 3.9e-7)
    ("qwen2", GgmlDType::F32, 1e-5),  // 1.4e-6
    ("qwen2", GgmlDType::F16, 1e-5),  // 1.5e-6
    ("qwen2", GgmlDType::Q8_0, 5e-2), // 0 (no jump in 6 seeds)
    ("qwen2", GgmlDType::Q4_0, 5e-2), // 1.2e-2 (jump; else 0)
    ("qwen2", GgmlDType::Q4K, 5e-2),  // 4.8e-7 (no jump in 6 seeds)
    ("qwen2", GgmlDType::Q6K, 5e-2),  // 2.0e-2 (jump; else 5.4e-7)
    ("qwen3", GgmlDType::F32, 1e-5),  // 1.5e-6
    ("qwen3", GgmlDType::F16, 1e-5),  // 1.6e-6
    ("qwen3", GgmlDType::Q8_0, 5e-2), // 1.6e-2 (jump; else 0)
    ("qwen3", GgmlDType::Q4_0, 5e-2), // 1.0e-2 (jump; else 0)
    ("qwen3", GgmlDType::Q4K, 5e-2),  // 7.5e-4 (jump; else 4.4e-7)
    ("qwen3", GgmlDType::Q6K, 5e-2),  // 2.4e-2 (jump; else 5.4e-7)
];

/// qwen3 against candle's default F16 rope tables (measured 3.9e-4 on the
/// F32 model; ../shared/TESTING.md saw ~3e-3 on another model): a loose bound.
const QWEN3_F16_ROPE: f32 = 1e-2;

/// stories260K (F32 llama): 1e-4, measured 7.9e-7. Looser than the synthetic
/// F32 rows because its logits are 4x larger and its head width 8 is unusual;
/// still 100x below what any model-code error would give.
const STORIES_TOLERANCE: f32 = 1e-4;

fn tolerance(arch: &str, dtype: GgmlDType) -> f32 {
    TOLERANCES
        .iter()
        .find(|(a, d, _)| *a == arch && *d == dtype)
        .map(|(_, _, t)| *t)
        .unwrap_or_else(|| panic!("no tolerance for {arch} {dtype:?} in TOLERANCES"))
}

/// Small but with every feature on: GQA (4 heads, 2 KV heads), two blocks,
/// widths that are multiples of 256 for the K-quants.
fn spec(arch: &str, tied: bool) -> SynthSpec {
    SynthSpec { arch: arch.into(), context: 256, rms_eps: 1e-6, tied, ..SynthSpec::small_llama() }
}

/// A fixed sequence starting with BOS, spread over the vocabulary.
fn tokens(n: usize, vocab: u32) -> Vec<u32> {
    std::iter::once(1).chain((1..n as u32).map(|i| (i * 97 + 13) % vocab)).collect()
}

fn shared_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        dir.is_dir(),
        "this test needs the shared fixtures folder at {} (../shared from the repository root)",
        dir.display()
    );
    dir
}

/// candle-transformers' model for one architecture.
enum Reference {
    Llama(quantized_llama::ModelWeights),
    Qwen2(quantized_qwen2::ModelWeights),
    Qwen3(quantized_qwen3::ModelWeights),
}

impl Reference {
    /// Loads `path`; for qwen3, `f32_rope` asks candle for f32 rope tables.
    fn load(path: &Path, f32_rope: bool) -> Reference {
        let mut reader = File::open(path).expect("open synthetic file");
        let mut ct = gguf_file::Content::read(&mut reader).expect("candle reads the GGUF header");
        let arch = ct.metadata["general.architecture"].to_string().expect("architecture").clone();
        let dev = &Device::Cpu;
        match arch.as_str() {
            "llama" => Reference::Llama(quantized_llama::ModelWeights::from_gguf(ct, &mut reader, dev).unwrap()),
            "qwen2" => Reference::Qwen2(quantized_qwen2::ModelWeights::from_gguf(ct, &mut reader, dev).unwrap()),
            "qwen3" => {
                if f32_rope {
                    ct.metadata.insert("general.dtype".into(), gguf_file::Value::U32(0));
                }
                Reference::Qwen3(quantized_qwen3::ModelWeights::from_gguf(ct, &mut reader, dev).unwrap())
            }
            other => panic!("no candle reference for {other}"),
        }
    }

    /// Logits of the last position of `ids`, fed at `index_pos`.
    fn forward(&mut self, ids: &[u32], index_pos: usize) -> Vec<f32> {
        let input = Tensor::new(ids, &Device::Cpu).and_then(|t| t.unsqueeze(0)).unwrap();
        let out = match self {
            Reference::Llama(m) => m.forward(&input, index_pos),
            Reference::Qwen2(m) => m.forward(&input, index_pos),
            Reference::Qwen3(m) => m.forward(&input, index_pos),
        };
        out.and_then(|t| t.flatten_all()).and_then(|t| t.to_vec1::<f32>()).unwrap()
    }

    fn clear(&mut self) {
        match self {
            Reference::Llama(m) => m.clear_kv_cache(),
            Reference::Qwen2(m) => m.clear_kv_cache(),
            Reference::Qwen3(m) => m.clear_kv_cache(),
        }
    }

    /// Logits of every position, two ways: decoding one token at a time
    /// through candle's KV cache, and running each prefix as one batch (the
    /// masked prefill path, whose last row is the position's logits).
    fn all_positions(&mut self, ids: &[u32]) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
        self.clear();
        let stepwise = ids.iter().enumerate().map(|(i, &t)| self.forward(&[t], i)).collect();
        let prefixes = (1..=ids.len())
            .map(|n| {
                self.clear();
                self.forward(&ids[..n], 0)
            })
            .collect();
        (stepwise, prefixes)
    }
}

/// kaoshi's logits for every position of `ids`, two ways: all rows of one
/// batch, and one token at a time through kaoshi's KV cache.
fn kaoshi_logits(path: &Path, ids: &[u32]) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let file = GgufFile::open(path).expect("kaoshi opens the file");
    let model = Model::load(&file, CpuBackend::new()).expect("kaoshi loads the model");
    let vocab = model.config().vocab_size;
    let rows: Vec<usize> = (0..ids.len()).collect();
    let batch = host_logits(&model, Forward::causal(ids).logit_rows(&rows), &mut model.new_cache());
    assert_eq!((batch.rows, batch.cols), (ids.len(), vocab));
    let mut cache = model.new_cache();
    let stepwise = ids
        .iter()
        .map(|&t| {
            let l = host_logits(&model, Forward::causal(&[t]), &mut cache);
            assert_eq!((l.rows, l.cols), (1, vocab));
            l.data
        })
        .collect();
    (rows.iter().map(|&r| batch.row(r).to_vec()).collect(), stepwise)
}

/// The logits a forward request asks for, read back.
fn host_logits<B: Backend>(model: &Model<B>, req: Forward<'_>, cache: &mut KvCache<B>) -> HostTensor {
    let out = model.run(req, cache).expect("kaoshi's forward pass");
    out.logits.to_host(model.backend(), model.config().vocab_size).expect("read back")
}

/// Runs `ids` through both implementations and checks every pairing of
/// kaoshi's batch and step-by-step logits with candle's.
fn check_file(case: &str, path: &Path, ids: &[u32], f32_rope: bool, tol: f32) {
    let (batch, stepwise) = kaoshi_logits(path, ids);
    let (c_step, c_prefix) = Reference::load(path, f32_rope).all_positions(ids);
    assert_close(case, "batch/prefixes", &batch, &c_prefix, tol);
    assert_close(case, "batch/stepwise", &batch, &c_step, tol);
    assert_close(case, "stepwise/stepwise", &stepwise, &c_step, tol);
}

/// Positions whose error is at most this (relative) count as bit-close in
/// the report: 20x the worst error of a run without a quantization-step jump.
const TIGHT: f32 = 1e-5;

/// The comparison of two sets of logits.
#[derive(Debug, Clone, Copy)]
struct Diff {
    /// max |ours - reference| / max |reference|.
    rel: f32,
    /// max |reference|.
    scale: f32,
    /// Positions within `TIGHT`.
    tight: usize,
    /// Positions in all.
    positions: usize,
    /// Positions whose argmax differs although the reference's logits for the
    /// two tokens are further apart than the error at that position (a real
    /// disagreement).
    argmax_mismatches: usize,
    /// Positions whose argmax differs within a near-tie (allowed).
    near_ties: usize,
}

fn argmax(x: &[f32]) -> usize {
    x.iter().enumerate().fold(0, |best, (i, &v)| if v > x[best] { i } else { best })
}

fn compare(ours: &[Vec<f32>], reference: &[Vec<f32>]) -> Diff {
    assert_eq!(ours.len(), reference.len(), "number of positions");
    let scale = reference.iter().flatten().fold(0f32, |m, v| m.max(v.abs()));
    let (mut max_diff, mut tight, mut argmax_mismatches, mut near_ties) = (0f32, 0, 0, 0);
    for (a, b) in ours.iter().zip(reference) {
        assert_eq!(a.len(), b.len(), "vocabulary size");
        assert!(a.iter().all(|x| x.is_finite()), "kaoshi produced a non-finite logit");
        let row_diff = a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
        max_diff = max_diff.max(row_diff);
        if row_diff <= TIGHT * scale {
            tight += 1;
        }
        let (ia, ib) = (argmax(a), argmax(b));
        if ia != ib {
            // Another argmax is fine only when the reference ranks the two
            // tokens closer than the two sides differ at this position.
            if b[ib] - b[ia] <= 2.0 * row_diff {
                near_ties += 1;
            } else {
                argmax_mismatches += 1;
            }
        }
    }
    Diff { rel: max_diff / scale, scale, tight, positions: ours.len(), argmax_mismatches, near_ties }
}

/// Compares, prints the figures (shown with `--nocapture`) and asserts.
fn assert_close(case: &str, what: &str, ours: &[Vec<f32>], reference: &[Vec<f32>], tol: f32) {
    let d = compare(ours, reference);
    println!(
        "{case:<20} {what:<18} rel {:>8.2e} (tol {tol:.0e})  bit-close positions {:>2}/{}  max|logit| {:.2}  \
         argmax: {} mismatches, {} near-ties",
        d.rel, d.tight, d.positions, d.scale, d.argmax_mismatches, d.near_ties
    );
    assert!(d.rel <= tol, "{case} ({what}): relative logit error {:.3e} exceeds {tol:.0e}", d.rel);
    assert_eq!(d.argmax_mismatches, 0, "{case} ({what}): argmax differs at a position without a near-tie");
}

/// Writes the synthetic model of `arch`/`dtype`, returning its path.
/// `test` keeps the file names of tests running in parallel apart.
fn synthetic(test: &str, arch: &str, dtype: GgmlDType, tied: bool) -> PathBuf {
    let name = format!("parity_{test}_{arch}_{}_{tied}.gguf", dtype.name());
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    write_synthetic(&spec(arch, tied), dtype, 42, None, &path, &mut |_, _| {}).expect("write synthetic model");
    path
}

fn check_synthetic(arch: &str, dtype: GgmlDType, tied: bool) {
    let case = format!("{arch} {}{}", dtype.name(), if tied { " tied" } else { "" });
    let path = synthetic("case", arch, dtype, tied);
    check_file(&case, &path, &tokens(16, 300), true, tolerance(arch, dtype));
    std::fs::remove_file(&path).ok();
}

macro_rules! parity {
    ($($name:ident: $arch:literal, $dtype:ident, $tied:literal;)*) => {$(
        #[test]
        fn $name() {
            check_synthetic($arch, GgmlDType::$dtype, $tied);
        }
    )*};
}

parity! {
    llama_f32: "llama", F32, false;
    llama_f16: "llama", F16, false;
    llama_q8_0: "llama", Q8_0, false;
    llama_q4_0: "llama", Q4_0, false;
    llama_q4_k: "llama", Q4K, false;
    llama_q6_k: "llama", Q6K, false;
    qwen2_f32: "qwen2", F32, false;
    qwen2_f16: "qwen2", F16, false;
    qwen2_q8_0: "qwen2", Q8_0, false;
    qwen2_q4_0: "qwen2", Q4_0, false;
    qwen2_q4_k: "qwen2", Q4K, false;
    qwen2_q6_k: "qwen2", Q6K, false;
    qwen2_f32_tied: "qwen2", F32, true;
    qwen2_q4_k_tied: "qwen2", Q4K, true;
    qwen3_f32: "qwen3", F32, false;
    qwen3_f16: "qwen3", F16, false;
    qwen3_q8_0: "qwen3", Q8_0, false;
    qwen3_q4_0: "qwen3", Q4_0, false;
    qwen3_q4_k: "qwen3", Q4K, false;
    qwen3_q6_k: "qwen3", Q6K, false;
}

/// candle's qwen3 with its default F16 rope tables: agreement is only loose,
/// which is why the parity cases ask it for f32 tables.
#[test]
fn qwen3_default_f16_rope_is_loose() {
    let path = synthetic("f16rope", "qwen3", GgmlDType::F32, false);
    check_file("qwen3 F32 f16-rope", &path, &tokens(16, 300), false, QWEN3_F16_ROPE);
    std::fs::remove_file(&path).ok();
}

/// The real stories260K model (llama, F32, 8 heads of width 8, 4 KV heads,
/// separate output matrix), 20 tokens.
#[test]
fn stories260k_matches_quantized_llama() {
    let path = shared_dir().join("fixtures/models/stories260K/stories260K.gguf");
    assert!(path.is_file(), "missing fixture {}", path.display());
    check_file("stories260K", &path, &tokens(20, 512), false, STORIES_TOLERANCE);
}
