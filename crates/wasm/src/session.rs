//! [`Session`]: a model loaded from bytes on the CPU or the GPU, with its
//! tokenizer; the Rust side of the JS `Model` class, usable (and tested)
//! natively too.

use std::collections::BTreeMap;
use std::str::FromStr;

use kaoshi_cpu::CpuBackend;
use kaoshi_engine::{ContinuationScore, GenerateParams, GenerationOutput, PerplexityParams, PerplexityReport};
use kaoshi_formats::{ByteSource, GgufFile};
use kaoshi_gpu::GpuBackend;
use kaoshi_harness::{ItemRequest, ItemResponse};
use kaoshi_model::{Model, ModelConfig};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::{gpu, run};

/// Where to run the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// The CPU backend (candle; wasm SIMD in the browser).
    Cpu,
    /// WebGPU (natively: Vulkan, Metal or DX12); an error when there is none.
    Gpu,
    /// The GPU when an adapter opens and the model loads on it, else the CPU.
    Auto,
}

impl FromStr for BackendChoice {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "cpu" => Ok(Self::Cpu),
            "gpu" => Ok(Self::Gpu),
            "auto" => Ok(Self::Auto),
            other => Err(Error::other(format!("backend {other:?}: expected \"cpu\", \"gpu\" or \"auto\""))),
        }
    }
}

/// Tensors of one type in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeSummary {
    /// How many tensors.
    pub tensors: usize,
    /// Their bytes.
    pub bytes: u64,
}

/// What `Model.info()` returns (camelCase in JS).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// `general.name`, when the file has one.
    pub name: Option<String>,
    /// `general.architecture`, e.g. "llama".
    pub architecture: String,
    /// Number of parameters.
    pub parameters: u64,
    /// Transformer blocks.
    pub layers: usize,
    /// Embedding width.
    pub dim: usize,
    /// Attention heads.
    pub heads: usize,
    /// Key/value heads.
    pub kv_heads: usize,
    /// Feed-forward width.
    pub ffn_dim: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// Context length in tokens.
    pub context_length: usize,
    /// Tensor types (ggml names) with their counts and bytes.
    pub tensor_types: BTreeMap<String, TypeSummary>,
    /// Tokenizer kind.
    pub tokenizer: String,
    /// Bytes of the file.
    pub file_bytes: u64,
    /// The backend in use: "cpu" or "gpu".
    pub backend: String,
    /// The GPU adapter's name, on the GPU backend.
    pub adapter: Option<String>,
    /// The API the adapter runs through ("browserwebgpu", "vulkan", ...).
    pub adapter_api: Option<String>,
    /// With backend "auto" on the CPU: why the GPU was not used.
    pub fallback_reason: Option<String>,
}

enum Loaded {
    Cpu(Box<Model<CpuBackend>>),
    Gpu(Box<Model<GpuBackend>>),
}

/// Runs `$body` with `$m` bound to the model, whichever backend it is on.
macro_rules! with_model {
    ($loaded:expr, $m:ident => $body:expr) => {
        match $loaded {
            Loaded::Cpu($m) => $body,
            Loaded::Gpu($m) => $body,
        }
    };
}

/// A loaded model and its tokenizer.
pub struct Session {
    loaded: Loaded,
    tok: Tokenizer,
    info: ModelInfo,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("info", &self.info).finish_non_exhaustive()
    }
}

impl Session {
    /// Loads a GGUF model from its bytes onto the chosen backend. The bytes
    /// are dropped once the weights are in the backend's memory.
    pub async fn load(bytes: Vec<u8>, choice: BackendChoice) -> Result<Self, Error> {
        Self::load_source(Box::new(bytes), choice).await
    }

