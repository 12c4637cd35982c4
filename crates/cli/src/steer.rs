//! `--control-vector FILE[:SCALE]` (repeatable, summed) and
//! `--control-layers A-B`: steering a loaded model with llama.cpp/repeng
//! control vectors; `--neurons F.json --neuron-scale BETA`: MLP neurons
//! (IRCAN's context-aware neurons) scaled by BETA; for `generate`, `score`,
//! `ppl` and `eval` (and the probes that take them). What was applied goes
//! into the provenance.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use kaoshi_formats::GgufFile;
use kaoshi_harness::results::{ControlVectorUse, NeuronsUse, SteeringRecord};
use kaoshi_harness::sha256_file;
use kaoshi_model::{ControlVector, Steering};
use kaoshi_probe::neurons::NeuronList;

use crate::error::CliError;
use crate::load::Loaded;

/// The steering options.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct SteeringArgs {
    /// A control vector (llama.cpp / repeng GGUF, as `kaoshi probe concept` writes) with an optional
    /// scale: V.gguf or V.gguf:1.5. Repeatable; the vectors are summed. direction.N is added to the
    /// output of block N at every position.
    #[arg(long = "control-vector", value_name = "FILE[:SCALE]")]
    pub control_vector: Vec<String>,
    /// Steer only these blocks, inclusive and 0-based, e.g. 20-24 or 22 (default: every block the
    /// vectors hold).
    #[arg(long = "control-layers", value_name = "A-B")]
    pub control_layers: Option<String>,
    /// MLP neurons to scale (JSON: [{"layer": L, "index": I, "count": C}], as IRCAN's context-aware
    /// neurons): their activations, i.e. their down-projection columns, times --neuron-scale at every
    /// position.
    #[arg(long = "neurons", value_name = "F.json")]
    pub neurons: Option<PathBuf>,
    /// The multiplier of the --neurons (IRCAN's beta; 1 changes nothing, 0 ablates them).
    #[arg(long = "neuron-scale", value_name = "BETA")]
    pub neuron_scale: Option<f32>,
}

/// A control vector file and its scale, from `FILE[:SCALE]`. The scale is
/// what follows the last colon when it reads as a number; otherwise the
/// whole text is the path.
pub fn parse_spec(spec: &str) -> Result<(PathBuf, f32), CliError> {
    if let Some((path, scale)) = spec.rsplit_once(':') {
        if let Ok(s) = scale.parse::<f32>() {
            if !s.is_finite() {
                return Err(CliError::Usage(format!("--control-vector {spec}: the scale must be a finite number")));
            }
            return Ok((PathBuf::from(path), s));
        }
    }
    Ok((PathBuf::from(spec), 1.0))
}

/// `A-B` or `A` as an inclusive block range.
pub fn parse_layers(text: &str) -> Result<RangeInclusive<usize>, CliError> {
    let bad = || CliError::Usage(format!("--control-layers {text:?}: expected A-B or A (0-based block numbers)"));
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let (a, b): (usize, usize) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
    if a > b {
        return Err(bad());
    }
    Ok(a..=b)
}

/// Reads a control vector file.
pub fn read_vector(path: &Path) -> Result<ControlVector, CliError> {
    let file = GgufFile::open(path)?;
    Ok(ControlVector::from_gguf(&file, &path.display().to_string())?)
}

impl SteeringArgs {
    /// Whether no vector and no neurons are given.
    pub fn is_empty(&self) -> bool {
        self.control_vector.is_empty() && self.neurons.is_none()
    }

    /// The usage checks that need no file: a range needs a vector, neurons
    /// need their scale and the reverse.
    pub fn check(&self) -> Result<(), CliError> {
        self.layers()?;
        self.neuron_scale().map(|_| ())
    }

