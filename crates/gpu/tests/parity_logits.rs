//! Logits reductions on the device (log-probability of picked tokens and
//! argmax) against the host reference the CPU backend uses (f64), in every
//! kernel variant. Needs a GPU adapter (lavapipe works).

mod common;

use common::{for_each_variant, values};
use kaoshi_cpu::CpuBackend;
use kaoshi_model::Backend;

/// The GPU sums exp() in f32 over the row and the host in f64. Logits here
/// are in [-8, 8) over up to 5,000 columns, summed in chunks: the f32 sum's
/// relative rounding error stays below about 1e-5 (chunks of <= 4,096 terms
/// each, 6e-8 per addition, mostly cancelling), so the log-probability can
/// differ by about that much; 2e-4 leaves room.
const LOG_PROB_TOLERANCE: f64 = 2e-4;

#[test]
fn token_scores_match_the_host_reference() {
    // 1,003 columns: one or two chunks a row; 5,000: several at every
    // workgroup size, with the tie in row 2 across chunks.
    for cols in [1003, 5000] {
        check_scores(5, cols);
    }
}

fn check_scores(rows: usize, cols: usize) {
    let mut x: Vec<f32> = values(rows * cols, 11).iter().map(|v| v * 8.0).collect();
    let (tie, last) = (cols / 2, cols as u32 - 1);
    // Row 2 has its max twice: the first index must win, as on the host.
    x[2 * cols + 7] = 9.0;
    x[2 * cols + tie] = 9.0;
    // Row 4's max is its last column (workgroup-stride edge).
    x[4 * cols + cols - 1] = 10.0;
    let picks: Vec<(usize, u32)> =
        vec![(0, 0), (0, last), (1, 17), (2, 7), (2, tie as u32), (2, 3), (3, last - 3), (4, last), (4, 0)];
    let cpu = CpuBackend::new();
    let ct = cpu.upload(&x, rows, cols).unwrap();
    let want = cpu.token_scores(&ct, &picks).unwrap();
    let want_arg = cpu.argmax_rows(&ct).unwrap();
    assert_eq!(want_arg[2], 7);
    assert_eq!(want_arg[4], last);
    for_each_variant(|dev| {
        let gt = dev.upload_tensor(&x, rows, cols).unwrap();
        let got = dev.token_scores(&gt, &picks).unwrap();
        let mut worst = 0f64;
        for ((&(lp, arg), w), &(row, token)) in got.iter().zip(&want).zip(&picks) {
            worst = worst.max((f64::from(lp) - w.log_prob).abs());
            assert_eq!(arg, want_arg[row], "argmax of row {row} in {:?}", dev.variant());
            assert_eq!(arg == token, w.is_argmax);
        }
        println!("{:?}: max |log-prob diff| {worst:.2e}", dev.variant());
        assert!(worst <= LOG_PROB_TOLERANCE, "log-prob differs by {worst:e} in {:?}", dev.variant());
        // A pick outside the tensor is an error, not a read past the buffer.
        assert!(dev.token_scores(&gt, &[(rows, 0)]).is_err());
        assert!(dev.token_scores(&gt, &[(0, cols as u32)]).is_err());
    });
    // The Backend trait methods on the GPU.
    let Some(dev) = common::gpu_or_skip() else { return };
    let backend = kaoshi_gpu::GpuBackend::from_device(dev);
    let gt = backend.upload(&x, rows, cols).unwrap();
    assert_eq!(backend.argmax_rows(&gt).unwrap(), want_arg);
    let got = backend.token_scores(&gt, &picks).unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.is_argmax, w.is_argmax);
        assert!((g.log_prob - w.log_prob).abs() <= LOG_PROB_TOLERANCE);
    }
}

/// Top-k selection is exact (no arithmetic), so the device's list must be
/// the host's bit for bit: same indices, same logit bits, same order. Rows
/// here have many ties (a few distinct levels), signed zeros and
/// infinities, so the index tie-break and the total order are exercised;
/// column counts are not multiples of any chunk or workgroup size.
#[test]
fn top_k_matches_the_host_bit_for_bit() {
    let levels = [0.0f32, -0.0, 1.5, -2.25, f32::INFINITY, f32::NEG_INFINITY, 3.0, 0.5];
    let mut cases: Vec<(usize, usize, Vec<f32>)> = Vec::new();
    for (rows, cols, seed) in [(3, 1003, 21), (2, 5000, 22), (1, 37, 23)] {
        let v = values(rows * cols, seed);
        // Half the entries from the levels (ties), half distinct values.
        let x: Vec<f32> = v
            .iter()
            .enumerate()
            .map(|(i, &r)| if i % 2 == 0 { levels[((r + 1.0) * 4.0) as usize % levels.len()] } else { r * 8.0 })
            .collect();
        cases.push((rows, cols, x));
    }
    for_each_variant(|dev| {
        for (rows, cols, x) in &cases {
            let gt = dev.upload_tensor(x, *rows, *cols).unwrap();
            for k in [1, 2, 40, 255, kaoshi_gpu::TOP_K_MAX, cols + 1] {
                if k > kaoshi_gpu::TOP_K_MAX {
                    continue;
                }
                let got = dev.top_k(&gt, k).unwrap();
                assert_eq!(got.len(), *rows);
                for (r, g) in got.iter().enumerate() {
                    let want = kaoshi_model::host_top_k(&x[r * cols..(r + 1) * cols], k);
                    let bits = |l: &[(u32, f32)]| l.iter().map(|&(i, v)| (i, v.to_bits())).collect::<Vec<_>>();
                    assert_eq!(bits(g), bits(&want), "row {r} of [{rows}, {cols}], k {k}, {:?}", dev.variant());
                }
            }
        }
        let gt = dev.upload_tensor(&cases[2].2, 1, 37).unwrap();
        // k above the row length gives the whole row; above TOP_K_MAX an error.
        assert_eq!(dev.top_k(&gt, 100).unwrap()[0].len(), 37);
        assert!(dev.top_k(&gt, kaoshi_gpu::TOP_K_MAX + 1).is_err());
    });
    // Through the Backend trait: above TOP_K_MAX the row is read back.
    let Some(dev) = common::gpu_or_skip() else { return };
    let backend = kaoshi_gpu::GpuBackend::from_device(dev);
    let (rows, cols, x) = &cases[1];
    let gt = backend.upload(x, *rows, *cols).unwrap();
    for k in [40, 1000] {
        let got = backend.top_k_rows(&gt, k).unwrap();
        for (r, g) in got.iter().enumerate() {
            let want = kaoshi_model::host_top_k(&x[r * cols..(r + 1) * cols], k);
            assert_eq!(g.len(), want.len());
            assert!(g.iter().zip(&want).all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits()), "k {k}");
        }
    }
}
