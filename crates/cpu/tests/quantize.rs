//! `kaoshi quantize`'s library (`kaoshi_cpu::quantize`): every output type
//! round-trips synthetic values within its stated error through a written
//! and re-read file; rows that do not fill K-quant blocks fall back as
//! llama.cpp's; the metadata says what the file is; the bytes do not depend
//! on the thread count; candle's own GGUF reader sees the same header; a
//! quantized synthetic model is the model `synth` writes in that type and
//! runs.

use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file;
use kaoshi_cpu::CpuBackend;
use kaoshi_cpu::ggml::candle_value;
use kaoshi_cpu::quantize::{Options, QuantizeError, TYPES, dequantize, parse_type, plan, quantize_file, quantize_rows};
use kaoshi_cpu::synth::{SynthSpec, write_synthetic};
use kaoshi_formats::{GgmlDType, GgufFile, GgufWriter, TensorInfo, Value};
use kaoshi_model::{Forward, Model};

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("kaoshi-quantize-{name}-{}.gguf", std::process::id()))
}

/// splitmix64: uniform values in [0, 1).
fn uniform(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
        })
        .collect()
}

/// Standard normal values (Box-Muller).
fn gaussian(n: usize, seed: u64) -> Vec<f32> {
    let u = uniform(2 * n, seed);
    (0..n)
        .map(|i| {
            let (a, b) = (u[2 * i].max(1e-7), u[2 * i + 1]);
            (-2.0 * a.ln()).sqrt() * (std::f32::consts::TAU * b).cos()
        })
        .collect()
}

/// Writes F32 tensors (name, shape, values) and `metadata` to `path`.
fn write_f32(path: &Path, metadata: &[(String, Value)], tensors: &[(&str, Vec<usize>, Vec<f32>)]) {
    let infos = tensors
        .iter()
        .map(|(n, s, _)| TensorInfo { name: n.to_string(), shape: s.clone(), dtype: GgmlDType::F32 })
        .collect();
    let mut w = GgufWriter::new(std::fs::File::create(path).unwrap(), metadata, infos).unwrap();
    for (n, _, v) in tensors {
        w.write_tensor(n, &v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>()).unwrap();
    }
    w.finish().unwrap();
}

fn opts(dtype: GgmlDType, threads: usize) -> Options {
    Options { dtype, keep_output_type: false, threads }
}

/// The largest error a value of a block may have, per type, from the
/// block's largest magnitude `amax` and its range `max - min`. Every scale
/// (and min) is stored as f16, off by up to 2^-11 relative, which moves a
/// value by at most about `amax * 2^-11` more: `f16` below.
fn element_bound(dtype: GgmlDType, amax: f32, range: f32) -> Option<f32> {
    let f16 = 2.0 * amax * 2f32.powi(-11) + 1e-7;
    Some(match dtype {
        // Rounding to the nearest step of amax/127.
        GgmlDType::Q8_0 => amax / 127.0 / 2.0 + f16,
        // Steps of amax/8 (amax/16), the scale's sign set by the largest
        // magnitude: that side reaches -8 (-16) steps, the other side only
        // +7 (+15), so a value there may be a whole step off.
        GgmlDType::Q4_0 => amax / 8.0 + f16,
        GgmlDType::Q5_0 => amax / 16.0 + f16,
        // Rounding to the nearest of 16 (32) steps spanning min..max.
        GgmlDType::Q4_1 => range / 15.0 / 2.0 + f16,
        GgmlDType::Q5_1 => range / 31.0 / 2.0 + f16,
        _ => return None,
    })
}

