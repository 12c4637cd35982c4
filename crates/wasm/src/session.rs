//! [`Session`]: a model loaded from bytes on the CPU or the GPU, with its
//! tokenizer; the Rust side of the JS `Model` class, usable (and tested)
//! natively too.

use std::collections::BTreeMap;

use kaoshi_engine::{ContinuationScore, GenerateParams, GenerationOutput, PerplexityParams, PerplexityReport};
use kaoshi_formats::{ByteSource, GgufFile};
use kaoshi_harness::{ItemRequest, ItemResponse};
use kaoshi_model::{Capture, Forward, HookSet, ModelConfig};
use kaoshi_runtime::{AnyModel, BackendChoice, LoadOptions, with_model};
use kaoshi_tokenizer::Tokenizer;
use serde::Serialize;

use crate::error::{Error, ErrorKind};
use crate::run;

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

/// A loaded model and its tokenizer.
pub struct Session {
    model: AnyModel,
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
        let placed = AnyModel::load(&file, choice, LoadOptions::default()).await?;
        info.backend = placed.model.backend_name().into();
        info.fallback_reason = placed.fallback.map(|f| f.to_string());
        if let Some(a) = placed.model.adapter() {
            // Browsers may hide the adapter's name (WebGPU adapter info is masked).
            info.adapter =
                Some(if a.name.is_empty() { format!("unnamed {} adapter", a.device_type) } else { a.name.clone() });
            info.adapter_api = Some(a.backend.clone());
        }
        Ok(Self { model: placed.model, tok, info })
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
        with_model!(&self.model, |m| run::generate(m, &self.tok, prompt, params, aborted, on_piece).await)
    }

    /// Scores token continuations after a token context.
    pub async fn score_tokens(
        &self,
        context: &[u32],
        continuations: &[Vec<u32>],
    ) -> Result<Vec<ContinuationScore>, Error> {
        with_model!(&self.model, |m| run::score(m, context, continuations).await)
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
        self.model.lose_device()
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
        with_model!(&self.model, |m| run::perplexity(m, &self.tok, text, params, aborted).await)
    }

    /// Answers one benchmark item's request (`kaoshi_harness::TaskRun`).
    pub(crate) async fn answer(&self, req: &ItemRequest, aborted: &dyn Fn() -> bool) -> Result<ItemResponse, Error> {
        with_model!(&self.model, |m| run::answer(m, &self.tok, req, aborted).await)
    }

    /// The logits after every token of `tokens` (one causal pass from an
    /// empty cache), `[tokens.len() * vocab]` row-major.
    pub async fn logits(&self, tokens: &[u32]) -> Result<Vec<f32>, Error> {
        let rows: Vec<usize> = (0..tokens.len()).collect();
        with_model!(&self.model, |m| run::forward_logits(m, tokens, &mut m.new_cache(), &rows).await)
    }

    /// The activations `hooks` capture in one causal pass over `tokens`
    /// (from an empty cache), read back after the pass without blocking.
    pub async fn capture(&self, tokens: &[u32], hooks: &HookSet) -> Result<Vec<Capture>, Error> {
        with_model!(&self.model, |m| {
            let out = m.run(Forward::causal(tokens).no_logits().hooks(Some(hooks)), &mut m.new_cache())?;
            run::read_captures(m, &out.captures).await
        })
    }
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
