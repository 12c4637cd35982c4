//! Parity with the CPU backend for the ops only a whole model needs:
//! embedding gather (every weight type), row-vector add, attention with key spans.
//! Thresholds are in `common::THRESHOLDS` with the rest.

mod common;

use candle_core::quantized::GgmlDType;
use common::{check, for_each_variant, values, weight_file};
use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::{DType, GpuDevice};
use kaoshi_model::{Backend, KeySpan};

#[test]
fn embed_matches_cpu_every_weight_type() {
    let cases = [
        ("embed_f32", GgmlDType::F32, DType::F32, 96),
        ("embed_q8_0", GgmlDType::Q8_0, DType::Q8_0, 96),
        ("embed_f16", GgmlDType::F16, DType::F16, 97),
        ("embed_q4_0", GgmlDType::Q4_0, DType::Q4_0, 96),
        ("embed_q4_1", GgmlDType::Q4_1, DType::Q4_1, 96),
        ("embed_q5_0", GgmlDType::Q5_0, DType::Q5_0, 96),
        ("embed_q5_1", GgmlDType::Q5_1, DType::Q5_1, 96),
        ("embed_q4_k", GgmlDType::Q4K, DType::Q4K, 512),
        ("embed_q6_k", GgmlDType::Q6K, DType::Q6K, 768),
        ("embed_q2_k", GgmlDType::Q2K, DType::Q2K, 512),
        ("embed_q3_k", GgmlDType::Q3K, DType::Q3K, 768),
        ("embed_q5_k", GgmlDType::Q5K, DType::Q5K, 512),
    ];
    for (name, dtype, gpu_dtype, cols) in cases {
        let rows = 37;
        let path = weight_file(name, dtype, rows, cols);
        let file = GgufFile::open(&path).unwrap();
        let cpu = CpuBackend::new();
        let ids = [0u32, 36, 5, 5, 17];
        let want = cpu.download(&cpu.embed(&cpu.load_matrix(&file, "w").unwrap(), &ids).unwrap()).unwrap().data;
        let bytes = file.read_tensor_bytes("w").unwrap();
        for_each_variant(|dev| {
            let w = dev.upload_matrix(&bytes, gpu_dtype, rows, cols).unwrap();
            check(name, dev, &dev.download_tensor(&dev.embed(&w, &ids).unwrap()).unwrap(), &want);
            assert!(dev.embed(&w, &[37]).is_err(), "out-of-vocabulary id must be an error");
        });
        let _ = std::fs::remove_file(&path);
    }
}

#[test]
fn add_row_vector_matches_cpu_all_and_some_rows() {
    let cpu = CpuBackend::new();
    let (r, c) = (6, 37);
    let (x, v) = (values(r * c, 11), values(c, 12));
    let (cx, cv) = (cpu.upload(&x, r, c).unwrap(), cpu.upload(&v, 1, c).unwrap());
    for rows in [None, Some(&[1usize, 4][..])] {
        let want = cpu.download(&cpu.add_row_vector(&cx, &cv, rows).unwrap()).unwrap().data;
        for_each_variant(|dev| {
            let (gx, gv) = (dev.upload_tensor(&x, r, c).unwrap(), dev.upload_tensor(&v, 1, c).unwrap());
            check("add", dev, &dev.download_tensor(&dev.add_row_vector(&gx, &gv, rows).unwrap()).unwrap(), &want);
        });
    }
}

/// Attention of random q, k (times `k_scale`), v with `n_heads` / `n_kv_heads`
/// heads of `head_dim` over `t` keys, one query row per span, in every
/// variant against the CPU; `seed` picks the values.
fn check_attention(heads: (usize, usize, usize), t: usize, spans: &[KeySpan], seed: u64, k_scale: f32) {
    check_attention_on(all_variants, heads, t, spans, seed, k_scale);
}

/// Runs a check on some devices (every variant, or the default one).
type EachDevice = fn(&mut dyn FnMut(&GpuDevice));

