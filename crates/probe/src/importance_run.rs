//! The importance probe's resumable state, model-free. [`RunState`] keeps
//! each language's [`LanguageSums`] and, with an output folder, two kinds
//! of files:
//!
//! - `importance_journal.jsonl`: a header line `{"options": ...}`, then one
//!   [`Record`] per finished sentence (its loss, tokens and per-layer site
//!   sums), appended, flushed and synced as soon as it is scored;
//! - `importance_neurons_<lang>.json`: the language's sums, gate and up
//!   neurons included, and the sentences they hold, rewritten through a
//!   temporary file and a rename after each journal line.
//!
//! A sentence is finished when its neuron file holds it (the journal line
//! comes first, so a kill between the two loses that one sentence, which is
//! scored again; the journal's duplicate is dropped on reading). A rerun
//! with other options is refused.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ProbeError;
use crate::importance::{LanguageSums, SentenceScores, Site};

/// The journal's file name in the output folder.
pub const JOURNAL: &str = "importance_journal.jsonl";

/// A language's neuron file name.
pub fn neurons_file(lang: &str) -> String {
    format!("importance_neurons_{lang}.json")
}

/// One finished sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The language.
    pub lang: String,
    /// The sentence's line (0-based).
    pub index: usize,
    /// Tokens (BOS included).
    pub tokens: usize,
    /// Its mean next-token loss.
    pub loss: f64,
    /// `[layer][site]` in [`Site::ALL`]'s order: the site's summed neuron
    /// importance.
    pub sites: Vec<[f64; 9]>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    options: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
struct NeuronFile {
    indices: BTreeSet<usize>,
    sums: LanguageSums,
}

/// Languages' sums, records and (with a folder) their files.
pub struct RunState {
    langs: Vec<String>,
    sums: Vec<LanguageSums>,
    indices: Vec<BTreeSet<usize>>,
    records: Vec<Record>,
    out: Option<(PathBuf, File)>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ProbeError + '_ {
    move |source| ProbeError::Io { path: path.to_path_buf(), source }
}

fn data(e: impl std::fmt::Display) -> ProbeError {
    ProbeError::Data(e.to_string())
}

impl RunState {
    /// A state with no files.
    pub fn in_memory(langs: &[String], layers: usize, ffn: usize) -> Self {
        Self {
            langs: langs.to_vec(),
            sums: vec![LanguageSums::new(layers, ffn); langs.len()],
            indices: vec![BTreeSet::new(); langs.len()],
            records: Vec::new(),
            out: None,
        }
    }

    /// Opens (or starts) the journal in `dir`, written with `options`
    /// (anything that changes a result); an existing journal of other
    /// options is an error.
    pub fn open(
        dir: &Path,
        options: &serde_json::Value,
        langs: &[String],
        layers: usize,
        ffn: usize,
    ) -> Result<Self, ProbeError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut s = Self::in_memory(langs, layers, ffn);
        let path = dir.join(JOURNAL);
        let journal = read_journal(&path, options)?;
        for (k, lang) in langs.iter().enumerate() {
            let p = dir.join(neurons_file(lang));
            let text = match std::fs::read_to_string(&p) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(&p)(e)),
            };
            let f: NeuronFile = serde_json::from_str(&text)
                .map_err(|e| ProbeError::Data(format!("{}: {e} (use another --output)", p.display())))?;
            let shape_ok = f.sums.sites.len() == layers
                && f.sums.gate.iter().chain(&f.sums.up).all(|r| r.len() == ffn)
                && f.sums.gate.len() == layers
                && f.sums.sentences == f.indices.len();
            if !shape_ok {
                return Err(ProbeError::Data(format!(
                    "{}: not this model's shape (use another --output)",
                    p.display()
                )));
            }
            for &i in &f.indices {
                let r = journal.iter().rev().find(|r| &r.lang == lang && r.index == i).ok_or_else(|| {
                    ProbeError::Data(format!(
                        "{}: sentence {i} is not in {JOURNAL} (use another --output)",
                        p.display()
                    ))
                })?;
                s.records.push(r.clone());
            }
            s.sums[k] = f.sums;
            s.indices[k] = f.indices;
        }
        let file = OpenOptions::new().create(true).append(true).open(&path).map_err(io(&path))?;
        let mut s = Self { out: Some((dir.to_path_buf(), file)), ..s };
        if journal.is_empty() && std::fs::metadata(&path).map_err(io(&path))?.len() == 0 {
            let line = serde_json::to_string(&Header { options: options.clone() }).map_err(data)?;
            s.append(&line)?;
        }
        Ok(s)
    }

    fn append(&mut self, line: &str) -> Result<(), ProbeError> {
        let Some((dir, file)) = &mut self.out else { return Ok(()) };
        let path = dir.join(JOURNAL);
        file.write_all(format!("{line}\n").as_bytes())
            .and_then(|()| file.flush())
            .and_then(|()| file.sync_data())
            .map_err(io(&path))
    }

    /// Whether sentence `index` of `lang` is finished.
    pub fn has(&self, lang: &str, index: usize) -> bool {
        self.langs.iter().position(|l| l == lang).is_some_and(|k| self.indices[k].contains(&index))
    }

    /// Finished sentences over all languages.
    pub fn finished(&self) -> usize {
        self.indices.iter().map(BTreeSet::len).sum()
    }

    /// Adds a scored sentence: journal line, sums, neuron file.
    pub fn add(&mut self, lang: &str, index: usize, s: &SentenceScores) -> Result<(), ProbeError> {
        let k = self
            .langs
            .iter()
            .position(|l| l == lang)
            .ok_or_else(|| ProbeError::Options(format!("{lang} is not a language of this run")))?;
        let r = Record { lang: lang.into(), index, tokens: s.tokens, loss: s.loss, sites: s.site_sums() };
        self.append(&serde_json::to_string(&r).map_err(data)?)?;
        self.sums[k].add(&r.sites, &s.of(Site::Gate), &s.of(Site::Up));
        self.indices[k].insert(index);
        self.records.push(r);
        if let Some((dir, _)) = &self.out {
            let f = NeuronFile { indices: self.indices[k].clone(), sums: self.sums[k].clone() };
            let (path, tmp) = (dir.join(neurons_file(lang)), dir.join(format!("{}.tmp", neurons_file(lang))));
            let text = serde_json::to_string(&f).map_err(data)?;
            File::create(&tmp)
                .and_then(|mut t| t.write_all(text.as_bytes()).and_then(|()| t.sync_data()))
                .map_err(io(&tmp))?;
            std::fs::rename(&tmp, &path).map_err(io(&path))?;
        }
        Ok(())
    }

    /// Each language's sums, in the run's language order.
    pub fn sums(&self) -> &[LanguageSums] {
        &self.sums
    }

    /// The finished sentences' records.
    pub fn records(&self) -> &[Record] {
        &self.records
    }
}

