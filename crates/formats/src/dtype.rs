//! GGUF tensor types, numbered as ggml numbers them (`enum ggml_type` in
//! ggml/include/ggml.h), with their block layouts: the one table the file
//! reader, the CPU backend and the GPU backend read.

/// A tensor type kaoshi reads. Variant names follow candle's spelling
/// (`Q4K`); [`GgmlDType::name`] gives ggml's (`Q4_K`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GgmlDType {
    /// 32-bit floats.
    F32,
    /// IEEE half floats.
    F16,
    /// bfloat16.
    BF16,
    /// Blocks of 32: an f16 scale and 32 4-bit values.
    Q4_0,
    /// Blocks of 32: f16 scale and min, 32 4-bit values.
    Q4_1,
    /// Blocks of 32: an f16 scale, 32 5-bit values.
    Q5_0,
    /// Blocks of 32: f16 scale and min, 32 5-bit values.
    Q5_1,
    /// Blocks of 32: an f16 scale and 32 8-bit values.
    Q8_0,
    /// Blocks of 32: f16 scale and sum, 32 8-bit values (activations).
    Q8_1,
    /// Super-blocks of 256, 2-bit.
    Q2K,
    /// Super-blocks of 256, 3-bit.
    Q3K,
    /// Super-blocks of 256, 4-bit.
    Q4K,
    /// Super-blocks of 256, 5-bit.
    Q5K,
    /// Super-blocks of 256, 6-bit.
    Q6K,
    /// Super-blocks of 256, 8-bit (activations).
    Q8K,
}

/// (type, ggml id, ggml name, values per block, bytes per block), from
/// ggml.h's `enum ggml_type` and ggml.c's `type_traits` (`blck_size`,
/// `type_size`).
const TABLE: [(GgmlDType, u32, &str, usize, usize); 15] = [
    (GgmlDType::F32, 0, "F32", 1, 4),
    (GgmlDType::F16, 1, "F16", 1, 2),
    (GgmlDType::Q4_0, 2, "Q4_0", 32, 18),
    (GgmlDType::Q4_1, 3, "Q4_1", 32, 20),
    (GgmlDType::Q5_0, 6, "Q5_0", 32, 22),
    (GgmlDType::Q5_1, 7, "Q5_1", 32, 24),
    (GgmlDType::Q8_0, 8, "Q8_0", 32, 34),
    (GgmlDType::Q8_1, 9, "Q8_1", 32, 36),
    (GgmlDType::Q2K, 10, "Q2_K", 256, 84),
    (GgmlDType::Q3K, 11, "Q3_K", 256, 110),
    (GgmlDType::Q4K, 12, "Q4_K", 256, 144),
    (GgmlDType::Q5K, 13, "Q5_K", 256, 176),
    (GgmlDType::Q6K, 14, "Q6_K", 256, 210),
    (GgmlDType::Q8K, 15, "Q8_K", 256, 292),
    (GgmlDType::BF16, 30, "BF16", 1, 2),
];

impl GgmlDType {
    /// Every type kaoshi reads.
    pub const ALL: [GgmlDType; 15] = {
        let mut all = [GgmlDType::F32; 15];
        let mut i = 0;
        while i < TABLE.len() {
            all[i] = TABLE[i].0;
            i += 1;
        }
        all
    };

    fn row(self) -> &'static (GgmlDType, u32, &'static str, usize, usize) {
        TABLE.iter().find(|r| r.0 == self).expect("every type is in the table")
    }

    /// The type of a GGUF tensor type id; `None` for types kaoshi cannot
    /// compute with ([`gguf_type_name`] still names them).
    pub fn from_id(id: u32) -> Option<Self> {
        TABLE.iter().find(|r| r.1 == id).map(|r| r.0)
    }

    /// The GGUF tensor type id.
    pub fn id(self) -> u32 {
        self.row().1
    }

    /// ggml's name ("Q4_K").
    pub fn name(self) -> &'static str {
        self.row().2
    }

    /// Parses a name as users type it ("q4_k", "Q8_0", "f16").
    pub fn parse(name: &str) -> Option<Self> {
        let upper = name.to_ascii_uppercase();
        TABLE.iter().find(|r| r.2 == upper).map(|r| r.0)
    }

    /// Values per block (1 for the float types).
    pub fn block_size(self) -> usize {
        self.row().3
    }

    /// Bytes per block.
    pub fn type_size(self) -> usize {
        self.row().4
    }
}

impl std::fmt::Display for GgmlDType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The ggml name of a GGUF tensor type id, known or not supported here.
pub fn gguf_type_name(id: u32) -> String {
    if let Some(t) = GgmlDType::from_id(id) {
        return t.name().to_string();
    }
    // The ids kaoshi does not read, from ggml/include/ggml.h, `enum ggml_type`.
    let name = match id {
        16 => "IQ2_XXS",
        17 => "IQ2_XS",
        18 => "IQ3_XXS",
        19 => "IQ1_S",
        20 => "IQ4_NL",
        21 => "IQ3_S",
        22 => "IQ2_S",
        23 => "IQ4_XS",
        24 => "I8",
        25 => "I16",
        26 => "I32",
        27 => "I64",
        28 => "F64",
        29 => "IQ1_M",
        34 => "TQ1_0",
        35 => "TQ2_0",
        39 => "MXFP4",
        _ => return format!("type #{id}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_ids() {
        for id in 0..64 {
            if let Some(d) = GgmlDType::from_id(id) {
                assert_eq!(d.id(), id);
                assert_eq!(gguf_type_name(id), d.name());
                assert_eq!(GgmlDType::parse(&d.name().to_lowercase()), Some(d));
            }
        }
        assert_eq!(GgmlDType::ALL.len(), TABLE.len());
        assert_eq!(gguf_type_name(23), "IQ4_XS");
        assert_eq!(GgmlDType::from_id(23), None);
    }

    /// The block layouts are ggml's: a quantized block is its scale(s) in
    /// f16 (f32 for Q8_K) plus the packed values.
    #[test]
    fn block_layouts_add_up() {
        let packed = |t: GgmlDType, bits: usize| t.block_size() * bits / 8;
        assert_eq!(GgmlDType::Q4_0.type_size(), 2 + packed(GgmlDType::Q4_0, 4));
        assert_eq!(GgmlDType::Q4_1.type_size(), 4 + packed(GgmlDType::Q4_1, 4));
        assert_eq!(GgmlDType::Q5_0.type_size(), 2 + 4 + packed(GgmlDType::Q5_0, 4));
        assert_eq!(GgmlDType::Q5_1.type_size(), 4 + 4 + packed(GgmlDType::Q5_1, 4));
        assert_eq!(GgmlDType::Q8_0.type_size(), 2 + 32);
        assert_eq!(GgmlDType::Q8_1.type_size(), 2 + 2 + 32);
        assert_eq!(GgmlDType::Q8K.type_size(), 4 + 256 + 2 * 16);
        // K-quants: 256 values with 12 bytes of 6-bit scales and mins (Q4_K, Q5_K).
        assert_eq!(GgmlDType::Q4K.type_size(), 2 + 2 + 12 + 128);
        assert_eq!(GgmlDType::Q5K.type_size(), 2 + 2 + 12 + 32 + 128);
        assert_eq!(GgmlDType::Q6K.type_size(), 128 + 64 + 16 + 2);
    }
}