/// The K-quants' bound on RMS error over RMS of the values. A grid of 2^b
/// steps over a block of values uniform in [-a, a] errs by step/sqrt(12)
/// in RMS, which is 2^-b of their RMS a/sqrt(3); measured with candle
/// 0.11.1 on 64 x 512 values (uniform / gaussian): Q6_K 0.0139 / 0.0183,
/// Q5_K 0.0283 / 0.0365, Q4_K 0.0573 / 0.0739, Q3_K 0.125 / 0.150, Q2_K
/// 0.239 / 0.290: within 2^-b on uniform data, 1.16 to 1.2 times it on
/// gaussian data (a block's extremes stretch its grid). Bounds: 1.05 and
/// 1.35 times 2^-b.
fn rms_bound(dtype: GgmlDType, dist: &str) -> Option<f64> {
    let bits = match dtype {
        GgmlDType::Q6K => 6,
        GgmlDType::Q5K => 5,
        GgmlDType::Q4K => 4,
        GgmlDType::Q3K => 3,
        GgmlDType::Q2K => 2,
        _ => return None,
    };
    let factor = if dist == "uniform" { 1.05 } else { 1.35 };
    Some(factor * 2f64.powi(-bits))
}

/// Quantizes `values` (rows of 512) to every type, writes each to a file,
/// reads it back with `GgufFile` and checks the error against the type's
/// bound: F32 exact, F16 within half an ulp (2^-11 relative, or 2^-25 for
/// f16's subnormals), the 32-value types per value, the K-quants by RMS.
#[test]
fn every_type_round_trips_within_its_error_bound() {
    let cols = 512;
    for (dist, values) in [("gaussian", gaussian(64 * cols, 1)), ("uniform", uniform(64 * cols, 2))] {
        let values: Vec<f32> = if dist == "uniform" { values.iter().map(|v| 2.0 * v - 1.0).collect() } else { values };
        let src = tmp(&format!("src-{dist}"));
        write_f32(&src, &[], &[("w", vec![64, cols], values.clone())]);
        for dtype in TYPES {
            let out = tmp(&format!("out-{dist}-{}", dtype.name()));
            quantize_file(&src, &out, &opts(dtype, 2), &mut |_, _| {}).unwrap();
            let file = GgufFile::open(&out).unwrap();
            assert_eq!(file.tensor("w").unwrap().dtype, dtype);
            let got = dequantize(&file, "w").unwrap();
            assert_eq!(got.len(), values.len());
            let sq: f64 = values.iter().zip(&got).map(|(a, b)| f64::from(a - b).powi(2)).sum();
            let rms: f64 = values.iter().map(|a| f64::from(*a).powi(2)).sum();
            let rel = (sq / rms).sqrt();
            eprintln!("{dist:>8} {:>5}: RMS error / RMS {rel:.2e}", dtype.name());
            match dtype {
                GgmlDType::F32 => assert_eq!(got, values, "F32 is exact"),
                GgmlDType::F16 => {
                    for (a, b) in values.iter().zip(&got) {
                        assert!((a - b).abs() <= a.abs() * 2f32.powi(-11) + 2f32.powi(-25), "F16 {a} -> {b}");
                    }
                }
                _ => {
                    if let Some(bound) = rms_bound(dtype, dist) {
                        assert!(rel <= bound, "{dtype} on {dist}: {rel:.4} > {bound}");
                    }
                    for (bv, bg) in values.chunks(32).zip(got.chunks(32)) {
                        let amax = bv.iter().fold(0f32, |m, v| m.max(v.abs()));
                        let (lo, hi) = bv.iter().fold((f32::MAX, f32::MIN), |(l, h), &v| (l.min(v), h.max(v)));
                        let Some(bound) = element_bound(dtype, amax, hi - lo) else { continue };
                        for (a, b) in bv.iter().zip(bg) {
                            assert!((a - b).abs() <= bound, "{dtype} on {dist}: {a} -> {b}, bound {bound}");
                        }
                    }
                }
            }
            let _ = std::fs::remove_file(&out);
        }
        let _ = std::fs::remove_file(&src);
    }
}

