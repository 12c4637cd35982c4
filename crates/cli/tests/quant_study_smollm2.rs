//! The quantization study on a trained model: SmolLM2-135M-Instruct (Q4_1)
//! written as F32 by `kaoshi quantize` (the reference: exactly the weights
//! every variant is quantized from), and as Q8_0, Q6_K, Q4_K, Q3_K and
//! Q2_K; `kaoshi quant-study` over a WikiText-2 head, CMMLU and XCOPA
//! subsets.
//!
//! SmolLM2's width is 576, not a multiple of the K-quants' 256-value
//! blocks, so K types apply to `ffn_down` (rows of 1536) only and the
//! other matrices fall back as llama.cpp does: Q6_K to Q8_0, Q4_K to Q5_0,
//! Q3_K and Q2_K to IQ4_NL, for which Q4_0 stands in. Each variant in the
//! order Q8_0, Q6_K, Q4_K, Q3_K, Q2_K stores every matrix in as many bits
//! as the next or more (8.5 ≥ 6.56 on ffn_down; 8.5 → 5.5 → 4.5 → 4.5
//! elsewhere, and 4.5 → 3.44 → 2.63 on ffn_down), so each rounds every
//! weight at least as coarsely as the one before and its divergence from
//! the reference is expected to be at least as large. The test asserts the
//! order where a step lowers the bits of most weights (Q8_0 < Q4_K < Q3_K,
//! and Q2_K above Q4_K); Q6_K against Q8_0 and Q2_K against Q3_K change one
//! matrix per block, and their order is reported, not asserted.

mod common;

use std::path::Path;

use common::{kaoshi, ok, shared, smollm2, tmp};
use serde_json::Value;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn smollm2_variants_diverge_in_the_order_of_their_bits() {
    let dir = tmp("quant-study", "smollm2");
    std::fs::create_dir_all(&dir).expect("dir");
    let model = smollm2();
    let types = ["F32", "Q8_0", "Q6_K", "Q4_K", "Q3_K", "Q2_K"];
    let files: Vec<_> = types
        .iter()
        .map(|t| {
            let out = dir.join(format!("smollm2-{t}.gguf"));
            ok(&["quantize", "--model", &model, "--type", t, "--out", s(&out)]);
            out
        })
        .collect();
    let variants: Vec<&str> = files[1..].iter().map(|p| s(p)).collect();
    let joined = variants.join(",");
    let data = shared("data");
    let out = dir.join("study");
    let run = kaoshi(&[
        "quant-study",
        "--reference",
        s(&files[0]),
        "--variants",
        &joined,
        "--suites",
        "cmmlu,xcopa",
        "--data",
        s(&data),
        "--limit",
        "12",
        "--ppl-data",
        "wikitext2",
        "--ppl-tokens",
        "768",
        "--kld-tokens",
        "384",
        "--bench-prompt-tokens",
        "32",
        "--bench-gen-tokens",
        "16",
        "--output",
        s(&out),
        "--json",
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let doc: Value = serde_json::from_slice(&run.stdout).expect("study.json");
    let m = doc["models"].as_array().expect("models");
    let kld: Vec<f64> =
        m[1..].iter().map(|r| r["perplexity"][0]["fidelity"]["kld_mean"].as_f64().expect("kld")).collect();
    eprintln!("KLD Q8_0, Q6_K, Q4_K, Q3_K, Q2_K: {kld:?}");
    assert!(kld[0] > 0.0 && kld[0] < kld[2] && kld[2] < kld[3] && kld[2] < kld[4], "{kld:?}");
    for r in m {
        for key in ["cmmlu/acc", "xcopa/acc"] {
            let v = r["metrics"][key].as_f64().unwrap_or(f64::NAN);
            assert!((0.0..=1.0).contains(&v), "{} {key}: {v}", r["label"]);
        }
    }
    let corr = doc["correlations"].as_array().expect("correlations");
    assert_eq!(corr.len(), 2);
    assert!(corr.iter().all(|c| c["n"] == 6));
    let report = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(report.contains("smollm2-Q3_K"), "{report}");
}
