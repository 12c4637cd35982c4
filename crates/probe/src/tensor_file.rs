//! Arrays written for Python: safetensors (`safetensors.numpy.load_file`,
//! `torch`) or numpy's `.npz` (`numpy.load`), with no dependency. The
//! formats: safetensors is an 8-byte little-endian header length, a JSON
//! header (`{name: {dtype, shape, data_offsets}}`, `__metadata__`) padded
//! with spaces to 8 bytes, then the data; `.npz` is a zip of `.npy` files
//! (format 1.0: magic, a Python-literal header padded to 64 bytes), stored
//! uncompressed, without zip64 (a file over 4 GiB is refused: use
//! safetensors). [`read_npy`] reads `.npy` f32/f64 arrays back (RSA
//! targets).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use crate::error::ProbeError;

/// One array: f32 or i64 values, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    /// Its name.
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its values.
    pub data: ArrayData,
}

/// The values of an [`Array`].
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayData {
    /// 32-bit floats.
    F32(Vec<f32>),
    /// 64-bit integers.
    I64(Vec<i64>),
}

impl ArrayData {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Self::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Self::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::F32(v) => v.len(),
            Self::I64(v) => v.len(),
        }
    }
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.safetensors`.
    Safetensors,
    /// numpy `.npz`.
    Npz,
}

impl Format {
    /// The format a file name asks for, by its extension.
    pub fn of(path: &Path) -> Result<Self, ProbeError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("safetensors") => Ok(Self::Safetensors),
            Some("npz") => Ok(Self::Npz),
            _ => Err(ProbeError::Options(format!("{}: the output must end in .safetensors or .npz", path.display()))),
        }
    }
}

/// Writes `arrays` to `path` in the format its extension names;
/// `metadata` goes into safetensors' `__metadata__` (ignored by `.npz`).
pub fn write(path: &Path, arrays: &[Array], metadata: &BTreeMap<String, String>) -> Result<(), ProbeError> {
    for a in arrays {
        if a.shape.iter().product::<usize>() != a.data.len() {
            return Err(ProbeError::Data(format!(
                "array {} of shape {:?} has {} values",
                a.name,
                a.shape,
                a.data.len()
            )));
        }
    }
    let bytes = match Format::of(path)? {
        Format::Safetensors => safetensors(arrays, metadata),
        Format::Npz => npz(arrays)?,
    };
    let io = |source| ProbeError::Io { path: path.to_path_buf(), source };
    let tmp = path.with_extension("part");
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(&bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// The bytes of a safetensors file.
pub fn safetensors(arrays: &[Array], metadata: &BTreeMap<String, String>) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    let mut offset = 0usize;
    for a in arrays {
        let n = a.data.len() * 4 * if matches!(a.data, ArrayData::I64(_)) { 2 } else { 1 };
        let dtype = if matches!(a.data, ArrayData::F32(_)) { "F32" } else { "I64" };
        header.insert(
            a.name.clone(),
            serde_json::json!({ "dtype": dtype, "shape": a.shape, "data_offsets": [offset, offset + n] }),
        );
        offset += n;
    }
    if !metadata.is_empty() {
        header.insert("__metadata__".into(), serde_json::json!(metadata));
    }
    let mut text = serde_json::Value::Object(header).to_string().into_bytes();
    while text.len() % 8 != 0 {
        text.push(b' ');
    }
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend(text);
    for a in arrays {
        out.extend(a.data.bytes());
    }
    out
}

/// The bytes of an `.npy` file (format 1.0).
pub fn npy(a: &Array) -> Vec<u8> {
    let descr = if matches!(a.data, ArrayData::F32(_)) { "<f4" } else { "<i8" };
    let shape = match a.shape.as_slice() {
        [one] => format!("({one},)"),
        dims => format!("({})", dims.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    // Magic (6) + version (2) + length (2) + header, padded to 64, ending in a newline.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    out.extend(a.data.bytes());
    out
}

/// Reads an `.npy` file's bytes (format 1.0, 2.0 or 3.0): a C-order array
/// of little-endian f32 or f64 (`<f4`, `<f8`), as its shape and values.
pub fn read_npy(b: &[u8]) -> Result<(Vec<usize>, Vec<f64>), ProbeError> {
    let bad = |why: &str| ProbeError::Data(format!("not a readable .npy: {why}"));
    if b.len() < 10 || &b[..6] != b"\x93NUMPY" {
        return Err(bad("no \\x93NUMPY magic"));
    }
    let (len, start) = match b[6] {
        1 => (usize::from(u16::from_le_bytes([b[8], b[9]])), 10),
        2 | 3 if b.len() >= 12 => (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12),
        v => return Err(bad(&format!("format version {v}"))),
    };
    let header = b.get(start..start + len).and_then(|h| std::str::from_utf8(h).ok()).ok_or(bad("truncated header"))?;
    let field = |key: &str| {
        let at = header.find(&format!("'{key}':")).ok_or(bad(&format!("no {key} in the header")))?;
        Ok::<&str, ProbeError>(header[at + key.len() + 3..].trim_start())
    };
    let descr = field("descr")?;
    let width = if descr.starts_with("'<f4'") {
        4
    } else if descr.starts_with("'<f8'") {
        8
    } else {
        return Err(bad(&format!(
            "dtype {}: expected little-endian f32 or f64",
            descr.split(',').next().unwrap_or("")
        )));
    };
    if !field("fortran_order")?.starts_with("False") {
        return Err(bad("Fortran order (expected C order)"));
    }
    let shape = field("shape")?;
    let inner = shape.strip_prefix('(').and_then(|s| s.split(')').next()).ok_or(bad("shape is not a tuple"))?;
    let shape: Vec<usize> = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| bad(&format!("shape entry {s:?}"))))
        .collect::<Result<_, _>>()?;
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or(bad("shape overflows"))?;
    let data = &b[start + len..];
    if Some(data.len()) != count.checked_mul(width) {
        return Err(bad(&format!(
            "shape {shape:?} needs {count} values of {width} bytes, the file has {} bytes",
            data.len()
        )));
    }
    let values = if width == 4 {
        data.chunks_exact(4).map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect()
    } else {
        data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect()
    };
    Ok((shape, values))
}

/// The bytes of an `.npz` file: a zip of `<name>.npy` entries, stored.
pub fn npz(arrays: &[Array]) -> Result<Vec<u8>, ProbeError> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let too_big = || ProbeError::Options("the .npz would exceed 4 GiB (zip without zip64): write .safetensors".into());
    for a in arrays {
        let name = format!("{}.npy", a.name);
        let data = npy(a);
        let (crc, size) = (crc32(&data), u32::try_from(data.len()).map_err(|_| too_big())?);
        let offset = u32::try_from(out.len()).map_err(|_| too_big())?;
        let common = |out: &mut Vec<u8>| {
            out.extend(20u16.to_le_bytes()); // version needed: 2.0
            out.extend(0u16.to_le_bytes()); // flags
            out.extend(0u16.to_le_bytes()); // method: stored
            out.extend(0u16.to_le_bytes()); // time
            out.extend(0x21u16.to_le_bytes()); // date: 1980-01-01
            out.extend(crc.to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend(size.to_le_bytes());
            out.extend((name.len() as u16).to_le_bytes());
            out.extend(0u16.to_le_bytes()); // extra
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend(name.as_bytes());
        out.extend(&data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend(0u16.to_le_bytes()); // comment
        central.extend(0u16.to_le_bytes()); // disk
        central.extend(0u16.to_le_bytes()); // internal attributes
        central.extend(0u32.to_le_bytes()); // external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).map_err(|_| too_big())?;
    let n = u16::try_from(arrays.len()).map_err(|_| ProbeError::Options("more than 65,535 arrays".into()))?;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    Ok(out)
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as zip uses it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrays() -> Vec<Array> {
        vec![
            Array {
                name: "blocks.0.hook_resid_post".into(),
                shape: vec![2, 3],
                data: ArrayData::F32(vec![1.0, -2.0, 0.5, 3.0, 4.0, 5.0]),
            },
            Array { name: "tokens".into(), shape: vec![4], data: ArrayData::I64(vec![1, 450, 4996, -1]) },
        ]
    }

    #[test]
    fn crc32_of_the_standard_check_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn npy_headers_are_aligned_python_literals() {
        let b = npy(&arrays()[0]);
        let len = u16::from_le_bytes([b[8], b[9]]) as usize;
        assert_eq!((10 + len) % 64, 0);
        let header = std::str::from_utf8(&b[10..10 + len]).expect("ascii");
        assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), "{header}");
        assert!(header.ends_with('\n'));
        assert_eq!(&b[10 + len..10 + len + 4], &1.0f32.to_le_bytes());
        let i = npy(&arrays()[1]);
        let len = u16::from_le_bytes([i[8], i[9]]) as usize;
        let header = std::str::from_utf8(&i[10..10 + len]).expect("ascii");
        assert!(header.starts_with("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }"), "{header}");
    }

    #[test]
    fn safetensors_header_names_every_array() {
        let b = safetensors(&arrays(), &BTreeMap::from([("model".to_string(), "m.gguf".to_string())]));
        let n = u64::from_le_bytes(b[..8].try_into().expect("8 bytes")) as usize;
        assert_eq!(n % 8, 0);
        let h: serde_json::Value = serde_json::from_slice(&b[8..8 + n]).expect("json header");
        assert_eq!(h["blocks.0.hook_resid_post"]["data_offsets"], serde_json::json!([0, 24]));
        assert_eq!(h["tokens"]["dtype"], "I64");
        assert_eq!(h["tokens"]["data_offsets"], serde_json::json!([24, 56]));
        assert_eq!(h["__metadata__"]["model"], "m.gguf");
        assert_eq!(b.len(), 8 + n + 56);
    }
}
