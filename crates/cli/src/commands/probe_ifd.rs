//! `kaoshi probe ifd`: instruction-following difficulty (IFD, Cherry-LLM)
//! of instruction/response candidates on a small model and optionally a
//! large one, Star-Agents' dual-model score, a local pairwise judge, the
//! selection per seed and the agents' evolved sampling distribution
//! (kaoshi_probe::ifd, ifd_probe, ifd_run). With `--output DIR` every
//! candidate's numbers are journaled as soon as they are computed
//! (`ifd_journal.jsonl`), and a rerun with the same options resumes.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use kaoshi_probe::ifd::{self, Candidate};
use kaoshi_probe::ifd_probe::{self, IfdEncoder, IfdScore};
use kaoshi_probe::ifd_run::{self, IfdRecord, Journal, RunKey};
use kaoshi_runtime::{BackendChoice, with_model};

use crate::error::CliError;
use crate::load::{Loaded, load_model};
use crate::progress::bar;

/// Options of `kaoshi probe ifd`.
#[derive(clap::Args)]
pub struct IfdArgs {
    /// The small model (GGUF): IFD is always computed on it.
    #[arg(long)]
    small: PathBuf,
    /// The large model: IFD on it too, and Star-Agents' pi_dual, pi and the selection.
    #[arg(long)]
    large: Option<PathBuf>,
    /// JSON lines {"id", "seed", "instruction", "response", "agent"?}.
    #[arg(long)]
    data: PathBuf,
    /// `auto`: each model's chat template (user = instruction, assistant = response) when it has one;
    /// `none`: Cherry-LLM's Alpaca prompt.
    #[arg(long, default_value = "auto")]
    chat_template: String,
    /// A judge model comparing each candidate with its seed's base candidate ([[A]]/[[B]]/[[C]]).
    #[arg(long)]
    judge: Option<PathBuf>,
    /// Token cap on each verdict.
    #[arg(long, default_value_t = 256)]
    judge_max_tokens: usize,
    /// The agent whose candidate is each seed's base (default: each seed's first candidate).
    #[arg(long)]
    base_agent: Option<String>,
    /// Update the agents' sampling distribution from the selection (Star-Agents Eq. 8); needs --large.
    #[arg(long)]
    evolve: bool,
    /// Step added to a selected agent's probability before renormalising.
    #[arg(long, default_value_t = 0.1)]
    rate: f64,
    /// The distribution to evolve (JSON {agent: p}; default uniform over the data's agents).
    #[arg(long)]
    prior: Option<PathBuf>,
    /// The first N candidates of the data.
    #[arg(long)]
    limit: Option<usize>,
    /// Candidates scored (and journaled) per step.
    #[arg(long, default_value_t = 16)]
    batch: usize,
    /// Most rows of one forward pass.
    #[arg(long, default_value_t = 256)]
    max_rows: usize,
    /// Where the models run: cpu, gpu or auto.
    #[arg(long, default_value = "cpu")]
    backend: BackendChoice,
    /// Print the summary as one JSON document.
    #[arg(long)]
    json: bool,
    /// Journal, candidates.jsonl, probe.json, report.md and the chart go here (a rerun resumes).
    #[arg(long)]
    output: Option<PathBuf>,
}

fn probe_err(e: kaoshi_probe::ProbeError) -> CliError {
    CliError::Probe(e)
}

/// Whether `--chat-template` asks for the models' templates.
fn chat_flag(s: &str) -> Result<bool, CliError> {
    match s {
        "auto" => Ok(true),
        "none" => Ok(false),
        other => Err(CliError::Usage(format!("--chat-template {other}: expected auto or none"))),
    }
}

fn check_args(a: &IfdArgs, cands: &[Candidate]) -> Result<(), CliError> {
    if a.evolve {
        if a.large.is_none() {
            return Err(CliError::Usage("--evolve needs --large (the selection uses pi_dual)".into()));
        }
        if !(a.rate.is_finite() && a.rate >= 0.0) {
            return Err(CliError::Usage(format!("--rate {}: expected a finite number >= 0", a.rate)));
        }
        if let Some(c) = cands.iter().find(|c| c.agent.is_none()) {
            return Err(CliError::Usage(format!("--evolve: candidate {:?} has no \"agent\"", c.id)));
        }
    }
    Ok(())
}

