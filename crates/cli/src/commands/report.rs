//! `kaoshi report`: reads `results.json` files (written by `kaoshi eval` or
//! exported by the web site), checks them against the harness's typed
//! reader ([`ResultsDoc`]) and prints their scores side by side: per task,
//! per group and, with `--subjects`, per subject; with two files, the
//! difference (second minus first).

use std::fmt::Write as _;
use std::path::PathBuf;

use kaoshi_harness::results::ResultsDoc;

use crate::error::CliError;

/// Options of `kaoshi report`.
#[derive(clap::Args)]
pub struct Args {
    /// results.json files (one or more).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Only check that each file is a well-formed results.json; print one line per file.
    #[arg(long)]
    check: bool,
    /// Also list every subject.
    #[arg(long)]
    subjects: bool,
}

pub fn run(args: Args) -> Result<(), CliError> {
    let mut docs = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let text = std::fs::read_to_string(path).map_err(CliError::io(path))?;
        let doc = ResultsDoc::parse(&text).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        docs.push(doc);
    }
    if args.check {
        for (path, doc) in args.files.iter().zip(&docs) {
            println!(
                "{}: ok ({} tasks, model sha256 {})",
                path.display(),
                doc.configs.len(),
                doc.provenance.model_sha256
            );
        }
        return Ok(());
    }
    print!("{}", table(&args.files, &docs, args.subjects));
    Ok(())
}

/// Formats a score with its standard error when there is one.
fn cell(doc: &ResultsDoc, key: &str, metric: &str, stderr: Option<&str>) -> String {
    match doc.metric(key, metric) {
        Some(v) => match stderr.and_then(|e| doc.metric(key, e)) {
            Some(se) => format!("{v:.4} ± {se:.4}"),
            None => format!("{v:.4}"),
        },
        None => "–".into(),
    }
}

/// Rows: (label, key in `results` or `groups`, metric, stderr metric).
fn rows(docs: &[ResultsDoc], subjects: bool) -> Vec<(String, String, &'static str, Option<&'static str>)> {
    let mut tasks: Vec<&str> = docs.iter().flat_map(ResultsDoc::tasks).collect();
    tasks.sort_unstable();
    tasks.dedup();
    let mut out = Vec::new();
    for task in tasks {
        let has = |m: &str| docs.iter().any(|d| d.metric(task, m).is_some());
        if has("acc,none") {
            out.push((format!("{task} acc"), task.to_string(), "acc,none", Some("acc_stderr,none")));
        }
        if has("acc_macro,none") {
            out.push((
                format!("{task} acc (macro)"),
                task.to_string(),
                "acc_macro,none",
                Some("acc_macro_stderr,none"),
            ));
        }
        if has("bits_per_byte,none") {
            out.push((format!("{task} bits/byte"), task.to_string(), "bits_per_byte,none", None));
        }
        if subjects {
            let prefix = format!("{task}:");
            let mut keys: Vec<&str> = docs
                .iter()
                .flat_map(|d| d.results.keys())
                .map(String::as_str)
                .filter(|k| k.starts_with(&prefix))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                out.push((format!("  {}", &k[prefix.len()..]), k.to_string(), "acc,none", None));
            }
        }
    }
    out
}

fn table(paths: &[PathBuf], docs: &[ResultsDoc], subjects: bool) -> String {
    let mut s = String::new();
    for (i, (p, d)) in paths.iter().zip(docs).enumerate() {
        let prov = &d.provenance;
        let _ = writeln!(
            s,
            "[{}] {}: {} ({}), sha256 {}, backend {}, kaoshi {}, {}",
            i + 1,
            p.display(),
            prov.model,
            prov.architecture,
            &prov.model_sha256[..prov.model_sha256.len().min(12)],
            prov.backend,
            prov.kaoshi_version,
            prov.date
        );
    }
    let two = docs.len() == 2;
    let mut header = "| score |".to_string();
    for i in 0..docs.len() {
        let _ = write!(header, " [{}] |", i + 1);
    }
    if two {
        header.push_str(" [2] − [1] |");
    }
    let _ = writeln!(s, "\n{header}\n|{}", "---|".repeat(docs.len() + 1 + usize::from(two)));
    for (label, key, metric, stderr) in rows(docs, subjects) {
        let _ = write!(s, "| {label} |");
        for d in docs {
            let _ = write!(s, " {} |", cell(d, &key, metric, stderr));
        }
        if two {
            let delta = docs[0].metric(&key, metric).zip(docs[1].metric(&key, metric)).map(|(a, b)| b - a);
            let _ = write!(s, " {} |", delta.map_or("–".into(), |x| format!("{x:+.4}")));
        }
        s.push('\n');
    }
    let mut groups: Vec<&str> = docs.iter().flat_map(|d| d.groups.keys()).map(String::as_str).collect();
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        let _ = write!(s, "| group {g} |");
        let vals: Vec<Option<f64>> =
            docs.iter().map(|d| d.groups.get(g).and_then(|m| m.get("acc_macro_over_tasks,none")?.as_f64())).collect();
        for v in &vals {
            let _ = write!(s, " {} |", v.map_or("–".into(), |x| format!("{x:.4}")));
        }
        if two {
            let delta = vals[0].zip(vals[1]).map(|(a, b)| b - a);
            let _ = write!(s, " {} |", delta.map_or("–".into(), |x| format!("{x:+.4}")));
        }
        s.push('\n');
    }
    s
}
