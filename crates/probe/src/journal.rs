//! Journals that let a long probe survive a kill: one JSON line per
//! finished unit of work, flushed and synced as it is written
//! ([`Journal`]); read back with a last line cut short by the kill dropped
//! ([`read`]); and the options a folder was written with, refused when a
//! rerun differs ([`check_or_write_key`]).

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::ProbeError;

/// Writes `key` as `dir/name`, or checks it against the one there: a
/// difference is an error naming each field that changed.
pub fn check_or_write_key<K: Serialize + DeserializeOwned>(dir: &Path, name: &str, key: &K) -> Result<(), ProbeError> {
    let path = dir.join(name);
    let io = |e| ProbeError::Io { path: path.clone(), source: e };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let old: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| ProbeError::Data(format!("{}: {e} (use another --output)", path.display())))?;
            let new = serde_json::to_value(key).map_err(|e| ProbeError::Data(e.to_string()))?;
            let keys: std::collections::BTreeSet<&String> =
                old.as_object().into_iter().chain(new.as_object()).flat_map(|o| o.keys()).collect();
            let differ: Vec<String> = keys
                .into_iter()
                .filter(|k| old.get(k.as_str()) != new.get(k.as_str()))
                .map(|k| {
                    let show = |v: Option<&serde_json::Value>| v.map_or("absent".to_string(), |v| v.to_string());
                    format!("{k} was {}, now {}", show(old.get(k.as_str())), show(new.get(k.as_str())))
                })
                .collect();
            if differ.is_empty() {
                Ok(())
            } else {
                Err(ProbeError::Options(format!(
                    "{} was written with other options ({}): use another --output",
                    dir.display(),
                    differ.join("; ")
                )))
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(io)?;
            let text = serde_json::to_string_pretty(key).map_err(|e| ProbeError::Data(e.to_string()))?;
            std::fs::write(&path, text).map_err(io)
        }
        Err(e) => Err(io(e)),
    }
}

/// Reads the records of the journal `dir/name` (none when it does not
/// exist). A last line cut short by a kill is dropped and cut from the
/// file; a bad line elsewhere is an error.
pub fn read<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Vec<T>, ProbeError> {
    let path = dir.join(name);
    let io = |e| ProbeError::Io { path: path.clone(), source: e };
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let lines: Vec<String> = BufReader::new(file).lines().collect::<Result<_, _>>().map_err(io)?;
    let (mut out, mut good) = (Vec::new(), 0u64);
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<T>(line) {
            Ok(r) => {
                out.push(r);
                good += line.len() as u64 + 1;
            }
            Err(_) if i + 1 == lines.len() => {
                OpenOptions::new().write(true).open(&path).and_then(|f| f.set_len(good)).map_err(io)?;
            }
            Err(e) => {
                return Err(ProbeError::Data(format!("{}:{}: {e} (use another --output)", path.display(), i + 1)));
            }
        }
    }
    Ok(out)
}

/// A journal open for appending records of type `T`.
pub struct Journal<T> {
    file: File,
    path: PathBuf,
    kind: PhantomData<fn(&T)>,
}

impl<T: Serialize> Journal<T> {
    /// Opens `dir/name` for appending.
    pub fn open(dir: &Path, name: &str) -> Result<Self, ProbeError> {
        let path = dir.join(name);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| ProbeError::Io { path: path.clone(), source: e })?;
        Ok(Self { file, path, kind: PhantomData })
    }

    /// Appends one record, flushed and synced to disk.
    pub fn append(&mut self, r: &T) -> Result<(), ProbeError> {
        let mut line = serde_json::to_string(r).map_err(|e| ProbeError::Data(e.to_string()))?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| ProbeError::Io { path: self.path.clone(), source: e })
    }
}
