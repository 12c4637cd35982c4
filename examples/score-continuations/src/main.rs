//! Multiple-choice scoring with the kaoshi crates: see README.md.

use kaoshi_cpu::CpuBackend;
use kaoshi_engine::{ScoreRequest, score_requests};
use kaoshi_formats::GgufFile;
use kaoshi_model::Model;
use kaoshi_tokenizer::Tokenizer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: score-continuations MODEL.gguf")?;
    let file = GgufFile::open(path.as_ref())?;
    let tokenizer = Tokenizer::from_gguf_metadata(file.metadata().as_map())?;
    let model = Model::load(&file, CpuBackend::new())?;
    let prompt = "Lily wanted to play outside, but it was raining. She felt";
    let options = [" sad", " happy", " purple", " a table"];
    let requests: Vec<ScoreRequest> =
        options.iter().map(|o| ScoreRequest { context: prompt.into(), continuation: (*o).into() }).collect();
    let scored = score_requests(&model, &tokenizer, &requests)?;
    println!("{prompt}");
    for (option, s) in options.iter().zip(&scored) {
        println!(
            "  {option:<10} logprob {:>8.3}  per byte {:>7.3}  greedy {}",
            s.score.logprob,
            s.score.logprob / option.len() as f64,
            s.score.is_greedy
        );
    }
    Ok(())
}