/// The journal's records, after checking its header against `options`. A
/// last line cut short by a kill is dropped and cut from the file; a bad
/// line elsewhere is an error.
fn read_journal(path: &Path, options: &serde_json::Value) -> Result<Vec<Record>, ProbeError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(path)(e)),
    };
    let lines: Vec<String> = BufReader::new(file).lines().collect::<Result<_, _>>().map_err(io(path))?;
    let Some(first) = lines.first() else { return Ok(Vec::new()) };
    let header: Header = serde_json::from_str(first).map_err(|e| {
        ProbeError::Data(format!("{}:1: {e} (not a journal header; use another --output)", path.display()))
    })?;
    if &header.options != options {
        let differ: Vec<String> = header
            .options
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| options.get(k.as_str()) != Some(v))
            .map(|(k, v)| format!("{k} was {v}, now {}", options.get(k.as_str()).cloned().unwrap_or_default()))
            .collect();
        return Err(ProbeError::Options(format!(
            "{} was written with other options ({}): use another --output",
            path.display(),
            if differ.is_empty() { "new options".to_string() } else { differ.join("; ") }
        )));
    }
    let (mut out, mut good) = (Vec::new(), first.len() as u64 + 1);
    for (i, line) in lines.iter().enumerate().skip(1) {
        match serde_json::from_str::<Record>(line) {
            Ok(r) => {
                out.push(r);
                good += line.len() as u64 + 1;
            }
            Err(_) if i + 1 == lines.len() => {
                OpenOptions::new().write(true).open(path).and_then(|f| f.set_len(good)).map_err(io(path))?;
            }
            Err(e) => {
                return Err(ProbeError::Data(format!("{}:{}: {e} (use another --output)", path.display(), i + 1)));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(x: f64) -> SentenceScores {
        // 1 layer, sites 2 neurons wide, MLP 2 wide.
        SentenceScores { loss: x, tokens: 3, neurons: vec![vec![vec![x, 2.0 * x]; 9]] }
    }

    #[test]
    fn resumes_drops_a_torn_line_and_refuses_other_options() {
        let dir = std::env::temp_dir().join(format!("importance-run-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let langs = vec!["aaa_Latn".to_string(), "bbb_Latn".to_string()];
        let opts = serde_json::json!({ "limit": 2 });
        let mut s = RunState::open(&dir, &opts, &langs, 1, 2).expect("open");
        s.add("aaa_Latn", 0, &scores(1.0)).expect("add");
        s.add("aaa_Latn", 1, &scores(3.0)).expect("add");
        // A journal line whose neuron file was never written (a kill in
        // between), then a torn line.
        let r = Record { lang: "bbb_Latn".into(), index: 0, tokens: 3, loss: 9.0, sites: vec![[1.0; 9]] };
        s.append(&serde_json::to_string(&r).expect("json")).expect("line");
        drop(s);
        let mut f = OpenOptions::new().append(true).open(dir.join(JOURNAL)).expect("file");
        f.write_all(b"{\"lang\":\"bbb").expect("torn");
        drop(f);
        let s = RunState::open(&dir, &opts, &langs, 1, 2).expect("resume");
        assert!(s.has("aaa_Latn", 0) && s.has("aaa_Latn", 1) && !s.has("bbb_Latn", 0));
        assert_eq!(s.finished(), 2);
        // Sums of sentence 1 and 3: gate neurons (1 + 3, 2 + 6).
        assert_eq!(s.sums()[0].gate, vec![vec![4.0, 8.0]]);
        assert_eq!(s.sums()[0].sites[0][0], 12.0);
        assert_eq!(s.records().len(), 2);
        let text = std::fs::read_to_string(dir.join(JOURNAL)).expect("journal");
        assert_eq!(text.lines().count(), 4, "header, two records, the orphan; the torn line cut");
        let err = RunState::open(&dir, &serde_json::json!({ "limit": 3 }), &langs, 1, 2).err().expect("refused");
        assert!(err.to_string().contains("limit was 2, now 3"), "{err}");
        let err = RunState::open(&dir, &opts, &langs, 2, 2).err().expect("other shape");
        assert!(err.to_string().contains("shape"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
