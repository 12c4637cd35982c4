//! Typed kernel variants: [`KernelSpec`] names one compute pipeline and
//! assembles its WGSL from the files in `shaders/` (no string defines).

use kaoshi_formats::GgmlDType;

/// An operation family; each maps to one WGSL file and entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `a + b`.
    Add,
    /// `silu(a) * b`.
    SiluMul,
    /// RMS norm over groups of columns.
    RmsNorm,
    /// Rotary embedding (normal and NeoX pairs).
    Rope,
    /// `x · wᵀ` for few rows of x (at most [`KernelSpec::matvec_max_rows`]):
    /// teams of invocations per output column (`shaders/matvec.wgsl`; for
    /// the types whose decoder has lanes `shaders/matvec_lanes.wgsl`, which
    /// decodes each scale once per eight values and factors it out).
    MatVec,
    /// [`Op::MatVec`] for one row of x, RMS-normalized on the way in (the
    /// same files with `NORM` set; see `shaders/common/matvec_team.wgsl`).
    MatVecNorm,
    /// `x · wᵀ` for many rows of x: shared-memory output tiles of
    /// [`KernelSpec::matmul_tile`] (`shaders/matmul_tiled.wgsl`).
    MatmulTiled,
    /// [`Op::MatmulTiled`] with 8 x 8 outputs per invocation instead of
    /// 4 x 4 (`shaders/matmul_tiled8.wgsl`; `GpuDevice::set_wide_tiles`).
    MatmulTiled8,
    /// Embedding rows gathered (and dequantized) by token id.
    Embed,
    /// A row vector added to selected rows.
    AddRows,
    /// Chosen columns of selected rows multiplied by a factor.
    ScaleColumns,
    /// Attention with grouped K/V heads and per-row key spans.
    Attention,
    /// A plain buffer copy (16 bytes per invocation), for measuring the
    /// device's memory bandwidth.
    Copy,
    /// Per-chunk max, sum of exponentials and argmax of rows of logits.
    LogitsPartial,
    /// Log-probability and argmax of picked (row, token) pairs of logits,
    /// from the chunks of [`Op::LogitsPartial`].
    TokenScores,
    /// Split-KV attention for few query rows: per-chunk softmax statistics.
    AttentionPartial,
    /// Split-KV attention: merges the chunks of [`Op::AttentionPartial`].
    AttentionCombine,
    /// Attention probabilities written out per (row, head), for captures.
    AttentionPattern,
    /// Top-k selection over rows of logits: the k best of each chunk.
    TopKPartial,
    /// Top-k selection: the k best of each row from the chunks of
    /// [`Op::TopKPartial`], as (index, logit) pairs.
    TopKCombine,
}

/// Storage type of the weight an op reads (F32 for activation-only ops).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// 32-bit floats.
    F32,
    /// ggml Q8_0: 34-byte blocks of an f16 scale and 32 i8.
    Q8_0,
    /// IEEE half floats (2 bytes each), widened in the kernel.
    F16,
    /// ggml Q4_0: 18-byte blocks of 32 values (f16 scale, 16 nibble bytes).
    Q4_0,
    /// ggml Q4_1: 20-byte blocks of 32 values (f16 scale and min, nibbles).
    Q4_1,
    /// ggml Q5_0: 22-byte blocks of 32 values (f16 scale, fifth bits, nibbles).
    Q5_0,
    /// ggml Q5_1: 24-byte blocks of 32 values (f16 scale and min, fifth bits, nibbles).
    Q5_1,
    /// ggml Q4_K: 144-byte super-blocks of 256 values.
    Q4K,
    /// ggml Q6_K: 210-byte super-blocks of 256 values.
    Q6K,
    /// ggml Q2_K: 84-byte super-blocks of 256 values.
    Q2K,
    /// ggml Q3_K: 110-byte super-blocks of 256 values.
    Q3K,
    /// ggml Q5_K: 176-byte super-blocks of 256 values.
    Q5K,
}

impl DType {
    /// Every weight type the kernels read.
    pub const ALL: [DType; 12] = [
        DType::F32,
        DType::Q8_0,
        DType::F16,
        DType::Q4_0,
        DType::Q4_1,
        DType::Q5_0,
        DType::Q5_1,
        DType::Q4K,
        DType::Q6K,
        DType::Q2K,
        DType::Q3K,
        DType::Q5K,
    ];

