//! Shared test helpers, and the one table of parity thresholds.
#![allow(dead_code)] // each test binary uses a subset

use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{Device, Tensor};
use kaoshi_gpu::{GpuDevice, Variant};

/// The GPU device, or `None` (with a printed message) when there is no
/// adapter. With `KAOSHI_REQUIRE_GPU=1` a missing adapter fails the test.
pub fn gpu_or_skip() -> Option<GpuDevice> {
    match GpuDevice::new() {
        Ok(dev) => Some(dev),
        Err(e) => {
            if std::env::var("KAOSHI_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!("KAOSHI_REQUIRE_GPU=1 but no GPU device could be opened: {e}");
            }
            eprintln!("SKIPPED: no GPU device ({e}); set KAOSHI_REQUIRE_GPU=1 to make this a failure");
            None
        }
    }
}

/// Every kernel variant this device can run: each workgroup size, f16 and
/// subgroups off and (where the adapter has them) on.
pub fn variants(dev: &GpuDevice) -> Vec<Variant> {
    let f = dev.info().features;
    let f16s: &[bool] = if f.contains(wgpu::Features::SHADER_F16) { &[false, true] } else { &[false] };
    let sgs: &[bool] = if f.contains(wgpu::Features::SUBGROUP) { &[false, true] } else { &[false] };
    let mut out = Vec::new();
    for &workgroup_size in &kaoshi_gpu::WORKGROUP_SIZES {
        for &f16 in f16s {
            for &subgroups in sgs {
                out.push(Variant { workgroup_size, f16, subgroups });
            }
        }
    }
    out
}

/// Deterministic values in [-1, 1).
pub fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// sum((got - want)^2) / sum(want^2).
pub fn nmse(got: &[f32], want: &[f32]) -> f64 {
    assert_eq!(got.len(), want.len(), "lengths differ");
    let num: f64 = got.iter().zip(want).map(|(&g, &w)| (f64::from(g) - f64::from(w)).powi(2)).sum();
    let den: f64 = want.iter().map(|&w| f64::from(w).powi(2)).sum();
    num / den.max(f64::MIN_POSITIVE)
}

/// Normalized MSE thresholds, sum((gpu - cpu)^2) / sum(cpu^2), per op.
/// Why each is what it is:
/// - add (also add_row_vector), embed_f32, embed_q8_0: one f32 operation
///   (or a copy; f16 scale * i8 is exact in f32) each side, bit-identical:
///   0 allowed up to 1e-14.
/// - silu_mul, rms_norm: exp / sqrt differ by a few ulp between the host
///   libm and the GPU (WGSL allows 3+ ulp for exp, 2.5 ulp for inverse
///   sqrt); the CPU sums squares in f64. Measured <= 7e-15; 1e-11.
/// - rope: GPU sin/cos of angles up to ~100 rad have an absolute error
///   bound (WGSL: 2^-11 on [-pi, pi] after range reduction) far above f32
///   ulp; measured 3e-16 on lavapipe (its sin/cos are libm-grade); 1e-9
///   leaves room for hardware sin/cos.
/// - matmul, every weight type, any rows of x (the reference runs the CPU
///   on >= 8 rows, where it dequantizes with candle's `to_float` and runs
///   an f32 GEMM): the GPU decodes the same f32 weights and sums the same
///   products in another order: 1e-10.
/// - matmul_q8_0_decode, the CPU's real decode path (< 8 rows): candle's
///   QMatMul quantizes x to Q8_0 too (8-bit activations, relative error
///   ~1e-2 per value, ~1e-5 in NMSE); the GPU keeps x in f32, so this
///   bounds candle's error, not ours. Measured 1e-5; 1e-4.
/// - embed F16, Q4_0, Q4_1, Q5_0, Q5_1 (one exact f32 operation each:
///   f16 widening, small integer times f16 scale, plus an f16 min):
///   1e-14 like embed_q8_0. Q2_K..Q6_K: two or three f32 multiplies (and
///   a subtraction) in candle's order, but the GPU may fuse them into an
///   fma (one rounding fewer): a few ulp per value, 1e-12.
///   Measured 0 (bit-identical) on lavapipe for all.
/// - attention, attention_pattern: dot products and softmax sums in
///   another order, exp within a few ulp: same order as rms_norm; 1e-10.
/// - scale_columns: one f32 multiply per value (or a copy), as
///   add: 1e-14.
pub const THRESHOLDS: &[(&str, f64)] = &[
    ("add", 1e-14),
    ("silu_mul", 1e-11),
    ("rms_norm", 1e-11),
    ("rope", 1e-9),
    ("matmul_f32", 1e-10),
    ("matmul_q8_0", 1e-10),
    ("matmul_q8_0_decode", 1e-4),
    ("embed_f32", 1e-14),
    ("embed_q8_0", 1e-14),
    ("matmul_f16", 1e-10),
    ("matmul_q4_0", 1e-10),
    ("matmul_q4_1", 1e-10),
    ("matmul_q5_0", 1e-10),
    ("matmul_q5_1", 1e-10),
    ("matmul_q4_k", 1e-10),
    ("matmul_q6_k", 1e-10),
    ("matmul_q2_k", 1e-10),
    ("matmul_q3_k", 1e-10),
    ("matmul_q5_k", 1e-10),
    ("embed_f16", 1e-14),
    ("embed_q4_0", 1e-14),
    ("embed_q4_1", 1e-14),
    ("embed_q5_0", 1e-14),
    ("embed_q5_1", 1e-14),
    ("embed_q4_k", 1e-12),
    ("embed_q6_k", 1e-12),
    ("embed_q2_k", 1e-12),
    ("embed_q3_k", 1e-12),
    ("embed_q5_k", 1e-12),
    ("attention", 1e-10),
    ("attention_pattern", 1e-10),
    ("scale_columns", 1e-14),
];

