//! Times `GpuDevice::matmul` per weight type on a decode shape (one row of
//! x) and a prefill shape (128 rows), and prints GFLOP/s (2·n·m·k per call)
//! and GB/s (weight bytes + x + y per call). Each figure is the best of a
//! few timed batches after a warm-up: a batch is as many calls as take
//! about 0.1 s (at least one) and one read-back of the last output, so on
//! a fast GPU it measures the kernel plus its share of the submission.
//!
//! ```text
//! cargo run --release -p kaoshi-gpu --example matmul_bench [-- --wg 64] [--reps 5] [--only q4_k] [--shape n,m,k] [--narrow]
//! ```
//!
//! `--shape` replaces the three default shapes by one (a tiny one, e.g.
//! `1,64,256`, shows the fixed cost of a call and its read-back). `--narrow`
//! runs prefill with 4 x 4 outputs per invocation instead of 8 x 8
//! (`GpuDevice::set_wide_tiles`).

use std::time::Instant;

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use kaoshi_gpu::{DType, GpuDevice, Variant};

const TYPES: [(&str, GgmlDType, DType); 12] = [
    ("f32", GgmlDType::F32, DType::F32),
    ("f16", GgmlDType::F16, DType::F16),
    ("q8_0", GgmlDType::Q8_0, DType::Q8_0),
    ("q4_0", GgmlDType::Q4_0, DType::Q4_0),
    ("q4_1", GgmlDType::Q4_1, DType::Q4_1),
    ("q5_0", GgmlDType::Q5_0, DType::Q5_0),
    ("q5_1", GgmlDType::Q5_1, DType::Q5_1),
    ("q4_k", GgmlDType::Q4K, DType::Q4K),
    ("q2_k", GgmlDType::Q2K, DType::Q2K),
    ("q3_k", GgmlDType::Q3K, DType::Q3K),
    ("q5_k", GgmlDType::Q5K, DType::Q5K),
    ("q6_k", GgmlDType::Q6K, DType::Q6K),
];

/// (label, n, m, k): x [n, k] · w [m, k]ᵀ.
const SHAPES: [(&str, usize, usize, usize); 3] =
    [("decode", 1, 4864, 896), ("decode", 1, 896, 4864), ("prefill", 128, 896, 896)];

fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = arg(&args, "--reps").map_or(Ok(3), |s| s.parse())?;
    let only = arg(&args, "--only");
    let shapes: Vec<(&str, usize, usize, usize)> = match arg(&args, "--shape") {
        Some(s) => {
            let v: Vec<usize> = s.split(',').map(str::parse).collect::<Result<_, _>>()?;
            let [n, m, k] = v[..] else { return Err(format!("--shape n,m,k, got {s}").into()) };
            vec![("shape", n, m, k)]
        }
        None => SHAPES.to_vec(),
    };
    let mut dev = GpuDevice::new()?;
    if let Some(wg) = arg(&args, "--wg") {
        let v = dev.variant();
        dev.set_variant(Variant { workgroup_size: wg.parse()?, ..v })?;
    }
    dev.set_wide_tiles(!args.iter().any(|a| a == "--narrow"));
    let info = dev.info();
    println!("adapter: {} ({}), variant {:?}", info.name, info.backend, dev.variant());
    println!(
        "{:<8} {:<6} {:>4} {:>5} {:>5} {:>10} {:>9} {:>8}",
        "shape", "dtype", "n", "m", "k", "ms", "GFLOP/s", "GB/s"
    );
    for (label, n, m, k0) in shapes {
        for (name, ggml, dtype) in TYPES {
            if only.as_deref().is_some_and(|o| o != name) {
                continue;
            }
            let (block, _) = dtype.block();
            // K-quant rows are whole 256-value blocks: round k up.
            let k = k0.div_ceil(block) * block;
            // At most 64 distinct rows, repeated (the timing does not depend
            // on the values, and quantizing large matrices takes long).
            let distinct = m.min(64);
            let w = Tensor::from_vec(values(distinct * k, 1), (distinct, k), &Device::Cpu)?;
            let block = QTensor::quantize(&w, ggml)?.data()?.into_owned();
            let row_bytes = block.len() / distinct;
            let bytes: Vec<u8> =
                (0..m).flat_map(|r| &block[(r % distinct) * row_bytes..][..row_bytes]).copied().collect();
            let gw = dev.upload_matrix(&bytes, dtype, m, k)?;
            let gx = dev.upload_tensor(&values(n * k, 2), n, k)?;
            // Warm-up (pipeline, buffers), then one call timed to size the
            // batches: calls enough for ~0.1 s each, one read-back at the end.
            dev.download_tensor(&dev.matmul(&gx, &gw)?)?;
            let t = Instant::now();
            dev.download_tensor(&dev.matmul(&gx, &gw)?)?;
            let calls = ((0.1 / t.elapsed().as_secs_f64()) as usize).clamp(1, 10_000);
            let mut best = f64::INFINITY;
            for _ in 0..reps {
                let t = Instant::now();
                let mut y = dev.matmul(&gx, &gw)?;
                for _ in 1..calls {
                    y = dev.matmul(&gx, &gw)?;
                }
                dev.download_tensor(&y)?;
                best = best.min(t.elapsed().as_secs_f64() / calls as f64);
            }
            let flops = 2.0 * (n * m * k) as f64;
            let moved = (bytes.len() + 4 * (n * k + n * m)) as f64;
            println!(
                "{label:<8} {name:<6} {n:>4} {m:>5} {k:>5} {:>10.3} {:>9.3} {:>8.3}",
                best * 1e3,
                flops / best / 1e9,
                moved / best / 1e9
            );
        }
    }
    Ok(())
}