/// Rows of 576 (SmolLM2's width) do not fill 256-value blocks: K-quant
/// types fall back as llama.cpp's (Q2_K/Q3_K to Q4_0, standing in for
/// IQ4_NL; Q4_K to Q5_0; Q5_K to Q5_1; Q6_K to Q8_0), rows of 1536 keep
/// the K type, rows of 40 fit no block and are F16; vectors are F32. The
/// output keeps `general.alignment` and records the file type; with
/// `keep_output_type` the output projection is copied as it was.
#[test]
fn narrow_rows_fall_back_as_llama_cpp_and_metadata_is_kept() {
    let src = tmp("fallback-src");
    let md = vec![
        ("general.architecture".to_string(), Value::String("llama".into())),
        ("general.alignment".to_string(), Value::U32(64)),
        ("tokenizer.chat_template".to_string(), Value::String("{{ messages }}".into())),
    ];
    let tensors = [
        ("blk.0.attn_q.weight", vec![4, 576], gaussian(4 * 576, 3)),
        ("blk.0.ffn_down.weight", vec![2, 1536], gaussian(2 * 1536, 4)),
        ("blk.0.odd.weight", vec![3, 40], gaussian(3 * 40, 5)),
        ("blk.0.attn_norm.weight", vec![576], gaussian(576, 6)),
        ("output.weight", vec![2, 576], gaussian(2 * 576, 7)),
    ];
    write_f32(&src, &md, &tensors);
    let cases = [
        (GgmlDType::Q2K, GgmlDType::Q4_0),
        (GgmlDType::Q3K, GgmlDType::Q4_0),
        (GgmlDType::Q4K, GgmlDType::Q5_0),
        (GgmlDType::Q5K, GgmlDType::Q5_1),
        (GgmlDType::Q6K, GgmlDType::Q8_0),
    ];
    for (asked, fallback) in cases {
        let out = tmp(&format!("fallback-{}", asked.name()));
        let summary = quantize_file(&src, &out, &opts(asked, 3), &mut |_, _| {}).unwrap();
        let f = GgufFile::open(&out).unwrap();
        let ty = |n: &str| f.tensor(n).unwrap().dtype;
        assert_eq!(ty("blk.0.attn_q.weight"), fallback, "{asked}");
        assert_eq!(ty("output.weight"), fallback, "{asked}");
        assert_eq!(ty("blk.0.ffn_down.weight"), asked);
        assert_eq!(ty("blk.0.odd.weight"), GgmlDType::F16);
        assert_eq!(ty("blk.0.attn_norm.weight"), GgmlDType::F32);
        let fallbacks: Vec<&str> =
            summary.plan.tensors.iter().filter(|t| t.fallback).map(|t| t.name.as_str()).collect();
        assert_eq!(fallbacks, ["blk.0.attn_q.weight", "blk.0.odd.weight", "output.weight"]);
        assert_eq!(summary.out_len, std::fs::metadata(&out).unwrap().len());
        let m = f.metadata();
        assert_eq!(m.get("general.alignment"), Some(&Value::U32(64)));
        assert!(f.tensors().iter().all(|t| t.offset % 64 == 0));
        assert_eq!(m.get_str("tokenizer.chat_template"), Some("{{ messages }}"));
        assert_eq!(m.get("general.quantization_version"), Some(&Value::U32(2)));
        assert_eq!(m.get("general.quantized_from"), None, "the input was F32");
        let keys: Vec<&str> = m.ordered().map(|(k, _)| k).take(3).collect();
        assert_eq!(keys, ["general.architecture", "general.alignment", "tokenizer.chat_template"]);
        let _ = std::fs::remove_file(&out);
    }
    // file_type per llama.h's llama_ftype.
    for (dtype, ft) in [(GgmlDType::F32, 0), (GgmlDType::Q4K, 14), (GgmlDType::Q6K, 18), (GgmlDType::Q2K, 10)] {
        let p = plan(&GgufFile::open(&src).unwrap(), &opts(dtype, 1)).unwrap();
        assert!(p.metadata.contains(&("general.file_type".into(), Value::U32(ft))), "{dtype}");
    }
    let keep = Options { keep_output_type: true, ..opts(GgmlDType::Q8_0, 1) };
    let p = plan(&GgufFile::open(&src).unwrap(), &keep).unwrap();
    let output = p.tensors.iter().find(|t| t.name == "output.weight").unwrap();
    assert_eq!((output.to, output.copied), (GgmlDType::F32, true));
    let _ = std::fs::remove_file(&src);
}

