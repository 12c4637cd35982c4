//! File-reading helpers shared by the cmath, mgsm, cbbq, cold, criskeval,
//! cvalues, flores, wikitext2, cmrc2018 and generic suites.
//!
//! Every helper turns problems into [`DataError`]s that name the file and,
//! where there is one, the 1-based line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::item::DataError;

/// A JSON object.
pub(crate) type JsonObject = serde_json::Map<String, serde_json::Value>;

/// A CSV file: header and (line, fields) records.
pub(crate) type CsvTable = (Vec<String>, Vec<(usize, Vec<String>)>);

/// Reads `path` as UTF-8, dropping a leading byte-order mark.
/// Invalid UTF-8 → [`DataError::Encoding`] with the offset of the first bad byte.
pub(crate) fn read_utf8(path: &Path) -> Result<String, DataError> {
    let bytes = crate::files::read(path)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let skipped = bytes.len() - body.len();
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            Err(DataError::Encoding { path: path.to_path_buf(), encoding: "UTF-8", offset: skipped + e.valid_up_to() })
        }
    }
}

/// The files directly in `dir` whose names end with `suffix`, sorted by name.
pub(crate) fn files_with_suffix(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, DataError> {
    Ok(crate::files::list_dir(dir)?
        .into_iter()
        .filter(|(p, file)| *file && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(suffix)))
        .map(|(p, _)| p)
        .collect())
}

/// The non-empty lines of a JSONL file, each parsed as a JSON object, with
/// their 1-based line numbers. A line that is not a JSON object → `Malformed`.
pub(crate) fn read_jsonl(path: &Path) -> Result<Vec<(usize, JsonObject)>, DataError> {
    let text = read_utf8(path)?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(m)) => out.push((i + 1, m)),
            Ok(_) => return Err(DataError::malformed(path, i + 1, "not a JSON object")),
            Err(e) => return Err(DataError::malformed(path, i + 1, format!("invalid JSON: {e}"))),
        }
    }
    Ok(out)
}

/// A CSV file read with its header: each record as (1-based line of the
/// record's start, header → value). A record with the wrong number of fields
/// or a CSV syntax error → `Malformed`.
pub(crate) fn read_csv(path: &Path) -> Result<CsvTable, DataError> {
    let text = read_utf8(path)?;
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| DataError::malformed(path, 1, format!("CSV header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                rows.push((line, r.iter().map(str::to_owned).collect()));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return Err(DataError::malformed(path, line, format!("CSV: {e}")));
            }
        }
    }
    Ok((header, rows))
}

/// Index of column `name` in `header`, or `Malformed` at line 1.
pub(crate) fn column(path: &Path, header: &[String], name: &str) -> Result<usize, DataError> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| DataError::malformed(path, 1, format!("CSV header has no column `{name}`")))
}

/// A JSON value as text: strings as they are, numbers as written; other
/// kinds (null, arrays, objects) → `None`.
pub(crate) fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string field of a JSON object, or a `Malformed` error naming it.
pub(crate) fn json_str(path: &Path, line: usize, obj: &JsonObject, key: &str) -> Result<String, DataError> {
    obj.get(key)
        .and_then(json_text)
        .ok_or_else(|| DataError::malformed(path, line, format!("missing or non-text field `{key}`")))
}

/// Builds a fields map from pairs.
pub(crate) fn fields<const N: usize>(pairs: [(&str, String); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Option letters "A", "B", ... for `n` options.
pub(crate) fn letters(n: usize) -> Vec<String> {
    (0..n).map(|i| char::from(b'A' + i as u8).to_string()).collect()
}

/// Parses a number as math answers write it: `12`, `-3.5`, `1,234`, `2/6`
/// (a fraction → its value) and `12%` (→ 12, the number as written; the
/// extractor pulls `12` out of `12%` too).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', "");
    let t = t.strip_suffix('%').unwrap_or(&t).trim();
    if let Some((a, b)) = t.split_once('/') {
        let a: f64 = a.trim().parse().ok()?;
        let b: f64 = b.trim().parse().ok()?;
        if b == 0.0 {
            return None;
        }
        return Some(a / b);
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}
