//! Weight matrices larger than the binding limit are split by rows into
//! several buffers. The split size is lowered here so small matrices split:
//! matmul (one row and many) and embedding give exactly the unsplit
//! results, and stories260K with every matrix split decodes the CPU's
//! tokens. Needs a GPU adapter (lavapipe works).

mod common;

use candle_core::quantized::GgmlDType;
use common::{gpu_or_skip, values, weight_file};
use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::{DType, GpuBackend};
use kaoshi_model::{Backend, Model};

#[test]
fn split_matrices_give_the_unsplit_results() {
    let Some(whole) = gpu_or_skip() else { return };
    let Some(mut split) = gpu_or_skip() else { return };
    // (ggml type, kernel type, rows, cols): Q8_0 rows of 3 blocks are 102
    // bytes, so parts start at rows whose bytes are not word aligned in the file.
    let cases = [
        (GgmlDType::F32, DType::F32, 37, 64),
        (GgmlDType::Q8_0, DType::Q8_0, 45, 96),
        (GgmlDType::Q4K, DType::Q4K, 29, 256),
    ];
    split.set_split_bytes(2048);
    for (gg, dt, rows, cols) in cases {
        let path = weight_file(&format!("split-{gg:?}"), gg, rows, cols);
        let file = GgufFile::open(&path).unwrap();
        let bytes = file.read_tensor_bytes("w").unwrap();
        let a = whole.upload_matrix(&bytes, dt, rows, cols).unwrap();
        let b = split.upload_matrix(&bytes, dt, rows, cols).unwrap();
        assert_eq!(a.parts(), 1);
        assert!(b.parts() >= 3, "{gg:?}: {} parts", b.parts());
        for n in [1, 20] {
            let x = values(n * cols, 9);
            let xa = whole.upload_tensor(&x, n, cols).unwrap();
            let xb = split.upload_tensor(&x, n, cols).unwrap();
            let ya = whole.download_tensor(&whole.matmul(&xa, &a).unwrap()).unwrap();
            let yb = split.download_tensor(&split.matmul(&xb, &b).unwrap()).unwrap();
            assert_eq!(ya, yb, "{gg:?} matmul with {n} rows");
        }
        let ids: Vec<u32> = vec![0, rows as u32 - 1, 5, 5, 17, 1, rows as u32 / 2];
        let ea = whole.download_tensor(&whole.embed(&a, &ids).unwrap()).unwrap();
        let eb = split.download_tensor(&split.embed(&b, &ids).unwrap()).unwrap();
        assert_eq!(ea, eb, "{gg:?} embedding");
        let _ = std::fs::remove_file(path);
    }
}

#[test]
fn stories260k_with_every_matrix_split_decodes_like_the_cpu() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/models/stories260K/stories260K.gguf");
    assert!(path.exists(), "this test needs {} (the ../shared fixtures next to the repository)", path.display());
    let Some(mut dev) = gpu_or_skip() else { return };
    // The smallest matrices are 64 x 64 f32 = 16 KiB: all of them split.
    dev.set_split_bytes(8 * 1024);
    let file = GgufFile::open(&path).unwrap();
    let cpu = Model::load(&file, CpuBackend::new()).unwrap();
    let gpu = Model::load(&file, GpuBackend::from_device(dev)).unwrap();
    let prompt = [1u32, 403, 407, 261, 378];
    let (mut want, mut got) = (Vec::new(), Vec::new());
    greedy(&cpu, &prompt, &mut want);
    greedy(&gpu, &prompt, &mut got);
    assert_eq!(got, want);
}

/// 24 greedy tokens after `prompt`, one forward step per token.
fn greedy<B: Backend>(model: &Model<B>, prompt: &[u32], out: &mut Vec<u32>) {
    let mut cache = model.new_cache();
    let l = model.forward_causal(prompt, &mut cache, None, &[prompt.len() - 1]).unwrap();
    let mut next = kaoshi_model::host_argmax(l.row(0)) as u32;
    for _ in 0..24 {
        out.push(next);
        let l = model.forward_causal(&[next], &mut cache, None, &[0]).unwrap();
        next = kaoshi_model::host_argmax(l.row(0)) as u32;
    }
}
