//! [`Model`]: configuration, weights in the backend's memory, the backend
//! and the rope frequencies, loaded from a GGUF file. The forward pass is
//! in `forward.rs` (the request) and `block.rs` (the blocks and hooks).

use kaoshi_formats::GgufFile;

use crate::backend::{Backend, NormSpec, RopeSpec};
use crate::config::{ModelConfig, RopeLayout, RopeScaling};
use crate::error::ModelError;
use crate::hooks::HookSet;
use crate::kv::KvCache;
use crate::steering::Steering;
use crate::weights::Weights;

/// A loaded model: configuration, weights in the backend's memory, and the
/// backend itself.
pub struct Model<B: Backend> {
    pub(crate) config: ModelConfig,
    pub(crate) backend: B,
    pub(crate) weights: Weights<B>,
    pub(crate) rope: RopeSpec,
    /// Interventions added to every pass (control vectors), with the
    /// steering they come from.
    pub(crate) steering: Option<(Steering, HookSet)>,
}

impl<B: Backend> Model<B> {
    /// Reads the configuration and loads every weight through `backend`.
    pub fn load(file: &GgufFile, backend: B) -> Result<Self, ModelError> {
        Self::load_with_progress(file, backend, &mut |_, _| {})
    }

    /// As [`Model::load`], calling `progress(done, total)` as blocks load.
    pub fn load_with_progress(
        file: &GgufFile,
        backend: B,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Self, ModelError> {
        let config = ModelConfig::from_gguf(file)?;
        let weights = Weights::load(file, &config, &backend, progress)?;
        let rope = rope_spec(file, &config)?;
        Ok(Self { config, backend, weights, rope, steering: None })
    }

    /// The configuration.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// Steers every later pass (scoring, generation, perplexity, probes):
    /// each block in `steering` gets its vector added to its output and its
    /// chosen MLP neurons scaled, at every position; `None` stops steering. A key/value cache filled
    /// before the change holds the old steering's keys and values.
    pub fn set_steering(&mut self, steering: Option<Steering>) {
        self.steering = steering.filter(|s| !s.is_empty()).map(|s| {
            let hooks = s.hooks();
            (s, hooks)
        });
    }

    /// The steering applied to every pass, if any.
    pub fn steering(&self) -> Option<&Steering> {
        self.steering.as_ref().map(|(s, _)| s)
    }

    /// An empty key/value cache.
    pub fn new_cache(&self) -> KvCache<B> {
        KvCache::new(self.config.n_layers)
    }

    /// A whole-row RMS norm of the model's with `weight`.
    pub(crate) fn norm<'w>(&self, weight: &'w B::Tensor) -> NormSpec<'w, B::Tensor> {
        NormSpec { weight, eps: self.config.rms_eps, group: self.config.dim }
    }
}

/// Rope frequencies for the model. Llama-3.1-style frequency factors are
/// read from the file on the host (`rope_freqs.weight`), not through the
/// backend: a GPU backend in a browser cannot read a tensor back
/// synchronously.
fn rope_spec(file: &GgufFile, c: &ModelConfig) -> Result<RopeSpec, ModelError> {
    let half = c.rope_dim / 2;
    let mut inv_freq: Vec<f32> =
        (0..half).map(|i| 1.0 / c.rope_theta.powf(2.0 * i as f32 / c.rope_dim as f32)).collect();
    let mut position_scale = 1.0;
    match c.rope_scaling {
        RopeScaling::None => {}
        RopeScaling::Linear { factor } => position_scale = 1.0 / factor,
        RopeScaling::FreqFactors => {
            let factors = file.read_vector_f32("rope_freqs.weight")?;
            for (f, d) in inv_freq.iter_mut().zip(&factors) {
                *f /= d;
            }
        }
    }
    Ok(RopeSpec { inv_freq, neox: c.rope_layout == RopeLayout::Neox, rot_dim: c.rope_dim, position_scale })
}