    /// The file's type of weights in this layout.
    pub fn ggml(self) -> GgmlDType {
        match self {
            DType::F32 => GgmlDType::F32,
            DType::F16 => GgmlDType::F16,
            DType::Q8_0 => GgmlDType::Q8_0,
            DType::Q4_0 => GgmlDType::Q4_0,
            DType::Q4_1 => GgmlDType::Q4_1,
            DType::Q5_0 => GgmlDType::Q5_0,
            DType::Q5_1 => GgmlDType::Q5_1,
            DType::Q4K => GgmlDType::Q4K,
            DType::Q6K => GgmlDType::Q6K,
            DType::Q2K => GgmlDType::Q2K,
            DType::Q3K => GgmlDType::Q3K,
            DType::Q5K => GgmlDType::Q5K,
        }
    }

    /// The kernels' type for weights stored as `t`, when there are kernels.
    pub fn from_ggml(t: GgmlDType) -> Option<Self> {
        DType::ALL.into_iter().find(|d| d.ggml() == t)
    }

    /// Values per block and bytes per block of the file layout (the
    /// format's table, `kaoshi_formats::GgmlDType`).
    pub fn block(self) -> (usize, usize) {
        let t = self.ggml();
        (t.block_size(), t.type_size())
    }

    /// The common/ decoder (`BLOCK_VALUES`, `BLOCK_BYTES`, `block_value`,
    /// `block_quad`; contract in `shaders/common/bytes.wgsl`), after the
    /// shared pieces it needs.
    fn decoder(self) -> Vec<&'static str> {
        let block = match self {
            DType::F32 => src::F32,
            DType::Q8_0 => src::Q8_0,
            DType::F16 => src::F16,
            DType::Q4_0 => src::Q4_0,
            DType::Q4_1 => src::Q4_1,
            DType::Q5_0 => src::Q5_0,
            DType::Q5_1 => src::Q5_1,
            DType::Q4K => src::Q4_K,
            DType::Q6K => src::Q6_K,
            DType::Q2K => src::Q2_K,
            DType::Q3K => src::Q3_K,
            DType::Q5K => src::Q5_K,
        };
        match self {
            DType::Q4K | DType::Q5K => vec![src::K_SCALES, block],
            _ => vec![block],
        }
    }

    /// The decoder's lanes for `shaders/matvec_lanes.wgsl` (`lane_at`,
    /// `lane_values`; contract there), for the types that have them.
    fn lanes(self) -> Option<&'static str> {
        match self {
            DType::Q4K => Some(src::Q4_K_LANES),
            DType::Q5K => Some(src::Q5_K_LANES),
            DType::Q6K => Some(src::Q6_K_LANES),
            DType::Q8_0 => Some(src::Q8_0_LANES),
            DType::Q4_0 => Some(src::Q4_0_LANES),
            DType::Q4_1 => Some(src::Q4_1_LANES),
            DType::Q5_0 => Some(src::Q5_0_LANES),
            DType::Q5_1 => Some(src::Q5_1_LANES),
            DType::Q2K => Some(src::Q2_K_LANES),
            DType::Q3K => Some(src::Q3_K_LANES),
            DType::F32 | DType::F16 => None,
        }
    }
}

/// Where the WGSL will be compiled: the `enable` lines differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// wgpu's own WGSL front end (naga): rejects `enable subgroups;`.
    Native,
    /// A browser's WebGPU: requires `enable subgroups;` for subgroup builtins.
    Browser,
}

/// One pipeline variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KernelSpec {
    /// The operation.
    pub op: Op,
    /// The weight type it reads.
    pub dtype: DType,
    /// Invocations per workgroup (a power of two).
    pub workgroup_size: u32,
    /// Declare the f16 extension (SHADER_F16). No kernel has an f16 code
    /// path yet (naga 30 rejects `bitcast<vec2<f16>>(u32)`), so this only
    /// adds `enable f16;`; the variants are built and validated all the same.
    pub f16: bool,
    /// Use subgroup operations (SUBGROUP) in reductions.
    pub subgroups: bool,
}

/// Workgroup sizes the code builds.
pub const WORKGROUP_SIZES: [u32; 3] = [32, 64, 256];