    /// Loads a GGUF model read through `source` (a `Blob` or a URL in a
    /// browser worker: tensor by tensor, never the whole file at once).
    pub async fn load_source(source: Box<dyn ByteSource>, choice: BackendChoice) -> Result<Self, Error> {
        let file = GgufFile::from_source("model.gguf", source)?;
        let config = ModelConfig::from_gguf(&file)?;
        let tok = Tokenizer::from_gguf_metadata(file.metadata().as_map())
            .map_err(|e| Error::new(ErrorKind::ModelFormat, format!("model.gguf: tokenizer: {e}")))?;
        let mut info = describe(&file, &config, &tok);
        let loaded = match choice {
            BackendChoice::Cpu => load_cpu(&file)?,
            BackendChoice::Gpu => load_gpu(&file, &mut info).await?,
            BackendChoice::Auto => match load_gpu(&file, &mut info).await {
                Ok(l) => l,
                Err(e) if e.kind == ErrorKind::ModelFormat => return Err(e),
                Err(e) => {
                    info.fallback_reason = Some(e.message);
                    (info.adapter, info.adapter_api) = (None, None);
                    load_cpu(&file)?
                }
            },
        };
        info.backend = match loaded {
            Loaded::Cpu(_) => "cpu",
            Loaded::Gpu(_) => "gpu",
        }
        .into();
        Ok(Self { loaded, tok, info })
    }

    /// What the model is and where it runs.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// The tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tok
    }

    /// The token ids of `prompt` with BOS when the tokenizer adds one; an
    /// empty prompt is BOS alone.
    pub fn prompt_tokens(&self, prompt: &str) -> Result<Vec<u32>, Error> {
        if prompt.is_empty() {
            return Ok(self.tok.bos_id().into_iter().collect());
        }
        Ok(self.tok.encode(prompt, true, false)?)
    }

    /// Generates after `prompt` (token ids); see `run::generate`.
    pub async fn generate(
        &self,
        prompt: &[u32],
        params: &GenerateParams,
        aborted: &dyn Fn() -> bool,
    ) -> Result<GenerationOutput, Error> {
        self.generate_streaming(prompt, params, aborted, &mut |_| Ok(())).await
    }

    /// [`Session::generate`], handing each newly decoded piece of text to
    /// `on_piece` as generation proceeds (the pieces concatenate to the
    /// output's text); an error from `on_piece` ends generation with it.
    pub async fn generate_streaming(
        &self,
        prompt: &[u32],
        params: &GenerateParams,
        aborted: &dyn Fn() -> bool,
        on_piece: &mut dyn FnMut(&str) -> Result<(), Error>,
    ) -> Result<GenerationOutput, Error> {
        with_model!(&self.loaded, m => run::generate(m, &self.tok, prompt, params, aborted, on_piece).await)
    }

    /// Scores token continuations after a token context.
    pub async fn score_tokens(
        &self,
        context: &[u32],
        continuations: &[Vec<u32>],
    ) -> Result<Vec<ContinuationScore>, Error> {
        with_model!(&self.loaded, m => run::score(m, context, continuations).await)
    }

    /// Scores text continuations after a text context, split into tokens as
    /// lm-evaluation-harness does (`kaoshi_engine::score::encode_pair`).
    pub async fn score(&self, context: &str, continuations: &[String]) -> Result<Vec<ContinuationScore>, Error> {
        let mut ctx = Vec::new();
        let mut conts = Vec::with_capacity(continuations.len());
        for c in continuations {
            let (x, cont) = kaoshi_engine::score::encode_pair(&self.tok, context, c)?;
            ctx = x;
            conts.push(cont);
        }
        if conts.is_empty() {
            return Ok(Vec::new());
        }
        self.score_tokens(&ctx, &conts).await
    }

    /// On the GPU backend, destroys the device as if the browser had lost
    /// it (as `WEBGL_lose_context.loseContext()` does for WebGL), to test
    /// what callers do then: every later call fails with
    /// [`ErrorKind::WebGpuUnavailable`], and loading the model again gives a
    /// working one. Returns whether there was a device.
    pub fn lose_gpu_device(&self) -> bool {
        match &self.loaded {
            Loaded::Gpu(m) => {
                m.backend().device().destroy();
                true
            }
            Loaded::Cpu(_) => false,
        }
    }

    /// The model's context length in tokens.
    pub fn context_length(&self) -> usize {
        self.info.context_length
    }

    /// Rolling perplexity of `text` (windows of `window` tokens, stride
    /// half a window, as `kaoshi ppl`); `aborted` is asked between windows.
    pub async fn perplexity(
        &self,
        text: &str,
        window: usize,
        aborted: &dyn Fn() -> bool,
    ) -> Result<PerplexityReport, Error> {
        let params = PerplexityParams { ctx: window, stride: (window / 2).max(1) };
        with_model!(&self.loaded, m => run::perplexity(m, &self.tok, text, params, aborted).await)
    }

    /// Answers one benchmark item's request (`kaoshi_harness::TaskRun`).
    pub(crate) async fn answer(&self, req: &ItemRequest, aborted: &dyn Fn() -> bool) -> Result<ItemResponse, Error> {
        with_model!(&self.loaded, m => run::answer(m, &self.tok, req, aborted).await)
    }

    /// The logits after every token of `tokens` (one causal pass from an
    /// empty cache), `[tokens.len() * vocab]` row-major.
    pub async fn logits(&self, tokens: &[u32]) -> Result<Vec<f32>, Error> {
        let rows: Vec<usize> = (0..tokens.len()).collect();
        with_model!(&self.loaded, m => {
            let mut cache = m.new_cache();
            run::forward_logits(m, tokens, &mut cache, &rows).await
        })
    }
}

