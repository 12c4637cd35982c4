//! The JS API: the `Model` class (wasm-bindgen). Every failure rejects or
//! throws an `Error` whose `name` says what failed (see [`crate::ErrorKind`]).

use std::cell::RefCell;
use std::rc::Rc;

use kaoshi_engine::{GenerateParams, SamplingParams};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::error::{Error, ErrorKind};
use kaoshi_runtime::{BackendChoice, UnknownBackend};

use crate::session::Session;

/// A GGUF language model loaded in this tab or worker.
#[wasm_bindgen]
pub struct Model {
    session: Rc<Session>,
}

/// Options of `generate` (all optional).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct GenerateOptions {
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
pub(crate) struct Score {
    logprob: f64,
    is_greedy: bool,
    n_tokens: usize,
    token_logprobs: Vec<f64>,
}

impl From<kaoshi_engine::ContinuationScore> for Score {
    fn from(s: kaoshi_engine::ContinuationScore) -> Self {
        Self { logprob: s.logprob, is_greedy: s.is_greedy, n_tokens: s.n_tokens, token_logprobs: s.token_logprobs }
    }
}

/// The TypeScript declarations of what the API takes and gives, checked
/// against the Rust types by `ts_check.rs`. (The custom section below
/// emits it; rustc does not see wasm-bindgen's macro use it.)
#[allow(dead_code)]
pub(crate) const TS_TYPES: &str = r#"
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
/** Scoring modes. */
export type Mode = "loglik" | "letter" | "generate" | "perplexity" | "judge";
/** One published file of a suite. */
export interface SuiteFile {
    relPath: string;
    url: string;
    sha256: string;
}
/** One suite of {@link suiteCatalog}. */
export interface SuiteEntry {
    name: string;
    description: string;
    license: string;
    homepage: string;
    templateSource: string;
    /** The first is the default. */
    modes: Mode[];
    /** Where the data is published; null for a suite built in (demo). */
    source: { licence: string; files: SuiteFile[] } | null;
}
/** Every suite and group (the OpenEval dimensions). */
export interface SuiteCatalog {
    suites: SuiteEntry[];
    groups: Record<string, string[]>;
}
/** One finished item, exactly a line of the CLI's `samples_<task>.jsonl`. */
export interface SampleRecord {
    task: string;
    doc_id: string;
    subject: string;
    mode: Mode;
    prompt: string;
    choices: string[];
    logprobs?: number[];
    is_greedy?: boolean[];
    generated?: string;
    prediction: string | null;
    prediction_norm?: string | null;
    gold: unknown;
    correct: boolean | null;
    correct_norm?: boolean | null;
    credit?: number;
    nll?: number;
    n_tokens?: number;
    n_bytes?: number;
    n_chars?: number;
    /** Judge mode: the judge's prompt, its verdict, the score read from it, and the item's full marks. */
    judge_prompt?: string;
    judge_verdict?: string;
    judge_score?: number;
    judge_max?: number;
    fields: Record<string, string>;
}
/** What `runSuite` runs. */
export interface RunSuiteRequest {
    suite: string;
    /** relPath -> bytes: the suite's published files (not needed for "demo"). */
    files?: Record<string, Uint8Array>;
    mode?: Mode;
    numFewshot?: number;
    limit?: number;
    chat?: "auto" | "none";
    pplWindow?: number;
    /** Records of an interrupted run: those items are not run again. */
    done?: SampleRecord[];
}
/** Options of `runSuite`. */
export interface RunSuiteOptions {
    /** Aborts the run between items: it rejects with an `AbortError` (records already reported stay valid). */
    signal?: AbortSignal;
    /** Called after each finished item with its record, the records so far and the items in the run. If it throws, the run rejects with what it threw. */
    onRecord?: (record: SampleRecord, done: number, total: number) => void;
}
/** What running one suite produced (the harness's `TaskOutcome`, as the CLI serializes it). */
export interface TaskOutcome {
    task: string;
    mode: Mode;
    num_fewshot: number;
    n_original: number;
    n_effective: number;
    n_resumed: number;
    skipped: { path: string; line: number; reason: string }[];
    metrics: {
        metrics: Record<string, number | null>;
        subjects: Record<string, { n: number; acc: number }>;
        breakdowns: Record<string, Record<string, { n: number; acc: number }>>;
        n: number;
        n_unextracted: number;
    };
    prompt_hash: string;
    chat_template: boolean;
    seconds: number;
    items_per_second: number;
    judge_prompt_source: string | null;
}
/** `resultsJson`'s description of the run. */
export interface ResultsRun {
    model: string;
    modelSha256: string;
    limit?: number;
    numFewshot?: number;
    mode?: Mode;
    chat?: "auto" | "none";
    pplWindow?: number;
}
/** Rolling perplexity (natural-log NLL). */
export interface PerplexityReport {
    n_tokens: number;
    n_bytes: number;
    nll: number;
    ppl: number;
    bits_per_byte: number;
    n_windows: number;
}
/** One scored continuation (natural-log probabilities). */
export interface ContinuationScore {
    logprob: number;
    isGreedy: boolean;
    nTokens: number;
    tokenLogprobs: number[];
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_SECTION: &str = TS_TYPES;

/// The `signal` member of an options object, if any.
fn signal_option(options: &JsValue, what: &str) -> Result<Option<web_sys::AbortSignal>, JsValue> {
    js_sys::Reflect::get(options, &JsValue::from_str("signal"))
        .ok()
        .filter(|s| !s.is_undefined() && !s.is_null())
        .map(|s| s.dyn_into::<web_sys::AbortSignal>())
        .transpose()
        .map_err(|_| js(Error::other(format!("{what} options: signal is not an AbortSignal"))))
}

/// The function member `name` of an options object, if any.
fn function_option(options: &JsValue, name: &str, what: &str) -> Result<Option<js_sys::Function>, JsValue> {
    js_sys::Reflect::get(options, &JsValue::from_str(name))
        .ok()
        .filter(|f| !f.is_undefined() && !f.is_null())
        .map(|f| f.dyn_into::<js_sys::Function>())
        .transpose()
        .map_err(|_| js(Error::other(format!("{what} options: {name} is not a function"))))
}

/// `{relPath: Uint8Array}` as (path, bytes) pairs.
fn file_map(files: &JsValue) -> Result<Vec<(String, Vec<u8>)>, JsValue> {
    if files.is_undefined() || files.is_null() {
        return Ok(Vec::new());
    }
    let obj: &js_sys::Object = files
        .dyn_ref()
        .ok_or_else(|| js(Error::other("runSuite: files must be an object of relPath -> Uint8Array")))?;
    let mut out = Vec::new();
    for entry in js_sys::Object::entries(obj).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let path = pair.get(0).as_string().unwrap_or_default();
        let bytes = pair
            .get(1)
            .dyn_into::<js_sys::Uint8Array>()
            .map_err(|_| js(Error::other(format!("runSuite: files[{path:?}] is not a Uint8Array"))))?;
        out.push((path, bytes.to_vec()));
    }
    Ok(out)
}

