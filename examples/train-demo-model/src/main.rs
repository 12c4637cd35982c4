//! Writes the demo model: a byte-bigram language model as a one-block llama.
//! See README.md for the construction.

use std::collections::HashMap;
use std::io::BufWriter;

use candle_core::quantized::{GgmlDType, QTensor, gguf_file};
use candle_core::{Device, Tensor};
use kaoshi_cpu::ggml::candle_value;
use kaoshi_formats::Value;
use kaoshi_tokenizer::Tokenizer;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const VOCAB: usize = 288;
/// Embedding scale; the final RMS norm divides it out.
const EMBED_SCALE: f32 = 16.0;
/// Add-k smoothing of the bigram counts.
const SMOOTHING: f64 = 0.1;

fn vocab_metadata() -> Vec<(String, Value)> {
    let mut tokens = vec!["<unk>".to_string(), "<s>".into(), "</s>".into(), "▁".into()];
    let mut types = vec![2i32, 3, 3, 1];
    for b in 0..256 {
        tokens.push(format!("<0x{b:02X}>"));
        types.push(6);
    }
    while tokens.len() < VOCAB {
        tokens.push(format!("<unused{}>", tokens.len()));
        types.push(5);
    }
    vec![
        ("tokenizer.ggml.model".into(), Value::String("llama".into())),
        ("tokenizer.ggml.tokens".into(), Value::Array(tokens.into_iter().map(Value::String).collect())),
        ("tokenizer.ggml.scores".into(), Value::Array(vec![Value::F32(0.0); VOCAB])),
        ("tokenizer.ggml.token_type".into(), Value::Array(types.into_iter().map(Value::I32).collect())),
        ("tokenizer.ggml.bos_token_id".into(), Value::U32(1)),
        ("tokenizer.ggml.eos_token_id".into(), Value::U32(2)),
        ("tokenizer.ggml.unknown_token_id".into(), Value::U32(0)),
        ("tokenizer.ggml.add_bos_token".into(), Value::Bool(true)),
    ]
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, texts)) = args.split_last() else {
        return Err("usage: train-demo-model TEXT_FILE... OUT.gguf".into());
    };
    if texts.is_empty() {
        return Err("give at least one text file".into());
    }
    let vocab = vocab_metadata();
    let map: HashMap<String, Value> = vocab.iter().cloned().collect();
    let tok = Tokenizer::from_gguf_metadata(&map)?;
    // counts[i][j]: token j follows token i. Every line starts with BOS and ends with EOS.
    let mut counts = vec![vec![0f64; VOCAB]; VOCAB];
    let mut n_lines = 0;
    for path in texts {
        for line in std::fs::read_to_string(path)?.lines() {
            let mut ids = tok.encode(line, true, false)?;
            ids.push(2);
            for w in ids.windows(2) {
                counts[w[0] as usize][w[1] as usize] += 1.0;
            }
            n_lines += 1;
        }
    }
    // output.weight is [vocab(out), dim(in)]: row j, column i = log P(j | i).
    let mut output = vec![0f32; VOCAB * VOCAB];
    for (i, row) in counts.iter().enumerate() {
        let total: f64 = row.iter().sum::<f64>() + SMOOTHING * VOCAB as f64;
        for (j, c) in row.iter().enumerate() {
            output[j * VOCAB + i] = ((c + SMOOTHING) / total).ln() as f32;
        }
    }
    let embed: Vec<f32> = (0..VOCAB * VOCAB).map(|k| if k / VOCAB == k % VOCAB { EMBED_SCALE } else { 0.0 }).collect();
    let (dim, heads, ffn) = (VOCAB, 4usize, 32usize);
    let t = |data: Vec<f32>, shape: &[usize], dtype: GgmlDType| -> Res<QTensor> {
        Ok(QTensor::quantize(&Tensor::from_vec(data, shape, &Device::Cpu)?, dtype)?)
    };
    let zeros = |n: usize| vec![0f32; n];
    let ones = |n: usize| vec![1f32; n];
    // A small fixed pattern for q/k/v/gate/up: the block computes, but its
    // zero output projections keep it out of the residual stream.
    let pattern = |n: usize| (0..n).map(|k| ((k * 37 % 17) as f32 - 8.0) / 64.0).collect::<Vec<f32>>();
    let tensors: Vec<(&str, QTensor)> = vec![
        ("token_embd.weight", t(embed, &[VOCAB, dim], GgmlDType::F16)?),
        ("blk.0.attn_norm.weight", t(ones(dim), &[dim], GgmlDType::F32)?),
        ("blk.0.attn_q.weight", t(pattern(dim * dim), &[dim, dim], GgmlDType::F16)?),
        ("blk.0.attn_k.weight", t(pattern(dim * dim), &[dim, dim], GgmlDType::F16)?),
        ("blk.0.attn_v.weight", t(pattern(dim * dim), &[dim, dim], GgmlDType::F16)?),
        ("blk.0.attn_output.weight", t(zeros(dim * dim), &[dim, dim], GgmlDType::F16)?),
        ("blk.0.ffn_norm.weight", t(ones(dim), &[dim], GgmlDType::F32)?),
        ("blk.0.ffn_gate.weight", t(pattern(ffn * dim), &[ffn, dim], GgmlDType::F16)?),
        ("blk.0.ffn_up.weight", t(pattern(ffn * dim), &[ffn, dim], GgmlDType::F16)?),
        ("blk.0.ffn_down.weight", t(zeros(dim * ffn), &[dim, ffn], GgmlDType::F16)?),
        // RMS of 16·e_i is 16/sqrt(dim); this weight turns the normalised row back into e_i.
        ("output_norm.weight", t(vec![1.0 / (dim as f32).sqrt(); dim], &[dim], GgmlDType::F32)?),
        ("output.weight", t(output, &[VOCAB, dim], GgmlDType::F32)?),
    ];
    let mut md: Vec<(String, Value)> = vec![
        ("general.architecture".into(), Value::String("llama".into())),
        (
            "general.name".into(),
            Value::String("kaoshi demo byte-bigram (FLORES-200 devtest eng+zho, CC BY-SA 4.0)".into()),
        ),
        ("general.license".into(), Value::String("CC-BY-SA-4.0".into())),
        ("llama.block_count".into(), Value::U32(1)),
        ("llama.context_length".into(), Value::U32(2048)),
        ("llama.embedding_length".into(), Value::U32(dim as u32)),
        ("llama.feed_forward_length".into(), Value::U32(ffn as u32)),
        ("llama.attention.head_count".into(), Value::U32(heads as u32)),
        ("llama.attention.head_count_kv".into(), Value::U32(heads as u32)),
        ("llama.rope.dimension_count".into(), Value::U32((dim / heads) as u32)),
        ("llama.attention.layer_norm_rms_epsilon".into(), Value::F32(1e-5)),
    ];
    md.extend(vocab);
    let values: Vec<gguf_file::Value> = md.iter().map(|(_, v)| candle_value(v)).collect();
    let md_refs: Vec<(&str, &gguf_file::Value)> = md.iter().zip(&values).map(|((k, _), v)| (k.as_str(), v)).collect();
    let t_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (*k, v)).collect();
    let mut w = BufWriter::new(std::fs::File::create(out)?);
    gguf_file::write(&mut w, &md_refs, &t_refs)?;
    std::io::Write::flush(&mut w)?;
    eprintln!("counted {n_lines} lines; wrote {out}");
    Ok(())
}
