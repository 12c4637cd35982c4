//! The per-task journal `samples_<task>.jsonl`: one line per finished item,
//! appended and flushed as items finish, so a killed run loses at most the
//! item in flight.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use crate::error::HarnessError;
use crate::record::SampleRecord;

/// The journal file of `task` in `dir`.
pub fn path(dir: &Path, task: &str) -> PathBuf {
    dir.join(format!("samples_{task}.jsonl"))
}

/// Reads the records already in the journal. A last line cut short by a kill
/// is dropped (and cut from the file); a bad line elsewhere is an error.
pub fn read(path: &Path) -> Result<Vec<SampleRecord>, HarnessError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(HarnessError::Io { path: path.to_path_buf(), source: e }),
    };
    let lines: Vec<String> = BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(|e| HarnessError::Io { path: path.to_path_buf(), source: e })?;
    let mut out = Vec::with_capacity(lines.len());
    let mut good_bytes = 0usize;
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<SampleRecord>(line) {
            Ok(r) => {
                out.push(r);
                good_bytes += line.len() + 1;
            }
            Err(_) if i + 1 == lines.len() => {
                let f = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| HarnessError::Io { path: path.to_path_buf(), source: e })?;
                f.set_len(good_bytes as u64).map_err(|e| HarnessError::Io { path: path.to_path_buf(), source: e })?;
            }
            Err(e) => {
                return Err(HarnessError::Journal(format!("{}:{}: {e}", path.display(), i + 1)));
            }
        }
    }
    Ok(out)
}

/// Ids already journaled.
pub fn done_ids(records: &[SampleRecord]) -> HashSet<String> {
    records.iter().map(|r| r.doc_id.clone()).collect()
}

/// An open journal, appending records.
pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Opens `path` for appending.
    pub fn open(path: &Path) -> Result<Self, HarnessError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| HarnessError::Io { path: path.to_path_buf(), source: e })?;
        Ok(Self { file, path: path.to_path_buf() })
    }

    /// Appends one record and flushes it to the OS.
    pub fn append(&mut self, r: &SampleRecord) -> Result<(), HarnessError> {
        let mut line = serde_json::to_string(r).map_err(|e| HarnessError::Journal(e.to_string()))?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|e| HarnessError::Io { path: self.path.clone(), source: e })
    }
}