mod src {
    pub const INDEX: &str = include_str!("../../../shaders/common/index.wgsl");
    pub const REDUCE: &str = include_str!("../../../shaders/common/reduce.wgsl");
    pub const KEY_SPANS: &str = include_str!("../../../shaders/common/key_spans.wgsl");
    pub const REDUCE_SUBGROUP: &str = include_str!("../../../shaders/common/reduce_subgroup.wgsl");
    pub const HALF_UNPACK: &str = include_str!("../../../shaders/common/half_unpack.wgsl");
    pub const Q8_0: &str = include_str!("../../../shaders/common/q8_0.wgsl");
    pub const F32: &str = include_str!("../../../shaders/common/f32.wgsl");
    pub const MATMUL_IO: &str = include_str!("../../../shaders/common/matmul_io.wgsl");
    pub const MATMUL_EPILOGUE: &str = include_str!("../../../shaders/common/matmul_epilogue.wgsl");
    pub const BYTES: &str = include_str!("../../../shaders/common/bytes.wgsl");
    pub const F16: &str = include_str!("../../../shaders/common/f16.wgsl");
    pub const Q4_0: &str = include_str!("../../../shaders/common/q4_0.wgsl");
    pub const Q4_1: &str = include_str!("../../../shaders/common/q4_1.wgsl");
    pub const Q5_0: &str = include_str!("../../../shaders/common/q5_0.wgsl");
    pub const Q5_1: &str = include_str!("../../../shaders/common/q5_1.wgsl");
    pub const Q4_K: &str = include_str!("../../../shaders/common/q4_k.wgsl");
    pub const Q6_K: &str = include_str!("../../../shaders/common/q6_k.wgsl");
    pub const Q2_K: &str = include_str!("../../../shaders/common/q2_k.wgsl");
    pub const Q3_K: &str = include_str!("../../../shaders/common/q3_k.wgsl");
    pub const Q5_K: &str = include_str!("../../../shaders/common/q5_k.wgsl");
    pub const K_SCALES: &str = include_str!("../../../shaders/common/k_scales.wgsl");
    pub const Q4_K_LANES: &str = include_str!("../../../shaders/common/q4_k_lanes.wgsl");
    pub const Q5_K_LANES: &str = include_str!("../../../shaders/common/q5_k_lanes.wgsl");
    pub const Q6_K_LANES: &str = include_str!("../../../shaders/common/q6_k_lanes.wgsl");
    pub const Q2_K_LANES: &str = include_str!("../../../shaders/common/q2_k_lanes.wgsl");
    pub const Q3_K_LANES: &str = include_str!("../../../shaders/common/q3_k_lanes.wgsl");
    pub const Q8_0_LANES: &str = include_str!("../../../shaders/common/q8_0_lanes.wgsl");
    pub const Q4_0_LANES: &str = include_str!("../../../shaders/common/q4_0_lanes.wgsl");
    pub const Q4_1_LANES: &str = include_str!("../../../shaders/common/q4_1_lanes.wgsl");
    pub const Q5_0_LANES: &str = include_str!("../../../shaders/common/q5_0_lanes.wgsl");
    pub const Q5_1_LANES: &str = include_str!("../../../shaders/common/q5_1_lanes.wgsl");
    pub const MATVEC_TEAM: &str = include_str!("../../../shaders/common/matvec_team.wgsl");
    pub const MATVEC: &str = include_str!("../../../shaders/matvec.wgsl");
    pub const MATVEC_LANES: &str = include_str!("../../../shaders/matvec_lanes.wgsl");
    pub const MATMUL_TILED: &str = include_str!("../../../shaders/matmul_tiled.wgsl");
    pub const MATMUL_TILED8: &str = include_str!("../../../shaders/matmul_tiled8.wgsl");
    pub const MATMUL_TILE: &str = include_str!("../../../shaders/common/matmul_tile.wgsl");
    pub const EMBED_BLOCKS: &str = include_str!("../../../shaders/embed_blocks.wgsl");
    pub const ELEMENTWISE: &str = include_str!("../../../shaders/elementwise.wgsl");
    pub const RMS_NORM: &str = include_str!("../../../shaders/rms_norm.wgsl");
    pub const ROPE: &str = include_str!("../../../shaders/rope.wgsl");
    pub const ADD_ROWS: &str = include_str!("../../../shaders/add_rows.wgsl");
    pub const SCALE_COLUMNS: &str = include_str!("../../../shaders/scale_columns.wgsl");
    pub const ATTENTION_PATTERN: &str = include_str!("../../../shaders/attention_pattern.wgsl");
    pub const ATTENTION: &str = include_str!("../../../shaders/attention.wgsl");
    pub const COPY: &str = include_str!("../../../shaders/copy.wgsl");
    pub const LOGITS_PARTIAL: &str = include_str!("../../../shaders/logits_partial.wgsl");
    pub const LOGITS_COMBINE: &str = include_str!("../../../shaders/logits_combine.wgsl");
    pub const ATTENTION_PARTIAL: &str = include_str!("../../../shaders/attention_partial.wgsl");
    pub const ATTENTION_COMBINE: &str = include_str!("../../../shaders/attention_combine.wgsl");
    pub const TOP_K: &str = include_str!("../../../shaders/common/top_k.wgsl");
    pub const TOP_K_PARTIAL: &str = include_str!("../../../shaders/top_k_partial.wgsl");
    pub const TOP_K_COMBINE: &str = include_str!("../../../shaders/top_k_combine.wgsl");
}

