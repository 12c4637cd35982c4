//! Opening a model file: header, weights (with a progress bar) and tokenizer.

use std::path::Path;

use kaoshi_cpu::CpuBackend;
use kaoshi_formats::GgufFile;
use kaoshi_model::Model;
use kaoshi_tokenizer::Tokenizer;

use crate::error::CliError;
use crate::progress::bar;

/// A model ready to run, with its tokenizer.
pub struct Loaded {
    pub model: Model<CpuBackend>,
    pub tokenizer: Tokenizer,
    pub model_name: Option<String>,
}

/// Opens `path`, loads its weights on the CPU and builds its tokenizer.
pub fn load_model(path: &Path) -> Result<Loaded, CliError> {
    let file = GgufFile::open(path)?;
    let tokenizer = Tokenizer::from_gguf_metadata(file.metadata().as_map())?;
    let pb = bar(0, "loading");
    let model = Model::load_with_progress(&file, CpuBackend::new(), &mut |done, total| {
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    })?;
    pb.finish_and_clear();
    let model_name = file.metadata().get_str("general.name").map(str::to_string);
    Ok(Loaded { model, tokenizer, model_name })
}
