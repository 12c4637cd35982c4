//! `kaoshi probe xling | lape | fertility` and `kaoshi activations` end to
//! end on stories260K and FLORES-200 from ../shared: the JSON documents,
//! the files `--output` writes, and one-line errors for bad input.

mod common;

use common::{fails, kaoshi};
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("data/flores200").is_dir(), "the shared data is missing: expected {}", p.display());
    p
}

fn model() -> String {
    shared().join("fixtures/models/stories260K/stories260K.gguf").display().to_string()
}

fn flores() -> String {
    shared().join("data/flores200").display().to_string()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = kaoshi(args);
    assert!(out.status.success(), "kaoshi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

fn tmp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("probe-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn xling_json_and_output_folder() {
    let (m, d) = (model(), flores());
    let out = tmp("xling");
    let args = ["probe", "xling", "--model", &m, "--data", &d, "--langs", "eng_Latn,fra_Latn,deu_Latn", "--limit", "3"];
    let v = json(&[&args[..], &["--json", "--output", out.to_str().expect("path")]].concat());
    assert_eq!(v["probe"], "xling");
    assert_eq!(v["layers"].as_array().expect("layers").len(), 6);
    assert_eq!(v["n_sentences"], 3);
    assert_eq!(v["similarity"]["centroid"][3][1][1], 1.0);
    assert_eq!(v["similarity"]["paired"][2][0][1], v["similarity"]["paired"][2][1][0]);
    assert_eq!(v["mean_offdiag"]["centered"].as_array().expect("curve").len(), 6);
    assert_eq!(v["options"]["pool"], "last");
    assert_eq!(v["provenance"]["model_sha256"].as_str().expect("sha256").len(), 64);
    assert_eq!(v["provenance"]["backend"], "cpu");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("probe.json")).expect("probe.json")).expect("json");
    assert_eq!(written["similarity"], v["similarity"]);
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("xling_layers.svg") && md.contains("| emb |"), "{md}");
    for chart in ["xling_layers.svg", "xling_heatmap_2.svg"] {
        let svg = std::fs::read_to_string(out.join(chart)).unwrap_or_else(|e| panic!("{chart}: {e}"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{chart}");
    }
    let map = std::fs::read_to_string(out.join("xling_heatmap_2.svg")).expect("heat map");
    assert!(map.contains("deu_Latn") && map.matches("<rect").count() == 1 + 9, "a 3 x 3 map");
}

#[test]
fn lape_and_fertility_json() {
    let (m, d) = (model(), flores());
    let v = json(&[
        "probe",
        "lape",
        "--model",
        &m,
        "--data",
        &d,
        "--langs",
        "eng_Latn,zho_Hans",
        "--limit",
        "4",
        "--eval-limit",
        "2",
        "--json",
    ]);
    assert_eq!(v["probe"], "lape");
    assert_eq!(v["n_selected"], (5.0f64 * 172.0 * 0.01).round() as u64);
    assert!(v["neurons"].is_object() && v["per_layer"]["zho_Hans"].as_array().expect("per layer").len() == 5);
    let delta = v["ablation"]["delta_ppl"].as_array().expect("matrix");
    assert_eq!(delta.len(), 2);
    assert!(delta.iter().flat_map(|r| r.as_array().expect("row")).all(|x| x.as_f64().is_some_and(f64::is_finite)));

    let f = json(&[
        "probe",
        "fertility",
        "--model",
        &m,
        "--data",
        &d,
        "--langs",
        "zho_Hans,fra_Latn",
        "--limit",
        "5",
        "--json",
    ]);
    assert_eq!(f["reference"], "eng_Latn");
    let langs: Vec<&str> =
        f["languages"].as_array().expect("languages").iter().map(|s| s["lang"].as_str().expect("lang")).collect();
    assert_eq!(langs, ["zho_Hans", "fra_Latn"], "the reference is read, not reported");
    assert_eq!(f["languages"][0]["unit"], "char");
    assert!(f["languages"][0]["byte_fallback_share"].as_f64().expect("share") > 0.0);
}

#[test]
fn activations_are_written_for_python() {
    let m = model();
    let dir = tmp("activations");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("texts.txt");
    std::fs::write(&file, "Once upon a time\n\nLily saw a big dog.\n").expect("texts");
    let (all, ends) = (dir.join("all.safetensors"), dir.join("ends.npz"));
    let run = |positions: &str, out: &Path| {
        json(&[
            "activations",
            "--model",
            &m,
            "--file",
            file.to_str().expect("path"),
            "--hooks",
            "blocks.*.hook_resid_post,blocks.1.attn.hook_pattern",
            "--positions",
            positions,
            "--out",
            out.to_str().expect("path"),
            "--json",
        ])
    };
    let a = run("all", &all);
    assert_eq!(a["texts"], 2);
    let rows = a["arrays"]["row_text"][0].as_u64().expect("rows");
    assert_eq!(a["arrays"]["blocks.4.hook_resid_post"], serde_json::json!([rows, 64]));
    let longest = a["arrays"]["blocks.1.attn.hook_pattern"][2].as_u64().expect("keys");
    assert_eq!(a["arrays"]["blocks.1.attn.hook_pattern"], serde_json::json!([rows, 8, longest]));
    let e = run("0,-1", &ends);
    assert_eq!(e["arrays"]["row_position"], serde_json::json!([4]));
    // The last row of the first text, read from both files, is the same.
    let check = r#"
import json, struct, sys, zipfile
st = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", st[:8])[0]
h = json.loads(st[8:8 + n])
def st_array(name):
    s, e = h[name]["data_offsets"]
    return st[8 + n + s:8 + n + e]
z = zipfile.ZipFile(sys.argv[2])
def npz_array(name):
    b = z.read(name + ".npy")
    return b[10 + struct.unpack("<H", b[8:10])[0]:]
pos = struct.unpack("<%dq" % (len(st_array("row_position")) // 8), st_array("row_position"))
text = struct.unpack("<%dq" % (len(st_array("row_text")) // 8), st_array("row_text"))
last = max(i for i in range(len(pos)) if text[i] == 0)
row = st_array("blocks.3.hook_resid_post")[last * 256:(last + 1) * 256]
assert row == npz_array("blocks.3.hook_resid_post")[256:512], "row 1 of the ends is text 0's last"
print("ok")
"#;
    let out = Command::new("python3").arg("-c").arg(check).arg(&all).arg(&ends).output().expect("python3");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn bad_probe_input_is_one_line() {
    let (m, d) = (model(), flores());
    let err = fails(&["probe", "xling", "--model", &m, "--data", &d, "--langs", "eng_Latn,xxx_Yyyy", "--limit", "2"]);
    assert!(
        err.contains("xxx_Yyyy") && err.contains("eng_Latn"),
        "names the missing language and what is there: {err}"
    );
    let err = fails(&["probe", "xling", "--model", &m, "--data", &d, "--langs", "eng_Latn", "--limit", "2"]);
    assert!(err.contains("at least two"), "{err}");
    let err = fails(&["probe", "xling", "--model", &m, "--data", &d, "--langs", "eng_Latn,fra_Latn", "--pool", "max"]);
    assert!(err.contains("last or mean"), "{err}");
    let xling = ["probe", "xling", "--model", &m, "--data", &d, "--langs", "eng_Latn,fra_Latn", "--limit", "2"];
    let err = fails(&[&xling[..], &["--heatmap-layer", "5"]].concat());
    assert!(err.contains("emb or a block number 0..4"), "stories260K has blocks 0..4: {err}");
    let out = tmp("heatmap-emb");
    let ok = kaoshi(&[&xling[..], &["--heatmap-layer", "emb", "--output", out.to_str().expect("path")]].concat());
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(out.join("xling_heatmap_emb.svg").is_file(), "the heat map of the embedding output");
    let err = fails(&["probe", "lape", "--model", &m, "--data", &d, "--langs", "eng_Latn,fra_Latn", "--top-rate", "2"]);
    assert!(err.contains("--top-rate"), "{err}");
    let err =
        fails(&["activations", "--model", &m, "--text", "a", "--hooks", "blocks.9.hook_resid_post", "--out", "x.npz"]);
    assert!(err.contains("blocks.9"), "{err}");
    let err =
        fails(&["activations", "--model", &m, "--text", "a", "--hooks", "blocks.0.hook_resid_post", "--out", "x.csv"]);
    assert!(err.contains(".safetensors or .npz"), "{err}");
    let err = fails(&[
        "activations",
        "--model",
        &m,
        "--text",
        "a b",
        "--hooks",
        "hook_embed",
        "--positions",
        "7",
        "--out",
        "x.npz",
    ]);
    assert!(err.contains("position 7"), "{err}");
}
