//! `kaoshi tokenize`: text to token ids with any tokenizer kaoshi reads.

use std::path::PathBuf;

use kaoshi_tokenizer::Tokenizer;

use crate::error::CliError;

/// Options of `kaoshi tokenize`.
#[derive(clap::Args)]
pub struct Args {
    /// A GGUF file, a tokenizer.json, or a tiktoken rank file.
    #[arg(long)]
    model: PathBuf,
    /// Pre-tokenizer for a tiktoken file (qwen2, llama3).
    #[arg(long)]
    pre: Option<String>,
    /// The text.
    #[arg(long, conflicts_with = "file", required_unless_present = "file")]
    text: Option<String>,
    /// Read the text from this file.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Add BOS/EOS as the tokenizer says, and parse special tokens in the text.
    #[arg(long)]
    add_special: bool,
    /// Print a JSON array of ids.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let tok = Tokenizer::from_path(&args.model, args.pre.as_deref())?;
    let text = match (&args.text, &args.file) {
        (Some(t), _) => t.clone(),
        (None, Some(f)) => std::fs::read_to_string(f).map_err(CliError::io(f))?,
        (None, None) => return Err(CliError::Usage("give --text or --file".into())),
    };
    let ids = tok.encode(&text, args.add_special, args.add_special)?;
    if args.json {
        println!("{}", serde_json::to_string(&ids).map_err(|e| CliError::Usage(e.to_string()))?);
    } else {
        let line: Vec<String> = ids.iter().map(u32::to_string).collect();
        println!("{}", line.join(" "));
    }
    Ok(())
}