impl KernelSpec {
    /// The default variant of `op` on `dtype`: 64 invocations, no extensions.
    pub fn new(op: Op, dtype: DType) -> Self {
        Self { op, dtype, workgroup_size: 64, f16: false, subgroups: false }
    }

    /// Whether the op is defined on this weight type.
    pub fn is_supported(&self) -> bool {
        matches!(
            (self.op, self.dtype),
            (Op::MatVec | Op::MatVecNorm | Op::MatmulTiled | Op::MatmulTiled8 | Op::Embed, _) | (_, DType::F32)
        ) && self.workgroup_size.is_power_of_two()
            // The tiled kernels' loads (two quads of x and of w per
            // invocation a chunk) need at least 4 and 32 invocations.
            && (self.op != Op::MatmulTiled || self.workgroup_size >= 4)
            && (self.op != Op::MatmulTiled8 || self.workgroup_size >= 32)
    }

    /// Rows of x one [`Op::MatVec`] dispatch takes: 8, fewer above 512
    /// invocations (its partial sums, `MAX_ROWS * WG` f32, stay <= 16 KiB).
    /// Mirrors `MAX_ROWS` in `shaders/matvec.wgsl`.
    pub fn matvec_max_rows(&self) -> u32 {
        8.min(4096 / self.workgroup_size.max(1))
    }

    /// Output columns (weight rows) one [`Op::MatVec`] workgroup computes:
    /// a team of `min(WG, 32)` invocations each. Mirrors `COLS` in
    /// `shaders/matvec.wgsl`.
    pub fn matvec_columns(&self) -> u32 {
        self.workgroup_size / self.workgroup_size.min(32)
    }

    /// The output tile of one [`Op::MatmulTiled`] workgroup, (rows of x,
    /// weight rows): 4 x 4 outputs per invocation on a near-square grid,
    /// e.g. 64 x 64 for 256 invocations, 32 x 32 for 64, 16 x 32 for 32.
    /// Mirrors `TR`, `TN` in `shaders/matmul_tiled.wgsl`.
    /// With [`Op::MatmulTiled8`] 8 x 8 per invocation: 128 x 128 for 256.
    pub fn matmul_tile(&self) -> (u32, u32) {
        let gx = 1u32 << self.workgroup_size.trailing_zeros().div_ceil(2);
        let per = if self.op == Op::MatmulTiled8 { 8 } else { 4 };
        (per * (self.workgroup_size / gx), per * gx)
    }

