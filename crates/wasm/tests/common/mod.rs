//! What the native and the browser tests share: the fixture (embedded, so
//! that the browser needs no file access), the reference scores, and the
//! tolerances with their reasons.
#![allow(dead_code)] // each test binary uses a subset

/// stories260K (a real trained llama2.c model, F32, 1.1 MB), from the
/// project's `../shared` folder beside the repository.
pub const STORIES260K: &[u8] = include_bytes!("../../../../../shared/fixtures/models/stories260K/stories260K.gguf");

/// llama2.c `run.c -t 0 -n 256` from BOS on stories260K.
pub const STORIES260K_GREEDY_256: &str = include_str!(
    "../../../../../shared/fixtures/models/stories260K/expected/observed_llama2c_run.c_t0_n256_noprompt.txt"
);

/// The scoring request the reference numbers are for.
pub const CONTEXT: &str = "Once upon a time, there was a little";
/// Its continuations.
pub const CONTINUATIONS: [&str; 4] = [" girl named Lily.", " dog", " boy who liked to run fast", " cat"];

/// Per-token log-probabilities (natural log) of [`CONTINUATIONS`] after
/// [`CONTEXT`] on stories260K, computed natively on the CPU backend by
/// `kaoshi_engine::score_continuations` (x86-64) and printed by
/// `tests/native.rs`, which asserts them natively; the browser tests assert
/// the same numbers for wasm on the CPU and on WebGPU. Both fail if either
/// drifts.
pub const REFERENCE_TOKEN_LOGPROBS: [&[f64]; 4] = [
    &[
        -0.4458667963650877,
        -0.004891021594680421,
        -0.0006584943920029514,
        -0.01878892540136801,
        -0.07660007584424078,
        -0.07032095542418638,
    ],
    &[-3.84168455301792, -0.008378622996808811],
    &[
        -1.28964540659458,
        -0.2293338594649421,
        -0.007413540368687875,
        -4.721447977491583,
        -0.003947317748194993,
        -0.0008134670735564975,
        -1.3625293712876736,
        -2.638803459880979,
        -0.013397886212453594,
        -3.2171913530296616,
        -0.4076146827419434,
        -3.1705228032490536,
        -0.8262031725038915,
        -0.013168874512947385,
    ],
    &[-4.426658841958349, -0.411013588978649],
];

/// Tolerance per token log-probability between CPU builds (native x86-64,
/// wasm32 with SIMD128): candle's f32 matmuls sum in a different order per
/// SIMD width, which moves logits by a few 1e-6 relative; log-softmax is
/// then taken in f64. 1e-4 nats is two orders of magnitude above the
/// differences measured and far below any difference a model change makes.
pub const TOL_CPU: f64 = 1e-4;

/// Tolerance per token log-probability for the GPU backend against the CPU
/// reference. Measured: 4e-6 on lavapipe, 5.3e-4 on SwiftShader (Chromium's
/// WebGPU here), whose `sin`/`cos` use the accuracy WGSL allows (absolute
/// error up to 2^-11 on [-pi, pi]) in the rope kernel; 1e-3 nats is twice
/// that, and still far below what a wrong kernel gives (whole nats).
pub const TOL_GPU: f64 = 1e-3;

/// max |gpu - cpu| / max |cpu| over all logits (6e-7 measured on lavapipe).
pub const TOL_LOGITS: f32 = 1e-4;

/// Checks `got` (per continuation, per token) against the reference.
pub fn assert_near_reference(got: &[Vec<f64>], tol: f64, what: &str) {
    assert_eq!(got.len(), REFERENCE_TOKEN_LOGPROBS.len(), "{what}: number of continuations");
    for (i, (g, want)) in got.iter().zip(REFERENCE_TOKEN_LOGPROBS).enumerate() {
        assert_eq!(
            g.len(),
            want.len(),
            "{what}: continuation {i} has {} tokens, the reference {}",
            g.len(),
            want.len()
        );
        for (j, (x, y)) in g.iter().zip(want.iter()).enumerate() {
            assert!((x - y).abs() <= tol, "{what}: continuation {i} token {j}: {x} vs reference {y} (tolerance {tol})");
        }
    }
}

/// `(max |a - b| / max |b|, rows whose argmax differs)` for row-major logits.
pub fn compare_logits(a: &[f32], b: &[f32], vocab: usize) -> (f32, Vec<usize>) {
    assert_eq!(a.len(), b.len(), "logits of different lengths");
    let scale = b.iter().fold(0f32, |m, x| m.max(x.abs()));
    let diff = a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
    let argmax = |r: &[f32]| kaoshi_model::host_argmax(r);
    let bad = (0..a.len() / vocab)
        .filter(|&r| argmax(&a[r * vocab..(r + 1) * vocab]) != argmax(&b[r * vocab..(r + 1) * vocab]))
        .collect();
    (diff / scale, bad)
}