/// Scores `chunk` on one loaded model.
fn score_on(m: &Loaded, chat: bool, chunk: &[&Candidate], max_rows: usize) -> Result<Vec<IfdScore>, CliError> {
    let enc = IfdEncoder::new(&m.tokenizer, chat).map_err(probe_err)?;
    let encoded = chunk.iter().map(|c| enc.encode_candidate(c)).collect::<Result<Vec<_>, _>>().map_err(probe_err)?;
    let ids: Vec<&str> = chunk.iter().map(|c| c.id.as_str()).collect();
    with_model!(&m.model, |model| ifd_probe::score(model, &encoded, &ids, max_rows)).map_err(probe_err)
}

fn uses_chat(m: &Loaded, chat: bool) -> bool {
    chat && m.tokenizer.chat_template().is_some()
}

pub fn run(a: IfdArgs) -> Result<(), CliError> {
    let chat = chat_flag(&a.chat_template)?;
    let cands = ifd::read_candidates(&a.data, a.limit).map_err(probe_err)?;
    check_args(&a, &cands)?;
    let bases = ifd_run::bases(&cands, a.base_agent.as_deref()).map_err(probe_err)?;
    let small = load_model(&a.small, a.backend)?;
    let large = a.large.as_ref().map(|p| load_model(p, a.backend)).transpose()?;
    let judge = a.judge.as_ref().map(|p| load_model(p, a.backend)).transpose()?;
    let sha = |p: &Path| kaoshi_harness::sha256_file(p);
    let key = RunKey {
        data_sha256: sha(&a.data)?,
        small_sha256: sha(&a.small)?,
        large_sha256: a.large.as_deref().map(sha).transpose()?,
        judge_sha256: a.judge.as_deref().map(sha).transpose()?,
        chat_template: a.chat_template.clone(),
        base_agent: a.base_agent.clone(),
        judge_max_tokens: a.judge_max_tokens,
        backend: small.backend(),
    };
    let started = Instant::now();
    let mut records = Vec::new();
    let mut journal = None;
    if let Some(dir) = &a.output {
        key.check_or_write(dir).map_err(probe_err)?;
        records = ifd_run::read_journal(dir).map_err(probe_err)?;
        journal = Some(Journal::open(dir).map_err(probe_err)?);
    }
    let done: HashSet<String> = records.iter().map(|r| r.id.clone()).collect();
    let pending: Vec<&Candidate> = cands.iter().filter(|c| !done.contains(&c.id)).collect();
    let pb = bar(cands.len() as u64, "ifd");
    pb.set_position((cands.len() - pending.len()) as u64);
    for chunk in pending.chunks(a.batch.max(1)) {
        let s = score_on(&small, chat, chunk, a.max_rows)?;
        let l = large.as_ref().map(|m| score_on(m, chat, chunk, a.max_rows)).transpose()?;
        for (k, c) in chunk.iter().enumerate() {
            let base = &cands[bases[&c.seed]];
            let judged = match &judge {
                Some(j) if base.id != c.id => Some(
                    with_model!(&j.model, |m| ifd_probe::judge(
                        m,
                        &j.tokenizer,
                        chat,
                        &c.instruction,
                        &c.response,
                        &base.response,
                        a.judge_max_tokens
                    ))
                    .map_err(probe_err)?,
                ),
                _ => None,
            };
            let rec =
                IfdRecord { id: c.id.clone(), small: s[k].clone(), large: l.as_ref().map(|l| l[k].clone()), judged };
            if let Some(j) = &mut journal {
                j.append(&rec).map_err(probe_err)?;
            }
            records.push(rec);
            pb.inc(1);
        }
    }
    pb.finish_and_clear();
    let (rows, summary) = ifd_run::assemble(&cands, &records, &bases, judge.is_some()).map_err(probe_err)?;
    let evolved = if a.evolve { Some(evolve(&a, &cands, &rows)?) } else { None };
    let format = if uses_chat(&small, chat) {
        "the small model's chat template (user = instruction, assistant = response)".to_string()
    } else {
        "Cherry-LLM's Alpaca prompt, no chat template".to_string()
    };
    let mut doc = serde_json::to_value(&summary).map_err(|e| CliError::Usage(e.to_string()))?;
    let prov = |m: &Loaded, p: &Path| -> Result<serde_json::Value, CliError> {
        let mut v = serde_json::to_value(crate::provenance::of_model(p, m)?).unwrap_or_default();
        v["chat_template_used"] = serde_json::json!(uses_chat(m, chat));
        Ok(v)
    };
    if let Some(map) = doc.as_object_mut() {
        map.insert(
            "options".into(),
            serde_json::json!({
                "data": a.data, "chat_template": a.chat_template, "base_agent": a.base_agent, "limit": a.limit,
                "judge_max_tokens": a.judge_max_tokens, "evolve": a.evolve, "rate": a.rate, "prior": a.prior,
                "max_rows": a.max_rows, "format": format,
                "alpaca_prompt": [ifd_probe::ALPACA_HEAD, ifd_probe::ALPACA_TAIL],
                "judge_prompt": a.judge.as_ref().map(|_| ifd_probe::PAIR_V2_SOURCE),
            }),
        );
        let mut p = serde_json::json!({ "small": prov(&small, &a.small)? });
        if let (Some(m), Some(path)) = (&large, &a.large) {
            p["large"] = prov(m, path)?;
        }
        if let (Some(m), Some(path)) = (&judge, &a.judge) {
            p["judge"] = prov(m, path)?;
        }
        map.insert("provenance".into(), p);
        map.insert("evolve".into(), evolved.clone().unwrap_or_default());
        map.insert("seconds".into(), serde_json::json!(started.elapsed().as_secs_f64()));
    }
    let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Usage(e.to_string()))?;
    let rendered = kaoshi_probe::ifd_report::render(&rows, &summary, &format);
    if let Some(dir) = &a.output {
        let write = |name: &str, body: &str| {
            let path = dir.join(name);
            std::fs::write(&path, body).map_err(CliError::io(path))
        };
        let lines: Vec<String> = rows.iter().filter_map(|r| serde_json::to_string(r).ok()).collect();
        write("candidates.jsonl", &(lines.join("\n") + "\n"))?;
        write("probe.json", &text)?;
        write("report.md", &rendered.markdown)?;
        for (name, svg) in &rendered.charts {
            write(name, svg)?;
        }
        if let Some(e) = &evolved {
            write("agents.json", &serde_json::to_string_pretty(e).unwrap_or_default())?;
        }
        eprintln!("wrote {}", dir.join("probe.json").display());
    }
    if a.json {
        println!("{text}");
    } else if a.output.is_none() {
        print!("{}", rendered.markdown);
    }
    Ok(())
}

