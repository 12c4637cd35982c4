//! M3KE (tjunlp-lab/M3KE): Chinese multi-level multi-subject knowledge, 71
//! tasks; kaoshi's stand-in for LHMKE's objective part (LHMKE's data is not
//! public).
//!
//! Files: `dev/<Subject>-<Cluster>-<Level>.jsonl` (5 items per task WITH
//! answers) and `test/...` (answers withheld upstream: `"answer": ""`);
//! `subject_cluster.mapping.json` (`{cluster: [task names]}`).
//!
//! Decision: the dev split is the scored split (it is the only one with
//! labels); `test/` is not read. Few-shot is therefore unavailable:
//! `SuiteData::dev` is empty, since exemplars from the scored split would
//! leak answers. Users with externally obtained test labels should add them
//! to the test files and point a future loader option at them.

use std::collections::BTreeMap;
use std::path::Path;

use super::exam_common::{check_mc, json_str, list_files, read_utf8, skip, stem};
use crate::item::{Answer, DataError, Item, Prompt};
use crate::suite::{Mode, Suite, SuiteData, SuiteInfo};

/// The M3KE suite.
pub struct M3ke;

fn read_clusters(dir: &Path) -> Result<BTreeMap<String, String>, DataError> {
    let path = dir.join("subject_cluster.mapping.json");
    let value = super::exam_common::parse_json(&path, &read_utf8(&path)?)?;
    let obj = value
        .as_object()
        .ok_or_else(|| DataError::malformed(&path, 1, "expected an object {cluster: [task names]}"))?;
    let mut map = BTreeMap::new();
    for (cluster, tasks) in obj {
        for task in tasks.as_array().into_iter().flatten() {
            if let Some(t) = task.as_str() {
                map.insert(t.to_string(), cluster.clone());
            }
        }
    }
    Ok(map)
}

impl Suite for M3ke {
    fn info(&self) -> SuiteInfo {
        SuiteInfo {
            name: "m3ke",
            description: "M3KE: Chinese multi-level multi-subject knowledge, 71 tasks \
                          (dev split scored; stand-in for LHMKE)",
            license: "none stated (no LICENSE in tjunlp-lab/M3KE; treat as research use only)",
            homepage: "https://github.com/tjunlp-lab/M3KE",
            template_source: "none published in tjunlp-lab/M3KE; kaoshi uses CMMLU's \
                              (haonan-li/CMMLU src/mp_utils.py) with the task's subject name",
            modes: &[Mode::Letter, Mode::Loglik, Mode::Generate],
        }
    }

    fn load(&self, dir: &Path) -> Result<SuiteData, DataError> {
        let clusters = read_clusters(dir)?;
        let mut data = SuiteData::default();
        for path in list_files(&dir.join("dev"), ".jsonl")? {
            let task = stem(&path, ".jsonl").to_string();
            // <Subject>-<Cluster>-<Level>; subject names contain no '-'.
            let mut parts = task.rsplitn(3, '-');
            let level = parts.next().unwrap_or_default().to_string();
            let _file_cluster = parts.next();
            let subject_name = parts.next().unwrap_or(&task).to_string();
            let Some(cluster) = clusters.get(&task) else {
                return Err(DataError::malformed(
                    &path,
                    1,
                    format!("task {task:?} is not in subject_cluster.mapping.json"),
                ));
            };
            let text = read_utf8(&path)?;
            for (i, line) in text.lines().enumerate() {
                let lineno = i + 1;
                if line.trim().is_empty() {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(line)
                    .map_err(|e| DataError::malformed(&path, lineno, format!("invalid JSON: {e}")))?;
                let question = json_str(&v, "question").unwrap_or_default().to_string();
                let options: Vec<String> =
                    ["A", "B", "C", "D"].iter().map(|k| json_str(&v, k).unwrap_or_default().to_string()).collect();
                let answer = json_str(&v, "answer").unwrap_or_default();
                let answer = match check_mc(&question, &options, answer) {
                    Ok(a) => a,
                    Err(reason) => {
                        data.skipped.push(skip(&path, lineno, reason));
                        continue;
                    }
                };
                let id = match v.get("id") {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    _ => format!("line{lineno}"),
                };
                let mut fields = BTreeMap::new();
                fields.insert("subject_name".to_string(), subject_name.clone());
                fields.insert("cluster".to_string(), cluster.clone());
                fields.insert("level".to_string(), level.clone());
                data.items.push(Item {
                    id: format!("{task}/{id}"),
                    subject: task.clone(),
                    question,
                    choices: options,
                    answer: Answer::Choice(answer),
                    fields,
                });
            }
        }
        if data.items.is_empty() {
            return Err(DataError::Empty {
                path: dir.join("dev"),
                hint: "expected dev/<Subject>-<Cluster>-<Level>.jsonl files with answers".to_string(),
            });
        }
        Ok(data)
    }

    /// CMMLU's template (M3KE publishes none): header
    /// `以下是关于{subject}的单项选择题，请直接给出正确答案的选项。\n\n` with the
    /// task's subject name as published (English, e.g. `Advanced Mathematics`),
    /// item `题目：{question}\nA. …\nD. …\n答案是：`.
    fn prompt(&self, item: &Item, fewshot: &[&Item], mode: Mode) -> Prompt {
        let subject = item.fields.get("subject_name").unwrap_or(&item.subject);
        super::cmmlu::render(subject, item, fewshot, mode)
    }
}
