//! `results.json` (laid out like lm-evaluation-harness's, so existing tools
//! can read it) and `report.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::HarnessError;
use crate::options::RunOptions;
use crate::task::TaskOutcome;

/// Everything needed to reproduce a result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Provenance {
    /// The model file as given.
    pub model: String,
    /// sha256 of the model file.
    pub model_sha256: String,
    /// `general.name` of the model, if any.
    pub model_name: Option<String>,
    /// Architecture.
    pub architecture: String,
    /// Parameter count.
    pub parameters: u64,
    /// Tokenizer kind (and pre-tokenizer).
    pub tokenizer: String,
    /// Backend name and adapter.
    pub backend: String,
    /// kaoshi's version.
    pub kaoshi_version: String,
    /// Seed (generation is greedy; the seed drives nothing random yet but is recorded).
    pub seed: u64,
    /// When the results were written (UTC, ISO 8601).
    pub date: String,
    /// The control vectors the model was steered with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steering: Option<SteeringRecord>,
}

/// How a model was steered (`--control-vector`, `--control-layers`,
/// `--neurons`, `--neuron-scale`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SteeringRecord {
    /// The control vector files, each with its scale.
    #[serde(default)]
    pub vectors: Vec<ControlVectorUse>,
    /// The block range asked for (`--control-layers`), inclusive.
    #[serde(default)]
    pub layers: Option<[usize; 2]>,
    /// The blocks actually steered (a vector at block N is added to block N's output).
    #[serde(default)]
    pub blocks: Vec<usize>,
    /// The MLP neurons scaled (`--neurons`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurons: Option<NeuronsUse>,
}

/// A neuron list file and the factor its neurons were scaled by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeuronsUse {
    /// The file as given.
    pub file: String,
    /// sha256 of the file.
    pub sha256: String,
    /// How many neurons it lists.
    pub count: usize,
    /// Their multiplier (`--neuron-scale`).
    pub factor: f32,
}

/// One control vector file and its scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlVectorUse {
    /// The file as given.
    pub file: String,
    /// sha256 of the file.
    pub sha256: String,
    /// Its multiplier.
    pub scale: f32,
}

/// Group name -> member tasks (OpenEval's dimensions and the like).
pub type Groups = BTreeMap<String, Vec<String>>;

fn task_entry(o: &TaskOutcome) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("alias".into(), json!(o.task));
    for (k, v) in &o.metrics.metrics {
        m.insert(k.clone(), if v.is_finite() { json!(v) } else { Value::Null });
    }
    m.insert("n_unextracted".into(), json!(o.metrics.n_unextracted));
    Value::Object(m)
}

/// The results document.
pub fn results_json(
    outcomes: &[TaskOutcome],
    groups: &Groups,
    prov: &Provenance,
    opts: &RunOptions,
    template_sources: &BTreeMap<String, String>,
) -> Value {
    let mut results = serde_json::Map::new();
    let mut configs = serde_json::Map::new();
    let mut n_samples = serde_json::Map::new();
    for o in outcomes {
        results.insert(o.task.clone(), task_entry(o));
        for (subject, g) in &o.metrics.subjects {
            results.insert(
                format!("{}:{subject}", o.task),
                json!({ "alias": format!(" - {subject}"), "acc,none": g.acc, "n": g.n }),
            );
        }
        configs.insert(
            o.task.clone(),
            json!({
                "task": o.task,
                "output_type": o.mode,
                "num_fewshot": o.num_fewshot,
                "fewshot_selection": "first-n of the subject's dev split",
                "template_source": template_sources.get(&o.task),
                "prompt_hash": o.prompt_hash,
                "chat_template": o.chat_template,
                "judge_prompt_source": o.judge_prompt_source,
            }),
        );
        n_samples.insert(o.task.clone(), json!({ "original": o.n_original, "effective": o.n_effective }));
    }
    let mut group_results = serde_json::Map::new();
    for (g, members) in groups {
        let accs: Vec<f64> = outcomes
            .iter()
            .filter(|o| members.contains(&o.task))
            .filter_map(|o| o.metrics.metrics.get("acc,none").copied())
            .collect();
        if !accs.is_empty() {
            group_results.insert(
                g.clone(),
                json!({ "alias": g, "acc_macro_over_tasks,none": accs.iter().sum::<f64>() / accs.len() as f64, "n_tasks": accs.len() }),
            );
        }
    }
    let total_items: usize = outcomes.iter().map(|o| o.n_effective - o.n_resumed).sum();
    let total_s: f64 = outcomes.iter().map(|o| o.seconds).sum();
    json!({
        "results": results,
        "groups": group_results,
        "group_subtasks": groups,
        "configs": configs,
        "n-samples": n_samples,
        "breakdowns": outcomes.iter().map(|o| (o.task.clone(), json!({"subjects": o.metrics.subjects, "fields": o.metrics.breakdowns}))).collect::<serde_json::Map<_, _>>(),
        "skipped": outcomes.iter().map(|o| (o.task.clone(), json!(o.skipped))).collect::<serde_json::Map<_, _>>(),
        "config": {
            "model": prov.model,
            "model_sha256": prov.model_sha256,
            "limit": opts.limit,
            "num_fewshot": opts.num_fewshot,
            "mode": opts.mode,
            "chat_template": opts.chat,
            "ppl_window": opts.ppl_window,
            "judge": opts.judge,
        },
        "provenance": prov,
        "throughput": {
            "items": total_items,
            "seconds": total_s,
            "items_per_second": if total_s > 0.0 { total_items as f64 / total_s } else { 0.0 },
        },
    })
}

