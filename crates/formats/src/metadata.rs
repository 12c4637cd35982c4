//! Typed access to GGUF key/value metadata.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::error::FormatError;
use crate::value::Value;

/// The metadata of a GGUF file, with accessors that turn a missing key or a
/// value of the wrong type into a [`FormatError`] naming the key.
#[derive(Debug, Clone)]
pub struct Metadata {
    path: PathBuf,
    kv: HashMap<String, Value>,
    /// The keys in the file's order (a key given twice counts at its first place).
    order: Vec<String>,
}

impl Metadata {
    pub(crate) fn new(path: PathBuf, kv: HashMap<String, Value>, order: Vec<String>) -> Self {
        Self { path, kv, order }
    }

    /// All key/value pairs.
    pub fn as_map(&self) -> &HashMap<String, Value> {
        &self.kv
    }

    /// The key/value pairs in the file's order (a rewritten file keeps it).
    pub fn ordered(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.order.iter().filter_map(|k| self.kv.get(k).map(|v| (k.as_str(), v)))
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.kv.get(key)
    }

    /// A string value, if present and a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        match self.kv.get(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    fn bad(&self, key: &str, problem: &str) -> FormatError {
        FormatError::BadValue { path: self.path.clone(), key: key.to_string(), problem: problem.to_string() }
    }

    /// An integer value of any integer type, if present.
    pub fn get_u64(&self, key: &str) -> Result<Option<u64>, FormatError> {
        let v = match self.kv.get(key) {
            None => return Ok(None),
            Some(v) => v,
        };
        let n: i128 = match v {
            Value::U8(x) => (*x).into(),
            Value::I8(x) => (*x).into(),
            Value::U16(x) => (*x).into(),
            Value::I16(x) => (*x).into(),
            Value::U32(x) => (*x).into(),
            Value::I32(x) => (*x).into(),
            Value::U64(x) => (*x).into(),
            Value::I64(x) => (*x).into(),
            _ => return Err(self.bad(key, "is not an integer")),
        };
        u64::try_from(n).map(Some).map_err(|_| self.bad(key, "is negative"))
    }

    /// A required integer.
    pub fn require_u64(&self, key: &str) -> Result<u64, FormatError> {
        self.get_u64(key)?.ok_or_else(|| FormatError::MissingKey { path: self.path.clone(), key: key.to_string() })
    }

    /// A float value (F32 or F64), if present.
    pub fn get_f64(&self, key: &str) -> Result<Option<f64>, FormatError> {
        match self.kv.get(key) {
            None => Ok(None),
            Some(Value::F32(x)) => Ok(Some(f64::from(*x))),
            Some(Value::F64(x)) => Ok(Some(*x)),
            Some(_) => Err(self.bad(key, "is not a float")),
        }
    }

    /// A boolean value, if present.
    pub fn get_bool(&self, key: &str) -> Result<Option<bool>, FormatError> {
        match self.kv.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.bad(key, "is not a boolean")),
        }
    }

    /// The number of elements of an array value, if present.
    pub fn array_len(&self, key: &str) -> Option<usize> {
        match self.kv.get(key) {
            Some(Value::Array(a)) => Some(a.len()),
            _ => None,
        }
    }
}
