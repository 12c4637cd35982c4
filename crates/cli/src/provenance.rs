//! What a result file says about where it came from (the model file and
//! its sha256, tokenizer, backend and adapter, version, date), shared by
//! `kaoshi eval` and the probes.

use std::path::Path;

use kaoshi_harness::results::{self, Provenance};
use kaoshi_harness::sha256_file;
use kaoshi_tokenizer::Tokenizer;

use crate::error::CliError;
use crate::load::Loaded;

/// The tokenizer as result files name it: its kind and pre-tokenizer.
pub fn tokenizer_name(tok: &Tokenizer) -> String {
    match tok.pre_tokenizer() {
        Some(p) => format!("{} ({p})", tok.kind()),
        None => tok.kind().to_string(),
    }
}

/// The provenance of results from the model at `path`, loaded as `loaded`.
pub fn of_model(path: &Path, loaded: &Loaded) -> Result<Provenance, CliError> {
    let cfg = loaded.model.config();
    Ok(Provenance {
        model: path.display().to_string(),
        model_sha256: sha256_file(path)?,
        model_name: loaded.model_name.clone(),
        architecture: cfg.arch_name.clone(),
        parameters: cfg.n_params(),
        tokenizer: tokenizer_name(&loaded.tokenizer),
        backend: loaded.backend(),
        kaoshi_version: env!("CARGO_PKG_VERSION").into(),
        seed: 0,
        date: results::now_utc(),
        steering: loaded.steering.clone(),
    })
}
