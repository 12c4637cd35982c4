//! The IFD probe's journal and results, model-free: [`Journal`] appends one
//! [`IfdRecord`] per candidate as soon as it is computed (flushed and
//! synced), [`RunKey`] refuses to resume a folder written with other
//! options, and [`assemble`] turns the records into the per-candidate
//! [`Row`]s and the [`Summary`] (the seed-level math of [`crate::ifd`]), so
//! a resumed run and an uninterrupted one give the same output.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::ifd::{Candidate, Verdict, pi_dual, pi_llm, select};
use crate::ifd_probe::{IfdScore, Judged};
use crate::{ProbeError, journal};

/// The journal's file name in the output folder.
pub const JOURNAL: &str = "ifd_journal.jsonl";
/// The options the journal was written with.
pub const KEY: &str = "ifd_options.json";

/// What was computed for one candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IfdRecord {
    /// The candidate's id.
    pub id: String,
    /// IFD on the small model.
    pub small: IfdScore,
    /// IFD on the large model (with `--large`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub large: Option<IfdScore>,
    /// The judge's comparison with the seed's base (with `--judge`; never
    /// for the base itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged: Option<Judged>,
}

/// What must match for a rerun to resume a folder: everything that
/// changes a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunKey {
    /// sha256 of the data file.
    pub data_sha256: String,
    /// sha256 of the small model.
    pub small_sha256: String,
    /// sha256 of the large model.
    pub large_sha256: Option<String>,
    /// sha256 of the judge model.
    pub judge_sha256: Option<String>,
    /// `auto` or `none`.
    pub chat_template: String,
    /// The base agent, or `None` for each seed's first candidate.
    pub base_agent: Option<String>,
    /// The judge's token cap.
    pub judge_max_tokens: usize,
    /// `cpu` or `gpu: ...` as loaded.
    pub backend: String,
}

impl RunKey {
    /// Writes the key into `dir`, or checks it against the one there.
    pub fn check_or_write(&self, dir: &Path) -> Result<(), ProbeError> {
        journal::check_or_write_key(dir, KEY, self)
    }
}

/// Reads the records of `dir`'s journal. A last line cut short by a kill is
/// dropped and cut from the file; a bad line elsewhere is an error.
pub fn read_journal(dir: &Path) -> Result<Vec<IfdRecord>, ProbeError> {
    journal::read(dir, JOURNAL)
}

/// The journal, open for appending.
pub struct Journal(journal::Journal<IfdRecord>);

impl Journal {
    /// Opens `dir`'s journal for appending.
    pub fn open(dir: &Path) -> Result<Self, ProbeError> {
        journal::Journal::open(dir, JOURNAL).map(Self)
    }

    /// Appends one record, flushed and synced to disk.
    pub fn append(&mut self, r: &IfdRecord) -> Result<(), ProbeError> {
        self.0.append(r)
    }
}

/// Each seed's base candidate (an index into `cands`): the candidate whose
/// agent is `base_agent`, else the seed's first candidate in file order.
pub fn bases(cands: &[Candidate], base_agent: Option<&str>) -> Result<HashMap<String, usize>, ProbeError> {
    let mut out = HashMap::new();
    for (i, c) in cands.iter().enumerate() {
        match base_agent {
            None => {
                out.entry(c.seed.clone()).or_insert(i);
            }
            Some(a) if c.agent.as_deref() == Some(a) => {
                if out.insert(c.seed.clone(), i).is_some() {
                    return Err(ProbeError::Data(format!("seed {:?} has two candidates of base agent {a:?}", c.seed)));
                }
            }
            Some(_) => {}
        }
    }
    if let Some(c) = cands.iter().find(|c| !out.contains_key(&c.seed)) {
        return Err(ProbeError::Data(format!(
            "seed {:?} has no candidate of base agent {:?}",
            c.seed,
            base_agent.unwrap_or_default()
        )));
    }
    Ok(out)
}

/// One output row per candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub id: String,
    pub seed: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    pub ifd_small: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ifd_large: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pi_dual: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pi_llm: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pi: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected: Option<bool>,
    /// Whether this is its seed's base candidate.
    pub base: bool,
    /// The seed's largest IFD gap was <= 0: pi_dual = 0 for all its candidates.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_positive_gap: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judge_raw: Option<String>,
    pub small: IfdScore,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub large: Option<IfdScore>,
}

