//! Control vectors and steering (`kaoshi_model::steering`) on stories260K:
//! the file format against candle's independent GGUF writer and reader;
//! scale 0 bit-identical to no vector; a vector at block N changing block
//! N's output by exactly the vector, nothing before it, and every row;
//! steering in decoding equal to steering in one pass; the GPU's steered
//! logits equal to the CPU's. GPU parts need an adapter (lavapipe works).

mod common;

use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{Device, Tensor};
use common::{gpu_or_skip, values};
use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::GpuBackend;
use kaoshi_model::{Backend, CaptureRequest, ControlVector, Forward, HookPoint, HookSet, Model, RowSet, Steering};

fn stories260k() -> GgufFile {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/models/stories260K/stories260K.gguf");
    assert!(path.exists(), "this test needs {} (the ../shared fixtures next to the repository)", path.display());
    GgufFile::open(&path).unwrap()
}

fn tokens() -> Vec<u32> {
    (0..12u32).map(|i| 1 + (i * 37 + 5) % 500).collect()
}

/// A control vector with directions at `layers`, of width `dim`.
fn vector(layers: &[usize], dim: usize) -> ControlVector {
    let mut cv = ControlVector { model_hint: Some("llama".into()), ..Default::default() };
    for &l in layers {
        cv.directions.insert(l, values(dim, 40 + l as u64));
    }
    cv
}

fn logits<B: Backend>(model: &Model<B>, tokens: &[u32]) -> Vec<f32> {
    let rows: Vec<usize> = (0..tokens.len()).collect();
    let out = model.run(Forward::causal(tokens).logit_rows(&rows), &mut model.new_cache()).expect("run");
    out.logits.to_host(model.backend(), model.config().vocab_size).expect("logits").data
}

/// Residual stream after every block, every row: `[block][row][dim]`.
fn resid_posts<B: Backend>(model: &Model<B>, tokens: &[u32]) -> Vec<Vec<Vec<f32>>> {
    let n = model.config().n_layers;
    let hooks = HookSet {
        captures: (0..n).map(|l| CaptureRequest { point: HookPoint::ResidPost(l), rows: RowSet::All }).collect(),
        ..Default::default()
    };
    let out = model.run(Forward::causal(tokens).no_logits().hooks(Some(&hooks)), &mut model.new_cache()).unwrap();
    let caps = out.captures.download(model.backend()).unwrap();
    (0..n)
        .map(|l| {
            let mut rows: Vec<_> = caps.iter().filter(|c| c.point == HookPoint::ResidPost(l)).collect();
            rows.sort_by_key(|c| c.row);
            rows.into_iter().map(|c| c.values.clone()).collect()
        })
        .collect()
}

/// A file kaoshi writes reads back whole, and candle's GGUF reader (not
/// kaoshi's) sees llama.cpp's layout in it: architecture "controlvector",
/// model hint, layer count, 1-D F32 `direction.N` tensors.
#[test]
fn control_vector_files_round_trip_and_read_in_candle() {
    let cv = vector(&[1, 3, 4], 64);
    let bytes = cv.to_gguf().unwrap();
    let back = ControlVector::from_gguf(&GgufFile::from_bytes("cv.gguf", bytes.clone()).unwrap(), "cv.gguf").unwrap();
    assert_eq!(back, cv);
    let content = gguf_file::Content::read(&mut std::io::Cursor::new(&bytes)).expect("candle reads the file");
    let text = |k: &str| content.metadata[k].to_string().unwrap().clone();
    assert_eq!(text("general.architecture"), "controlvector");
    assert_eq!(text("controlvector.model_hint"), "llama");
    assert_eq!(content.metadata["controlvector.layer_count"].to_u32().unwrap(), 3);
    for (&l, dir) in &cv.directions {
        let info = &content.tensor_infos[&format!("direction.{l}")];
        assert_eq!((info.ggml_dtype, info.shape.dims()), (GgmlDType::F32, &[64][..]));
        let t = content.tensor(&mut std::io::Cursor::new(&bytes), &format!("direction.{l}"), &Device::Cpu).unwrap();
        assert_eq!(&t.dequantize(&Device::Cpu).unwrap().to_vec1::<f32>().unwrap(), dir);
    }
    // llama.cpp refuses a file with direction.0; so does the writer.
    assert!(vector(&[0, 2], 64).to_gguf().unwrap_err().to_string().contains("direction.0"));
}

