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
use kaoshi_model::{Backend, Forward, KeySpan, Model};

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
    // The smallest matrices are 64 x 64 f32 = 16 KiB: all of them split.
    let Some((cpu, gpu)) = stories260k_split(8 * 1024) else { return };
    let prompt = [1u32, 403, 407, 261, 378];
    let (mut want, mut got) = (Vec::new(), Vec::new());
    greedy(&cpu, &prompt, &mut want);
    greedy(&gpu, &prompt, &mut got);
    assert_eq!(got, want);
}

/// Logits of more rows than one binding holds come in blocks (here 4 rows
/// of 512 logits per 8 KiB): scores and host logits over the blocks equal
/// the CPU's, which computes one block. A 512-token perplexity window over
/// a 152k vocabulary needed a 311 MB tensor before, refused where a binding
/// holds 128 MiB.
#[test]
fn logits_of_many_rows_come_in_blocks() {
    let Some((cpu, gpu)) = stories260k_split(8 * 1024) else { return };
    let tokens: Vec<u32> = (0..30u32).map(|i| 1 + (i * 53 + 11) % 500).collect();
    let rows: Vec<usize> = (0..tokens.len()).collect();
    // Each row scores the next token; the picks are out of row order.
    let mut picks: Vec<(usize, u32)> = (0..tokens.len() - 1).map(|r| (r, tokens[r + 1])).collect();
    picks.reverse();
    let blocks = gpu.run(Forward::causal(&tokens).logit_rows(&rows), &mut gpu.new_cache()).unwrap().logits;
    assert_eq!((blocks.rows_per_block, blocks.blocks.len()), (4, 8));
    let got = blocks.token_scores(gpu.backend(), &picks).unwrap();
    let one = cpu.run(Forward::causal(&tokens).logit_rows(&rows), &mut cpu.new_cache()).unwrap().logits;
    assert_eq!(one.blocks.len(), 1);
    let want = one.token_scores(cpu.backend(), &picks).unwrap();
    for (g, w) in got.iter().zip(&want) {
        // As parity_logits.rs: f32 sums on the device, f64 on the host.
        assert!((g.log_prob - w.log_prob).abs() <= 2e-4, "{} vs {}", g.log_prob, w.log_prob);
        assert_eq!(g.is_argmax, w.is_argmax);
    }
    let host = common::host_logits(&gpu, Forward::causal(&tokens).logit_rows(&rows), &mut gpu.new_cache());
    let reference = common::host_logits(&cpu, Forward::causal(&tokens).logit_rows(&rows), &mut cpu.new_cache());
    assert_eq!((host.rows, host.cols), (reference.rows, reference.cols));
    let scale = reference.data.iter().fold(0f32, |m, x| m.max(x.abs()));
    let diff = host.data.iter().zip(&reference.data).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(diff <= 1e-4 * scale, "max |gpu - cpu| {diff} of {scale}");
}

/// A batch with more rows than one activation may hold runs in chunks
/// through the cache (`Backend::max_batch_rows`; here 8 KiB holds fewer
/// than 30 rows of stories260K's MLP activations): a causal
/// prompt and a shared-prefix scoring batch give the CPU's logits. A batch
/// whose rows see keys of later chunks runs whole, and gives them too.
#[test]
fn long_batches_run_in_chunks_through_the_cache() {
    let Some((cpu, gpu)) = stories260k_split(8 * 1024) else { return };
    assert!(gpu.backend().max_batch_rows(gpu.config().ffn_dim) < 30);
    let tokens: Vec<u32> = (0..30u32).map(|i| 1 + (i * 71 + 3) % 500).collect();
    let rows: Vec<usize> = vec![29, 0, 11, 12, 29];
    let compare = |spans: &[KeySpan]| {
        let positions: Vec<usize> = (0..tokens.len()).collect();
        let dev = gpu.backend().device();
        let before = dev.dispatch_count();
        let req = Forward::spans(&tokens, &positions, spans).logit_rows(&rows);
        let got = common::host_logits(&gpu, req, &mut gpu.new_cache());
        let dispatches = dev.dispatch_count() - before;
        let want = common::host_logits(&cpu, req, &mut cpu.new_cache());
        let scale = want.data.iter().fold(0f32, |m, x| m.max(x.abs()));
        let diff = got.data.iter().zip(&want.data).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert_eq!((got.rows, got.cols), (want.rows, want.cols));
        assert!(diff <= 1e-4 * scale, "max |gpu - cpu| {diff} of {scale}");
        dispatches
    };
    let causal: Vec<KeySpan> = (0..30).map(KeySpan::causal).collect();
    // Rows 10..30 continue a 10-token prefix, each seeing only itself after it.
    let scoring: Vec<KeySpan> = (0..30)
        .map(|i| if i < 10 { KeySpan::causal(i) } else { KeySpan { shared: 10, own_start: i, own_end: i + 1 } })
        .collect();
    // Row 0 sees every key: it cannot run before the later rows are cached.
    let mut whole = causal.clone();
    whole[0] = KeySpan { shared: 30, own_start: 0, own_end: 0 };
    let (chunked, scored, unchunked) = (compare(&causal), compare(&scoring), compare(&whole));
    // Chunks repeat each block's dispatches.
    assert!(chunked > unchunked && scored > unchunked, "{chunked} / {scored} / {unchunked} dispatches");
}

/// stories260K on the CPU and on a GPU that splits at `split_bytes`
/// (`None` without an adapter, unless KAOSHI_REQUIRE_GPU=1).
fn stories260k_split(split_bytes: u64) -> Option<(Model<CpuBackend>, Model<GpuBackend>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/models/stories260K/stories260K.gguf");
    assert!(path.exists(), "this test needs {} (the ../shared fixtures next to the repository)", path.display());
    let mut dev = gpu_or_skip()?;
    dev.set_split_bytes(split_bytes);
    let file = GgufFile::open(&path).unwrap();
    let cpu = Model::load(&file, CpuBackend::new()).unwrap();
    Some((cpu, Model::load(&file, GpuBackend::from_device(dev)).unwrap()))
}

/// 24 greedy tokens after `prompt`, one forward step per token.
fn greedy<B: Backend>(model: &Model<B>, prompt: &[u32], out: &mut Vec<u32>) {
    let mut cache = model.new_cache();
    let l = common::host_logits(model, Forward::causal(prompt), &mut cache);
    let mut next = kaoshi_model::host_argmax(l.row(0)) as u32;
    for _ in 0..24 {
        out.push(next);
        let l = common::host_logits(model, Forward::causal(&[next]), &mut cache);
        next = kaoshi_model::host_argmax(l.row(0)) as u32;
    }
}