/// The run's numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub probe: &'static str,
    pub n_candidates: usize,
    pub n_seeds: usize,
    pub mean_ifd_small: f64,
    pub mean_ifd_large: Option<f64>,
    /// Candidates with IFD_small >= 1 (the instruction does not help).
    pub n_ifd_small_ge_1: usize,
    pub judge_parsed: Option<usize>,
    pub judge_unparsed: Option<usize>,
    /// Seeds whose largest gap was <= 0.
    pub seeds_without_positive_gap: Option<usize>,
    /// Seeds with a selected candidate.
    pub seeds_selected: Option<usize>,
    /// The id selected for each seed (with `--large`).
    pub selected: Option<BTreeMap<String, String>>,
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = xs.filter(|x| x.is_finite()).collect();
    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
}

/// Rows and summary from the candidates and their records (every candidate
/// must have one). `pi` and the selection need the large model's IFD; the
/// judge's `pi_llm` is taken as 1 when there is no judge.
pub fn assemble(
    cands: &[Candidate],
    records: &[IfdRecord],
    bases: &HashMap<String, usize>,
    judged: bool,
) -> Result<(Vec<Row>, Summary), ProbeError> {
    let by_id: HashMap<&str, &IfdRecord> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut rows = Vec::with_capacity(cands.len());
    for (i, c) in cands.iter().enumerate() {
        let r = by_id.get(c.id.as_str()).ok_or_else(|| ProbeError::Data(format!("id {:?} was not scored", c.id)))?;
        let base = bases.get(&c.seed) == Some(&i);
        let verdict = r.judged.as_ref().and_then(|j| j.verdict);
        rows.push(Row {
            id: c.id.clone(),
            seed: c.seed.clone(),
            agent: c.agent.clone(),
            ifd_small: r.small.ifd,
            ifd_large: r.large.as_ref().map(|l| l.ifd),
            pi_dual: None,
            pi_llm: if base && judged { Some(0.5) } else { verdict.map(pi_llm) },
            pi: None,
            selected: None,
            base,
            no_positive_gap: false,
            verdict,
            judge_raw: r.judged.as_ref().map(|j| j.raw.clone()),
            small: r.small.clone(),
            large: r.large.clone(),
        });
    }
    let mut seeds: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in cands.iter().enumerate() {
        seeds.entry(&c.seed).or_default().push(i);
    }
    let has_large = rows.iter().all(|r| r.ifd_large.is_some());
    let (mut no_gap, mut selected) = (0, BTreeMap::new());
    if has_large {
        for (seed, members) in &seeds {
            let small: Vec<f64> = members.iter().map(|&i| rows[i].ifd_small).collect();
            let large: Vec<f64> = members.iter().map(|&i| rows[i].ifd_large.unwrap_or(f64::NAN)).collect();
            let (dual, flag) = pi_dual(&small, &large);
            no_gap += usize::from(flag);
            let mut pis = Vec::with_capacity(members.len());
            for (&i, d) in members.iter().zip(dual) {
                let row = &mut rows[i];
                row.pi_dual = Some(d);
                row.no_positive_gap = flag;
                row.pi = if judged { row.pi_llm.map(|l| l * d) } else { Some(d) };
                pis.push(row.pi);
            }
            let pick = select(&pis);
            for (k, &i) in members.iter().enumerate() {
                rows[i].selected = Some(pick == Some(k));
            }
            if let Some(k) = pick {
                selected.insert(seed.to_string(), rows[members[k]].id.clone());
            }
        }
    }
    let non_base = rows.iter().filter(|r| !r.base);
    let summary = Summary {
        probe: "ifd",
        n_candidates: rows.len(),
        n_seeds: seeds.len(),
        mean_ifd_small: mean(rows.iter().map(|r| r.ifd_small)),
        mean_ifd_large: has_large.then(|| mean(rows.iter().filter_map(|r| r.ifd_large))),
        n_ifd_small_ge_1: rows.iter().filter(|r| r.ifd_small >= 1.0).count(),
        judge_parsed: judged.then(|| non_base.clone().filter(|r| r.verdict.is_some()).count()),
        judge_unparsed: judged.then(|| non_base.filter(|r| r.verdict.is_none()).count()),
        seeds_without_positive_gap: has_large.then_some(no_gap),
        seeds_selected: has_large.then_some(selected.len()),
        selected: has_large.then_some(selected),
    };
    Ok((rows, summary))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::OpenOptions;
    use std::io::Write;

    fn cand(id: &str, seed: &str, agent: &str) -> Candidate {
        Candidate {
            id: id.into(),
            seed: seed.into(),
            instruction: "i".into(),
            response: "r".into(),
            agent: Some(agent.into()),
        }
    }

    fn score(ifd: f64) -> IfdScore {
        IfdScore { ifd, ppl_conditioned: ifd, ppl_direct: 1.0, n_conditioned: 1, n_direct: 1 }
    }

    #[test]
    fn rows_follow_the_seed_rules() {
        let cands = [cand("a", "s1", "x"), cand("b", "s1", "y"), cand("c", "s2", "x"), cand("d", "s2", "y")];
        let rec = |id: &str, s: f64, l: f64, v: Option<Verdict>| IfdRecord {
            id: id.into(),
            small: score(s),
            large: Some(score(l)),
            judged: v.map(|v| Judged { raw: format!("{v:?}"), verdict: Some(v) }),
        };
        let records = [
            rec("a", 1.0, 0.5, None),
            rec("b", 0.75, 0.5, Some(Verdict::A)),
            rec("c", 0.5, 0.7, None),
            rec("d", 0.4, 0.6, Some(Verdict::B)),
        ];
        let bases = bases(&cands, Some("x")).expect("bases");
        let (rows, s) = assemble(&cands, &records, &bases, true).expect("rows");
        // s1: gaps 0.5, 0.25 -> pi_dual 1, 0.5; pi_llm 0.5 (base), 1 -> pi 0.5, 0.5: a tie, the first wins.
        assert_eq!(rows[0].pi, Some(0.5));
        assert!((rows[1].pi.expect("pi") - 0.5).abs() < 1e-12);
        assert_eq!((rows[0].selected, rows[1].selected), (Some(true), Some(false)));
        // s2: gaps <= 0: pi_dual 0, flagged, nothing selected.
        assert!(rows[2].no_positive_gap && rows[3].pi_dual == Some(0.0) && rows[3].selected == Some(false));
        assert_eq!((s.seeds_without_positive_gap, s.seeds_selected), (Some(1), Some(1)));
        assert_eq!((s.judge_parsed, s.judge_unparsed), (Some(2), Some(0)));
        let err = super::bases(&cands, Some("z")).unwrap_err().to_string();
        assert!(err.contains("no candidate of base agent"), "{err}");
    }

    #[test]
    fn journal_drops_a_torn_last_line_and_key_mismatch_is_refused() {
        let dir = std::env::temp_dir().join(format!("ifd-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let key = RunKey {
            data_sha256: "d".into(),
            small_sha256: "s".into(),
            large_sha256: None,
            judge_sha256: None,
            chat_template: "auto".into(),
            base_agent: None,
            judge_max_tokens: 8,
            backend: "cpu".into(),
        };
        key.check_or_write(&dir).expect("write");
        key.check_or_write(&dir).expect("same key");
        let other = RunKey { chat_template: "none".into(), ..key.clone() };
        let err = other.check_or_write(&dir).unwrap_err().to_string();
        assert!(err.contains("chat_template") && err.contains("another --output"), "{err}");
        let mut j = Journal::open(&dir).expect("open");
        let r = IfdRecord { id: "a".into(), small: score(0.5), large: None, judged: None };
        j.append(&r).expect("append");
        drop(j);
        let mut f = OpenOptions::new().append(true).open(dir.join(JOURNAL)).expect("file");
        f.write_all(b"{\"id\":\"b\",\"sm").expect("torn");
        assert_eq!(read_journal(&dir).expect("read"), vec![r.clone()]);
        assert_eq!(std::fs::read_to_string(dir.join(JOURNAL)).expect("text").lines().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
