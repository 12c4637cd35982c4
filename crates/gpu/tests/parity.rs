//! Per-op parity with the CPU backend (the numerical reference), for every
//! kernel variant the adapter can run, on shapes that are not multiples of
//! any workgroup size. Needs a GPU adapter (lavapipe works): see
//! `common::gpu_or_skip`.

mod common;

use candle_core::Tensor;
use candle_core::quantized::GgmlDType;
use common::{check, for_each_variant, for_each_variant_with, gpu_or_skip, values, weight_file};
use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::{DType, Fusion};
use kaoshi_model::{Backend, NormSpec, RopeSpec};

fn cpu_tensor(cpu: &CpuBackend, data: &[f32], rows: usize, cols: usize) -> Tensor {
    cpu.upload(data, rows, cols).unwrap()
}

fn host(cpu: &CpuBackend, t: &Tensor) -> Vec<f32> {
    cpu.download(t).unwrap().data
}

#[test]
fn add_and_silu_mul_match_cpu() {
    let cpu = CpuBackend::new();
    let (r, c) = (7, 37);
    let (a, b) = (values(r * c, 1), values(r * c, 2));
    let (ca, cb) = (cpu_tensor(&cpu, &a, r, c), cpu_tensor(&cpu, &b, r, c));
    let want_add = host(&cpu, &cpu.add(&ca, &cb).unwrap());
    let want_silu = host(&cpu, &cpu.silu_mul(&ca, &cb).unwrap());
    for_each_variant(|dev| {
        let (ga, gb) = (dev.upload_tensor(&a, r, c).unwrap(), dev.upload_tensor(&b, r, c).unwrap());
        check("add", dev, &dev.download_tensor(&dev.add(&ga, &gb).unwrap()).unwrap(), &want_add);
        check("silu_mul", dev, &dev.download_tensor(&dev.silu_mul(&ga, &gb).unwrap()).unwrap(), &want_silu);
    });
}

#[test]
fn rms_norm_matches_cpu_whole_rows_and_groups() {
    let cpu = CpuBackend::new();
    // (rows, cols, group): whole rows of 100, and per-head groups of 37.
    for (r, c, group) in [(3, 100, 100), (5, 111, 37)] {
        let x: Vec<f32> = values(r * c, 3).iter().map(|v| v * 3.0).collect();
        let w = values(group, 4);
        let want = host(
            &cpu,
            &cpu.rms_norm(&cpu_tensor(&cpu, &x, r, c), &cpu_tensor(&cpu, &w, 1, group), 1e-5, group).unwrap(),
        );
        for_each_variant(|dev| {
            let gx = dev.upload_tensor(&x, r, c).unwrap();
            let gw = dev.upload_tensor(&w, 1, group).unwrap();
            check("rms_norm", dev, &dev.download_tensor(&dev.rms_norm(&gx, &gw, 1e-5).unwrap()).unwrap(), &want);
        });
    }
}

#[test]
fn rope_matches_cpu_interleaved_and_neox_with_partial_rotation() {
    let cpu = CpuBackend::new();
    let (r, head_dim, heads) = (5, 24, 3);
    let c = head_dim * heads;
    let x = values(r * c, 5);
    let positions = [0usize, 1, 7, 40, 99];
    for neox in [false, true] {
        for rot_dim in [24usize, 16] {
            let inv_freq: Vec<f32> =
                (0..rot_dim / 2).map(|i| 10000f32.powf(-2.0 * i as f32 / rot_dim as f32)).collect();
            let spec = RopeSpec { inv_freq: inv_freq.clone(), neox, rot_dim, position_scale: 0.5 };
            let want = host(&cpu, &cpu.rope(&cpu_tensor(&cpu, &x, r, c), &positions, head_dim, &spec).unwrap());
            let pos: Vec<f32> = positions.iter().map(|&p| p as f32 * spec.position_scale).collect();
            // Keys: fewer heads than the queries, as with grouped K/V.
            let kc = head_dim * (heads - 1);
            let kx = values(r * kc, 6);
            let want_k = host(&cpu, &cpu.rope(&cpu_tensor(&cpu, &kx, r, kc), &positions, head_dim, &spec).unwrap());
            for_each_variant(|dev| {
                let gx = dev.upload_tensor(&x, r, c).unwrap();
                let got = dev.download_tensor(&dev.rope(&gx, &pos, head_dim, &inv_freq, neox).unwrap()).unwrap();
                check("rope", dev, &got, &want);
                // Queries and keys in one dispatch.
                let gk = dev.upload_tensor(&kx, r, kc).unwrap();
                let (q2, k2) = dev.rope_pair(&gx, &gk, &pos, head_dim, &inv_freq, neox).unwrap();
                check("rope", dev, &dev.download_tensor(&q2).unwrap(), &want);
                check("rope", dev, &dev.download_tensor(&k2).unwrap(), &want_k);
            });
        }
    }
}

