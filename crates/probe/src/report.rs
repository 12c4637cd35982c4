//! Each probe's `report.md` and charts, from its report alone (so every
//! front end draws the same): [`xling`], [`lape`], [`fertility`], [`rsa`] return the
//! Markdown and the SVG files it links.

use std::fmt::Write as _;

use crate::fertility::FertilityReport;
use crate::lape_probe::LapeReport;
use crate::rsa_probe::RsaReport;
use crate::svg::{bar_chart, heatmap, interval_chart, line_chart};
use crate::xling::XlingReport;

/// A report: Markdown and `(file name, SVG)` charts it links to.
pub struct Rendered {
    /// `report.md`.
    pub markdown: String,
    /// The charts.
    pub charts: Vec<(String, String)>,
}

fn f(x: f64) -> String {
    if x.is_finite() { format!("{x:.3}") } else { "–".into() }
}

/// The layer with the highest value, and the value.
fn peak(values: &[f64], layers: &[String]) -> (String, f64) {
    let i = (0..values.len()).max_by(|&a, &b| values[a].total_cmp(&values[b])).unwrap_or(0);
    (layers.get(i).cloned().unwrap_or_default(), values.get(i).copied().unwrap_or(f64::NAN))
}

/// `probe xling`: the per-layer curve of the three similarities and the
/// heat map of the centroid cosines at `heat_layer` (an index into
/// `report.layers`).
pub fn xling(r: &XlingReport, heat_layer: usize) -> Rendered {
    let m = &r.mean_offdiag;
    let series = vec![
        ("centroid".to_string(), m.centroid.clone()),
        ("centered".to_string(), m.centered.clone()),
        ("paired".to_string(), m.paired.clone()),
    ];
    let curve = line_chart(
        &format!("Cross-lingual similarity per layer ({} languages, {} sentences)", r.languages.len(), r.n_sentences),
        "layer (emb = embedding output, then each block's output)",
        "mean off-diagonal cosine",
        &r.layers,
        &series,
    );
    let layer = heat_layer.min(r.layers.len().saturating_sub(1));
    let map = heatmap(
        &format!("Centroid cosine at layer {}", r.layers[layer]),
        &r.languages,
        &r.languages,
        &r.similarity.centroid[layer],
    );
    let heat_name = format!("xling_heatmap_{}.svg", r.layers[layer]);
    let mut md = String::new();
    let _ = writeln!(md, "# Cross-lingual representation similarity\n");
    let _ = writeln!(
        md,
        "{} languages ({}), {} parallel sentences each, sentence = its {} token{}.\n",
        r.languages.len(),
        r.languages.join(", "),
        r.n_sentences,
        if r.pool == crate::xling::Pool::Last { "last" } else { "mean over its" },
        if r.pool == crate::xling::Pool::Last { "" } else { "s" }
    );
    for (name, values) in &series {
        let (at, v) = peak(values, &r.layers);
        let _ = writeln!(
            md,
            "- {name}: highest at layer {at} ({}); last layer {}",
            f(v),
            f(*values.last().unwrap_or(&f64::NAN))
        );
    }
    let _ = writeln!(md, "\n![similarity per layer](xling_layers.svg)\n\n![heat map]({heat_name})\n");
    let _ = writeln!(md, "| layer | centroid | centered | paired |\n|---|---|---|---|");
    for (i, l) in r.layers.iter().enumerate() {
        let _ = writeln!(md, "| {l} | {} | {} | {} |", f(m.centroid[i]), f(m.centered[i]), f(m.paired[i]));
    }
    Rendered { markdown: md, charts: vec![("xling_layers.svg".into(), curve), (heat_name, map)] }
}

/// `probe lape`: neurons per layer and language, and the ablation matrix.
pub fn lape(r: &LapeReport) -> Rendered {
    let layers = r.selection.per_layer.values().next().map_or(0, Vec::len);
    let x: Vec<String> = (0..layers).map(|l| l.to_string()).collect();
    let series: Vec<(String, Vec<f64>)> =
        r.languages.iter().map(|l| (l.clone(), r.selection.per_layer[l].iter().map(|&n| n as f64).collect())).collect();
    let mut charts = vec![(
        "lape_neurons_per_layer.svg".to_string(),
        line_chart("Language-specific neurons per layer", "block", "neurons", &x, &series),
    )];
    let mut md = String::new();
    let _ = writeln!(md, "# Language-specific neurons (LAPE)\n");
    let _ = writeln!(
        md,
        "{} sentences counted per language; top rate {}, filter rate {}, bar {}: {} neurons kept \
         (p above {:.4} in some language; assigned where p > {:.4}).\n",
        r.n_sentences_counted,
        r.params.top_rate,
        r.params.filter_rate,
        r.params.bar,
        r.selection.n_selected,
        r.selection.filter_value,
        r.selection.bar_value
    );
    let _ = writeln!(md, "| language | tokens counted | neurons |\n|---|---|---|");
    for l in &r.languages {
        let n: usize = r.selection.per_layer[l].iter().sum();
        let _ = writeln!(md, "| {l} | {} | {n} |", r.tokens_counted.get(l).copied().unwrap_or(0));
    }
    let _ = writeln!(md, "\n![neurons per layer](lape_neurons_per_layer.svg)\n");
    if let Some(a) = &r.ablation {
        charts.push((
            "lape_ablation.svg".into(),
            heatmap("Perplexity change: row's neurons zeroed, column's text", &r.languages, &r.languages, &a.delta_ppl),
        ));
        let n = r.languages.len();
        let diag: f64 = (0..n).map(|i| a.delta_ppl[i][i]).sum::<f64>() / n as f64;
        let off: f64 = crate::similarity::mean_off_diagonal(&a.delta_ppl);
        let _ = writeln!(
            md,
            "Zeroing a language's neurons raises its own perplexity by {} on average and the other languages' by {} \
             ({} held-out sentences per language).\n\n{}\n\n![ablation](lape_ablation.svg)\n",
            f(diag),
            f(off),
            a.n_sentences,
            a.definition
        );
    }
    Rendered { markdown: md, charts }
}

