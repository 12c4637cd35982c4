//! `report.md` and its charts, from a [`StudyDoc`] alone: the settings,
//! one table of every model (size, bits per weight, fidelity, perplexity,
//! metrics, speed), the `llama-perplexity --kl-divergence` statistics per
//! perplexity text, what the files are made of, perplexity as a proxy for
//! the metrics (with n and its caveat), the run's notes, and the charts of
//! [`crate::charts`] linked by file name. A missing value is "–".

use std::fmt::Write as _;

use crate::charts::{self, Chart, correlation_for};
use crate::correlate::{FEW_MODELS, MIN_MODELS};
use crate::doc::{ModelRow, StudyDoc};
use crate::fidelity::FidelitySummary;

/// The report's Markdown and its SVG charts (file name, document).
pub struct Rendered {
    /// `report.md`.
    pub markdown: String,
    /// The charts, linked from the Markdown by file name.
    pub charts: Vec<(String, String)>,
}

/// The mark of a missing value.
const MISSING: &str = "–";

/// The mean |r| between average perplexity and the benchmark metrics in
/// Jin et al., "A Comprehensive Evaluation of Quantization Strategies for
/// Large Language Models", Findings of ACL 2024 (arXiv:2402.16775).
pub const PAPER_MEAN_ABS_R: f64 = 0.79;

/// Ggml type names that are not quantized.
const PLAIN_TYPES: [&str; 8] = ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8"];

/// `v` with `decimals`, or "–" when absent or not finite.
fn num(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => MISSING.to_string(),
    }
}

/// `v ± err` with the same decimals, scaled by `scale` (100 for percent).
fn pm(v: f64, err: f64, decimals: usize, scale: f64) -> String {
    if !v.is_finite() {
        return MISSING.to_string();
    }
    let err = if err.is_finite() { format!("{:.decimals$}", err * scale) } else { MISSING.to_string() };
    format!("{:.decimals$} ± {err}", v * scale)
}

/// A label safe in a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn row(md: &mut String, cells: &[String]) {
    let _ = writeln!(md, "| {} |", cells.join(" | "));
}

fn table_head(md: &mut String, names: &[String]) {
    row(md, names);
    row(md, &vec!["---".to_string(); names.len()]);
}

fn link(md: &mut String, chart: Option<&Chart>) {
    if let Some(c) = chart {
        let _ = writeln!(md, "\n![{}]({})", c.caption, c.file);
    }
}

fn settings(md: &mut String, doc: &StudyDoc) {
    let s = &doc.settings;
    let reference = doc.models.iter().find(|r| r.label == doc.reference);
    let variants = doc.models.len().saturating_sub(1);
    let plural = if variants == 1 { "" } else { "s" };
    let _ = writeln!(md, "# Quantization study: {} and {variants} variant{plural}\n", doc.reference);
    let path = reference.map(|r| format!(" (`{}`)", r.path)).unwrap_or_default();
    let _ = writeln!(md, "- Reference: **{}**{path}", doc.reference);
    let _ = writeln!(md, "- Backend: {}", doc.backend);
    let _ = writeln!(md, "- kaoshi {}, {}", doc.kaoshi_version, doc.date);
    let tokens = if s.ppl_tokens == 0 { "the whole text".to_string() } else { format!("{} tokens", s.ppl_tokens) };
    let _ = writeln!(
        md,
        "- Perplexity: windows of {} tokens, stride {}, {tokens} scored per text ({})",
        s.ppl_ctx,
        s.ppl_stride,
        if doc.ppl_data.is_empty() { MISSING.to_string() } else { doc.ppl_data.join(", ") }
    );
    let _ = writeln!(md, "- KL divergence: the first {} scored positions of each text", s.kld_tokens);
    let limit = s.limit.map_or("all items".to_string(), |l| format!("--limit {l} items per suite"));
    let _ = writeln!(md, "- Benchmarks: {limit}");
    let _ = writeln!(
        md,
        "- Speed: prefill of a {}-token prompt, decode of {} tokens\n",
        s.bench_prompt_tokens, s.bench_gen_tokens
    );
}

