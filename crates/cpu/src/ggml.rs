//! kaoshi's GGUF types as candle's: a tensor type ([`candle_dtype`]) and a
//! metadata value ([`candle_value`]), and one tensor of a file (or some of
//! its rows) as a candle `QTensor` ([`read_qtensor`], [`qtensor_from_bytes`]).

use candle_core::quantized::{GgmlDType as Candle, QTensor, ggml_file, gguf_file};
use kaoshi_formats::{FormatError, GgmlDType, GgufFile, Value};

/// The candle type of a GGUF tensor type.
pub fn candle_dtype(t: GgmlDType) -> Candle {
    match t {
        GgmlDType::F32 => Candle::F32,
        GgmlDType::F16 => Candle::F16,
        GgmlDType::BF16 => Candle::BF16,
        GgmlDType::Q4_0 => Candle::Q4_0,
        GgmlDType::Q4_1 => Candle::Q4_1,
        GgmlDType::Q5_0 => Candle::Q5_0,
        GgmlDType::Q5_1 => Candle::Q5_1,
        GgmlDType::Q8_0 => Candle::Q8_0,
        GgmlDType::Q8_1 => Candle::Q8_1,
        GgmlDType::Q2K => Candle::Q2K,
        GgmlDType::Q3K => Candle::Q3K,
        GgmlDType::Q4K => Candle::Q4K,
        GgmlDType::Q5K => Candle::Q5K,
        GgmlDType::Q6K => Candle::Q6K,
        GgmlDType::Q8K => Candle::Q8K,
    }
}

/// A metadata value as candle's GGUF writer takes it.
pub fn candle_value(v: &Value) -> gguf_file::Value {
    use gguf_file::Value as C;
    match v {
        Value::U8(x) => C::U8(*x),
        Value::I8(x) => C::I8(*x),
        Value::U16(x) => C::U16(*x),
        Value::I16(x) => C::I16(*x),
        Value::U32(x) => C::U32(*x),
        Value::I32(x) => C::I32(*x),
        Value::U64(x) => C::U64(*x),
        Value::I64(x) => C::I64(*x),
        Value::F32(x) => C::F32(*x),
        Value::F64(x) => C::F64(*x),
        Value::Bool(x) => C::Bool(*x),
        Value::String(x) => C::String(x.clone()),
        Value::Array(xs) => C::Array(xs.iter().map(candle_value).collect()),
    }
}

/// Reads one tensor of `file` as a candle [`QTensor`] on the CPU, in its
/// stored type.
pub fn read_qtensor(file: &GgufFile, name: &str) -> Result<QTensor, FormatError> {
    let entry = file.require_tensor(name)?;
    let bytes = file.read_tensor_bytes(name)?;
    qtensor_from_bytes(entry.dtype, &bytes, entry.shape.clone()).map_err(|e| FormatError::Decode {
        path: file.path().to_path_buf(),
        tensor: name.to_string(),
        message: e.to_string(),
    })
}

/// The bytes of a tensor (or of whole rows of one) of type `dtype` and
/// shape `shape` (outermost first) as a candle [`QTensor`] on the CPU.
pub fn qtensor_from_bytes(dtype: GgmlDType, bytes: &[u8], shape: Vec<usize>) -> candle_core::Result<QTensor> {
    ggml_file::qtensor_from_ggml(candle_dtype(dtype), bytes, shape, &candle_core::Device::Cpu)
}