/// `probe fertility`: fertility and parity per language.
pub fn fertility(r: &FertilityReport) -> Rendered {
    let langs: Vec<String> = r.languages.iter().map(|s| s.lang.clone()).collect();
    let series = vec![
        ("fertility".to_string(), r.languages.iter().map(|s| s.fertility).collect()),
        (format!("parity vs {}", r.reference), r.languages.iter().map(|s| s.parity).collect()),
    ];
    let chart = bar_chart(&format!("Tokenizer fertility and parity ({})", r.tokenizer), "tokens", &langs, &series);
    let mut md = String::new();
    let _ = writeln!(md, "# Tokenizer fertility\n\nTokenizer: {}; parity against {}.\n", r.tokenizer, r.reference);
    let _ = writeln!(
        md,
        "| language | unit | fertility | tokens/word | tokens/char | tokens/sentence | bytes/token | byte fallback | unknown | parity |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for s in &r.languages {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            s.lang,
            s.unit,
            f(s.fertility),
            f(s.tokens_per_word),
            f(s.tokens_per_char),
            f(s.tokens_per_sentence),
            f(s.bytes_per_token),
            f(s.byte_fallback_share),
            f(s.unknown_share),
            f(s.parity)
        );
    }
    let _ = writeln!(md, "\n![fertility](fertility.svg)\n");
    Rendered { markdown: md, charts: vec![("fertility.svg".into(), chart)] }
}

/// `probe rsa`: rho per layer with its bootstrap interval, and against
/// another model the heat map of `rho_matrix`.
pub fn rsa(r: &RsaReport) -> Rendered {
    let o = &r.options;
    let against = if r.rho_matrix.is_some() { "the target model's best-matching layer" } else { "the target RDM" };
    let mut charts = vec![(
        "rsa_layers.svg".to_string(),
        interval_chart(
            &format!("RSA per layer ({} stimuli, {:?} of {:?} RDMs)", r.n_stimuli, o.compare, o.distance),
            "layer (emb = embedding output, then each block's output)",
            "rho",
            &r.layers,
            &r.rho,
            &r.ci,
        ),
    )];
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Representational similarity analysis
"
    );
    let _ = writeln!(
        md,
        "{} stimuli, each the {} (BOS {}{}); model RDMs by {:?} distance, compared with {against} by {:?} \
         over the upper triangle. p: two-sided, {} permutations of the stimulus labels, \
         (1 + #|r_perm| >= |r|) / (1 + P); interval: 2.5 and 97.5 percentiles of {} bootstrap resamples of the \
         stimuli (seed {}).\n",
        r.n_stimuli,
        if o.pool == crate::xling::Pool::Last { "last token" } else { "mean over its own tokens" },
        if r.bos { "added, left out of the pooling" } else { "not added" },
        match &o.prefix {
            Some(p) => format!("; prefix {p:?} before each stimulus, left out of the pooling"),
            None => String::new(),
        },
        o.distance,
        o.compare,
        o.permutations,
        o.bootstrap,
        o.seed
    );
    let (at, v) = peak(&r.rho, &r.layers);
    let _ = writeln!(md, "Highest at layer {at} ({}).\n\n![rho per layer](rsa_layers.svg)\n", f(v));
    let best = r.best_match.as_ref();
    let _ = writeln!(
        md,
        "| layer | rho | p | 95 % interval |{}\n|---|---|---|---|{}",
        if best.is_some() { " best match |" } else { "" },
        if best.is_some() { "---|" } else { "" }
    );
    for (i, l) in r.layers.iter().enumerate() {
        let m = best.map(|b| format!(" {} |", b[i])).unwrap_or_default();
        let p = if r.p[i] < 0.001 { format!("{:.1e}", r.p[i]) } else { f(r.p[i]) };
        let _ = writeln!(md, "| {l} | {} | {p} | {} – {} |{m}", f(r.rho[i]), f(r.ci[i][0]), f(r.ci[i][1]));
    }
    if let (Some(m), Some(cols)) = (&r.rho_matrix, &r.target_layers) {
        charts.push((
            "rsa_matrix.svg".into(),
            heatmap("rho: rows this model's layers, columns the target's", &r.layers, cols, m),
        ));
        let _ = writeln!(md, "\n![rho of every pair of layers](rsa_matrix.svg)");
    }
    Rendered { markdown: md, charts }
}
