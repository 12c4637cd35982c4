//! `probe ifd`'s `report.md` and its chart (the IFD histogram, small and
//! large model side by side), from the rows and summary alone.

use std::fmt::Write as _;

use crate::ifd_run::{Row, Summary};
use crate::report::Rendered;
use crate::svg::bar_chart;

/// The histogram's bins: IFD in steps of 0.1 from 0 to 1.5, the last bin open.
const BINS: usize = 15;

fn bin(x: f64) -> Option<usize> {
    x.is_finite().then(|| ((x.max(0.0) * 10.0).floor() as usize).min(BINS - 1))
}

fn f(x: f64) -> String {
    if x.is_finite() { format!("{x:.3}") } else { "–".into() }
}

/// The report of a run; `format` says what the model saw (chat template or
/// the Alpaca prompt).
pub fn render(rows: &[Row], s: &Summary, format: &str) -> Rendered {
    let labels: Vec<String> = (0..BINS)
        .map(|b| if b + 1 == BINS { format!("≥{:.1}", b as f64 / 10.0) } else { format!("{:.1}", b as f64 / 10.0) })
        .collect();
    let count = |xs: &mut dyn Iterator<Item = f64>| {
        let mut c = vec![0.0; BINS];
        for b in xs.filter_map(bin) {
            c[b] += 1.0;
        }
        c
    };
    let mut series = vec![("small model".to_string(), count(&mut rows.iter().map(|r| r.ifd_small)))];
    if s.mean_ifd_large.is_some() {
        series.push(("large model".to_string(), count(&mut rows.iter().filter_map(|r| r.ifd_large))));
    }
    let chart = bar_chart("IFD = PPL(response | instruction) / PPL(response)", "candidates", &labels, &series);
    let mut md = String::new();
    let _ = writeln!(md, "# Instruction-following difficulty (IFD)\n");
    let _ = writeln!(
        md,
        "{} candidates of {} seeds; {format}. Mean IFD on the small model {}{}; {} candidates have IFD ≥ 1 \
         (the instruction does not help).\n",
        s.n_candidates,
        s.n_seeds,
        f(s.mean_ifd_small),
        s.mean_ifd_large.map(|m| format!(", on the large model {}", f(m))).unwrap_or_default(),
        s.n_ifd_small_ge_1
    );
    if let (Some(p), Some(u)) = (s.judge_parsed, s.judge_unparsed) {
        let _ = writeln!(md, "Judge verdicts: {p} parsed, {u} unparsed (no pi_llm, never guessed).\n");
    }
    if let (Some(n), Some(sel)) = (s.seeds_without_positive_gap, s.seeds_selected) {
        let _ = writeln!(
            md,
            "{sel} seeds have a selected candidate; {n} seeds had no candidate harder for the small model than \
             for the large one (pi_dual = 0 for all, none selected).\n"
        );
    }
    let _ = writeln!(md, "![IFD histogram](ifd_histogram.svg)\n");
    let _ = writeln!(
        md,
        "| id | seed | agent | IFD small | IFD large | pi_dual | pi_llm | pi | selected |\n|---|---|---|---|---|---|---|---|---|"
    );
    let o = |x: Option<f64>| x.map(f).unwrap_or_default();
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            r.seed,
            r.agent.as_deref().unwrap_or(""),
            f(r.ifd_small),
            o(r.ifd_large),
            o(r.pi_dual),
            o(r.pi_llm),
            o(r.pi),
            match r.selected {
                Some(true) => "yes",
                Some(false) => "",
                None => "–",
            }
        );
    }
    Rendered { markdown: md, charts: vec![("ifd_histogram.svg".into(), chart)] }
}
