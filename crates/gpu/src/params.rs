//! Kernel parameters: one `#[repr(C)]` struct per WGSL `struct Params`,
//! written to the kernel's uniform as bytes ([`bytemuck::bytes_of`]). Each
//! struct knows its fields' names and offsets ([`Params::FIELDS`]) and
//! `params_match_every_kernel` checks them, for every op, against the
//! `Params` struct naga reads from the kernel's WGSL: a field added,
//! dropped or moved on one side only fails there, not on a GPU.

#[cfg(test)]
use crate::kernel::Op;

/// A kernel's uniform parameters.
pub(crate) trait Params: bytemuck::Pod {
    /// (name, byte offset) of each field, in order (for the layout check).
    #[cfg(test)]
    const FIELDS: &'static [(&'static str, usize)];
}

/// Declares a parameter struct and its field table.
macro_rules! params {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[repr(C)]
        #[derive(Debug, Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
        pub(crate) struct $name {
            $(pub(crate) $field: $ty),*
        }

        impl Params for $name {
            #[cfg(test)]
            const FIELDS: &'static [(&'static str, usize)] =
                &[$((stringify!($field), std::mem::offset_of!($name, $field))),*];
        }
    };
}

params!(
    /// `elementwise.wgsl`, `copy.wgsl`: `n` values.
    CountParams { n: u32, _pad0: u32, _pad1: u32, _pad2: u32 }
);

params!(
    /// `add_rows.wgsl`, `scale_columns.wgsl`, `embed_blocks.wgsl`: `n`
    /// values in rows of `cols`.
    RowsParams { n: u32, cols: u32, _pad0: u32, _pad1: u32 }
);

params!(
    /// `rms_norm.wgsl`.
    RmsNormParams { n_groups: u32, group: u32, eps: f32, _pad: u32 }
);

params!(
    /// `rope.wgsl`: `n` values of x in rows of `cols`, and `n2` of the
    /// optional second tensor in rows of `cols2`.
    RopeParams { n: u32, cols: u32, head_dim: u32, rot_dim: u32, neox: u32, n2: u32, cols2: u32, _pad: u32 }
);

params!(
    /// `common/matvec_team.wgsl` (the matrix-vector kernels) and, as a
    /// prefix, `common/matmul_tile.wgsl` (the tiled ones, which have no
    /// norm): x `[n, k]` times w `[m, k]`ᵀ, the epilogue's flags.
    MatmulParams { n: u32, k: u32, m: u32, epilogue: u32, eps: f32, _pad0: u32, _pad1: u32, _pad2: u32 }
);

params!(
    /// `attention.wgsl`.
    AttentionParams {
        n: u32,
        t: u32,
        n_heads: u32,
        n_kv_heads: u32,
        head_dim: u32,
        scale: f32,
        _pad0: u32,
        _pad1: u32,
    }
);

params!(
    /// `attention_partial.wgsl`: [`AttentionParams`] with the key chunks.
    AttentionPartialParams {
        n: u32,
        t: u32,
        n_heads: u32,
        n_kv_heads: u32,
        head_dim: u32,
        scale: f32,
        chunks: u32,
        _pad: u32,
    }
);

params!(
    /// `attention_combine.wgsl`.
    AttentionCombineParams { n: u32, n_heads: u32, head_dim: u32, chunks: u32 }
);

params!(
    /// `attention_pattern.wgsl`: [`AttentionParams`] with the pattern's
    /// width in keys.
    AttentionPatternParams {
        n: u32,
        t: u32,
        n_heads: u32,
        n_kv_heads: u32,
        head_dim: u32,
        scale: f32,
        width: u32,
        _pad0: u32,
    }
);

params!(
    /// `logits_partial.wgsl`, `logits_combine.wgsl`.
    LogitsParams { rows: u32, cols: u32, chunks: u32, n_picks: u32 }
);

params!(
    /// `common/top_k.wgsl` (both top-k kernels).
    TopKParams { rows: u32, cols: u32, chunks: u32, k: u32, chunk: u32, _pad0: u32, _pad1: u32, _pad2: u32 }
);

/// The fields of the parameters the code writes for `op`.
#[cfg(test)]
fn fields_of(op: Op) -> &'static [(&'static str, usize)] {
    match op {
        Op::Add | Op::SiluMul | Op::Copy => CountParams::FIELDS,
        Op::AddRows | Op::ScaleColumns | Op::Embed => RowsParams::FIELDS,
        Op::RmsNorm => RmsNormParams::FIELDS,
        Op::Rope => RopeParams::FIELDS,
        Op::MatVec | Op::MatVecNorm | Op::MatmulTiled | Op::MatmulTiled8 => MatmulParams::FIELDS,
        Op::Attention => AttentionParams::FIELDS,
        Op::AttentionPartial => AttentionPartialParams::FIELDS,
        Op::AttentionCombine => AttentionCombineParams::FIELDS,
        Op::AttentionPattern => AttentionPatternParams::FIELDS,
        Op::LogitsPartial | Op::TokenScores => LogitsParams::FIELDS,
        Op::TopKPartial | Op::TopKCombine => TopKParams::FIELDS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{KernelSpec, Target};

    /// (name, offset) of the members of the WGSL struct `Params`.
    fn wgsl_params(spec: &KernelSpec) -> Vec<(String, usize)> {
        let src = spec.source(Target::Native);
        let module = naga::front::wgsl::parse_str(&src).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        let ty = module.types.iter().find(|(_, t)| t.name.as_deref() == Some("Params")).map(|(_, t)| &t.inner);
        match ty {
            Some(naga::TypeInner::Struct { members, .. }) => {
                members.iter().map(|m| (m.name.clone().unwrap_or_default(), m.offset as usize)).collect()
            }
            _ => panic!("{spec:?}: no struct Params in its WGSL"),
        }
    }

    /// Every member of each kernel's WGSL `Params` is a field of the Rust
    /// struct the code writes for it, at the same offset (the Rust struct
    /// may be longer: the tiled kernels read a prefix of [`MatmulParams`]).
    #[test]
    fn params_match_every_kernel() {
        for spec in KernelSpec::all() {
            let rust = fields_of(spec.op);
            for (name, offset) in wgsl_params(&spec) {
                let found = rust.iter().find(|(n, _)| *n == name);
                assert_eq!(found.map(|f| f.1), Some(offset), "{:?}: WGSL Params.{name} at byte {offset}", spec.op);
            }
        }
    }
}
