//! Where suite loaders read their files: the file system, or a set of files
//! held in memory.
//!
//! Every loader reads through this module's `read`, `list_dir`, `is_file`
//! and `is_dir`. Natively they go to the file system. In a browser there is
//! none: the page holds the files it downloaded or the user picked, and
//! [`load_from_memory`] loads a suite from them: while the loader runs, the
//! paths it asks for (relative, as `Suite::load` is given an empty root) are
//! looked up in the [`MemoryFiles`] instead. The layout is the suite's
//! published folder layout, the `rel_path`s of [`crate::sources`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use crate::item::DataError;
use crate::suite::{Suite, SuiteData};

/// Files in memory, by relative path (`/`-separated, e.g.
/// `test/agronomy.csv`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryFiles {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemoryFiles {
    /// No files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the file at `rel_path`; `\` separators, `.` parts
    /// and leading `/` are normalised away. A path with `..` is refused.
    pub fn insert(&mut self, rel_path: &str, bytes: Vec<u8>) -> Result<(), String> {
        let key = normalise(Path::new(&rel_path.replace('\\', "/")))
            .ok_or_else(|| format!("{rel_path:?}: not a relative path inside the suite's folder"))?;
        if key.is_empty() {
            return Err(format!("{rel_path:?}: empty file path"));
        }
        self.files.insert(key, bytes);
        Ok(())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn get(&self, path: &Path) -> Option<&Vec<u8>> {
        self.files.get(&normalise(path)?)
    }

    /// Whether some file lies under folder `key` ("" is the root).
    fn has_dir(&self, key: &str) -> bool {
        key.is_empty() || self.files.keys().any(|k| k.strip_prefix(key).is_some_and(|r| r.starts_with('/')))
    }

    /// The direct entries of folder `key`: (name, is a file).
    fn entries(&self, key: &str) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        for k in self.files.keys() {
            let rest = if key.is_empty() {
                k.as_str()
            } else {
                match k.strip_prefix(key).and_then(|r| r.strip_prefix('/')) {
                    Some(r) => r,
                    None => continue,
                }
            };
            let entry = match rest.split_once('/') {
                Some((dir, _)) => (dir.to_string(), false),
                None => (rest.to_string(), true),
            };
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        out
    }
}

/// `path` as a `/`-joined key without `.` parts; `None` for `..` or a
/// prefix (Windows drive).
fn normalise(path: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?.to_string()),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

thread_local! {
    static MEMORY: RefCell<Option<Rc<MemoryFiles>>> = const { RefCell::new(None) };
}

fn memory() -> Option<Rc<MemoryFiles>> {
    MEMORY.with(|m| m.borrow().clone())
}

/// Loads `suite` from `files` instead of the file system (paths in errors
/// are then relative to the suite's folder).
pub fn load_from_memory(suite: &dyn Suite, files: MemoryFiles) -> Result<SuiteData, DataError> {
    struct Restore(Option<Rc<MemoryFiles>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            MEMORY.with(|m| *m.borrow_mut() = prev);
        }
    }
    let prev = MEMORY.with(|m| m.borrow_mut().replace(Rc::new(files)));
    let _restore = Restore(prev);
    suite.load(Path::new(""))
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("{} is not among the given files", path.display()))
}

/// The bytes of `path`.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, DataError> {
    match memory() {
        Some(m) => m.get(path).cloned().ok_or_else(|| DataError::io(path)(not_found(path))),
        None => std::fs::read(path).map_err(DataError::io(path)),
    }
}

/// The entries directly in `dir`, as (path, is a file), sorted by path.
pub(crate) fn list_dir(dir: &Path) -> Result<Vec<(PathBuf, bool)>, DataError> {
    let mut out = match memory() {
        Some(m) => {
            let key = normalise(dir).ok_or_else(|| DataError::io(dir)(not_found(dir)))?;
            if !m.has_dir(&key) {
                return Err(DataError::io(dir)(not_found(dir)));
            }
            m.entries(&key).into_iter().map(|(name, file)| (dir.join(name), file)).collect()
        }
        None => {
            let mut out = Vec::new();
            for entry in std::fs::read_dir(dir).map_err(DataError::io(dir))? {
                let p = entry.map_err(DataError::io(dir))?.path();
                let file = p.is_file();
                out.push((p, file));
            }
            out
        }
    };
    out.sort();
    Ok(out)
}

/// Whether `path` is a file.
pub(crate) fn is_file(path: &Path) -> bool {
    match memory() {
        Some(m) => m.get(path).is_some(),
        None => path.is_file(),
    }
}

/// Whether `path` is a folder.
pub(crate) fn is_dir(path: &Path) -> bool {
    match memory() {
        Some(m) => normalise(path).is_some_and(|k| m.get(path).is_none() && m.has_dir(&k)),
        None => path.is_dir(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_tree_lists_files_and_folders() {
        let mut m = MemoryFiles::new();
        m.insert("test/a.csv", b"x".to_vec()).unwrap();
        m.insert("./test/b.csv", b"y".to_vec()).unwrap();
        m.insert("dev\\c.csv", b"z".to_vec()).unwrap();
        assert!(m.insert("../etc/passwd", vec![]).is_err());
        assert_eq!(m.entries(""), vec![("dev".to_string(), false), ("test".to_string(), false)]);
        assert_eq!(m.entries("test"), vec![("a.csv".to_string(), true), ("b.csv".to_string(), true)]);
        assert!(m.has_dir("test") && !m.has_dir("tes") && !m.has_dir("val"));
        assert_eq!(m.get(Path::new("dev/c.csv")), Some(&b"z".to_vec()));
    }
}