/// A small llama for the model-level tests (dim 256, rows fill every block).
fn synth(dtype: GgmlDType, seed: u64, label: &str) -> PathBuf {
    let path = tmp(&format!("synth-{label}-{}-{seed}", dtype.name()));
    write_synthetic(&SynthSpec::small_llama(), dtype, seed, None, &path, &mut |_, _| {}).unwrap();
    path
}

/// A synthetic F32 model quantized to T holds, tensor for tensor, the bytes
/// of the same model synthesized directly in T (both quantize the same
/// values with candle, here in row chunks on 3 threads, there whole), and
/// runs on the CPU backend with finite logits.
#[test]
fn quantized_synthetic_model_equals_direct_synthesis_and_runs() {
    let f32_model = synth(GgmlDType::F32, 5, "input");
    for dtype in TYPES {
        let out = tmp(&format!("synth-out-{}", dtype.name()));
        quantize_file(&f32_model, &out, &opts(dtype, 3), &mut |_, _| {}).unwrap();
        let direct_path = synth(dtype, 5, "direct");
        let (got, direct) = (GgufFile::open(&out).unwrap(), GgufFile::open(&direct_path).unwrap());
        for t in direct.tensors() {
            assert_eq!(got.tensor(&t.name).map(|g| g.dtype), Some(t.dtype), "{}", t.name);
            assert!(
                got.read_tensor_bytes(&t.name).unwrap() == direct.read_tensor_bytes(&t.name).unwrap(),
                "{dtype}: {} differs from synth's",
                t.name
            );
        }
        let model = Model::load(&got, CpuBackend::new()).unwrap();
        let tokens = [1u32, 50, 7, 299];
        let logits = model.run(Forward::causal(&tokens), &mut model.new_cache()).unwrap();
        let host = logits.logits.to_host(model.backend(), model.config().vocab_size).unwrap();
        assert!(host.data.iter().all(|v| v.is_finite()) && !host.data.is_empty(), "{dtype}");
        let _ = std::fs::remove_file(&out);
        let _ = std::fs::remove_file(&direct_path);
    }
    let _ = std::fs::remove_file(&f32_model);
}

/// candle's GGUF reader (independent of kaoshi-formats) sees the header
/// kaoshi wrote: tensor names, shapes, types, offsets and metadata. A
/// quantized input is recorded as `general.quantized_from`, and 1 and 3
/// threads write the same bytes.
#[test]
fn candle_reads_the_header_and_threads_do_not_change_bytes() {
    let q41 = synth(GgmlDType::Q4_1, 9, "input");
    for dtype in [GgmlDType::Q8_0, GgmlDType::Q4K, GgmlDType::Q2K, GgmlDType::F16] {
        let (one, three) = (tmp(&format!("t1-{}", dtype.name())), tmp(&format!("t3-{}", dtype.name())));
        quantize_file(&q41, &one, &opts(dtype, 1), &mut |_, _| {}).unwrap();
        quantize_file(&q41, &three, &opts(dtype, 3), &mut |_, _| {}).unwrap();
        assert!(std::fs::read(&one).unwrap() == std::fs::read(&three).unwrap(), "{dtype}: 1 and 3 threads differ");
        let ours = GgufFile::open(&one).unwrap();
        assert_eq!(ours.metadata().get_str("general.quantized_from"), Some("Q4_1"));
        let mut f = std::fs::File::open(&one).unwrap();
        let theirs = gguf_file::Content::read(&mut f).unwrap();
        assert_eq!(theirs.tensor_infos.len(), ours.tensors().len());
        for t in ours.tensors() {
            let c = &theirs.tensor_infos[&t.name];
            assert_eq!(c.shape.dims(), t.shape.as_slice(), "{}", t.name);
            assert_eq!(c.ggml_dtype, kaoshi_cpu::ggml::candle_dtype(t.dtype), "{}", t.name);
            assert_eq!(theirs.tensor_data_offset + c.offset, t.offset, "{}", t.name);
        }
        assert_eq!(theirs.metadata.len(), ours.metadata().as_map().len());
        for (k, v) in ours.metadata().ordered() {
            let want = format!("{:?}", candle_value(v));
            assert_eq!(theirs.metadata.get(k).map(|c| format!("{c:?}")), Some(want), "{k}");
        }
        let _ = std::fs::remove_file(&one);
        let _ = std::fs::remove_file(&three);
    }
    let _ = std::fs::remove_file(&q41);
}

