//! Helpers shared by the exam-style suites (C-Eval, CMMLU, M3KE, LFED,
//! GAOKAO-Bench, SafetyBench, XCOPA): file listing, CSV/JSON reading with
//! errors that name the file and line, GBK decoding, option letters.

use std::path::{Path, PathBuf};

use crate::item::{DataError, Prompt};
use crate::suite::{Mode, Skip};

/// Option letters A, B, C, ... (up to 26).
pub(crate) const LETTERS: [&str; 26] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W",
    "X", "Y", "Z",
];

/// The first `n` option letters as owned strings.
pub(crate) fn letters(n: usize) -> Vec<String> {
    LETTERS.iter().take(n).map(|s| (*s).to_string()).collect()
}

/// `"A"` → 0, `"B"` → 1, ... for the first `n` letters; anything else → None.
pub(crate) fn letter_index(s: &str, n: usize) -> Option<usize> {
    LETTERS.iter().take(n).position(|l| *l == s)
}

/// The files directly in `dir` whose name ends with `suffix`, sorted by name.
/// A missing or unreadable folder is an I/O error naming it.
pub(crate) fn list_files(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, DataError> {
    Ok(crate::files::list_dir(dir)?
        .into_iter()
        .filter(|(p, file)| *file && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(suffix)))
        .map(|(p, _)| p)
        .collect())
}

/// The file name of `path` without `suffix` (e.g. `agronomy.csv` → `agronomy`).
pub(crate) fn stem<'a>(path: &'a Path, suffix: &str) -> &'a str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    name.strip_suffix(suffix).unwrap_or(name)
}

/// Reads `path` as bytes.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, DataError> {
    crate::files::read(path)
}

/// Reads `path` as UTF-8 text (a leading BOM is dropped); invalid UTF-8 is an
/// [`DataError::Encoding`] error with the offset of the first bad byte.
pub(crate) fn read_utf8(path: &Path) -> Result<String, DataError> {
    let bytes = read_bytes(path)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => Err(DataError::Encoding {
            path: path.to_path_buf(),
            encoding: "UTF-8",
            offset: e.valid_up_to() + (bytes.len() - body.len()),
        }),
    }
}

/// Decodes GBK bytes strictly: the first undecodable byte sequence is an
/// [`DataError::Encoding`] error with its byte offset (nothing is replaced).
pub(crate) fn decode_gbk(path: &Path, bytes: &[u8]) -> Result<String, DataError> {
    use encoding_rs::DecoderResult;
    let mut decoder = encoding_rs::GBK.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 3 / 2 + 16);
    let mut pos = 0;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(&bytes[pos..], &mut out, true);
        pos += read;
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => {
                out.reserve(bytes.len() - pos + 16);
            }
            DecoderResult::Malformed(bad, after) => {
                let offset = pos - after as usize - bad as usize;
                return Err(DataError::Encoding { path: path.to_path_buf(), encoding: "GBK", offset });
            }
        }
    }
}

/// One CSV data row: its 1-based line in the file and its fields.
pub(crate) struct CsvRow {
    /// 1-based line where the record starts.
    pub line: usize,
    /// The fields.
    pub fields: Vec<String>,
}

/// Parses CSV `text` (with a header row) from `path`. Returns the header and
/// the rows. A row whose field count differs from the header's, or a syntax
/// error, is a [`DataError::Malformed`] naming the line. Line numbers are
/// counted from the records' byte offsets (the csv crate's own line counter
/// is off by one on CRLF files).
pub(crate) fn parse_csv(path: &Path, text: &str) -> Result<(Vec<String>, Vec<CsvRow>), DataError> {
    let mut lines = LineCounter::new(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
    let header: Vec<String> =
        reader.headers().map_err(|e| csv_error(path, &e, &mut lines))?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| lines.line_at(p.byte() as usize));
                rows.push(CsvRow { line, fields: record.iter().map(str::to_string).collect() });
            }
            Err(e) => return Err(csv_error(path, &e, &mut lines)),
        }
    }
    Ok((header, rows))
}

/// 1-based line numbers of byte offsets, for offsets visited in increasing order.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self { text: text.as_bytes(), offset: 0, line: 1 }
    }

    fn line_at(&mut self, byte: usize) -> usize {
        // A record's recorded start can be the line terminator that precedes
        // it (the `\n` of a CRLF); count from its first real byte.
        let mut byte = byte.min(self.text.len());
        while byte < self.text.len() && matches!(self.text[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.text[self.offset..byte].iter().filter(|&&b| b == b'\n').count();
        self.offset = byte;
        self.line
    }
}

fn csv_error(path: &Path, e: &csv::Error, lines: &mut LineCounter<'_>) -> DataError {
    let line = e.position().map_or(0, |p| lines.line_at(p.byte() as usize));
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("row has {len} fields, the header has {expected_len}")
        }
        _ => format!("CSV: {e}"),
    };
    DataError::malformed(path, line, message)
}

