//! kaoshi-probe: looking inside a model across languages. The math needs
//! no model and is tested on hand-worked cases; the runners read
//! activations through `kaoshi_model::Model::run` with hooks, so they run
//! on every backend.
//!
//! - [`xling`]: cross-lingual representation similarity per layer
//!   ([`similarity`]: centroid, centered and paired cosines).
//! - [`lape_probe`]: language-specific neurons by activation-probability
//!   entropy ([`lape`]), and the perplexity of every language with each
//!   language's neurons zeroed.
//! - [`fertility`]: tokens per word or character, parity against English,
//!   byte fallbacks: the tokenizer alone.
//! - [`concept_probe`]: concept vectors from contrastive prompts
//!   ([`concept`]: mean difference or PCA, separation), written as
//!   llama.cpp control vectors; [`emotion`]: ConTrans' emotion evaluation
//!   under steering; [`affine_probe`]: the map between two models' residual
//!   spaces ([`affine`]) and transplanting a vector through it;
//!   [`prompts`]: prompt lists; [`steer_report`]: their reports.
//! - [`ifd_probe`]: instruction-following difficulty (IFD, Cherry-LLM) on a
//!   small and a large model, Star-Agents' dual-model score, pairwise judge,
//!   selection and agent evolution ([`ifd`]: the math; [`ifd_run`]: journal
//!   and rows; [`ifd_report`]: report.md).
//! - [`rsa_probe`]: representational similarity analysis of every layer
//!   against a brain or behaviour RDM or another model's layers ([`rsa`]:
//!   RDMs, Spearman/Pearson/Kendall, permutation test, bootstrap).
//! - IRCAN (context-aware neurons): [`neurons`]: neuron lists (JSON, the
//!   most frequent of per-example bags, a random baseline), applied through
//!   `kaoshi_model::Steering::with_neurons`; [`ircan_data`]: MemoTrap, COSE
//!   and ECARE items with their prompts with and without the context;
//!   [`ircan_eval`]: accuracy and trap rate, greedy or with context-aware
//!   decoding, under whatever steering the model has; [`ircan_attr`]:
//!   integrated gradients over the MLP neurons on the CPU gradient backend;
//!   [`ircan_run`]: attribution over a dataset, journaled; [`ircan_report`]:
//!   the study and its report. [`journal`]: the resumable JSON-lines
//!   journals of the long probes.
//! - [`importance_probe`]: neuron importance per language by the
//!   first-order Taylor criterion |Σ a · ∂L/∂a| on the CPU's gradient
//!   backend, per layer and component (FuxiTranyu, section 6.1;
//!   [`importance`]: the math; [`importance_run`]: journal and sums;
//!   [`importance_report`]: report.md and charts).
//! - [`data`]: line-aligned parallel corpora (FLORES-200); [`pack`]: many
//!   sentences as rows of one pass, each seeing only itself; [`svg`]: the
//!   reports' charts.
//!
//! ```no_run
//! # fn demo<B: kaoshi_model::Backend>(model: &kaoshi_model::Model<B>, tok: &kaoshi_tokenizer::Tokenizer) -> Result<(), kaoshi_probe::ProbeError> {
//! use kaoshi_probe::{data::ParallelCorpus, xling};
//! let langs = ["eng_Latn".to_string(), "zho_Hans".to_string()];
//! let corpus = ParallelCorpus::read("../shared/data/flores200".as_ref(), &langs, Some(50))?;
//! let report = xling::run(model, tok, &corpus, xling::Pool::Last, 256, &mut |_, _| {})?;
//! println!("{:?}", report.mean_offdiag.centroid);
//! # Ok(()) }
//! ```

pub mod activations;
pub mod affine;
pub mod affine_probe;
pub mod concept;
pub mod concept_probe;
pub mod data;
pub mod emotion;
mod error;
pub mod fertility;
pub mod ifd;
pub mod ifd_probe;
pub mod ifd_report;
pub mod ifd_run;
pub mod importance;
pub mod importance_probe;
pub mod importance_report;
pub mod importance_run;
pub mod ircan_attr;
pub mod ircan_data;
pub mod ircan_eval;
pub mod ircan_report;
pub mod ircan_run;
pub mod journal;
pub mod lape;
pub mod lape_probe;
pub mod neurons;
pub mod pack;
pub mod prompts;
pub mod report;
pub mod rsa;
pub mod rsa_probe;
pub mod similarity;
pub mod steer_report;
pub mod svg;
pub mod tensor_file;
pub mod xling;

pub use error::ProbeError;
