//! `kaoshi info`: what a model file holds, without loading its weights.

use std::collections::BTreeMap;
use std::path::PathBuf;

use kaoshi_formats::GgufFile;
use kaoshi_model::ModelConfig;
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::CliError;
use kaoshi_runtime::BackendChoice;

use crate::load::{AdapterInfo, choose_device};

/// Options of `kaoshi info`.
#[derive(clap::Args)]
pub struct Args {
    /// The GGUF model file.
    #[arg(long)]
    model: PathBuf,
    /// Where the model runs: cpu, gpu, or auto (the GPU when it can load the model, else the CPU).
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct TypeSummary {
    tensors: usize,
    bytes: u64,
}

#[derive(Serialize)]
struct Info {
    file: String,
    file_bytes: u64,
    gguf_version: String,
    name: Option<String>,
    architecture: String,
    parameters: u64,
    layers: usize,
    dim: usize,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    ffn_dim: usize,
    context_length: usize,
    vocab_size: usize,
    rope_theta: f32,
    rope_layout: String,
    rope_scaling: String,
    rms_eps: f32,
    tied_embeddings: bool,
    tensor_types: BTreeMap<String, TypeSummary>,
    tokenizer: String,
    pre_tokenizer: Option<String>,
    bos_id: Option<u32>,
    eos_id: Option<u32>,
    chat_template: bool,
    /// The backend a run with this --backend would use ("cpu" or "gpu: ...").
    backend: String,
    /// The GPU adapter, with --backend gpu or auto when one opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    adapter: Option<AdapterInfo>,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let file = GgufFile::open(&args.model)?;
    let cfg = ModelConfig::from_gguf(&file)?;
    let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map())?;
    // The device only: info never loads weights.
    let adapter = choose_device(args.backend)?.map(|dev| AdapterInfo::of(&dev));
    let mut types: BTreeMap<String, TypeSummary> = BTreeMap::new();
    for t in file.tensors() {
        let e = types.entry(t.type_name().to_string()).or_insert(TypeSummary { tensors: 0, bytes: 0 });
        e.tensors += 1;
        e.bytes += t.n_bytes;
    }
    let info = Info {
        file: args.model.display().to_string(),
        file_bytes: file.file_len(),
        gguf_version: format!("{:?}", file.version()),
        name: file.metadata().get_str("general.name").map(str::to_string),
        architecture: cfg.arch_name.clone(),
        parameters: cfg.n_params(),
        layers: cfg.n_layers,
        dim: cfg.dim,
        heads: cfg.n_heads,
        kv_heads: cfg.n_kv_heads,
        head_dim: cfg.head_dim,
        ffn_dim: cfg.ffn_dim,
        context_length: cfg.context_length,
        vocab_size: cfg.vocab_size,
        rope_theta: cfg.rope_theta,
        rope_layout: format!("{:?}", cfg.rope_layout),
        rope_scaling: format!("{:?}", cfg.rope_scaling),
        rms_eps: cfg.rms_eps,
        tied_embeddings: cfg.tied_embeddings,
        tensor_types: types,
        tokenizer: tok.kind().to_string(),
        pre_tokenizer: tok.pre_tokenizer().map(str::to_string),
        bos_id: tok.bos_id(),
        eos_id: tok.eos_id(),
        chat_template: tok.chat_template().is_some(),
        backend: adapter.as_ref().map_or_else(|| "cpu".to_string(), AdapterInfo::describe),
        adapter,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info).map_err(|e| CliError::Usage(e.to_string()))?);
        return Ok(());
    }
    println!("file            {} ({} bytes, GGUF {})", info.file, info.file_bytes, info.gguf_version);
    if let Some(n) = &info.name {
        println!("name            {n}");
    }
    println!("architecture    {}", info.architecture);
    println!("parameters      {} ({:.2} M)", info.parameters, info.parameters as f64 / 1e6);
    println!("layers          {}", info.layers);
    println!("width           {} (ffn {})", info.dim, info.ffn_dim);
    println!("heads           {} query, {} key/value, {} wide", info.heads, info.kv_heads, info.head_dim);
    println!("context         {}", info.context_length);
    println!("vocabulary      {}", info.vocab_size);
    println!("rope            base {} {} scaling {}", info.rope_theta, info.rope_layout, info.rope_scaling);
    println!("tied embeddings {}", info.tied_embeddings);
    for (ty, s) in &info.tensor_types {
        println!("tensors {ty:<8} {:>4} tensors, {:.2} MiB", s.tensors, s.bytes as f64 / (1 << 20) as f64);
    }
    let pre = info.pre_tokenizer.as_deref().map(|p| format!(" (pre-tokenizer {p})")).unwrap_or_default();
    println!("tokenizer       {}{pre}, bos {:?}, eos {:?}", info.tokenizer, info.bos_id, info.eos_id);
    println!("chat template   {}", if info.chat_template { "present" } else { "absent" });
    println!("backend         {}", info.backend);
    if let Some(a) = &info.adapter {
        println!("adapter         {} ({}), {}", a.name, a.device_type, a.features.join(", "));
        let limits: Vec<String> = a.limits.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("limits          {}", limits.join(", "));
    }
    Ok(())
}