/// The thread count does not change `quantize_rows`' bytes for any type,
/// also where rows split unevenly among threads.
#[test]
fn quantize_rows_is_the_same_for_any_thread_count() {
    let values = gaussian(13 * 256, 11);
    for dtype in TYPES {
        let one = quantize_rows(&values, 256, dtype, 1).unwrap();
        for threads in [2, 3, 5, 13, 40] {
            assert!(quantize_rows(&values, 256, dtype, threads).unwrap() == one, "{dtype} on {threads} threads");
        }
    }
    assert!(quantize_rows(&values, 100, GgmlDType::Q8_0, 2).is_err(), "rows must fill whole blocks");
}

#[test]
fn bad_requests_are_errors() {
    for name in ["q9_x", "BF16", "Q8_1", "Q8_K", ""] {
        let e = parse_type(name).unwrap_err();
        assert!(matches!(e, QuantizeError::UnknownType { .. }), "{name}");
        assert!(e.to_string().contains("Q4_K, Q4_1"), "{e}");
    }
    assert_eq!(parse_type("q4_k").unwrap(), GgmlDType::Q4K);
    let model = synth(GgmlDType::F32, 13, "input");
    let same = quantize_file(&model, &model, &opts(GgmlDType::Q8_0, 1), &mut |_, _| {}).unwrap_err();
    assert!(matches!(same, QuantizeError::SameFile { .. }), "{same}");
    let missing = quantize_file(&tmp("missing"), &tmp("missing-out"), &opts(GgmlDType::Q8_0, 1), &mut |_, _| {});
    assert!(matches!(missing, Err(QuantizeError::Format(_))));
    // An output in a folder that does not exist: an error, and nothing left.
    let nowhere = std::env::temp_dir().join("kaoshi-no-such-folder").join("out.gguf");
    assert!(matches!(
        quantize_file(&model, &nowhere, &opts(GgmlDType::Q8_0, 1), &mut |_, _| {}),
        Err(QuantizeError::Write { .. })
    ));
    let _ = std::fs::remove_file(&model);
}

/// A quantized tensor larger than one dequantizing chunk (2^20 values)
/// decodes chunk by chunk to what candle decodes whole.
#[test]
fn chunked_dequantize_equals_whole() {
    let (rows, cols) = (4099, 320);
    let values = gaussian(rows * cols, 17);
    let bytes = quantize_rows(&values, cols, GgmlDType::Q5_1, 2).unwrap();
    let path = tmp("chunked");
    let info = TensorInfo { name: "w".into(), shape: vec![rows, cols], dtype: GgmlDType::Q5_1 };
    let mut w = GgufWriter::new(std::fs::File::create(&path).unwrap(), &[], vec![info]).unwrap();
    w.write_tensor("w", &bytes).unwrap();
    w.finish().unwrap();
    let file = GgufFile::open(&path).unwrap();
    let whole = kaoshi_cpu::ggml::read_qtensor(&file, "w").unwrap();
    let whole = whole.dequantize(&candle_core::Device::Cpu).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
    assert!(dequantize(&file, "w").unwrap() == whole);
    let _ = std::fs::remove_file(&path);
}