/// `x · wᵀ` on every kernel variant against the CPU backend, for each `n`
/// in `ns` (rows of x: <= 8 run the matrix-vector kernel, more the tiled
/// one). The reference is the CPU on max(ns, 8) rows of x, of which the
/// first n are the GPU's: from 8 rows on the CPU dequantizes the matrix and
/// runs an f32 GEMM (below, candle quantizes x too: `matmul_q8_0_decode`).
/// Also x RMS-normalized first (`Fusion::norm`): folded into the kernel for
/// one row, a norm dispatch before it for more; the reference is the CPU's
/// rms_norm then linear.
fn matmul_case(op: &str, dtype: GgmlDType, gpu_dtype: DType, ns: &[usize], rows: usize, cols: usize, wide: bool) {
    let path = weight_file(op, dtype, rows, cols);
    let file = GgufFile::open(&path).unwrap();
    let cpu = CpuBackend::new();
    let all = ns.iter().copied().max().unwrap_or(0).max(8);
    let x = values(all * cols, 7);
    let cw = cpu.load_matrix(&file, "w").unwrap();
    let want = host(&cpu, &cpu.linear(&cpu_tensor(&cpu, &x, all, cols), &cw).unwrap());
    let g = values(cols, 8);
    let normed = cpu.rms_norm(&cpu_tensor(&cpu, &x, all, cols), &cpu_tensor(&cpu, &g, 1, cols), 1e-5, cols).unwrap();
    let want_normed = host(&cpu, &cpu.linear(&normed, &cw).unwrap());
    let bytes = file.read_tensor_bytes("w").unwrap();
    assert_eq!(file.tensor("w").unwrap().shape, vec![rows, cols]);
    for_each_variant_with(
        |dev| dev.set_wide_tiles(wide),
        |dev| {
            let w = dev.upload_matrix(&bytes, gpu_dtype, rows, cols).unwrap();
            for &n in ns {
                let gx = dev.upload_tensor(&x[..n * cols], n, cols).unwrap();
                let got = dev.download_tensor(&dev.matmul(&gx, &w).unwrap()).unwrap();
                eprint!("n {n:>2}, [{rows}, {cols}]: ");
                check(op, dev, &got, &want[..n * rows]);
                if n <= 3 {
                    let gg = dev.upload_tensor(&g, 1, cols).unwrap();
                    let norm = Some(NormSpec { weight: &gg, eps: 1e-5, group: cols });
                    let got =
                        dev.download_tensor(&dev.matmul_with(&gx, &w, Fusion { norm, ..Fusion::default() }).unwrap());
                    eprint!("n {n:>2}, [{rows}, {cols}], normed: ");
                    check(op, dev, &got.unwrap(), &want_normed[..n * rows]);
                }
            }
        },
    );
    let _ = std::fs::remove_file(&path);
}

/// Weight types and column counts of the matmul parity tests: columns are
/// whole blocks, an odd number of them where the block is not a multiple of
/// 4 bytes, so that rows and blocks start on 2-byte boundaries; 96 and 100
/// columns are not a multiple of the tiled kernel's k chunk (32), and F32
/// and F16 also run 97 columns (odd rows, a partial last quad).
const MATMUL_CASES: [(&str, GgmlDType, DType, usize); 14] = [
    ("matmul_f32", GgmlDType::F32, DType::F32, 100),
    ("matmul_f32", GgmlDType::F32, DType::F32, 97),
    ("matmul_f16", GgmlDType::F16, DType::F16, 96),
    ("matmul_f16", GgmlDType::F16, DType::F16, 97),
    ("matmul_q8_0", GgmlDType::Q8_0, DType::Q8_0, 96),
    ("matmul_q4_0", GgmlDType::Q4_0, DType::Q4_0, 96),
    ("matmul_q4_1", GgmlDType::Q4_1, DType::Q4_1, 96),
    ("matmul_q5_0", GgmlDType::Q5_0, DType::Q5_0, 96),
    ("matmul_q5_1", GgmlDType::Q5_1, DType::Q5_1, 96),
    ("matmul_q4_k", GgmlDType::Q4K, DType::Q4K, 512),
    ("matmul_q6_k", GgmlDType::Q6K, DType::Q6K, 768),
    ("matmul_q2_k", GgmlDType::Q2K, DType::Q2K, 512),
    ("matmul_q3_k", GgmlDType::Q3K, DType::Q3K, 768),
    ("matmul_q5_k", GgmlDType::Q5K, DType::Q5K, 512),
];

