//! Prefill and decode speed of kaoshi's CPU backend against
//! candle-transformers' `quantized_qwen2` on the same GGUF file, in one run,
//! so that the ratio is meaningful on a shared machine.
//!
//! ```sh
//! kaoshi synth --preset qwen2.5-0.5b --dtype Q4_K --out /tmp/q05.gguf
//! cargo run --release -p kaoshi-cpu --example bench_vs_candle -- /tmp/q05.gguf 128 32
//! ```

use std::time::Instant;

use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_qwen2;
use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_model::{Forward, HostTensor, KvCache, Model};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn argmax(v: &[f32]) -> u32 {
    v.iter().enumerate().fold((0, f32::NEG_INFINITY), |b, (i, &x)| if x > b.1 { (i, x) } else { b }).0 as u32
}

/// The last row's logits after `req`, read back.
fn host_logits(model: &Model<CpuBackend>, req: Forward<'_>, cache: &mut KvCache<CpuBackend>) -> Res<HostTensor> {
    let out = model.run(req, cache)?;
    Ok(out.logits.to_host(model.backend(), model.config().vocab_size)?)
}

/// Seconds for the prefill of `prompt` and for `n_gen` decode steps.
fn kaoshi(path: &std::path::Path, prompt: &[u32], n_gen: usize) -> Res<(f64, f64)> {
    let file = GgufFile::open(path)?;
    let model = Model::load(&file, CpuBackend::new())?;
    let mut cache = model.new_cache();
    let t = Instant::now();
    let l = host_logits(&model, Forward::causal(prompt), &mut cache)?;
    let prefill = t.elapsed().as_secs_f64();
    let mut next = argmax(l.row(0));
    let t = Instant::now();
    for _ in 0..n_gen {
        next = argmax(host_logits(&model, Forward::causal(&[next]), &mut cache)?.row(0));
    }
    Ok((prefill, t.elapsed().as_secs_f64()))
}

fn candle(path: &std::path::Path, prompt: &[u32], n_gen: usize) -> Res<(f64, f64)> {
    let mut f = std::fs::File::open(path)?;
    let content = gguf_file::Content::read(&mut f)?;
    let mut model = quantized_qwen2::ModelWeights::from_gguf(content, &mut f, &Device::Cpu)?;
    let x = Tensor::new(prompt, &Device::Cpu)?.unsqueeze(0)?;
    let t = Instant::now();
    let l = model.forward(&x, 0)?;
    let prefill = t.elapsed().as_secs_f64();
    let mut next = argmax(&l.flatten_all()?.to_vec1::<f32>()?);
    let t = Instant::now();
    for i in 0..n_gen {
        let x = Tensor::new(&[next], &Device::Cpu)?.unsqueeze(0)?;
        next = argmax(&model.forward(&x, prompt.len() + i)?.flatten_all()?.to_vec1::<f32>()?);
    }
    Ok((prefill, t.elapsed().as_secs_f64()))
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let path =
        std::path::PathBuf::from(args.get(1).ok_or("usage: bench_vs_candle MODEL.gguf [PROMPT_TOKENS] [GEN_TOKENS]")?);
    let n_prompt: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(128);
    let n_gen: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(32);
    let prompt: Vec<u32> = (0..n_prompt).map(|i| ((i * 7919 + 13) % 1000) as u32).collect();
    let (kp, kd) = kaoshi(&path, &prompt, n_gen)?;
    let (cp, cd) = candle(&path, &prompt, n_gen)?;
    let tps = |n: usize, s: f64| n as f64 / s;
    println!("{:<22} {:>14} {:>14}", "", "prefill tok/s", "decode tok/s");
    println!("{:<22} {:>14.1} {:>14.2}", "kaoshi cpu", tps(n_prompt, kp), tps(n_gen, kd));
    println!("{:<22} {:>14.1} {:>14.2}", "candle quantized_qwen2", tps(n_prompt, cp), tps(n_gen, cd));
    println!("{:<22} {:>14.2} {:>14.2}", "ratio kaoshi/candle", cp / kp, cd / kd);
    Ok(())
}
