//! GGUF tensor type ids, as numbered by ggml (`enum ggml_type` in ggml.h).

use candle_core::quantized::GgmlDType;

/// The ggml name of a GGUF tensor type id, known or not supported here.
pub fn gguf_type_name(id: u32) -> String {
    // Names and ids from ggml/include/ggml.h, `enum ggml_type`.
    let name = match id {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        6 => "Q5_0",
        7 => "Q5_1",
        8 => "Q8_0",
        9 => "Q8_1",
        10 => "Q2_K",
        11 => "Q3_K",
        12 => "Q4_K",
        13 => "Q5_K",
        14 => "Q6_K",
        15 => "Q8_K",
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
        30 => "BF16",
        34 => "TQ1_0",
        35 => "TQ2_0",
        39 => "MXFP4",
        _ => return format!("type #{id}"),
    };
    name.to_string()
}

/// The candle dtype for a GGUF tensor type id, or `None` when kaoshi cannot
/// compute with it.
pub fn dtype_from_gguf_id(id: u32) -> Option<GgmlDType> {
    Some(match id {
        0 => GgmlDType::F32,
        1 => GgmlDType::F16,
        2 => GgmlDType::Q4_0,
        3 => GgmlDType::Q4_1,
        6 => GgmlDType::Q5_0,
        7 => GgmlDType::Q5_1,
        8 => GgmlDType::Q8_0,
        9 => GgmlDType::Q8_1,
        10 => GgmlDType::Q2K,
        11 => GgmlDType::Q3K,
        12 => GgmlDType::Q4K,
        13 => GgmlDType::Q5K,
        14 => GgmlDType::Q6K,
        15 => GgmlDType::Q8K,
        30 => GgmlDType::BF16,
        _ => return None,
    })
}

/// The ggml spelling of a dtype ("Q4_K", not candle's "Q4K").
pub fn dtype_name(dtype: GgmlDType) -> &'static str {
    match dtype {
        GgmlDType::F32 => "F32",
        GgmlDType::F16 => "F16",
        GgmlDType::BF16 => "BF16",
        GgmlDType::Q4_0 => "Q4_0",
        GgmlDType::Q4_1 => "Q4_1",
        GgmlDType::Q5_0 => "Q5_0",
        GgmlDType::Q5_1 => "Q5_1",
        GgmlDType::Q8_0 => "Q8_0",
        GgmlDType::Q8_1 => "Q8_1",
        GgmlDType::Q2K => "Q2_K",
        GgmlDType::Q3K => "Q3_K",
        GgmlDType::Q4K => "Q4_K",
        GgmlDType::Q5K => "Q5_K",
        GgmlDType::Q6K => "Q6_K",
        GgmlDType::Q8K => "Q8_K",
    }
}

/// Parses a ggml dtype name as users type it ("q4_k", "Q8_0", "f16").
pub fn parse_dtype(name: &str) -> Option<GgmlDType> {
    let upper = name.to_ascii_uppercase();
    (0..=30).filter_map(dtype_from_gguf_id).find(|d| dtype_name(*d) == upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_ids() {
        for id in 0..64 {
            if let Some(d) = dtype_from_gguf_id(id) {
                assert_eq!(gguf_type_name(id), dtype_name(d));
                assert_eq!(parse_dtype(&dtype_name(d).to_lowercase()), Some(d));
            }
        }
        assert_eq!(gguf_type_name(23), "IQ4_XS");
        assert_eq!(dtype_from_gguf_id(23), None);
    }
}
