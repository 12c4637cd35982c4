//! Loading a model's weights through a backend, tensor by tensor.

use kaoshi_formats::GgufFile;

use crate::backend::Backend;
use crate::config::ModelConfig;
use crate::error::BackendError;

/// One block's weights.
pub(crate) struct BlockWeights<B: Backend> {
    pub attn_norm: B::Tensor,
    pub wq: B::Matrix,
    pub wk: B::Matrix,
    pub wv: B::Matrix,
    pub wo: B::Matrix,
    pub bias: Option<[B::Tensor; 3]>,
    pub qk_norm: Option<[B::Tensor; 2]>,
    pub ffn_norm: B::Tensor,
    pub gate: B::Matrix,
    pub up: B::Matrix,
    pub down: B::Matrix,
}

/// All weights of a model.
pub(crate) struct Weights<B: Backend> {
    pub embed: B::Matrix,
    pub blocks: Vec<BlockWeights<B>>,
    pub output_norm: B::Tensor,
    /// `None` when tied to the embedding.
    pub output: Option<B::Matrix>,
}

impl<B: Backend> Weights<B> {
    pub fn load(
        file: &GgufFile,
        cfg: &ModelConfig,
        backend: &B,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Self, BackendError> {
        let total = cfg.n_layers + 2;
        progress(0, total);
        let embed = backend.load_matrix(file, "token_embd.weight")?;
        let mut blocks = Vec::with_capacity(cfg.n_layers);
        for l in 0..cfg.n_layers {
            let n = |s: &str| format!("blk.{l}.{s}");
            let m = |s: &str| backend.load_matrix(file, &n(s));
            let v = |s: &str| backend.load_vector(file, &n(s));
            blocks.push(BlockWeights {
                attn_norm: v("attn_norm.weight")?,
                wq: m("attn_q.weight")?,
                wk: m("attn_k.weight")?,
                wv: m("attn_v.weight")?,
                wo: m("attn_output.weight")?,
                bias: if cfg.qkv_bias { Some([v("attn_q.bias")?, v("attn_k.bias")?, v("attn_v.bias")?]) } else { None },
                qk_norm: if cfg.qk_norm { Some([v("attn_q_norm.weight")?, v("attn_k_norm.weight")?]) } else { None },
                ffn_norm: v("ffn_norm.weight")?,
                gate: m("ffn_gate.weight")?,
                up: m("ffn_up.weight")?,
                down: m("ffn_down.weight")?,
            });
            progress(l + 1, total);
        }
        let output_norm = backend.load_vector(file, "output_norm.weight")?;
        let output = if cfg.tied_embeddings { None } else { Some(backend.load_matrix(file, "output.weight")?) };
        progress(total, total);
        Ok(Self { embed, blocks, output_norm, output })
    }
}
