//! `report.md` and charts of the steering probes: [`concept`] (separation
//! per block), [`emotion`] (accuracies per scale) and [`affine`] (the fit's
//! errors).

use std::fmt::Write as _;

use crate::affine::Regularization;
use crate::affine_probe::AffineReport;
use crate::concept_probe::ConceptReport;
use crate::emotion::EmotionReport;
use crate::report::Rendered;
use crate::svg::{bar_chart, line_chart};

fn f(x: f64) -> String {
    if x.is_finite() { format!("{x:.3}") } else { "–".into() }
}

/// `probe concept`: the separation of the pairs per block.
pub fn concept(r: &ConceptReport) -> Rendered {
    let layers: Vec<String> = r.layers.iter().map(usize::to_string).collect();
    let chart = line_chart(
        &format!("Concept separation per block ({} pairs, method {:?})", r.n_pairs, r.method),
        "block (its output)",
        "share of pairs; gap in sds",
        &layers,
        &[
            ("pairs ordered".to_string(), r.separation.iter().map(|s| s.ordered).collect()),
            ("gap / sd".to_string(), r.separation.iter().map(|s| s.gap_over_sd).collect()),
        ],
    );
    let mut md = String::new();
    let _ = writeln!(md, "# Concept vectors\n");
    let _ = writeln!(
        md,
        "{} pairs ({} positive and {} negative prompts given; the longer list cut), last token, output of each \
         block; method `{:?}` ({}).\n",
        r.n_pairs,
        r.n_pos,
        r.n_neg,
        r.method,
        match r.method {
            crate::concept::Method::Mean => "mean of h_pos - h_neg, ConTrans Eq. 1, not normalized",
            crate::concept::Method::Pca =>
                "first principal component of the recentred differences, unit length, sign so positives project higher (repeng pca_diff)",
        }
    );
    let _ = writeln!(md, "![separation](concept_separation.svg)\n");
    let _ = writeln!(md, "| block | norm | gap (pos - neg on the unit direction) | gap / sd | pairs ordered |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for (k, l) in r.layers.iter().enumerate() {
        let s = &r.separation[k];
        let _ = writeln!(md, "| {l} | {} | {} | {} | {} |", f(r.norm[k]), f(s.gap), f(s.gap_over_sd), f(s.ordered));
    }
    let _ = writeln!(
        md,
        "\nIn-sample figures: the vectors are measured on the pairs they were made from. `direction.N` in the \
         control vector file steers block N's output (llama.cpp `--control-vector`, repeng)."
    );
    Rendered { markdown: md, charts: vec![("concept_separation.svg".into(), chart)] }
}

/// `probe emotion`: accuracies per scale.
pub fn emotion(r: &EmotionReport) -> Rendered {
    let groups: Vec<String> = r.results.iter().map(|s| format!("scale {}", s.scale)).collect();
    let chart = bar_chart(
        &format!("Emotion \"{}\" on the other emotions' scenarios", r.concept),
        "accuracy",
        &groups,
        &[
            ("token accuracy".to_string(), r.results.iter().map(|s| s.neg.token).collect()),
            ("logit accuracy".to_string(), r.results.iter().map(|s| s.neg.logit).collect()),
        ],
    );
    let mut md = String::new();
    let _ = writeln!(md, "# Emotion evaluation: {}\n", r.concept);
    let steered = if r.steered_blocks.is_empty() {
        "no control vector".to_string()
    } else {
        format!("control vector at blocks {:?}, every position", r.steered_blocks)
    };
    let _ = writeln!(
        md,
        "ConTrans' evaluation ({steered}). Token accuracy: the top-1 next token is the emotion word; logit \
         accuracy: its first token has the largest logit of the six emotions'. Negative scenarios are the other \
         five emotions' (the paper reports these): a higher accuracy there means the concept was pushed in.\n"
    );
    let _ = writeln!(md, "![accuracy](emotion_accuracy.svg)\n");
    let _ = writeln!(md, "| scale | neg token acc | neg logit acc | pos token acc | pos logit acc | n (each) |");
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for s in &r.results {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            s.scale,
            f(s.neg.token),
            f(s.neg.logit),
            f(s.pos.token),
            f(s.pos.logit),
            s.neg.n
        );
    }
    let _ = writeln!(md, "\nEmotion tokens: {}", {
        let t: Vec<String> = r.emotion_tokens.iter().map(|(e, id, text)| format!("{e} = {id} {text:?}")).collect();
        t.join(", ")
    });
    Rendered { markdown: md, charts: vec![("emotion_accuracy.svg".into(), chart)] }
}

/// `probe affine`: the fit's errors.
pub fn affine(r: &AffineReport) -> Rendered {
    let mut md = String::new();
    let _ = writeln!(md, "# Affine map: source block {} -> target block {}\n", r.source_layer, r.target_layer);
    let reg = match r.regularization {
        Regularization::None => "none (singular values below 1e-7 of the largest dropped)".to_string(),
        Regularization::Ridge(l) => format!("ridge, lambda = {l}"),
        Regularization::Rank(k) => format!("rank cut, {k} singular values"),
    };
    let _ = writeln!(
        md,
        "Least squares `y = W x` (no bias, no centring, ConTrans Eq. 2) from {} to {} dimensions, on the last \
         token of each input; {} / {} / {} rows for training / development / test in file order. \
         Regularization: {reg}; {} singular values kept ({} .. {}).\n",
        r.d_source,
        r.d_target,
        r.n_train,
        r.n_dev,
        r.n_test,
        r.rank,
        f(r.singular_value_range[0]),
        f(r.singular_value_range[1])
    );
    let _ = writeln!(md, "| split | MSE per element |\n|---|---|");
    let _ = writeln!(md, "| train | {} |\n| dev | {} |\n| test | {} |", f(r.train_mse), f(r.dev_mse), f(r.test_mse));
    let _ = writeln!(md, "| test, predicting 0 (the targets' mean square) | {} |", f(r.test_mean_square));
    Rendered { markdown: md, charts: Vec::new() }
}