/// A file as repeng's `export_gguf` writes it (gguf-py: the same keys,
/// one F32 tensor per layer), here written by candle's GGUF writer, loads
/// in kaoshi; a model file or a 2-D direction is refused with its reason.
#[test]
fn files_from_another_writer_load() {
    let dirs: Vec<(String, QTensor)> = [2usize, 5]
        .iter()
        .map(|&l| {
            let t = Tensor::from_vec(values(64, l as u64), 64, &Device::Cpu).unwrap();
            (format!("direction.{l}"), QTensor::quantize(&t, GgmlDType::F32).unwrap())
        })
        .collect();
    let write = |arch: &str, tensors: &[(String, QTensor)]| {
        let md = [
            ("general.architecture", gguf_file::Value::String(arch.into())),
            ("controlvector.model_hint", gguf_file::Value::String("mistral".into())),
            ("controlvector.layer_count", gguf_file::Value::U32(tensors.len() as u32)),
        ];
        let md_refs: Vec<(&str, &gguf_file::Value)> = md.iter().map(|(k, v)| (*k, v)).collect();
        let t_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let mut out = std::io::Cursor::new(Vec::new());
        gguf_file::write(&mut out, &md_refs, &t_refs).unwrap();
        GgufFile::from_bytes("v.gguf", out.into_inner()).unwrap()
    };
    let cv = ControlVector::from_gguf(&write("controlvector", &dirs), "v.gguf").unwrap();
    assert_eq!(cv.model_hint.as_deref(), Some("mistral"));
    assert_eq!(cv.directions.keys().copied().collect::<Vec<_>>(), vec![2, 5]);
    assert_eq!(cv.directions[&5], values(64, 5));
    let e = ControlVector::from_gguf(&write("llama", &dirs), "v.gguf").unwrap_err().to_string();
    assert!(e.contains("not \"controlvector\""), "{e}");
    let flat = Tensor::from_vec(values(64, 1), (8, 8), &Device::Cpu).unwrap();
    let two_d = vec![("direction.1".to_string(), QTensor::quantize(&flat, GgmlDType::F32).unwrap())];
    let e = ControlVector::from_gguf(&write("controlvector", &two_d), "v.gguf").unwrap_err().to_string();
    assert!(e.contains("expected one dimension"), "{e}");
}

/// Scale 0 gives the unsteered logits bit for bit, on the CPU and the GPU.
#[test]
fn scale_zero_is_bit_identical_to_no_vector() {
    let file = stories260k();
    let mut cpu = Model::load(&file, CpuBackend::new()).unwrap();
    let cv = vector(&[1, 2, 3, 4], cpu.config().dim);
    let tokens = tokens();
    let plain = logits(&cpu, &tokens);
    cpu.set_steering(Some(Steering::new(&[(&cv, 0.0)], None, cpu.config()).unwrap()));
    assert!(cpu.steering().is_some());
    assert_eq!(logits(&cpu, &tokens), plain, "cpu");
    cpu.set_steering(Some(Steering::new(&[(&cv, 1.0)], None, cpu.config()).unwrap()));
    assert_ne!(logits(&cpu, &tokens), plain, "a vector at scale 1 must change the logits");
    let Some(dev) = gpu_or_skip() else { return };
    let mut gpu = Model::load(&file, GpuBackend::from_device(dev)).unwrap();
    let plain = logits(&gpu, &tokens);
    gpu.set_steering(Some(Steering::new(&[(&cv, 0.0)], None, gpu.config()).unwrap()));
    assert_eq!(logits(&gpu, &tokens), plain, "gpu");
}