/// Parses a whole JSON document, naming the file and line on a syntax error.
pub(crate) fn parse_json(path: &Path, text: &str) -> Result<serde_json::Value, DataError> {
    serde_json::from_str(text).map_err(|e| DataError::malformed(path, e.line().max(1), format!("invalid JSON: {e}")))
}

/// A string field of a JSON object, or None.
pub(crate) fn json_str<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(serde_json::Value::as_str)
}

/// Python's `s[:-1]`: `s` without its last character.
pub(crate) fn drop_last_char(s: &str) -> &str {
    match s.char_indices().next_back() {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Python's `s[0].lower() + s[1:]`.
pub(crate) fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => {
            let mut out: String = c.to_lowercase().collect();
            out.push_str(chars.as_str());
            out
        }
        None => String::new(),
    }
}

/// The prompt for a lettered multiple-choice `context` with `n` options:
/// Letter → the letters; Loglik → continuations `" A"`, `" B"`, ... (the
/// letter after lm-evaluation-harness's default `target_delimiter` `" "`);
/// Generate (and any other mode) → generate up to 64 tokens, stop at a blank line.
pub(crate) fn lettered_prompt(context: String, n: usize, mode: Mode) -> Prompt {
    match mode {
        Mode::Letter => Prompt::Letters { context, letters: letters(n) },
        Mode::Loglik => {
            Prompt::Choices { context, continuations: LETTERS.iter().take(n).map(|l| format!(" {l}")).collect() }
        }
        _ => Prompt::Generate { prompt: context, stop: vec!["\n\n".to_string()], max_tokens: 64 },
    }
}

/// `"A. x\nB. y..."`-style option block helper: `"\n{L}. {opt}"` per option.
pub(crate) fn dotted_options(options: &[String]) -> String {
    let mut s = String::new();
    for (l, o) in LETTERS.iter().zip(options) {
        s.push('\n');
        s.push_str(l);
        s.push_str(". ");
        s.push_str(o);
    }
    s
}

/// Validates a multiple-choice row: non-empty question and options, answer
/// one of the option letters. Returns the answer index or the skip reason.
pub(crate) fn check_mc(question: &str, options: &[String], answer: &str) -> Result<usize, String> {
    if question.trim().is_empty() {
        return Err("question is empty".to_string());
    }
    for (l, o) in LETTERS.iter().zip(options) {
        if o.trim().is_empty() {
            return Err(format!("option {l} is empty"));
        }
    }
    let answer = answer.trim();
    if answer.is_empty() {
        return Err("answer is missing".to_string());
    }
    letter_index(answer, options.len())
        .ok_or_else(|| format!("answer {answer:?} is not one of A-{}", LETTERS[options.len().max(1) - 1]))
}

/// A [`Skip`] for `path:line`.
pub(crate) fn skip(path: &Path, line: usize, reason: impl Into<String>) -> Skip {
    Skip { path: path.to_path_buf(), line, reason: reason.into() }
}

/// The column `name`'s index in `header`, or a malformed-header error.
pub(crate) fn column(path: &Path, header: &[String], name: &str) -> Result<usize, DataError> {
    header
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == name)
        .ok_or_else(|| DataError::malformed(path, 1, format!("no column {name:?} in header {header:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_slices() {
        assert_eq!(drop_last_char("该物品用气泡包装纸包着。"), "该物品用气泡包装纸包着");
        assert_eq!(drop_last_char(""), "");
        assert_eq!(lower_first("Ölçü"), "ölçü");
        assert_eq!(lower_first("它很易碎。"), "它很易碎。");
        assert_eq!(lower_first(""), "");
    }

    #[test]
    fn gbk_offsets() {
        let p = Path::new("x.csv");
        // "名字" in GBK, then an invalid lead byte 0xFF.
        let ok = [0xC3, 0xFB, 0xD7, 0xD6];
        assert_eq!(decode_gbk(p, &ok).unwrap(), "名字");
        let bad = [0xC3, 0xFB, b',', 0xFF, b'a'];
        match decode_gbk(p, &bad) {
            Err(DataError::Encoding { offset, encoding, .. }) => {
                assert_eq!(encoding, "GBK");
                assert_eq!(offset, 3);
            }
            other => panic!("expected an encoding error, got {other:?}"),
        }
    }
}