/// The perplexity of `r` on the text `data`.
fn ppl_on(r: &ModelRow, data: &str) -> Option<f64> {
    r.perplexity.iter().find(|p| p.data == data).map(|p| p.ppl)
}

fn main_table(md: &mut String, doc: &StudyDoc) {
    let _ = writeln!(md, "## Models\n");
    let mut head: Vec<String> =
        ["model", "size (MiB)", "bpw", "mean KLD", "top-1 %"].into_iter().map(String::from).collect();
    head.extend(doc.ppl_data.iter().map(|d| format!("PPL {}", cell(d))));
    if doc.ppl_data.len() > 1 {
        head.push("mean PPL".into());
    }
    head.extend(doc.metrics.iter().map(|m| cell(m)));
    head.extend(["prefill tok/s", "decode tok/s", "peak MiB"].map(String::from));
    table_head(md, &head);
    for r in &doc.models {
        let is_ref = r.label == doc.reference;
        let mut cells = vec![
            if is_ref { format!("{} (ref)", cell(&r.label)) } else { cell(&r.label) },
            num(Some(r.file_bytes as f64 / (1024.0 * 1024.0)), 1),
            num(Some(r.bits_per_weight), 2),
        ];
        if is_ref {
            cells.extend(["ref".to_string(), "ref".to_string()]);
        } else {
            cells.push(num(r.mean_kld(), 6));
            cells.push(num(r.same_top().map(|p| 100.0 * p), 2));
        }
        cells.extend(doc.ppl_data.iter().map(|d| num(ppl_on(r, d), 3)));
        if doc.ppl_data.len() > 1 {
            cells.push(num(Some(r.mean_ppl()), 3));
        }
        cells.extend(doc.metrics.iter().map(|m| num(r.metrics.get(m).copied(), 4)));
        let e = r.efficiency.as_ref();
        cells.push(num(e.map(|e| e.prefill_tok_s), 1));
        cells.push(num(e.map(|e| e.decode_tok_s), 1));
        cells.push(num(e.and_then(|e| e.peak_rss_mib), 0));
        row(md, &cells);
    }
    let _ = writeln!(
        md,
        "\nMean KLD and top-1 (the share of positions whose most likely token is the reference's) are \
         token-weighted over the texts; the mean PPL is the plain mean over the texts."
    );
}

fn fidelity_row(label: &str, f: &FidelitySummary) -> Vec<String> {
    vec![
        cell(label),
        f.n.to_string(),
        pm(f.kld_mean, f.kld_mean_err, 6, 1.0),
        num(Some(f.kld_median), 6),
        num(Some(f.kld_p99), 6),
        num(Some(f.kld_max), 6),
        pm(f.same_top, f.same_top_err, 3, 100.0),
        pm(f.dp_mean, f.dp_mean_err, 3, 100.0),
        pm(f.dp_rms, f.dp_rms_err, 3, 100.0),
        pm(f.ln_ppl_ratio, f.ln_ppl_ratio_err, 6, 1.0),
        num(Some(f.ln_ppl_ratio.exp()), 4),
    ]
}

