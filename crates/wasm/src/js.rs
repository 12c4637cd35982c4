//! The JS API: the `Model` class (wasm-bindgen). Every failure rejects or
//! throws an `Error` whose `name` says what failed (see [`crate::ErrorKind`]).

use std::cell::RefCell;
use std::rc::Rc;

use kaoshi_engine::{GenerateParams, SamplingParams};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::error::{Error, ErrorKind};
use crate::session::{BackendChoice, Session};

/// A GGUF language model loaded in this tab or worker.
#[wasm_bindgen]
pub struct Model {
    session: Rc<Session>,
}

/// Options of `generate` (all optional).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct GenerateOptions {
    max_tokens: usize,
    temperature: f32,
    top_k: usize,
    top_p: f32,
    seed: u64,
    stop_at_eos: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self { max_tokens: 128, temperature: 0.0, top_k: 0, top_p: 1.0, seed: 0, stop_at_eos: true }
    }
}

/// One scored continuation, as JS sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Score {
    logprob: f64,
    is_greedy: bool,
    n_tokens: usize,
    token_logprobs: Vec<f64>,
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** What `Model.info()` returns. */
export interface ModelInfo {
    name: string | null;
    architecture: string;
    parameters: number;
    layers: number;
    dim: number;
    heads: number;
    kvHeads: number;
    ffnDim: number;
    vocab: number;
    contextLength: number;
    tensorTypes: Record<string, { tensors: number; bytes: number }>;
    tokenizer: string;
    fileBytes: number;
    backend: "cpu" | "gpu";
    adapter: string | null;
    adapterApi: string | null;
    fallbackReason: string | null;
}
/** Options of `Model.generate` (all optional). */
export interface GenerateOptions {
    maxTokens?: number;
    temperature?: number;
    topK?: number;
    topP?: number;
    seed?: number;
    stopAtEos?: boolean;
    signal?: AbortSignal;
    /** Called with each newly decoded piece of text, in order; the pieces concatenate to the result. If it throws, generation rejects with what it threw. */
    onToken?: (text: string) => void;
}
/** One scored continuation (natural-log probabilities). */
export interface ContinuationScore {
    logprob: number;
    isGreedy: boolean;
    nTokens: number;
    tokenLogprobs: number[];
}
"#;

fn js(e: Error) -> JsValue {
    e.to_js()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js(Error::other(format!("cannot convert the result to JS: {e}"))))
}

#[wasm_bindgen]
impl Model {
    /// Loads a GGUF model from its bytes. `backend` is "cpu", "gpu" or
    /// "auto" (the default: WebGPU when `navigator.gpu` yields an adapter
    /// and the model loads on it, else the CPU). The bytes are copied into
    /// the module's memory and released once the weights are loaded.
    pub async fn load(bytes: js_sys::Uint8Array, backend: Option<String>) -> Result<Model, JsValue> {
        let choice: BackendChoice = backend.as_deref().unwrap_or("auto").parse().map_err(js)?;
        let len = bytes.length() as usize;
        let mut owned = Vec::new();
        owned.try_reserve_exact(len).map_err(|_| {
            js(Error::new(ErrorKind::OutOfMemory, format!("cannot allocate {} MiB for the model's bytes", len >> 20)))
        })?;
        owned.resize(len, 0);
        bytes.copy_to(&mut owned);
        let session = Session::load(owned, choice).await.map_err(js)?;
        Ok(Model { session: Rc::new(session) })
    }

    /// `{architecture, parameters, layers, dim, heads, kvHeads, ffnDim,
    /// vocab, contextLength, tensorTypes: {F32: {tensors, bytes}, ...},
    /// tokenizer, fileBytes, backend: "cpu" | "gpu", adapter, adapterApi,
    /// fallbackReason, name}`.
    #[wasm_bindgen(unchecked_return_type = "ModelInfo")]
    pub fn info(&self) -> Result<JsValue, JsValue> {
        to_js(self.session.info())
    }

    /// Token ids of `text`; `addSpecial` (default true) adds BOS when the
    /// model's tokenizer does.
    pub fn tokenize(
        &self,
        text: &str,
        #[wasm_bindgen(js_name = addSpecial)] add_special: Option<bool>,
    ) -> Result<Vec<u32>, JsValue> {
        self.session.tokenizer().encode(text, add_special.unwrap_or(true), false).map_err(|e| js(e.into()))
    }

    /// The text of token ids (special tokens skipped).
    pub fn decode(&self, ids: Vec<u32>) -> Result<String, JsValue> {
        self.session.tokenizer().decode(&ids, true).map_err(|e| js(e.into()))
    }