/// A vector at block 2 leaves blocks 0 and 1 as they were, moves every
/// row of block 2's output by exactly the vector (up to one rounding of
/// the sum, 1e-6 of the values' size), and changes the later blocks; two
/// vectors at one block add, with their scales.
#[test]
fn steering_changes_exactly_its_block_and_every_row() {
    let file = stories260k();
    let mut model = Model::load(&file, CpuBackend::new()).unwrap();
    let dim = model.config().dim;
    let (a, b) = (vector(&[2], dim), vector(&[2], dim));
    let mut b = b;
    b.directions.insert(2, values(dim, 99));
    let tokens = tokens();
    let plain = resid_posts(&model, &tokens);
    model.set_steering(Some(Steering::new(&[(&a, 2.0), (&b, -0.5)], None, model.config()).unwrap()));
    let steered = resid_posts(&model, &tokens);
    assert_eq!(steered[0], plain[0]);
    assert_eq!(steered[1], plain[1]);
    let want: Vec<f32> = a.directions[&2].iter().zip(&b.directions[&2]).map(|(x, y)| 2.0 * x - 0.5 * y).collect();
    for (row, (s, p)) in steered[2].iter().zip(&plain[2]).enumerate() {
        let size = p.iter().fold(1f32, |m, x| m.max(x.abs()));
        for ((x, y), w) in s.iter().zip(p).zip(&want) {
            assert!((x - y - w).abs() <= 1e-6 * size, "row {row}: {x} - {y} != {w}");
        }
    }
    assert!(steered[3].iter().zip(&plain[3]).all(|(s, p)| s != p), "every row of block 3 must move");
    // A range that leaves block 2 out steers nothing.
    assert!(Steering::new(&[(&a, 1.0)], Some(3..=4), model.config()).unwrap().is_empty());
    // A vector of the wrong width or for a block the model lacks is refused.
    assert!(Steering::new(&[(&vector(&[1], dim + 1), 1.0)], None, model.config()).is_err());
    assert!(Steering::new(&[(&vector(&[40], dim), 1.0)], None, model.config()).is_err());
}

/// Steering applies at every position of prefill and decoding: the logits
/// of tokens decoded one at a time after a steered prefill equal those of
/// one steered pass over the whole sequence (1e-4 of their size: the
/// single-row products sum in another order than the batched ones).
#[test]
fn steering_applies_while_decoding() {
    let file = stories260k();
    let mut model = Model::load(&file, CpuBackend::new()).unwrap();
    let cv = vector(&[1, 3], model.config().dim);
    let tokens = tokens();
    let unsteered_last = logits(&model, &tokens);
    model.set_steering(Some(Steering::new(&[(&cv, 1.5)], None, model.config()).unwrap()));
    let whole = logits(&model, &tokens);
    let mut cache = model.new_cache();
    let vocab = model.config().vocab_size;
    model.run(Forward::causal(&tokens[..8]).no_logits(), &mut cache).unwrap();
    for (i, t) in tokens[8..].iter().enumerate() {
        let out = model.run(Forward::causal(std::slice::from_ref(t)), &mut cache).unwrap();
        let got = out.logits.to_host(model.backend(), vocab).unwrap().data;
        let want = &whole[(8 + i) * vocab..(9 + i) * vocab];
        let size = want.iter().fold(0f32, |m, x| m.max(x.abs()));
        let diff = got.iter().zip(want).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(diff <= 1e-4 * size, "decoded token {i}: {diff} of {size}");
        let plain = &unsteered_last[(8 + i) * vocab..(9 + i) * vocab];
        assert!(got.iter().zip(plain).any(|(a, b)| (a - b).abs() > 1e-3 * size), "decoding was not steered");
    }
}

/// The GPU's steered logits equal the CPU's (1e-4 of their size, the
/// tolerance of the other model-level GPU tests).
#[test]
fn steered_logits_agree_on_cpu_and_gpu() {
    let Some(dev) = gpu_or_skip() else { return };
    let file = stories260k();
    let mut cpu = Model::load(&file, CpuBackend::new()).unwrap();
    let mut gpu = Model::load(&file, GpuBackend::from_device(dev)).unwrap();
    let cv = vector(&[1, 2, 4], cpu.config().dim);
    let plain = logits(&gpu, &tokens());
    for m in [&mut cpu as &mut dyn SetSteering, &mut gpu] {
        m.steer(&cv);
    }
    let (c, g) = (logits(&cpu, &tokens()), logits(&gpu, &tokens()));
    assert_ne!(g, plain);
    let size = c.iter().fold(0f32, |m, x| m.max(x.abs()));
    let diff = g.iter().zip(&c).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(diff <= 1e-4 * size, "max |gpu - cpu| {diff} of {size}");
}

trait SetSteering {
    fn steer(&mut self, cv: &ControlVector);
}

impl<B: Backend> SetSteering for Model<B> {
    fn steer(&mut self, cv: &ControlVector) {
        let s = Steering::new(&[(cv, 2.0)], Some(1..=2), self.config()).unwrap();
        assert_eq!(s.layers.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
        self.set_steering(Some(s));
    }
}