fn fidelity_tables(md: &mut String, doc: &StudyDoc) {
    let _ = writeln!(md, "\n## Fidelity against the reference\n");
    let _ = writeln!(
        md,
        "Over the compared positions of each text, as `llama-perplexity --kl-divergence` reports them: \
         the KL divergence of each variant's next-token distribution from the reference's (nats), the share \
         of positions with the reference's most likely token, Δp = p(variant) − p(reference) of the correct \
         token, and ln(PPL(Q)/PPL(ref)) over these positions. ± is one standard error as llama.cpp \
         computes it (0 for the means over ten positions or fewer)."
    );
    let head: Vec<String> = [
        "variant",
        "n",
        "mean KLD",
        "median KLD",
        "99th pct KLD",
        "max KLD",
        "same top %",
        "mean Δp %",
        "RMS Δp %",
        "ln(PPL(Q)/PPL(ref))",
        "PPL ratio",
    ]
    .map(String::from)
    .to_vec();
    for data in &doc.ppl_data {
        let _ = writeln!(md, "\n### {data}\n");
        let rows: Vec<(&str, &FidelitySummary)> = doc
            .models
            .iter()
            .filter(|r| r.label != doc.reference)
            .filter_map(|r| {
                r.perplexity.iter().find(|p| &p.data == data)?.fidelity.as_ref().map(|f| (r.label.as_str(), f))
            })
            .collect();
        if rows.is_empty() {
            let _ = writeln!(md, "Not measured.");
            continue;
        }
        table_head(md, &head);
        for (label, f) in rows {
            row(md, &fidelity_row(label, f));
        }
    }
}

/// "Q8_0 62%, Q6_K 30%, F32 8%": the shares of tensor data, largest first.
pub fn composition(r: &ModelRow) -> String {
    let total: u64 = r.type_bytes.values().sum();
    if total == 0 {
        return MISSING.to_string();
    }
    let mut types: Vec<(&String, &u64)> = r.type_bytes.iter().collect();
    types.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let share = |b: u64| {
        let p = 100.0 * b as f64 / total as f64;
        if p >= 1.0 || b == 0 { format!("{p:.0}%") } else { "<1%".to_string() }
    };
    types.iter().map(|(t, b)| format!("{t} {}", share(**b))).collect::<Vec<_>>().join(", ")
}

/// The quantized types a file holds, in name order.
fn quantized_types(r: &ModelRow) -> Vec<&str> {
    r.type_bytes
        .iter()
        .filter(|(t, b)| **b > 0 && !PLAIN_TYPES.contains(&t.as_str()))
        .map(|(t, _)| t.as_str())
        .collect()
}

fn composition_section(md: &mut String, doc: &StudyDoc) {
    let _ = writeln!(md, "\n## What the files hold\n");
    table_head(md, &["model".into(), "bpw".into(), "tensor data by type".into()]);
    for r in &doc.models {
        row(md, &[cell(&r.label), num(Some(r.bits_per_weight), 2), composition(r)]);
    }
    let mixed: Vec<String> = doc
        .models
        .iter()
        .filter(|r| r.label != doc.reference && quantized_types(r).len() > 1)
        .map(|r| format!("{} ({})", r.label, quantized_types(r).join(", ")))
        .collect();
    if !mixed.is_empty() {
        let _ = writeln!(
            md,
            "\n{} mix{} quantized types: K-quant types (blocks of 256 weights) fall back to 32-weight block \
             types on rows whose length is not a multiple of 256 (a width of 576, for one), and llama.cpp's \
             mixes keep some tensors at a higher type, so a file's name gives only its main type; bits per \
             weight is the measure of size.",
            mixed.join(", "),
            if mixed.len() == 1 { "es" } else { "" }
        );
    }
}