fn load_cpu(file: &GgufFile) -> Result<Loaded, Error> {
    reserve_probe(file)?;
    Ok(Loaded::Cpu(Box::new(Model::load(file, CpuBackend::new())?)))
}

async fn load_gpu(file: &GgufFile, info: &mut ModelInfo) -> Result<Loaded, Error> {
    let dev = gpu::open_device().await?;
    // Browsers may hide the adapter's name (WebGPU adapter info is masked).
    let a = dev.info();
    info.adapter = Some(if a.name.is_empty() { format!("unnamed {} adapter", a.device_type) } else { a.name.clone() });
    info.adapter_api = Some(a.backend.clone());
    Ok(Loaded::Gpu(Box::new(Model::load(file, GpuBackend::from_device(dev))?)))
}

/// The CPU backend copies every tensor out of the file's bytes; in a
/// browser's 4 GiB wasm heap a failed allocation aborts the module, so ask
/// for that much memory first (and give it back) to fail with an error.
fn reserve_probe(file: &GgufFile) -> Result<(), Error> {
    let weights: u64 = file.tensors().iter().map(|t| t.n_bytes).sum();
    let n = usize::try_from(weights).map_err(|_| too_big(weights))?;
    Vec::<u8>::new().try_reserve_exact(n).map_err(|_| too_big(weights))
}

fn too_big(bytes: u64) -> Error {
    Error::new(
        ErrorKind::OutOfMemory,
        format!("the model's weights need {} MiB more memory than can be allocated", bytes >> 20),
    )
}

fn describe(file: &GgufFile, c: &ModelConfig, tok: &Tokenizer) -> ModelInfo {
    let mut tensor_types: BTreeMap<String, TypeSummary> = BTreeMap::new();
    for t in file.tensors() {
        let e = tensor_types.entry(t.type_name().to_string()).or_insert(TypeSummary { tensors: 0, bytes: 0 });
        e.tensors += 1;
        e.bytes += t.n_bytes;
    }
    ModelInfo {
        name: file.metadata().get_str("general.name").map(str::to_string),
        architecture: c.arch_name.clone(),
        parameters: c.n_params(),
        layers: c.n_layers,
        dim: c.dim,
        heads: c.n_heads,
        kv_heads: c.n_kv_heads,
        ffn_dim: c.ffn_dim,
        vocab: c.vocab_size,
        context_length: c.context_length,
        tensor_types,
        tokenizer: tok.kind().to_string(),
        file_bytes: file.file_len(),
        backend: String::new(),
        adapter: None,
        adapter_api: None,
        fallback_reason: None,
    }
}