/// The per-task settings of a `results.json` (`configs.<task>`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TaskConfig {
    /// The task.
    pub task: String,
    /// Its mode.
    pub output_type: kaoshi_eval::Mode,
    /// Few-shot count.
    pub num_fewshot: usize,
    /// sha256 over the rendered prompts.
    pub prompt_hash: String,
    /// Whether the chat template was applied.
    pub chat_template: bool,
}

/// Item counts of a task (`n-samples.<task>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct SampleCounts {
    /// Items the suite has.
    pub original: usize,
    /// Items evaluated.
    pub effective: usize,
}

/// A `results.json` as read back (by `kaoshi report`, or to check a file the
/// web site exported): the parts every consumer relies on, typed. Fields
/// this reader does not know are ignored; missing or mistyped ones are
/// errors.
#[derive(Debug, Clone, Deserialize)]
pub struct ResultsDoc {
    /// Task (and `task:subject`) -> metric name -> value (`alias` is text;
    /// undefined metrics are null).
    pub results: BTreeMap<String, serde_json::Map<String, Value>>,
    /// Group -> `{alias, "acc_macro_over_tasks,none", n_tasks}`.
    pub groups: BTreeMap<String, serde_json::Map<String, Value>>,
    /// Task -> settings.
    pub configs: BTreeMap<String, TaskConfig>,
    /// Task -> item counts.
    #[serde(rename = "n-samples")]
    pub n_samples: BTreeMap<String, SampleCounts>,
    /// Model, backend, version, date.
    pub provenance: Provenance,
}

impl ResultsDoc {
    /// Parses and checks a `results.json` text: every task in `configs` has
    /// its `results` and `n-samples` entries, and every metric is a number
    /// or null.
    pub fn parse(text: &str) -> Result<Self, String> {
        let doc: Self = serde_json::from_str(text).map_err(|e| format!("not a kaoshi results.json: {e}"))?;
        for task in doc.configs.keys() {
            if !doc.results.contains_key(task) {
                return Err(format!("configs has task {task:?} but results has no entry for it"));
            }
            if !doc.n_samples.contains_key(task) {
                return Err(format!("configs has task {task:?} but n-samples has no entry for it"));
            }
        }
        for (key, metrics) in &doc.results {
            for (name, v) in metrics {
                let ok = if name == "alias" { v.is_string() } else { v.is_number() || v.is_null() };
                if !ok {
                    return Err(format!(
                        "results.{key}.{name}: expected {}, got {v}",
                        if name == "alias" { "text" } else { "a number or null" }
                    ));
                }
            }
        }
        Ok(doc)
    }

    /// A metric of a task or `task:subject` entry, when it is a number.
    pub fn metric(&self, key: &str, name: &str) -> Option<f64> {
        self.results.get(key)?.get(name)?.as_f64()
    }

    /// The tasks, in name order.
    pub fn tasks(&self) -> impl Iterator<Item = &str> {
        self.configs.keys().map(String::as_str)
    }
}

fn fmt(v: Option<&f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.4}"),
        _ => "–".into(),
    }
}

