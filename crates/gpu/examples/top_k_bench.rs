//! What top-k sampling's candidates cost per token: one row of logits of a
//! Qwen2.5-sized vocabulary (151,936 entries) on the device, then either
//! read back whole and ranked on the host (`kaoshi_model::host_top_k`, what
//! sampling did before) or selected on the device (`GpuDevice::top_k`, 2k
//! numbers read back). Also times the argmax reduction greedy decoding uses,
//! for scale. Prints microseconds per call and the ratio, same run.
//!
//! `cargo run --release -p kaoshi-gpu --example top_k_bench -- [--vocab N] [--reps N]`

use std::time::Instant;

use kaoshi_gpu::GpuDevice;

fn arg(name: &str, default: usize) -> Result<usize, Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(args.get(i + 1).ok_or(format!("{name} needs a value"))?.parse()?),
        None => Ok(default),
    }
}

/// Mean microseconds per call of `f` over `reps` calls, after one warm-up.
fn time_us(
    reps: usize,
    mut f: impl FnMut() -> Result<(), Box<dyn std::error::Error>>,
) -> Result<f64, Box<dyn std::error::Error>> {
    f()?;
    let t = Instant::now();
    for _ in 0..reps {
        f()?;
    }
    Ok(t.elapsed().as_secs_f64() * 1e6 / reps as f64)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let vocab = arg("--vocab", 151_936)?;
    let reps = arg("--reps", 20)?;
    let dev = GpuDevice::new()?;
    println!("adapter: {} ({})", dev.info().name, dev.info().backend);
    // Logits-like values: a smooth spread with a few tall entries.
    let row: Vec<f32> =
        (0..vocab).map(|i| ((i as f32 * 0.7373).sin() * 6.0) + if i % 997 == 0 { 9.0 } else { 0.0 }).collect();
    let logits = dev.upload_tensor(&row, 1, vocab)?;
    let argmax = time_us(reps, || {
        dev.token_scores(&logits, &[(0, 0)])?;
        Ok(())
    })?;
    println!("vocab {vocab}: argmax on the device {argmax:.0} us");
    for k in [1, 40, 100, kaoshi_gpu::TOP_K_MAX] {
        let host = time_us(reps, || {
            let data = dev.download_tensor(&logits)?;
            std::hint::black_box(kaoshi_model::host_top_k(&data, k));
            Ok(())
        })?;
        let device = time_us(reps, || {
            std::hint::black_box(dev.top_k(&logits, k)?);
            Ok(())
        })?;
        println!(
            "top-{k}: read back + host {host:.0} us, on the device {device:.0} us (host / device {:.2})",
            host / device
        );
    }
    Ok(())
}