fn proxy_section(md: &mut String, doc: &StudyDoc, charts: &[Chart]) {
    let _ = writeln!(md, "\n## Perplexity as a proxy\n");
    let _ = writeln!(
        md,
        "Jin et al. (\"A Comprehensive Evaluation of Quantization Strategies for Large Language Models\", \
         Findings of ACL 2024, arXiv:2402.16775) find that perplexity can stand in for benchmark scores of quantized models: \
         the mean |r| between average perplexity and their metrics is {PAPER_MEAN_ABS_R:.2}. Here: Pearson's r \
         and Spearman's ρ between each model's mean perplexity over the texts and each metric, over the \
         models that have both (the reference included)."
    );
    if doc.metrics.is_empty() {
        let _ = writeln!(md, "\nNo benchmark metrics were run: nothing to correlate.");
        return;
    }
    let corr: Vec<_> = doc.metrics.iter().map(|m| correlation_for(doc, m)).collect();
    let _ = writeln!(md);
    table_head(md, &["metric".into(), "n".into(), "Pearson r".into(), "Spearman ρ".into()]);
    let computed = |c: &crate::doc::Correlation| c.n >= MIN_MODELS && c.pearson.is_finite();
    for c in &corr {
        let (r, rho) = if computed(c) {
            (format!("{:.2}", c.pearson), num(Some(c.spearman), 2))
        } else {
            ("not computed".to_string(), "not computed".to_string())
        };
        row(md, &[cell(&c.metric), c.n.to_string(), r, rho]);
    }
    let _ = writeln!(md);
    for c in corr.iter().filter(|c| c.n < MIN_MODELS) {
        let _ = writeln!(
            md,
            "- {}: not computed, {} models have both numbers (at least {MIN_MODELS} needed).",
            c.metric, c.n
        );
    }
    let mut few: Vec<usize> = corr.iter().filter(|c| computed(c) && c.n < FEW_MODELS).map(|c| c.n).collect();
    few.sort_unstable();
    few.dedup();
    for n in few {
        let _ = writeln!(
            md,
            "- n = {n}: r over {n} models describes these {n} models and is not evidence of a relationship \
             (a handful of points can line up by chance)."
        );
    }
    let rs: Vec<f64> = corr.iter().filter(|c| computed(c)).map(|c| c.pearson.abs()).collect();
    if !rs.is_empty() {
        let _ = writeln!(
            md,
            "- Mean |r| here: {:.2} over {} metric{} (the paper: {PAPER_MEAN_ABS_R:.2}). A negative r means \
             a higher perplexity goes with a lower score.",
            rs.iter().sum::<f64>() / rs.len() as f64,
            rs.len(),
            if rs.len() == 1 { "" } else { "s" }
        );
    }
    for c in charts.iter().filter(|c| c.file.starts_with("ppl-vs-")) {
        link(md, Some(c));
    }
}

