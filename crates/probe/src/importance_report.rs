//! `probe importance`'s `report.md` and charts, from an
//! [`ImportanceReport`] alone: the share of each layer in a language's
//! total importance (one line per language), the same per component (one
//! chart per component, languages as lines, so languages read side by
//! side), a heat map per language of components × layers (percent of the
//! language's total), and tables of component shares and top MLP neurons.

use std::fmt::Write as _;

use crate::importance_probe::ImportanceReport;
use crate::report::Rendered;
use crate::svg::{heatmap, line_chart};

fn pct(x: f64) -> String {
    if x.is_finite() { format!("{:.1} %", 100.0 * x) } else { "–".into() }
}

/// Per layer, the sum of `share` over the components.
fn layer_totals(share: &std::collections::BTreeMap<&'static str, Vec<f64>>, layers: usize) -> Vec<f64> {
    (0..layers).map(|l| share.values().map(|v| v.get(l).copied().unwrap_or(0.0)).sum()).collect()
}

/// The report and its charts.
pub fn render(r: &ImportanceReport) -> Rendered {
    let layers: Vec<String> = (0..r.layers).map(|l| l.to_string()).collect();
    let mut charts = Vec::new();
    let totals: Vec<(String, Vec<f64>)> =
        r.languages.iter().map(|l| (l.lang.clone(), layer_totals(&l.share, r.layers))).collect();
    charts.push((
        "importance_layers.svg".to_string(),
        line_chart(
            "Share of each layer in a language's total importance",
            "layer",
            "share (all components)",
            &layers,
            &totals,
        ),
    ));
    for c in &r.components {
        let series: Vec<(String, Vec<f64>)> =
            r.languages.iter().map(|l| (l.lang.clone(), l.share.get(c).cloned().unwrap_or_default())).collect();
        charts.push((
            format!("importance_{c}.svg"),
            line_chart(&format!("{c}: share of the language's total importance"), "layer", "share", &layers, &series),
        ));
    }
    for l in &r.languages {
        let rows: Vec<String> = r.components.iter().map(|c| c.to_string()).collect();
        let values: Vec<Vec<f64>> = r
            .components
            .iter()
            .map(|c| l.share.get(c).map_or_else(Vec::new, |v| v.iter().map(|x| 100.0 * x).collect()))
            .collect();
        charts.push((
            format!("importance_heat_{}.svg", l.lang),
            heatmap(&format!("{}: % of total importance, component × layer", l.lang), &rows, &layers, &values),
        ));
    }

    let mut md = String::new();
    let _ = writeln!(md, "# Neuron importance per language\n");
    let _ = writeln!(
        md,
        "FuxiTranyu section 6.1, our reading: on one sentence (BOS {}, loss L = mean next-token negative \
         log-likelihood), a neuron's importance is |Σ_t a_t · ∂L/∂a_t| over the sentence's positions t, the \
         first-order estimate of the change of L when the neuron is zeroed everywhere; a language's importance is \
         the mean over its sentences, and a component's figure per layer the sum over its neurons. Components: \
         q, k, v (projection outputs), o (attention output projection), gate, up (MLP input projections), down \
         (MLP output projection), norm (the outputs of the attention's and the MLP's input RMS norms, ln1 + ln2). \
         Shares divide by the language's total over all components and layers.\n",
        if r.bos { "added" } else { "not added" }
    );
    let _ = writeln!(md, "| language | sentences | tokens | mean loss | peak layer | {} |", r.components.join(" | "));
    let _ = writeln!(md, "|---|---|---|---|---|{}", "---|".repeat(r.components.len()));
    for (l, (_, t)) in r.languages.iter().zip(&totals) {
        let peak = (0..t.len())
            .max_by(|&a, &b| t[a].total_cmp(&t[b]))
            .map_or("–".into(), |p| format!("{p} ({})", pct(t[p])));
        let shares: Vec<String> =
            r.components.iter().map(|c| pct(l.component_share.get(c).copied().unwrap_or(f64::NAN))).collect();
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.3} | {peak} | {} |",
            l.lang,
            l.sentences,
            l.tokens,
            l.mean_loss,
            shares.join(" | ")
        );
    }
    let _ = writeln!(md, "\n![share per layer](importance_layers.svg)\n");
    for c in &r.components {
        let _ = writeln!(md, "![{c}](importance_{c}.svg)");
    }
    let _ = writeln!(md);
    for l in &r.languages {
        let _ = writeln!(md, "## {}\n\n![heat map](importance_heat_{}.svg)\n", l.lang, l.lang);
        if !l.top_neurons.is_empty() {
            let _ = writeln!(md, "| rank | component | layer | neuron | importance |\n|---|---|---|---|---|");
            for (i, n) in l.top_neurons.iter().enumerate() {
                let _ =
                    writeln!(md, "| {} | {} | {} | {} | {:.4e} |", i + 1, n.component, n.layer, n.neuron, n.importance);
            }
            let _ = writeln!(md);
        }
    }
    Rendered { markdown: md, charts }
}
