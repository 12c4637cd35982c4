//! [`ParallelCorpus`]: line-aligned sentences in several languages, as
//! FLORES-200 publishes them (`devtest/<lang_Script>.devtest`, line `i`
//! the same sentence in every language).

use std::path::{Path, PathBuf};

use crate::error::ProbeError;

/// Sentences of several languages, line `i` of each a translation of the
/// others' line `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParallelCorpus {
    /// Language codes, in the order asked for.
    pub langs: Vec<String>,
    /// `sentences[lang][i]`.
    pub sentences: Vec<Vec<String>>,
}

impl ParallelCorpus {
    /// Reads `<lang>.devtest` (or `<lang>.dev`, `<lang>.txt`) of each
    /// language from `dir` or its `devtest/` folder, the first `limit`
    /// lines (all when `None`). Every language must have the same number of
    /// lines (they are translations of one another) and no empty line.
    pub fn read(dir: &Path, langs: &[String], limit: Option<usize>) -> Result<Self, ProbeError> {
        if langs.is_empty() {
            return Err(ProbeError::Options("no languages given (e.g. --langs eng_Latn,zho_Hans)".into()));
        }
        let mut sentences = Vec::with_capacity(langs.len());
        for lang in langs {
            let path = find(dir, lang)?;
            let text =
                std::fs::read_to_string(&path).map_err(|source| ProbeError::Io { path: path.clone(), source })?;
            let mut lines: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
            while lines.last().is_some_and(String::is_empty) {
                lines.pop();
            }
            if let Some(i) = lines.iter().position(String::is_empty) {
                return Err(ProbeError::Data(format!(
                    "{}:{}: an empty line in a parallel corpus",
                    path.display(),
                    i + 1
                )));
            }
            if let Some(n) = limit {
                lines.truncate(n);
            }
            sentences.push(lines);
        }
        let n = sentences[0].len();
        if let Some((lang, other)) = langs.iter().zip(&sentences).find(|(_, s)| s.len() != n) {
            return Err(ProbeError::Data(format!(
                "{lang} has {} sentences, {} has {n}: the files are not line-aligned translations",
                other.len(),
                langs[0]
            )));
        }
        if n == 0 {
            return Err(ProbeError::Data(format!("no sentences in {}", dir.display())));
        }
        Ok(Self { langs: langs.to_vec(), sentences })
    }

    /// Sentences per language.
    pub fn len(&self) -> usize {
        self.sentences.first().map_or(0, Vec::len)
    }

    /// Whether there are no sentences.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The file of `lang` in `dir` or `dir/devtest`.
fn find(dir: &Path, lang: &str) -> Result<PathBuf, ProbeError> {
    if lang.is_empty() || lang.contains(['/', '\\']) || lang.starts_with('.') {
        return Err(ProbeError::Options(format!("{lang:?} is not a language code (e.g. eng_Latn)")));
    }
    let folders = [dir.to_path_buf(), dir.join("devtest")];
    for folder in &folders {
        for ext in ["devtest", "dev", "txt"] {
            let p = folder.join(format!("{lang}.{ext}"));
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    let have: Vec<String> = folders
        .iter()
        .filter_map(|f| std::fs::read_dir(f).ok())
        .flatten()
        .flatten()
        .filter_map(|e| e.path().file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    Err(ProbeError::Data(format!(
        "no file for language {lang} in {} (looked for {lang}.devtest, .dev, .txt there and in devtest/; found: {})",
        dir.display(),
        if have.is_empty() { "nothing".to_string() } else { have.join(", ") }
    )))
}
