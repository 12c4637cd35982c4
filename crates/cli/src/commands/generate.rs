//! `kaoshi generate`: stream generated text to stdout.

use std::io::Write;
use std::path::PathBuf;

use kaoshi_engine::{GenerateParams, SamplingParams, generate};
use kaoshi_tokenizer::chat::{ChatMessage, ChatTemplate, RenderOptions};

use crate::error::CliError;
use kaoshi_runtime::{BackendChoice, with_model};

use crate::load::load_model;

/// Options of `kaoshi generate`.
#[derive(clap::Args)]
pub struct Args {
    /// The GGUF model file.
    #[arg(long)]
    model: PathBuf,
    /// The prompt; without one, generation starts from BOS.
    #[arg(long)]
    prompt: Option<String>,
    /// Most tokens to generate.
    #[arg(long, default_value_t = 256)]
    max_tokens: usize,
    /// Sampling temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.8)]
    temperature: f32,
    /// Sample from the k most likely tokens (0 = all).
    #[arg(long, default_value_t = 40)]
    top_k: usize,
    /// Nucleus sampling threshold.
    #[arg(long, default_value_t = 0.95)]
    top_p: f32,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stop at this string (repeatable).
    #[arg(long = "stop")]
    stop: Vec<String>,
    /// Wrap the prompt in the model's chat template as a user turn.
    #[arg(long)]
    chat: bool,
    /// Where the model runs: cpu, gpu, or auto (the GPU when it can load the model, else the CPU).
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Print one JSON object at the end instead of streaming text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    steering: crate::steer::SteeringArgs,
}

pub fn run(args: Args) -> Result<(), CliError> {
    args.steering.check()?;
    let mut loaded = load_model(&args.model, args.backend)?;
    args.steering.apply(&mut loaded)?;
    let tok = &loaded.tokenizer;
    let prompt_ids = if args.chat {
        let source = tok
            .chat_template()
            .ok_or_else(|| CliError::Usage("--chat: the model has no tokenizer.chat_template".into()))?;
        let template = ChatTemplate::new(source)?;
        let opts = RenderOptions::for_tokenizer(tok, true);
        let messages = [ChatMessage { role: "user".into(), content: args.prompt.clone().unwrap_or_default() }];
        let text = template.render(&messages, &opts)?;
        let mut ids = tok.encode(&text, false, true)?;
        // The template usually writes BOS itself; add it only if it did not.
        if let Some(bos) = tok.bos_id().filter(|_| tok.add_bos()) {
            if ids.first() != Some(&bos) {
                ids.insert(0, bos);
            }
        }
        ids
    } else {
        match &args.prompt {
            Some(p) => tok.encode(p, true, false)?,
            None => tok.bos_id().into_iter().collect(),
        }
    };
    if prompt_ids.is_empty() {
        return Err(CliError::Usage("the model has no BOS token: give --prompt".into()));
    }
    let params = GenerateParams {
        max_tokens: args.max_tokens,
        sampling: SamplingParams {
            temperature: args.temperature,
            top_k: args.top_k,
            top_p: args.top_p,
            seed: args.seed,
        },
        stop_ids: tok.stop_ids(),
        stop_strings: args.stop.clone(),
    };
    if !args.json && args.prompt.is_some() && !args.chat {
        print!("{}", args.prompt.as_deref().unwrap_or_default());
    }
    let mut stdout = std::io::stdout();
    let json = args.json;
    let mut on_piece = |piece: &str| {
        if !json {
            // A closed stdout (e.g. `| head`) ends generation quietly.
            return write!(stdout, "{piece}").and_then(|()| stdout.flush()).is_ok();
        }
        true
    };
    let out = with_model!(&loaded.model, |m| generate(m, tok, &prompt_ids, &params, None, &mut on_piece))?;
    if json {
        println!("{}", serde_json::to_string(&out).map_err(|e| CliError::Usage(e.to_string()))?);
    } else {
        println!();
    }
    Ok(())
}
