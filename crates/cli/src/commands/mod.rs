//! One module per subcommand.

pub mod activations;
pub mod bench;
pub mod eval;
pub mod generate;
pub mod info;
pub mod ppl;
pub mod probe;
pub mod probe_ifd;
pub mod probe_importance;
pub mod probe_ircan;
pub mod probe_rsa;
pub mod probe_steer;
pub mod quant_study;
mod quant_study_steps;
pub mod quantize;
pub mod report;
pub mod score;
pub mod synth;
pub mod tokenize;