    /// The neuron scale, when `--neurons` is given (with its scale).
    fn neuron_scale(&self) -> Result<Option<f32>, CliError> {
        match (&self.neurons, self.neuron_scale) {
            (None, None) => Ok(None),
            (Some(_), Some(s)) if s.is_finite() => Ok(Some(s)),
            (Some(_), Some(s)) => Err(CliError::Usage(format!("--neuron-scale {s}: expected a finite number"))),
            (Some(_), None) => Err(CliError::Usage(
                "--neurons needs --neuron-scale BETA (1 changes nothing; IRCAN uses 2 to 6)".into(),
            )),
            (None, Some(_)) => Err(CliError::Usage("--neuron-scale needs --neurons F.json".into())),
        }
    }

    /// The vectors with their scales, read from their files.
    pub fn vectors(&self) -> Result<Vec<(PathBuf, ControlVector, f32)>, CliError> {
        self.control_vector
            .iter()
            .map(|spec| {
                let (path, scale) = parse_spec(spec)?;
                Ok((path.clone(), read_vector(&path)?, scale))
            })
            .collect()
    }

    /// The block range, if given.
    pub fn layers(&self) -> Result<Option<RangeInclusive<usize>>, CliError> {
        if self.control_layers.is_some() && self.control_vector.is_empty() {
            return Err(CliError::Usage("--control-layers needs a --control-vector".into()));
        }
        self.control_layers.as_deref().map(parse_layers).transpose()
    }

    /// Steers `loaded` with the vectors and the neurons (nothing when none
    /// is given) and records it for the provenance.
    pub fn apply(&self, loaded: &mut Loaded) -> Result<(), CliError> {
        self.check()?;
        if self.is_empty() {
            return Ok(());
        }
        let mut record = SteeringRecord { vectors: Vec::new(), layers: None, blocks: Vec::new(), neurons: None };
        let mut steering =
            if self.control_vector.is_empty() { Steering::default() } else { self.apply_vectors(loaded, &mut record)? };
        if let (Some(path), Some(factor)) = (&self.neurons, self.neuron_scale()?) {
            let what = path.display().to_string();
            let list = NeuronList::read(path)?;
            let config = loaded.model.config();
            list.check(config, &what)?;
            steering = steering.with_neurons(&list.pairs(), factor, config)?;
            eprintln!(
                "note: scaling {} MLP neurons in blocks {:?} by {factor} ({what})",
                list.0.len(),
                steering.neurons.keys().collect::<Vec<_>>()
            );
            record.neurons = Some(NeuronsUse { file: what, sha256: sha256_file(path)?, count: list.0.len(), factor });
        }
        loaded.steering = Some(record);
        loaded.model.set_steering(Some(steering));
        Ok(())
    }

    /// The control vectors' steering, with their part of the record.
    fn apply_vectors(&self, loaded: &Loaded, record: &mut SteeringRecord) -> Result<Steering, CliError> {
        let layers = self.layers()?;
        let vectors = self.vectors()?;
        let pairs: Vec<(&ControlVector, f32)> = vectors.iter().map(|(_, v, s)| (v, *s)).collect();
        let steering = Steering::new(&pairs, layers.clone(), loaded.model.config())?;
        if steering.is_empty() {
            return Err(CliError::Usage(format!(
                "--control-layers {}: the control vectors hold no direction for these blocks",
                self.control_layers.as_deref().unwrap_or("")
            )));
        }
        let uses = vectors
            .iter()
            .map(|(path, _, scale)| {
                Ok(ControlVectorUse { file: path.display().to_string(), sha256: sha256_file(path)?, scale: *scale })
            })
            .collect::<Result<Vec<_>, CliError>>()?;
        eprintln!(
            "note: steering blocks {:?} with {}",
            steering.layers.keys().collect::<Vec<_>>(),
            uses.iter().map(|u| format!("{}:{}", u.file, u.scale)).collect::<Vec<_>>().join(" + ")
        );
        record.vectors = uses;
        record.layers = layers.map(|r| [*r.start(), *r.end()]);
        record.blocks = steering.layers.keys().copied().collect();
        Ok(steering)
    }
}
