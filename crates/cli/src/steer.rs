//! `--control-vector FILE[:SCALE]` (repeatable, summed) and
//! `--control-layers A-B`: steering a loaded model with llama.cpp/repeng
//! control vectors, for `generate`, `score`, `ppl` and `eval` (and the
//! probes that take them). What was applied goes into the provenance.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use kaoshi_formats::GgufFile;
use kaoshi_harness::results::{ControlVectorUse, SteeringRecord};
use kaoshi_harness::sha256_file;
use kaoshi_model::{ControlVector, Steering};

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
    /// Whether any vector is given.
    pub fn is_empty(&self) -> bool {
        self.control_vector.is_empty()
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

    /// Steers `loaded` with the vectors (nothing when none is given) and
    /// records it for the provenance.
    pub fn apply(&self, loaded: &mut Loaded) -> Result<(), CliError> {
        let layers = self.layers()?;
        if self.is_empty() {
            return Ok(());
        }
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
        loaded.steering = Some(SteeringRecord {
            vectors: uses,
            layers: layers.map(|r| [*r.start(), *r.end()]),
            blocks: steering.layers.keys().copied().collect(),
        });
        loaded.model.set_steering(Some(steering));
        Ok(())
    }
}