fn all_variants(f: &mut dyn FnMut(&GpuDevice)) {
    for_each_variant(f);
}

fn default_variant(f: &mut dyn FnMut(&GpuDevice)) {
    if let Some(dev) = common::gpu_or_skip() {
        f(&dev);
    }
}

/// [`check_attention`] on the devices `each` gives.
fn check_attention_on(
    each: EachDevice,
    heads: (usize, usize, usize),
    t: usize,
    spans: &[KeySpan],
    seed: u64,
    k_scale: f32,
) {
    let cpu = CpuBackend::new();
    let (n_heads, n_kv_heads, head_dim) = heads;
    let n = spans.len();
    let q = values(n * n_heads * head_dim, seed);
    let k: Vec<f32> = values(t * n_kv_heads * head_dim, seed + 1).iter().map(|v| v * k_scale).collect();
    let v = values(t * n_kv_heads * head_dim, seed + 2);
    let up = |d: &[f32], r: usize, c: usize| cpu.upload(d, r, c).unwrap();
    let (cq, ck, cv) =
        (up(&q, n, n_heads * head_dim), up(&k, t, n_kv_heads * head_dim), up(&v, t, n_kv_heads * head_dim));
    let want = cpu.download(&cpu.attention(&cq, &ck, &cv, n_heads, n_kv_heads, head_dim, spans).unwrap()).unwrap().data;
    each(&mut |dev| {
        let gq = dev.upload_tensor(&q, n, n_heads * head_dim).unwrap();
        let gk = dev.upload_tensor(&k, t, n_kv_heads * head_dim).unwrap();
        let gv = dev.upload_tensor(&v, t, n_kv_heads * head_dim).unwrap();
        let got = dev.attention(&gq, &gk, &gv, n_heads, n_kv_heads, head_dim, spans).unwrap();
        check("attention", dev, &dev.download_tensor(&got).unwrap(), &want);
    });
}

#[test]
fn attention_matches_cpu_causal_and_shared_prefix_spans() {
    // Rows 0-2: causal at cache indices 65..68; rows 3-4: continuations of a
    // 60-token prompt, each with its own private range.
    let spans = [
        KeySpan::causal(65),
        KeySpan::causal(66),
        KeySpan::causal(67),
        KeySpan { shared: 60, own_start: 60, own_end: 63 },
        KeySpan { shared: 60, own_start: 63, own_end: 70 },
    ];
    check_attention((6, 2, 12), 70, &spans, 13, 2.0);
}

/// Both attention paths on 300 keys (several key chunks of every workgroup
/// size, the last one partial): 3 rows take the split-KV kernels, 12 rows
/// the one-workgroup-per-head kernel.
#[test]
fn attention_matches_cpu_for_few_and_many_rows_over_many_keys() {
    let t = 300;
    for n in [3, 12] {
        let spans: Vec<KeySpan> = (0..n)
            .map(|i| {
                if i % 3 == 2 {
                    KeySpan { shared: 100, own_start: 250, own_end: 260 + i }
                } else {
                    KeySpan::causal(t - n + i)
                }
            })
            .collect();
        check_attention((4, 2, 16), t, &spans, 21, 3.0);
    }
}

/// The many-row kernel's online softmax: rows whose first visible key
/// comes after several empty tiles (the running max starts from nothing
/// there), and heads of 80 (several output dimensions per invocation at 32
/// and 64 invocations, the last one partial).
#[test]
fn many_row_attention_handles_late_keys_and_wide_heads() {
    let t = 290;
    let spans: Vec<KeySpan> = (0..10)
        .map(|i| match i % 3 {
            0 => KeySpan { shared: 0, own_start: 260 + i, own_end: 280 + i },
            1 => KeySpan { shared: 1, own_start: 200, own_end: 201 },
            _ => KeySpan::causal(t - 10 + i),
        })
        .collect();
    check_attention((4, 2, 80), t, &spans, 23, 3.0);
}