fn threshold(op: &str) -> f64 {
    THRESHOLDS.iter().find(|(name, _)| *name == op).map(|&(_, t)| t).expect("op in THRESHOLDS")
}

pub fn check(op: &str, dev: &GpuDevice, got: &[f32], want: &[f32]) {
    let e = nmse(got, want);
    let t = threshold(op);
    eprintln!("{op:>20} {:?}: NMSE {e:.2e} (limit {t:.0e})", dev.variant());
    assert!(e <= t, "{op} with {:?}: NMSE {e:.3e} > {t:.0e}", dev.variant());
}

/// Runs `f` once per kernel variant the adapter supports, with RMS norms
/// folded into one-row products (`GpuDevice::set_fold_norm`, off by
/// default), so that `Op::MatVecNorm` is checked too.
pub fn for_each_variant(f: impl FnMut(&GpuDevice)) {
    for_each_variant_with(|_| {}, f);
}

/// [`for_each_variant`] on a device `setup` has configured first.
pub fn for_each_variant_with(setup: impl FnOnce(&mut GpuDevice), mut f: impl FnMut(&GpuDevice)) {
    let Some(mut dev) = gpu_or_skip() else { return };
    dev.set_fold_norm(true);
    setup(&mut dev);
    for v in variants(&dev) {
        dev.set_variant(v).expect("variant the adapter supports");
        f(&dev);
    }
}

/// Writes one `[rows, cols]` weight in `dtype` to a temporary GGUF file.
pub fn weight_file(name: &str, dtype: GgmlDType, rows: usize, cols: usize) -> std::path::PathBuf {
    let w = Tensor::from_vec(values(rows * cols, 6), (rows, cols), &Device::Cpu).unwrap();
    let q = QTensor::quantize(&w, dtype).unwrap();
    let path = std::env::temp_dir().join(format!("kaoshi-gpu-{name}-{}.gguf", std::process::id()));
    let mut f = std::fs::File::create(&path).unwrap();
    gguf_file::write(&mut f, &[], &[("w", &q)]).unwrap();
    path
}

/// Logits of all `tokens` in one causal forward pass, read back.
pub fn causal_logits<B: kaoshi_model::Backend>(
    model: &kaoshi_model::Model<B>,
    tokens: &[u32],
) -> kaoshi_model::HostTensor {
    let rows: Vec<usize> = (0..tokens.len()).collect();
    host_logits(model, kaoshi_model::Forward::causal(tokens).logit_rows(&rows), &mut model.new_cache())
}

/// The logits a forward request asks for, read back (panics on failure).
pub fn host_logits<B: kaoshi_model::Backend>(
    model: &kaoshi_model::Model<B>,
    req: kaoshi_model::Forward<'_>,
    cache: &mut kaoshi_model::KvCache<B>,
) -> kaoshi_model::HostTensor {
    let out = model.run(req, cache).expect("forward");
    out.logits.to_host(model.backend(), model.config().vocab_size).expect("read back the logits")
}