    /// Generates text after `prompt` (an empty prompt starts from BOS).
    /// Options: `maxTokens` (128), `temperature` (0 = greedy), `topK` (0 =
    /// all), `topP` (1), `seed` (0), `stopAtEos` (true), `signal` (an
    /// `AbortSignal`: generation rejects with an `AbortError`), `onToken` (a
    /// function called with each newly decoded piece of text as generation
    /// proceeds; the pieces concatenate to the resolved text, and if it
    /// throws, generation stops and rejects with what it threw).
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn generate(
        &self,
        prompt: String,
        #[wasm_bindgen(unchecked_param_type = "GenerateOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let session = Rc::clone(&self.session);
        let options = options.unwrap_or(JsValue::UNDEFINED);
        future_to_promise(async move {
            let opts: GenerateOptions = if options.is_undefined() || options.is_null() {
                GenerateOptions::default()
            } else {
                serde_wasm_bindgen::from_value(options.clone())
                    .map_err(|e| js(Error::other(format!("generate options: {e}"))))?
            };
            let signal = js_sys::Reflect::get(&options, &JsValue::from_str("signal"))
                .ok()
                .filter(|s| !s.is_undefined() && !s.is_null())
                .map(|s| s.dyn_into::<web_sys::AbortSignal>())
                .transpose()
                .map_err(|_| js(Error::other("generate options: signal is not an AbortSignal")))?;
            let on_token = js_sys::Reflect::get(&options, &JsValue::from_str("onToken"))
                .ok()
                .filter(|f| !f.is_undefined() && !f.is_null())
                .map(|f| f.dyn_into::<js_sys::Function>())
                .transpose()
                .map_err(|_| js(Error::other("generate options: onToken is not a function")))?;
            let aborted = || signal.as_ref().is_some_and(web_sys::AbortSignal::aborted);
            if aborted() {
                return Err(js(Error::new(ErrorKind::Abort, "generation was aborted before it started")));
            }
            let prompt = session.prompt_tokens(&prompt).map_err(js)?;
            let params = GenerateParams {
                max_tokens: opts.max_tokens,
                sampling: SamplingParams {
                    temperature: opts.temperature,
                    top_k: opts.top_k,
                    top_p: opts.top_p,
                    seed: opts.seed,
                },
                stop_ids: if opts.stop_at_eos { session.tokenizer().stop_ids() } else { Vec::new() },
                stop_strings: Vec::new(),
            };
            // What the callback threw, to reject with as it is.
            let thrown: RefCell<Option<JsValue>> = RefCell::new(None);
            let mut on_piece = |piece: &str| -> Result<(), Error> {
                let Some(f) = &on_token else { return Ok(()) };
                f.call1(&JsValue::NULL, &JsValue::from_str(piece)).map(drop).map_err(|e| {
                    *thrown.borrow_mut() = Some(e);
                    Error::other("onToken threw")
                })
            };
            let out = session.generate_streaming(&prompt, &params, &aborted, &mut on_piece).await;
            match (out, thrown.into_inner()) {
                (Err(_), Some(e)) => Err(e),
                (Err(e), None) => Err(js(e)),
                (Ok(out), _) => Ok(JsValue::from_str(&out.text)),
            }
        })
    }

    /// Log-probabilities of each continuation after `context`, tokenized as
    /// lm-evaluation-harness does: `[{logprob, isGreedy, nTokens,
    /// tokenLogprobs}]` (natural log).
    #[wasm_bindgen(unchecked_return_type = "Promise<ContinuationScore[]>")]
    pub fn score(&self, context: String, continuations: Vec<String>) -> js_sys::Promise {
        let session = Rc::clone(&self.session);
        future_to_promise(async move {
            let scores = session.score(&context, &continuations).await.map_err(js)?;
            let out: Vec<Score> = scores
                .into_iter()
                .map(|s| Score {
                    logprob: s.logprob,
                    is_greedy: s.is_greedy,
                    n_tokens: s.n_tokens,
                    token_logprobs: s.token_logprobs,
                })
                .collect();
            to_js(&out)
        })
    }

    /// The logits after each of `tokens` (one causal pass), a
    /// `Float32Array` of `tokens.length * vocab` values, row-major.
    #[wasm_bindgen(unchecked_return_type = "Promise<Float32Array>")]
    pub fn logits(&self, tokens: Vec<u32>) -> js_sys::Promise {
        let session = Rc::clone(&self.session);
        future_to_promise(async move {
            let values = session.logits(&tokens).await.map_err(js)?;
            Ok(js_sys::Float32Array::from(values.as_slice()).into())
        })
    }
}