/// A 1,500-token causal prompt over 16 heads: a scratch buffer of every
/// score (rows x heads x keys floats, what the many-row kernel used to
/// write) would be 144 MB, over lavapipe's 128 MiB binding limit, and the
/// prompt was refused; the one-pass kernel needs none.
#[test]
fn long_prompt_attention_needs_no_score_buffer() {
    let t = 1500;
    let spans: Vec<KeySpan> = (0..t).map(KeySpan::causal).collect();
    // One variant (the default): the others are checked on shorter prompts.
    check_attention_on(default_variant, (16, 4, 8), t, &spans, 29, 2.0);
}

/// The matmul epilogue: `x · wᵀ + bias + residual` in one dispatch equals
/// the CPU's three steps, for one row (matrix-vector kernel) and many
/// (tiled kernel), with the bias, the residual or both; `silu(gate) *
/// (x · wᵀ)` equals the CPU's linear then silu_mul.
#[test]
fn fused_bias_residual_and_gate_match_cpu() {
    let cpu = CpuBackend::new();
    let (rows, cols) = (37, 64);
    let path = weight_file("fused", GgmlDType::Q8_0, rows, cols);
    let file = GgufFile::open(&path).unwrap();
    let cw = cpu.load_matrix(&file, "w").unwrap();
    let bytes = file.read_tensor_bytes("w").unwrap();
    let bias = values(rows, 31);
    for n in [1, 20] {
        let x = values(n * cols, 32);
        let res = values(n * rows, 33);
        let (cx, cb, cr) =
            (cpu.upload(&x, n, cols).unwrap(), cpu.upload(&bias, 1, rows).unwrap(), cpu.upload(&res, n, rows).unwrap());
        let y = cpu.linear(&cx, &cw).unwrap();
        let with_bias = cpu.add_row_vector(&y, &cb, None).unwrap();
        let want_b = cpu.download(&with_bias).unwrap().data;
        let want_r = cpu.download(&cpu.add(&cr, &y).unwrap()).unwrap().data;
        let want_br = cpu.download(&cpu.add(&cr, &with_bias).unwrap()).unwrap().data;
        // The gate: the residual's values times 4, so that silu sees
        // arguments in [-4, 4) (both its tails and its middle).
        let gate: Vec<f32> = res.iter().map(|v| v * 4.0).collect();
        let want_g = cpu.download(&cpu.silu_mul(&cpu.upload(&gate, n, rows).unwrap(), &y).unwrap()).unwrap().data;
        for_each_variant(|dev| {
            let w = dev.upload_matrix(&bytes, DType::Q8_0, rows, cols).unwrap();
            let gx = dev.upload_tensor(&x, n, cols).unwrap();
            let gb = dev.upload_tensor(&bias, 1, rows).unwrap();
            let gr = dev.upload_tensor(&res, n, rows).unwrap();
            let run = |b, r| dev.download_tensor(&dev.matmul_fused(&gx, &w, b, r).unwrap()).unwrap();
            // One row: the CPU quantizes x to 8 bits (see the thresholds).
            let op = if n == 1 { "matmul_q8_0_decode" } else { "matmul_q8_0" };
            check(op, dev, &run(Some(&gb), None), &want_b);
            check(op, dev, &run(None, Some(&gr)), &want_r);
            check(op, dev, &run(Some(&gb), Some(&gr)), &want_br);
            let gg = dev.upload_tensor(&gate, n, rows).unwrap();
            check(op, dev, &dev.download_tensor(&dev.matmul_gated(&gx, &w, &gg).unwrap()).unwrap(), &want_g);
            if n > 1 {
                assert!(dev.matmul_gated(&gx, &w, &gb).is_err(), "a gate of the wrong shape is refused");
                // Shapes are checked, not read past.
                assert!(dev.matmul_fused(&gx, &w, Some(&gr), None).is_err());
                assert!(dev.matmul_fused(&gx, &w, None, Some(&gb)).is_err());
            }
        });
    }
    let _ = std::fs::remove_file(path);
}
