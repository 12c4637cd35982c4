//! Parity with the CPU backend for the ops only a whole model needs:
//! embedding gather (every weight type), row-vector add, attention with key spans.
//! Thresholds are in `common::THRESHOLDS` with the rest.

mod common;

use candle_core::quantized::GgmlDType;
use common::{check, for_each_variant, values, weight_file};
use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::DType;
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

#[test]
fn attention_matches_cpu_causal_and_shared_prefix_spans() {
    let cpu = CpuBackend::new();
    let (n_heads, n_kv_heads, head_dim) = (6, 2, 12);
    let t = 70;
    // Rows 0-2: causal at cache indices 65..68; rows 3-4: continuations of a
    // 60-token prompt, each with its own private range.
    let spans = [
        KeySpan::causal(65),
        KeySpan::causal(66),
        KeySpan::causal(67),
        KeySpan { shared: 60, own_start: 60, own_end: 63 },
        KeySpan { shared: 60, own_start: 63, own_end: 70 },
    ];
    let n = spans.len();
    let q = values(n * n_heads * head_dim, 13);
    let k: Vec<f32> = values(t * n_kv_heads * head_dim, 14).iter().map(|v| v * 2.0).collect();
    let v = values(t * n_kv_heads * head_dim, 15);
    let up = |d: &[f32], r: usize, c: usize| cpu.upload(d, r, c).unwrap();
    let (cq, ck, cv) =
        (up(&q, n, n_heads * head_dim), up(&k, t, n_kv_heads * head_dim), up(&v, t, n_kv_heads * head_dim));
    let want =
        cpu.download(&cpu.attention(&cq, &ck, &cv, n_heads, n_kv_heads, head_dim, &spans).unwrap()).unwrap().data;
    for_each_variant(|dev| {
        let gq = dev.upload_tensor(&q, n, n_heads * head_dim).unwrap();
        let gk = dev.upload_tensor(&k, t, n_kv_heads * head_dim).unwrap();
        let gv = dev.upload_tensor(&v, t, n_kv_heads * head_dim).unwrap();
        let got = dev.attention(&gq, &gk, &gv, n_heads, n_kv_heads, head_dim, &spans).unwrap();
        check("attention", dev, &dev.download_tensor(&got).unwrap(), &want);
    });
}