    /// The entry point's name in the WGSL.
    pub fn entry_point(&self) -> &'static str {
        match self.op {
            Op::Add => "add",
            Op::SiluMul => "silu_mul",
            _ => "main",
        }
    }

    /// Whether the op has a reduction (where `subgroups` changes code).
    fn reduces(&self) -> bool {
        matches!(
            self.op,
            Op::RmsNorm
                | Op::Attention
                | Op::LogitsPartial
                | Op::TokenScores
                | Op::AttentionPartial
                | Op::AttentionPattern
        )
    }

    /// The full WGSL source for `target`: `enable` lines, the generated
    /// workgroup-size constant, the common includes, then the op's file.
    pub fn source(&self, target: Target) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.f16 {
            parts.push("enable f16;".into());
        }
        if self.subgroups && target == Target::Browser {
            parts.push("enable subgroups;".into());
        }
        parts.push(format!("const WG: u32 = {}u;", self.workgroup_size));
        parts.push(src::INDEX.into());
        if self.reduces() {
            parts.push(if self.subgroups { src::REDUCE_SUBGROUP } else { src::REDUCE }.into());
        }
        if matches!(self.op, Op::Attention | Op::AttentionPartial | Op::AttentionPattern) {
            parts.push(src::KEY_SPANS.into());
        }
        let body = match (self.op, self.dtype) {
            (Op::Add | Op::SiluMul, _) => src::ELEMENTWISE,
            (Op::RmsNorm, _) => src::RMS_NORM,
            (Op::Rope, _) => src::ROPE,
            (Op::MatVec | Op::MatVecNorm | Op::MatmulTiled | Op::MatmulTiled8 | Op::Embed, dtype) => {
                // The decoders read the `w` binding, declared by the body:
                // WGSL module-scope declarations may come in any order.
                parts.push(src::HALF_UNPACK.into());
                parts.push(src::BYTES.into());
                parts.extend(dtype.decoder().into_iter().map(String::from));
                match (self.op, dtype.lanes()) {
                    (Op::Embed, _) => src::EMBED_BLOCKS,
                    (Op::MatVec | Op::MatVecNorm, Some(lanes)) => {
                        parts.push(format!("const NORM: bool = {};", self.op == Op::MatVecNorm));
                        parts.push(lanes.into());
                        parts.push(src::MATMUL_EPILOGUE.into());
                        parts.push(src::MATVEC_TEAM.into());
                        src::MATVEC_LANES
                    }
                    (op, _) => {
                        parts.push(src::MATMUL_IO.into());
                        parts.push(src::MATMUL_EPILOGUE.into());
                        match op {
                            Op::MatmulTiled | Op::MatmulTiled8 => {
                                parts.push(src::MATMUL_TILE.into());
                                if op == Op::MatmulTiled { src::MATMUL_TILED } else { src::MATMUL_TILED8 }
                            }
                            _ => {
                                parts.push(format!("const NORM: bool = {};", op == Op::MatVecNorm));
                                parts.push(src::MATVEC_TEAM.into());
                                src::MATVEC
                            }
                        }
                    }
                }
            }
            (Op::AddRows, _) => src::ADD_ROWS,
            (Op::ScaleColumns, _) => src::SCALE_COLUMNS,
            (Op::AttentionPattern, _) => src::ATTENTION_PATTERN,
            (Op::Attention, _) => src::ATTENTION,
            (Op::Copy, _) => src::COPY,
            (Op::LogitsPartial, _) => src::LOGITS_PARTIAL,
            (Op::TokenScores, _) => src::LOGITS_COMBINE,
            (Op::AttentionPartial, _) => src::ATTENTION_PARTIAL,
            (Op::AttentionCombine, _) => src::ATTENTION_COMBINE,
            (Op::TopKPartial | Op::TopKCombine, _) => {
                parts.push(src::TOP_K.into());
                if self.op == Op::TopKPartial { src::TOP_K_PARTIAL } else { src::TOP_K_COMBINE }
            }
        };
        parts.push(body.into());
        parts.join("\n")
    }

    /// Every variant the code can build.
    pub fn all() -> Vec<KernelSpec> {
        let ops = [
            Op::Add,
            Op::SiluMul,
            Op::RmsNorm,
            Op::Rope,
            Op::MatVec,
            Op::MatVecNorm,
            Op::MatmulTiled,
            Op::MatmulTiled8,
            Op::Embed,
            Op::AddRows,
            Op::ScaleColumns,
            Op::Attention,
            Op::AttentionPattern,
            Op::Copy,
            Op::LogitsPartial,
            Op::TokenScores,
            Op::AttentionPartial,
            Op::AttentionCombine,
            Op::TopKPartial,
            Op::TopKCombine,
        ];
        let mut out = Vec::new();
        for op in ops {
            for dtype in DType::ALL {
                for workgroup_size in WORKGROUP_SIZES {
                    for f16 in [false, true] {
                        for subgroups in [false, true] {
                            let spec = KernelSpec { op, dtype, workgroup_size, f16, subgroups };
                            if spec.is_supported() {
                                out.push(spec);
                            }
                        }
                    }
                }
            }
        }
        out
    }
}