/// Every weight type, n in {1, 3, 8} (matrix-vector kernel) and {9, 70}
/// (tiled: 70 rows are two tile rows at every workgroup size), with 37 and
/// 100 outputs (not a multiple of any tile or team).
#[test]
fn matmul_every_type_matches_cpu_decode_and_prefill() {
    for (name, dtype, gpu_dtype, cols) in MATMUL_CASES {
        matmul_case(name, dtype, gpu_dtype, &[1, 3, 8, 9, 70], 37, cols, false);
        matmul_case(name, dtype, gpu_dtype, &[1, 70], 100, cols, false);
    }
}

/// The tiled kernel with 8 x 8 outputs per invocation
/// (`GpuDevice::set_wide_tiles`), every weight type: 9, 70 and 130 rows of x
/// by 37 and 200 outputs (130 and 200 cross the 128 x 128 tile of 256
/// invocations; neither is a multiple of any tile).
#[test]
fn wide_tiles_match_cpu_for_every_type() {
    for (name, dtype, gpu_dtype, cols) in MATMUL_CASES {
        matmul_case(name, dtype, gpu_dtype, &[9, 70, 130], 37, cols, true);
        matmul_case(name, dtype, gpu_dtype, &[130], 200, cols, true);
    }
}

/// The CPU's own decode path (candle's QMatMul, x quantized to Q8_0) on 3
/// rows against the GPU's f32 x: bounds candle's error, see THRESHOLDS.
#[test]
fn matmul_q8_0_matches_cpu_quantized_decode() {
    let (n, rows, cols) = (3, 37, 96);
    let path = weight_file("matmul_q8_0_decode", GgmlDType::Q8_0, rows, cols);
    let file = GgufFile::open(&path).unwrap();
    let cpu = CpuBackend::new();
    let x = values(n * cols, 7);
    let want = host(&cpu, &cpu.linear(&cpu_tensor(&cpu, &x, n, cols), &cpu.load_matrix(&file, "w").unwrap()).unwrap());
    let bytes = file.read_tensor_bytes("w").unwrap();
    for_each_variant(|dev| {
        let w = dev.upload_matrix(&bytes, DType::Q8_0, rows, cols).unwrap();
        let gx = dev.upload_tensor(&x, n, cols).unwrap();
        check("matmul_q8_0_decode", dev, &dev.download_tensor(&dev.matmul(&gx, &w).unwrap()).unwrap(), &want);
    });
    let _ = std::fs::remove_file(&path);
}

#[test]
fn shape_errors_are_errors_not_panics() {
    let Some(dev) = gpu_or_skip() else { return };
    let a = dev.upload_tensor(&[1.0; 6], 2, 3).unwrap();
    let b = dev.upload_tensor(&[1.0; 6], 3, 2).unwrap();
    assert!(dev.add(&a, &b).is_err());
    assert!(dev.upload_tensor(&[1.0; 5], 2, 3).is_err());
    assert!(dev.upload_matrix(&[0; 33], DType::Q8_0, 1, 32).is_err());
    assert!(dev.upload_matrix(&[0; 34], DType::Q8_0, 1, 30).is_err());
    assert!(dev.upload_matrix(&[0; 18], DType::Q4_0, 1, 32).is_ok());
    assert!(dev.upload_matrix(&[0; 17], DType::Q4_0, 1, 32).is_err());
    assert!(dev.upload_matrix(&[0; 210], DType::Q6K, 1, 256).is_ok());
    assert!(dev.upload_matrix(&[0; 210], DType::Q6K, 1, 255).is_err());
    assert!(dev.upload_matrix(&[0; 144], DType::Q4K, 1, 256).is_ok());
    assert!(dev.upload_matrix(&[0; 84], DType::Q2K, 1, 256).is_ok());
    assert!(dev.upload_matrix(&[0; 110], DType::Q3K, 2, 128).is_err());
    assert!(dev.upload_matrix(&[0; 220], DType::Q3K, 2, 256).is_ok());
    assert!(dev.upload_matrix(&[0; 175], DType::Q5K, 1, 256).is_err());
    assert!(dev.upload_matrix(&[0; 6], DType::F16, 1, 3).is_ok());
}

#[test]
fn adapter_info_is_reported() {
    let Some(dev) = gpu_or_skip() else { return };
    let info = dev.info();
    eprintln!("adapter: {} ({}, {}), features {:?}", info.name, info.backend, info.device_type, info.features);
    assert!(!info.name.is_empty());
    assert!(info.limits.max_storage_buffer_binding_size > 0);
}
