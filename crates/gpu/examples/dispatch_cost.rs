//! Where a decode step's time goes when kernels are trivial: a synthetic
//! llama with 24 tiny blocks (dim 64) is decoded token by token, timing the
//! recording of the forward pass (host work per dispatch) apart from the
//! submission and wait. Prints microseconds per dispatch.
//!
//! `cargo run --release -p kaoshi-gpu --example dispatch_cost`

use kaoshi_cpu::synth::{SynthSpec, write_synthetic};
use kaoshi_formats::GgufFile;
use kaoshi_gpu::GpuBackend;
use kaoshi_model::{Backend, Forward, Model};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spec = SynthSpec {
        arch: "qwen2".into(),
        layers: 24,
        dim: 64,
        heads: 4,
        kv_heads: 2,
        head_dim: 16,
        ffn: 128,
        vocab: 256,
        context: 4096,
        rope_theta: 1e6,
        rms_eps: 1e-6,
        tied: true,
        rope_freqs: false,
    };
    let path = std::env::temp_dir().join(format!("kaoshi-dispatch-cost-{}.gguf", std::process::id()));
    write_synthetic(&spec, kaoshi_formats::GgmlDType::Q8_0, 1, None, &path, &mut |_, _| {})?;
    let file = GgufFile::open(&path)?;
    // One submission per step (at the read-back), so that "record" is host
    // work alone: with the default of a submission every 48 dispatches it
    // would include lavapipe running the submitted work on the same cores.
    let mut dev = kaoshi_gpu::GpuDevice::new()?;
    dev.set_submit_every(u32::MAX);
    let model = Model::load(&file, GpuBackend::from_device(dev))?;
    let mut cache = model.new_cache();
    let (mut record, mut submit, mut wait) = (0.0, 0.0, 0.0);
    let mut next = 1u32;
    let steps = 200;
    let d0 = model.backend().dispatch_count();
    for step in 0..steps + 20 {
        let t = std::time::Instant::now();
        let logits = model.run(Forward::causal(&[next]), &mut cache)?.logits.into_single().expect("one logits row");
        let recorded = t.elapsed().as_secs_f64();
        model.backend().device().flush()?;
        let flushed = t.elapsed().as_secs_f64();
        next = model.backend().argmax_rows(&logits)?[0];
        if step >= 20 {
            record += recorded;
            submit += flushed - recorded;
            wait += t.elapsed().as_secs_f64() - flushed;
        }
    }
    let per_step = (model.backend().dispatch_count() - d0) as f64 / (steps + 20) as f64;
    println!("{per_step:.0} dispatches per step");
    println!(
        "record  {:.1} us per dispatch ({:.2} ms per step)",
        record / steps as f64 / per_step * 1e6,
        record / steps as f64 * 1e3
    );
    println!(
        "submit  {:.1} us per dispatch (ending the pass, encoding, queue.submit)",
        submit / steps as f64 / per_step * 1e6
    );
    println!("wait    {:.2} ms per step (GPU work, read-back of the next token)", wait / steps as f64 * 1e3);
    let (hits, misses) = model.backend().device().bind_group_stats();
    println!(
        "bind groups: {hits} reused, {misses} made ({:.1}% reused)",
        100.0 * hits as f64 / (hits + misses).max(1) as f64
    );
    let _ = std::fs::remove_file(path);
    Ok(())
}