/// A JS callback whose throw ends the call with what it threw: `call`
/// keeps the thrown value and returns an error that stops the work; `settle`
/// rejects with the kept value, else with the work's own error.
struct Callback {
    function: Option<js_sys::Function>,
    name: &'static str,
    thrown: RefCell<Option<JsValue>>,
}

impl Callback {
    fn new(function: Option<js_sys::Function>, name: &'static str) -> Self {
        Self { function, name, thrown: RefCell::new(None) }
    }

    fn call(&self, args: &[JsValue]) -> Result<(), Error> {
        let Some(f) = &self.function else { return Ok(()) };
        let args: js_sys::Array = args.iter().collect();
        f.apply(&JsValue::NULL, &args).map(drop).map_err(|e| {
            *self.thrown.borrow_mut() = Some(e);
            Error::other(format!("{} threw", self.name))
        })
    }

    fn settle<T>(
        self,
        out: Result<T, Error>,
        ok: impl FnOnce(T) -> Result<JsValue, JsValue>,
    ) -> Result<JsValue, JsValue> {
        match (out, self.thrown.into_inner()) {
            (Err(_), Some(e)) => Err(e),
            (Err(e), None) => Err(js(e)),
            (Ok(v), _) => ok(v),
        }
    }
}

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
    /// "auto" (the default: WebGPU when `navigator.gpu` yields a hardware
    /// adapter and the model loads on it, else the CPU, with the reason in
    /// `info().fallbackReason`; a software adapter such as SwiftShader is
    /// slower than the CPU backend). The bytes are copied into
    /// the module's memory and released once the weights are loaded.
    pub async fn load(bytes: js_sys::Uint8Array, backend: Option<String>) -> Result<Model, JsValue> {
        let choice: BackendChoice =
            backend.as_deref().unwrap_or("auto").parse().map_err(|e: UnknownBackend| js(e.into()))?;
        let len = bytes.length() as usize;
        let mut owned = Vec::new();
        owned.try_reserve_exact(len).map_err(|_| {
            js(Error::new(ErrorKind::OutOfMemory, format!("cannot allocate {} MiB for the model's bytes", len >> 20)))
        })?;
        owned.resize(len, 0);
        bytes.copy_to(&mut owned);
        Self::open(Box::new(owned), choice).await
    }

    /// Loads a model read through `source` onto `choice`'s backend.
    async fn open(source: Box<dyn kaoshi_formats::ByteSource>, choice: BackendChoice) -> Result<Model, JsValue> {
        let session = Session::load_source(source, choice).await.map_err(js)?;
        Ok(Model { session: Rc::new(session) })
    }

    /// Loads a GGUF model from a `Blob` or `File` read piece by piece: the
    /// header in windows, then one tensor at a time straight to the backend
    /// (on WebGPU into GPU buffers), so the file never sits in wasm memory
    /// as a whole and models over 2 or 4 GiB load on WebGPU. Only in a Web
    /// Worker (`FileReaderSync`); elsewhere it rejects with a
    /// `KaoshiError` saying so. `onProgress(loaded, total)` follows the
    /// bytes read.
    #[wasm_bindgen(js_name = loadBlob)]
    pub async fn load_blob(
        blob: web_sys::Blob,
        backend: Option<String>,
        #[wasm_bindgen(js_name = onProgress)] on_progress: Option<js_sys::Function>,
    ) -> Result<Model, JsValue> {
        let choice: BackendChoice =
            backend.as_deref().unwrap_or("auto").parse().map_err(|e: UnknownBackend| js(e.into()))?;
        let source = crate::source::JsSource::blob(blob, on_progress).map_err(|m| js(Error::other(m)))?;
        Self::open(Box::new(source), choice).await
    }

    /// Loads a GGUF model from `url` with HTTP range requests, one tensor
    /// at a time, as `loadBlob` does (the server must answer `Range` with
    /// 206 and give `Content-Length` to `HEAD`; cross-origin, it must allow
    /// the `Range` header). Only in a Web Worker (synchronous requests).
    #[wasm_bindgen(js_name = loadUrl)]
    pub async fn load_url(
        url: String,
        backend: Option<String>,
        #[wasm_bindgen(js_name = onProgress)] on_progress: Option<js_sys::Function>,
    ) -> Result<Model, JsValue> {
        let choice: BackendChoice =
            backend.as_deref().unwrap_or("auto").parse().map_err(|e: UnknownBackend| js(e.into()))?;
        let source = crate::source::JsSource::url(url, on_progress).map_err(|m| js(Error::other(m)))?;
        Self::open(Box::new(source), choice).await
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
            let signal = signal_option(&options, "generate")?;
            let on_token = function_option(&options, "onToken", "generate")?;
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
            let callback = Callback::new(on_token, "onToken");
            let mut on_piece = |piece: &str| callback.call(&[JsValue::from_str(piece)]);
            let out = session.generate_streaming(&prompt, &params, &aborted, &mut on_piece).await;
            callback.settle(out, |out| Ok(JsValue::from_str(&out.text)))
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
            let out: Vec<Score> = scores.into_iter().map(Score::from).collect();
            to_js(&out)
        })
    }

    /// Runs one benchmark suite (see `RunSuiteRequest`, `RunSuiteOptions`);
    /// resolves with its `TaskOutcome`. Each finished item's record goes to
    /// `onRecord` as it finishes; give them back as `done` to resume an
    /// interrupted run. Suite data problems reject with a `SuiteDataError`
    /// naming the file and line.
    #[wasm_bindgen(js_name = runSuite, unchecked_return_type = "Promise<TaskOutcome>")]
    pub fn run_suite(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RunSuiteRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RunSuiteOptions")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let session = Rc::clone(&self.session);
        let options = options.unwrap_or(JsValue::UNDEFINED);
        future_to_promise(async move {
            let files = js_sys::Reflect::get(&request, &JsValue::from_str("files")).unwrap_or(JsValue::UNDEFINED);
            let files = crate::memory_files(file_map(&files)?).map_err(js)?;
            let req: crate::SuiteRequest = serde_wasm_bindgen::from_value(request)
                .map_err(|e| js(Error::other(format!("runSuite request: {e}"))))?;
            let signal = signal_option(&options, "runSuite")?;
            let on_record = function_option(&options, "onRecord", "runSuite")?;
            let aborted = || signal.as_ref().is_some_and(web_sys::AbortSignal::aborted);
            if aborted() {
                return Err(js(Error::new(ErrorKind::Abort, "the run was aborted before it started")));
            }
            let callback = Callback::new(on_record, "onRecord");
            let mut report = |rec: &kaoshi_harness::SampleRecord, done: usize, total: usize| -> Result<(), Error> {
                if callback.function.is_none() {
                    return Ok(());
                }
                let value = to_js(rec).map_err(|_| Error::other("cannot convert a record to JS"))?;
                callback.call(&[value, JsValue::from(done as f64), JsValue::from(total as f64)])
            };
            let out = session.run_suite(req, files, &aborted, &mut report).await;
            callback.settle(out, |outcome| to_js(&outcome))
        })
    }

    /// The CLI's `results.json` document (an object) for `outcomes` of
    /// `runSuite` on this model; `run` names the model file and its sha256
    /// and the settings used.
    #[wasm_bindgen(js_name = resultsJson, unchecked_return_type = "Record<string, unknown>")]
    pub fn results_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TaskOutcome[]")] outcomes: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ResultsRun")] run: JsValue,
    ) -> Result<JsValue, JsValue> {
        let outcomes: Vec<kaoshi_harness::TaskOutcome> = serde_wasm_bindgen::from_value(outcomes)
            .map_err(|e| js(Error::other(format!("resultsJson outcomes: {e}"))))?;
        let run: crate::ResultsRun =
            serde_wasm_bindgen::from_value(run).map_err(|e| js(Error::other(format!("resultsJson run: {e}"))))?;
        to_js(&self.session.results_json(&outcomes, &run))
    }

    /// Rolling perplexity of `text`: windows of `window` tokens (default
    /// 512, at most the context), stride half a window, as `kaoshi ppl`.
    /// Options: `window`, `signal`.
    #[wasm_bindgen(unchecked_return_type = "Promise<PerplexityReport>")]
    pub fn perplexity(
        &self,
        text: String,
        #[wasm_bindgen(unchecked_param_type = "{ window?: number; signal?: AbortSignal }")] options: Option<JsValue>,
    ) -> js_sys::Promise {
        let session = Rc::clone(&self.session);
        let options = options.unwrap_or(JsValue::UNDEFINED);
        future_to_promise(async move {
            let signal = signal_option(&options, "perplexity")?;
            let window = js_sys::Reflect::get(&options, &JsValue::from_str("window"))
                .ok()
                .and_then(|w| w.as_f64())
                .map_or(512, |w| w as usize);
            let window = window.min(session.context_length().saturating_sub(1)).max(2);
            let aborted = || signal.as_ref().is_some_and(web_sys::AbortSignal::aborted);
            let r = session.perplexity(&text, window, &aborted).await.map_err(js)?;
            to_js(&r)
        })
    }

    /// Destroys the model's WebGPU device as if the browser had lost it
    /// (like `WEBGL_lose_context.loseContext()`), for testing recovery:
    /// later calls reject with a `WebGpuUnavailableError`; load the model
    /// again to go on. Returns false on the CPU backend (nothing to lose).
    #[wasm_bindgen(js_name = loseGpuDevice)]
    pub fn lose_gpu_device(&self) -> bool {
        self.session.lose_gpu_device()
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

/// Every suite kaoshi runs and where its data is published, with the
/// groups (OpenEval's dimensions). Needs no model.
#[wasm_bindgen(js_name = suiteCatalog, unchecked_return_type = "SuiteCatalog")]
pub fn suite_catalog() -> Result<JsValue, JsValue> {
    to_js(&crate::catalog())
}

/// Bytes of this module's wasm memory (it only grows): what the engine
/// holds in the wasm heap, for a memory panel or a check that a model
/// loaded piece by piece stayed out of it.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

/// An incremental SHA-256 (the `sha2` crate), for hashing files in pieces
/// where `crypto.subtle.digest` needs the whole file in memory.
#[wasm_bindgen]
pub struct Sha256 {
    hasher: sha2::Sha256,
}

#[wasm_bindgen]
impl Sha256 {
    /// A new hash.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Sha256 {
        use sha2::Digest;
        Sha256 { hasher: sha2::Sha256::new() }
    }

    /// Hashes `bytes` next.
    pub fn update(&mut self, bytes: &[u8]) {
        use sha2::Digest;
        self.hasher.update(bytes);
    }

    /// The digest as lowercase hex; the hash starts over.
    pub fn finish(&mut self) -> String {
        use sha2::Digest;
        self.hasher.finalize_reset().iter().map(|b| format!("{b:02x}")).collect()
    }
}