/// Renders the study.
pub fn render(doc: &StudyDoc) -> Rendered {
    let charts = charts::charts(doc);
    let find = |file: &str| charts.iter().find(|c| c.file == file);
    let mut md = String::new();
    settings(&mut md, doc);
    main_table(&mut md, doc);
    link(&mut md, find("metric-vs-bpw.svg"));
    fidelity_tables(&mut md, doc);
    link(&mut md, find("kld-vs-bpw.svg"));
    composition_section(&mut md, doc);
    proxy_section(&mut md, doc, &charts);
    if !doc.notes.is_empty() {
        let _ = writeln!(md, "\n## Notes\n");
        for n in &doc.notes {
            let _ = writeln!(md, "- {n}");
        }
    }
    Rendered { markdown: md, charts: charts.into_iter().map(|c| (c.file, c.svg)).collect() }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::doc::{Efficiency, Settings, TextPerplexity};
    use crate::fidelity::{Accumulator, Position};

    /// A summary of 20 positions whose KL divergences average `kld`
    /// (spread ±40 %), a `same` share of same top tokens, and losses a
    /// `ln_ratio` above the reference's.
    fn fidelity(kld: f64, same: f64, ln_ratio: f64) -> FidelitySummary {
        let mut acc = Accumulator::default();
        for i in 0..20 {
            let spread = [0.6, 0.8, 1.0, 1.2, 1.4][i % 5];
            acc.push(Position {
                kld: kld * spread,
                p_diff: -0.1 * kld * spread,
                same_top: (i as f64) < same * 20.0,
                nll: 2.0 + 0.01 * i as f64 + ln_ratio,
                nll_ref: 2.0 + 0.01 * i as f64,
            });
        }
        acc.summary().unwrap()
    }

    fn text(data: &str, ppl: f64, f: Option<FidelitySummary>) -> TextPerplexity {
        TextPerplexity { data: data.into(), n_tokens: 1000, nll: 1000.0 * ppl.ln(), ppl, fidelity: f }
    }

    /// label, bpw, ppl on the two texts, mean KLD, the two metrics.
    type Spec<'a> = (&'a str, f64, [f64; 2], f64, [f64; 2]);

    fn model((label, bpw, ppl, kld, metrics): Spec, is_ref: bool) -> ModelRow {
        let f = |scale: f64| (!is_ref).then(|| fidelity(kld * scale, 1.0 - kld, kld / 2.0));
        let mut type_bytes = BTreeMap::from([("F32".to_string(), 10u64 << 20)]);
        let quantized: Vec<(&str, u64)> = match label {
            "F16" => vec![("F16", 250)],
            "Q4_K_M" => vec![("Q4_K", 60), ("Q6_K", 15), ("Q5_0", 5)],
            _ => vec![(label, (bpw * 16.0) as u64)],
        };
        type_bytes.extend(quantized.into_iter().map(|(t, mib)| (t.to_string(), mib << 20)));
        ModelRow {
            label: label.into(),
            path: format!("/models/{label}.gguf"),
            file_bytes: (bpw * 16.0 * 1024.0 * 1024.0) as u64 + 3 * 1024 * 1024,
            bits_per_weight: bpw,
            type_bytes,
            perplexity: vec![text("wiki", ppl[0], f(1.0)), text("zh", ppl[1], f(1.5))],
            metrics: BTreeMap::from([("mmlu/acc".to_string(), metrics[0]), ("gsm8k/exact".to_string(), metrics[1])]),
            efficiency: (label != "Q2_K").then_some(Efficiency {
                prefill_tok_s: 1000.0 / bpw,
                decode_tok_s: 200.0 / bpw,
                peak_rss_mib: Some(100.0 * bpw),
                load_s: 0.5,
            }),
        }
    }

    const SPECS: [Spec; 4] = [
        ("F16", 16.0, [12.0, 20.0], 0.0, [0.45, 0.30]),
        ("Q8_0", 8.5, [12.05, 20.1], 0.0004, [0.45, 0.29]),
        ("Q4_K_M", 4.9, [12.6, 21.3], 0.03, [0.43, 0.25]),
        ("Q2_K", 2.9, [17.2, 29.9], 0.5, [0.33, 0.12]),
    ];

    fn study(specs: &[Spec]) -> StudyDoc {
        let models: Vec<ModelRow> = specs.iter().enumerate().map(|(i, s)| model(*s, i == 0)).collect();
        let metrics = vec!["mmlu/acc".to_string(), "gsm8k/exact".to_string()];
        StudyDoc {
            reference: "F16".into(),
            backend: "cpu".into(),
            correlations: crate::correlate::correlations(&models, &metrics),
            models,
            ppl_data: vec!["wiki".into(), "zh".into()],
            metrics,
            settings: Settings {
                ppl_ctx: 512,
                ppl_stride: 256,
                ppl_tokens: 4096,
                kld_tokens: 1024,
                limit: Some(100),
                bench_prompt_tokens: 256,
                bench_gen_tokens: 64,
            },
            notes: vec!["Only 3 variants.".into()],
            kaoshi_version: "0.1.0".into(),
            date: "2025-01-01T00:00:00Z".into(),
        }
    }

    /// The rows of the first table after `heading`, split into cells.
    fn table(md: &str, heading: &str) -> Vec<Vec<String>> {
        let rest = &md[md.find(heading).unwrap_or_else(|| panic!("no {heading} in {md}"))..];
        rest.lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
            .collect()
    }

    #[test]
    fn main_table_has_every_model_in_order_with_its_numbers() {
        let doc = study(&SPECS);
        let md = render(&doc).markdown;
        assert!(
            md.contains("Reference: **F16** (`/models/F16.gguf`)") && md.contains("windows of 512 tokens, stride 256")
        );
        assert!(md.contains("--limit 100") && md.contains("256-token prompt") && md.contains("2025-01-01"));
        let head = md.lines().find(|l| l.starts_with("| model | size")).unwrap();
        assert!(head.contains("PPL wiki | PPL zh | mean PPL | mmlu/acc | gsm8k/exact | prefill"), "{head}");
        let rows = table(&md, "## Models");
        let labels: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(labels, ["F16 (ref)", "Q8_0", "Q4_K_M", "Q2_K"]);
        assert_eq!(rows[0][1..5], ["259.0", "16.00", "ref", "ref"]);
        let q4 = &doc.models[2];
        assert_eq!(rows[2][3], format!("{:.6}", q4.mean_kld().unwrap()));
        assert_eq!(rows[2][4], format!("{:.2}", 100.0 * q4.same_top().unwrap()));
        assert_eq!(rows[2][5..10], ["12.600", "21.300", "16.950", "0.4300", "0.2500"]);
        assert_eq!(rows[2][10..], ["204.1", "40.8", "490"]);
        assert_eq!(rows[3][10..], [MISSING, MISSING, MISSING], "Q2_K has no speed measured");
        // The token-weighted mean sits between the two texts' means.
        let k: f64 = rows[3][3].parse().unwrap();
        assert!(k > 0.5 && k < 0.75, "{k}");
        assert!(md.contains("## Notes\n\n- Only 3 variants."));
    }

    #[test]
    fn fidelity_tables_give_each_variants_mean_kld_per_text() {
        let doc = study(&SPECS);
        let md = render(&doc).markdown;
        for (i, data) in ["wiki", "zh"].iter().enumerate() {
            let rows = table(&md, &format!("### {data}"));
            assert_eq!(rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["Q8_0", "Q4_K_M", "Q2_K"]);
            for (r, m) in rows.iter().zip(&doc.models[1..]) {
                let f = m.perplexity[i].fidelity.as_ref().unwrap();
                assert_eq!(r[1], "20");
                assert_eq!(r[2], format!("{:.6} ± {:.6}", f.kld_mean, f.kld_mean_err));
                assert_eq!(r[5], format!("{:.6}", f.kld_max));
                assert_eq!(r[10], format!("{:.4}", f.ln_ppl_ratio.exp()));
            }
        }
        let q2 = doc.models[3].perplexity[0].fidelity.as_ref().unwrap();
        assert!((q2.kld_mean - 0.5).abs() < 1e-12 && (q2.same_top - 0.5).abs() < 1e-12);
        let rows = table(&md, "### wiki");
        assert!(rows[2][6].starts_with("50.000 ± "), "{:?}", rows[2]);
    }

    #[test]
    fn composition_names_the_mixed_types() {
        let doc = study(&SPECS);
        assert_eq!(composition(&doc.models[2]), "Q4_K 67%, Q6_K 17%, F32 11%, Q5_0 6%");
        let md = render(&doc).markdown;
        assert!(md.contains("Q4_K_M (Q4_K, Q5_0, Q6_K) mixes quantized types"), "{md}");
        assert!(!md.contains("Q8_0 (Q8_0"), "one quantized type is no mix");
    }

    #[test]
    fn correlations_carry_n_and_the_caveats() {
        let md = render(&study(&SPECS)).markdown;
        let rows = table(&md, "## Perplexity as a proxy");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][..2], ["mmlu/acc", "4"]);
        let r: f64 = rows[0][2].parse().unwrap();
        assert!(r < -0.9, "accuracy falls as perplexity grows: {r}");
        assert!(md.contains("r over 4 models describes these 4 models and is not evidence of a relationship"));
        assert!(md.contains("0.79") && md.contains("Findings of ACL 2024"));
        assert!(!md.contains("not computed"));

        let mut two = study(&SPECS[..2]);
        two.correlations = crate::correlate::correlations(&two.models, &two.metrics);
        let md = render(&two).markdown;
        let rows = table(&md, "## Perplexity as a proxy");
        assert_eq!(rows[0], ["mmlu/acc", "2", "not computed", "not computed"]);
        assert!(md.contains("mmlu/acc: not computed, 2 models") && !md.contains("not evidence"));

        let mut many: Vec<Spec> = SPECS.to_vec();
        for (i, l) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
            many.push((l, 3.0 + i as f64, [13.0 + i as f64, 22.0], 0.1, [0.4 - 0.01 * i as f64, 0.2]));
        }
        let md = render(&study(&many)).markdown;
        assert!(table(&md, "## Perplexity as a proxy")[0][1] == "9" && !md.contains("not evidence"));
    }

    /// The `(cx, cy)` of every point drawn, in order.
    fn circles(svg: &str) -> Vec<(f64, f64)> {
        let attr = |t: &str, name: &str| -> f64 {
            let t = &t[t.find(name).unwrap() + name.len()..];
            t[..t.find('"').unwrap()].parse().unwrap()
        };
        svg.split("<circle ").skip(1).map(|t| (attr(t, "cx=\""), attr(t, "cy=\""))).collect()
    }

    #[test]
    fn every_linked_chart_is_rendered_and_well_formed() {
        let doc = study(&SPECS);
        let out = render(&doc);
        let links: Vec<&str> = out
            .markdown
            .split("](")
            .skip(1)
            .map(|t| &t[..t.find(')').unwrap()])
            .filter(|l| l.ends_with(".svg"))
            .collect();
        let files: Vec<&str> = out.charts.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(links, ["metric-vs-bpw.svg", "kld-vs-bpw.svg", "ppl-vs-mmlu-acc.svg", "ppl-vs-gsm8k-exact.svg"]);
        assert_eq!(files.len(), links.len());
        assert!(links.iter().all(|l| files.contains(l)));
        for (file, svg) in &out.charts {
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{file}");
            assert_eq!(svg.matches("<svg").count(), 1, "{file}");
            for m in &doc.models[1..] {
                assert!(svg.contains(&format!(">{}<", m.label)), "{file} lacks {}", m.label);
            }
            assert_eq!(svg.contains(">F16<"), file != "kld-vs-bpw.svg", "{file}: the reference has no KLD");
        }
        let ppl = &out.charts.iter().find(|(f, _)| f == "ppl-vs-mmlu-acc.svg").unwrap().1;
        assert!(ppl.contains("Pearson r = -") && ppl.contains("(n = 4); few models"), "{ppl}");
        // Log scale: Q8_0 (KLD ~4e-4) is drawn lowest, Q2_K (~0.6) highest.
        let kld = &out.charts.iter().find(|(f, _)| f == "kld-vs-bpw.svg").unwrap().1;
        let c = circles(kld);
        assert_eq!(c.len(), 3);
        assert!(c[0].1 > c[1].1 && c[1].1 > c[2].1, "{c:?}");
    }

    #[test]
    fn missing_and_non_finite_values_never_print_nan() {
        let mut doc = study(&SPECS);
        doc.models[1].metrics.insert("mmlu/acc".into(), f64::NAN);
        doc.models[2].metrics.remove("gsm8k/exact");
        doc.models[3].perplexity[1].ppl = f64::NAN;
        doc.models[3].bits_per_weight = f64::INFINITY;
        doc.correlations = crate::correlate::correlations(&doc.models, &doc.metrics);
        let out = render(&doc);
        assert!(!out.markdown.contains("NaN") && !out.markdown.contains("inf"), "{}", out.markdown);
        for (file, svg) in &out.charts {
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{file}: {svg}");
        }
        let rows = table(&out.markdown, "## Models");
        assert_eq!(rows[1][8], MISSING, "Q8_0's mmlu/acc is NaN");
        assert_eq!(rows[2][9], MISSING, "Q4_K_M has no gsm8k/exact");
        let metric = &out.charts.iter().find(|(f, _)| f == "metric-vs-bpw.svg").unwrap().1;
        assert_eq!(circles(metric).len(), 8 - 2 - 2, "Q8_0's NaN, Q4_K_M's missing, Q2_K's infinite bpw");
    }
}
