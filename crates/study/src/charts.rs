//! The study's charts, as SVG documents named for `report.md` to link:
//!
//! - `metric-vs-bpw.svg`: each benchmark metric against bits per weight;
//! - `kld-vs-bpw.svg`: the variants' mean KL divergence from the reference
//!   against bits per weight, on a log scale (it spans 1e-4 to 1);
//! - `ppl-vs-<metric>.svg`: mean perplexity against each metric, with the
//!   correlation and its n under the title.
//!
//! Points carry the model's label; non-finite values are left out.

use kaoshi_probe::svg::{ScatterSeries, ScatterSpec, scatter_chart};

use crate::correlate::{self, FEW_MODELS};
use crate::doc::{Correlation, StudyDoc};

/// A chart: its file name, a caption for the link, and the SVG.
pub struct Chart {
    /// The file name, e.g. `kld-vs-bpw.svg`.
    pub file: String,
    /// What it shows, for the link's alternative text.
    pub caption: String,
    /// The document.
    pub svg: String,
}

/// `name` with every character outside `[A-Za-z0-9._-]` made a `-`.
pub fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' }).collect()
}

/// "Pearson r = -0.93, Spearman ρ = -0.90 (n = 6)", or why there is none.
pub fn correlation_line(c: &Correlation) -> String {
    if c.n < correlate::MIN_MODELS || !c.pearson.is_finite() {
        return format!("r not computed (n = {})", c.n);
    }
    let few = if c.n < FEW_MODELS { "; few models: a description, not evidence" } else { "" };
    format!("Pearson r = {:.2}, Spearman ρ = {:.2} (n = {}){few}", c.pearson, c.spearman, c.n)
}

/// The correlation for `metric` as the study recorded it, or computed
/// from the rows when it did not.
pub fn correlation_for(doc: &StudyDoc, metric: &str) -> Correlation {
    doc.correlations.iter().find(|c| c.metric == metric).cloned().unwrap_or_else(|| {
        correlate::correlations(&doc.models, &[metric.to_string()]).pop().expect("one metric, one correlation")
    })
}

/// Every chart the study's numbers allow, in the order the report links
/// them.
pub fn charts(doc: &StudyDoc) -> Vec<Chart> {
    let mut out = Vec::new();
    if !doc.metrics.is_empty() {
        let series: Vec<ScatterSeries> = doc
            .metrics
            .iter()
            .map(|m| ScatterSeries {
                name: m.clone(),
                points: doc
                    .models
                    .iter()
                    .map(|r| (r.bits_per_weight, r.metrics.get(m).copied().unwrap_or(f64::NAN), r.label.clone()))
                    .collect(),
            })
            .collect();
        let y_label = if doc.metrics.len() == 1 { doc.metrics[0].as_str() } else { "score" };
        let spec = ScatterSpec {
            title: "Benchmark metrics against bits per weight",
            x_label: "bits per weight",
            y_label,
            ..Default::default()
        };
        out.push(Chart {
            file: "metric-vs-bpw.svg".into(),
            caption: "Benchmark metrics against bits per weight".into(),
            svg: scatter_chart(&spec, &series),
        });
    }
    let kld: Vec<(f64, f64, String)> = doc
        .models
        .iter()
        .filter(|r| r.label != doc.reference)
        .filter_map(|r| r.mean_kld().map(|k| (r.bits_per_weight, k, r.label.clone())))
        .collect();
    if !kld.is_empty() {
        let spec = ScatterSpec {
            title: "Mean KL divergence from the reference against bits per weight",
            subtitle: "token-weighted over the perplexity texts; log scale",
            x_label: "bits per weight",
            y_label: "mean KLD (nats)",
            log_y: true,
            ..Default::default()
        };
        out.push(Chart {
            file: "kld-vs-bpw.svg".into(),
            caption: "Mean KL divergence against bits per weight".into(),
            svg: scatter_chart(&spec, &[ScatterSeries { name: "mean KLD".into(), points: kld }]),
        });
    }
    let mut used: Vec<String> = out.iter().map(|c| c.file.clone()).collect();
    for m in &doc.metrics {
        let base = format!("ppl-vs-{}", file_safe(m));
        let mut file = format!("{base}.svg");
        let mut k = 2;
        while used.contains(&file) {
            file = format!("{base}-{k}.svg");
            k += 1;
        }
        used.push(file.clone());
        let points = doc
            .models
            .iter()
            .map(|r| (r.mean_ppl(), r.metrics.get(m).copied().unwrap_or(f64::NAN), r.label.clone()))
            .collect();
        let title = format!("Mean perplexity against {m}");
        let subtitle = correlation_line(&correlation_for(doc, m));
        let spec = ScatterSpec {
            title: &title,
            subtitle: &subtitle,
            x_label: "mean perplexity",
            y_label: m,
            fit: true,
            ..Default::default()
        };
        out.push(Chart {
            file,
            caption: title.clone(),
            svg: scatter_chart(&spec, &[ScatterSeries { name: m.clone(), points }]),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_safe("mmlu/acc norm"), "mmlu-acc-norm");
        assert_eq!(file_safe("arc_easy.acc-1"), "arc_easy.acc-1");
    }

    #[test]
    fn correlation_lines_say_n_and_the_caveat() {
        let c = Correlation { metric: "m".into(), n: 4, pearson: -0.931, spearman: -0.8 };
        let l = correlation_line(&c);
        assert!(l.starts_with("Pearson r = -0.93, Spearman ρ = -0.80 (n = 4)") && l.contains("not evidence"), "{l}");
        let many = Correlation { n: 9, ..c.clone() };
        assert!(!correlation_line(&many).contains("not evidence"));
        let few = Correlation { n: 2, pearson: f64::NAN, spearman: f64::NAN, ..c };
        assert_eq!(correlation_line(&few), "r not computed (n = 2)");
    }
}