/// The human-readable report.
pub fn report_md(outcomes: &[TaskOutcome], prov: &Provenance) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# kaoshi results\n");
    let _ = writeln!(
        s,
        "Model `{}` ({}, {:.1} M parameters), sha256 `{}`, tokenizer {}, backend {}, kaoshi {}, {}.\n",
        prov.model,
        prov.architecture,
        prov.parameters as f64 / 1e6,
        prov.model_sha256,
        prov.tokenizer,
        prov.backend,
        prov.kaoshi_version,
        prov.date
    );
    let _ = writeln!(
        s,
        "| task | mode | shots | n | acc (micro) | ± stderr | acc (macro over subjects) | acc_norm | bits/byte | unextracted | skipped rows |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|");
    for o in outcomes {
        let m = &o.metrics.metrics;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            o.task,
            o.mode.as_str(),
            o.num_fewshot,
            o.n_effective,
            fmt(m.get("acc,none")),
            fmt(m.get("acc_stderr,none")),
            fmt(m.get("acc_macro,none")),
            fmt(m.get("acc_norm,none")),
            fmt(m.get("bits_per_byte,none")),
            o.metrics.n_unextracted,
            o.skipped.len()
        );
    }
    for o in outcomes {
        if o.metrics.subjects.len() > 1 {
            let _ = writeln!(s, "\n## {}: by subject\n\n| subject | n | acc |\n|---|---|---|", o.task);
            for (k, g) in &o.metrics.subjects {
                let _ = writeln!(s, "| {k} | {} | {:.4} |", g.n, g.acc);
            }
        }
        for (field, groups) in &o.metrics.breakdowns {
            let _ = writeln!(s, "\n## {}: by {field}\n\n| {field} | n | acc |\n|---|---|---|", o.task);
            for (k, g) in groups {
                let _ = writeln!(s, "| {k} | {} | {:.4} |", g.n, g.acc);
            }
        }
    }
    let judged: Vec<&TaskOutcome> =
        outcomes.iter().filter(|o| o.metrics.metrics.contains_key("judge_unparsed,none")).collect();
    if !judged.is_empty() {
        let _ = writeln!(
            s,
            "\n## Judge scores\n\n| task | n | mean score (0-1) | ± stderr | unparsed verdicts |\n|---|---|---|---|---|"
        );
        for o in judged {
            let m = &o.metrics.metrics;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                o.task,
                o.n_effective,
                fmt(m.get("judge_score_mean,none")),
                fmt(m.get("judge_score_mean_stderr,none")),
                m.get("judge_unparsed,none").copied().unwrap_or(0.0)
            );
        }
    }
    let _ = writeln!(
        s,
        "\nAccuracy is micro-averaged (every item counts once) unless marked macro (every subject counts once). Unextracted generated answers count as wrong."
    );
    s
}

/// Writes `results.json` and `report.md` into `dir` (each through a
/// temporary file and a rename, so a kill never leaves half a file).
pub fn write(dir: &Path, results: &Value, report: &str) -> Result<(), HarnessError> {
    let put = |name: &str, body: &[u8]| -> Result<(), HarnessError> {
        let tmp = dir.join(format!(".{name}.tmp"));
        let path = dir.join(name);
        std::fs::write(&tmp, body).map_err(|e| HarnessError::Io { path: tmp.clone(), source: e })?;
        std::fs::rename(&tmp, &path).map_err(|e| HarnessError::Io { path, source: e })
    };
    let json = serde_json::to_string_pretty(results).map_err(|e| HarnessError::Journal(e.to_string()))?;
    put("results.json", json.as_bytes())?;
    put("report.md", report.as_bytes())
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_utc() -> String {
    let secs =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_418), (2025, 11, 26));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn steering_records_without_neurons_still_read() {
        let old = r#"{"vectors": [{"file": "v.gguf", "sha256": "ab", "scale": 2.0}], "layers": null, "blocks": [3]}"#;
        let r: SteeringRecord = serde_json::from_str(old).unwrap();
        assert_eq!(r.neurons, None);
        assert_eq!(r.blocks, vec![3]);
        assert!(!serde_json::to_string(&r).unwrap().contains("neurons"));
        let n = NeuronsUse { file: "cn.json".into(), sha256: "cd".into(), count: 14, factor: 4.0 };
        let only = SteeringRecord { vectors: vec![], layers: None, blocks: vec![], neurons: Some(n) };
        let back: SteeringRecord = serde_json::from_str(&serde_json::to_string(&only).unwrap()).unwrap();
        assert_eq!(back, only);
        let r: SteeringRecord =
            serde_json::from_str(r#"{"neurons": {"file": "c", "sha256": "d", "count": 1, "factor": 0.5}}"#).unwrap();
        assert_eq!(r.neurons.map(|n| n.count), Some(1));
    }
}
