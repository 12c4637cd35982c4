//! `probe ircan`'s results ([`Study`]), its `report.md` and charts: the
//! table of methods (original, IRCAN, erasure, random neurons, CAD,
//! CAD+IRCAN), the dev grid over `h` and `beta` as a heatmap, and where the
//! bags' neurons sit (the released `plot_cn_distribution.py`'s histogram).

use std::fmt::Write as _;

use serde::Serialize;

use crate::neurons::NeuronList;
use crate::report::Rendered;
use crate::svg::{bar_chart, heatmap};

/// One method's figures on the final split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodRow {
    /// original, IRCAN, erase, random, CAD, CAD+IRCAN.
    pub method: String,
    /// Its setting.
    pub detail: String,
    /// Items.
    pub n: usize,
    /// Share answered with the context-consistent answer.
    pub accuracy: f64,
    /// Share answered with the memory answer (MemoTrap's trap rate, KRE's
    /// stubbornness).
    pub trap_rate: f64,
    /// Standard deviations of accuracy and trap rate over seeds (random).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<(f64, f64)>,
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len().max(1) as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = if x.len() > 1 { x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (m, v.sqrt())
}

/// A row of means (and sample standard deviations) over seeds.
pub fn mean_row(method: &str, detail: String, n: usize, accuracy: &[f64], trap: &[f64]) -> MethodRow {
    let ((a, sa), (t, st)) = (mean_sd(accuracy), mean_sd(trap));
    MethodRow { method: method.into(), detail, n, accuracy: a, trap_rate: t, sd: Some((sa, st)) }
}

/// Everything a run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Study {
    /// memotrap, cose or ecare.
    pub task: String,
    /// The split of the methods' figures.
    pub split: String,
    /// The examples attributed.
    pub attribute_on: String,
    /// ig or ircan-reference.
    pub mode: String,
    /// Integration points.
    pub steps: usize,
    /// Examples attributed.
    pub n_attributed: usize,
    /// Wall time of the attribution in this run (0 when all came from the journal).
    pub attribution_seconds: f64,
    /// Mean wall time of one example's attribution.
    pub seconds_per_example: f64,
    /// The numbers of neurons tried.
    pub hs: Vec<usize>,
    /// The factors tried.
    pub betas: Vec<f32>,
    /// Dev accuracy, `[h][beta]`.
    pub dev_accuracy: Vec<Vec<f64>>,
    /// The chosen number of neurons.
    pub best_h: usize,
    /// The chosen factor.
    pub best_beta: f32,
    /// The methods on the final split.
    pub methods: Vec<MethodRow>,
    /// The chosen neurons.
    pub neurons: NeuronList,
    /// Bag entries per block.
    pub bag_histogram: Vec<usize>,
    /// Mean over examples of the largest block's completeness gap.
    pub completeness_error_mean: f64,
}

/// The report and its charts (`ircan_grid.svg`, `ircan_layers.svg`).
pub fn render(s: &Study) -> Rendered {
    let mut md = String::new();
    let _ = writeln!(md, "# IRCAN: context-aware neurons ({})\n", s.task);
    let _ = writeln!(
        md,
        "Attribution: {} integrated gradients, {} steps, over {} examples ({} split; {:.1} s an example). \
         The grid over h and beta ran on dev; the methods below are on the {} split.\n",
        s.mode, s.steps, s.n_attributed, s.attribute_on, s.seconds_per_example, s.split
    );
    let _ = writeln!(md, "| method | setting | n | accuracy | trap / stubbornness rate |");
    let _ = writeln!(md, "|---|---|---:|---:|---:|");
    for r in &s.methods {
        let sd = |v: Option<f64>| v.map(|v| format!(" ± {:.3}", v)).unwrap_or_default();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.3}{} | {:.3}{} |",
            r.method,
            r.detail,
            r.n,
            r.accuracy,
            sd(r.sd.map(|x| x.0)),
            r.trap_rate,
            sd(r.sd.map(|x| x.1))
        );
    }
    let _ = writeln!(
        md,
        "\nChosen: h = {}, beta = {} (highest dev accuracy; ties to the lower trap rate).",
        s.best_h, s.best_beta
    );
    let _ = writeln!(md, "\n| layer | index | count |\n|---:|---:|---:|");
    for n in &s.neurons.0 {
        let _ = writeln!(md, "| {} | {} | {} |", n.layer, n.index, n.count);
    }
    let _ = writeln!(
        md,
        "\nCompleteness: the mean over examples of the largest gap between a block's attribution sum and the \
         change of the probability along its path is {:.4} (it shrinks as the steps grow, for `ig`).\n",
        s.completeness_error_mean
    );
    let _ = writeln!(md, "![dev grid](ircan_grid.svg)\n\n![bags per block](ircan_layers.svg)");
    let rows: Vec<String> = s.hs.iter().map(|h| format!("h={h}")).collect();
    let cols: Vec<String> = s.betas.iter().map(|b| format!("β={b}")).collect();
    let grid = heatmap("Dev accuracy over h (rows) and beta (columns)", &rows, &cols, &s.dev_accuracy);
    let layers: Vec<String> = (0..s.bag_histogram.len()).map(|l| l.to_string()).collect();
    let hist = bar_chart(
        "Bag neurons per block (all examples)",
        "neurons",
        &layers,
        &[("bag entries".to_string(), s.bag_histogram.iter().map(|&c| c as f64).collect())],
    );
    Rendered { markdown: md, charts: vec![("ircan_grid.svg".into(), grid), ("ircan_layers.svg".into(), hist)] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_row_gives_mean_and_sample_sd() {
        let r = mean_row("random", String::new(), 10, &[0.2, 0.4], &[0.5, 0.5]);
        assert!((r.accuracy - 0.3).abs() < 1e-12);
        let (sa, st) = r.sd.expect("sd");
        assert!((sa - 0.02f64.sqrt()).abs() < 1e-12 && st == 0.0);
    }
}