/// The evolved distribution: the prior (file or uniform over the data's
/// agents) with each selected candidate's agent raised by `--rate`.
fn evolve(a: &IfdArgs, cands: &[Candidate], rows: &[ifd_run::Row]) -> Result<serde_json::Value, CliError> {
    let prior: BTreeMap<String, f64> = match &a.prior {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(CliError::io(p.clone()))?;
            let d: BTreeMap<String, f64> = serde_json::from_str(&text)
                .map_err(|e| CliError::Usage(format!("--prior {}: {e} (expected {{\"agent\": p}})", p.display())))?;
            let sum: f64 = d.values().sum();
            if d.values().any(|p| !(p.is_finite() && *p >= 0.0)) || (sum - 1.0).abs() > 1e-6 {
                return Err(CliError::Usage(format!("--prior {}: not a probability distribution", p.display())));
            }
            d
        }
        None => ifd::uniform(cands.iter().filter_map(|c| c.agent.clone())),
    };
    let selected: Vec<String> =
        rows.iter().filter(|r| r.selected == Some(true)).filter_map(|r| r.agent.clone()).collect();
    let next = ifd::evolve(&prior, &selected, a.rate);
    Ok(serde_json::json!({ "rate": a.rate, "prior": prior, "selected_agents": selected, "distribution": next }))
}
