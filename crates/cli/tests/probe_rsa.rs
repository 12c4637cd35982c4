//! `kaoshi probe rsa` end to end on stories260K and FLORES-200 sentences
//! from ../shared: a model against itself, a target RDM file written from
//! its own RDMs, the files `--output` writes, and one-line errors for bad
//! targets and stimuli.

mod common;

use common::{fails, kaoshi};
use std::path::{Path, PathBuf};

use kaoshi_probe::tensor_file::read_npy;

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("data/flores200").is_dir(), "the shared data is missing: expected {}", p.display());
    p
}

fn model() -> String {
    shared().join("fixtures/models/stories260K/stories260K.gguf").display().to_string()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = kaoshi(args);
    assert!(out.status.success(), "kaoshi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// A fresh folder with `stimuli.txt`: the first `n` English FLORES-200 sentences.
fn setup(name: &str, n: usize) -> (PathBuf, String) {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rsa-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    let text = std::fs::read_to_string(shared().join("data/flores200/devtest/eng_Latn.devtest")).expect("FLORES");
    let lines: Vec<&str> = text.lines().take(n).collect();
    let s = d.join("stimuli.txt");
    std::fs::write(&s, lines.join("\n") + "\n").expect("stimuli");
    (d, s.display().to_string())
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn a_model_against_itself_and_its_own_rdm_file() {
    let (dir, s) = setup("self", 8);
    let (m, out) = (model(), dir.join("out"));
    let o = out.to_str().expect("path");
    let stats = ["--permutations", "200", "--bootstrap", "100", "--seed", "3"];
    let args = [
        &["probe", "rsa", "--model", &m, "--stimuli", &s, "--target-model", &m][..],
        &stats,
        &["--json", "--output", o],
    ];
    let v = json(&args.concat());
    assert_eq!(v["probe"], "rsa");
    assert_eq!(v["layers"], serde_json::json!(["emb", "0", "1", "2", "3", "4"]));
    assert_eq!(v["n_stimuli"], 8);
    let matrix = v["rho_matrix"].as_array().expect("rho_matrix");
    for (i, row) in matrix.iter().enumerate() {
        // The same model twice computes the same RDMs: rho 1 up to f64 rounding.
        assert!((f(&row[i]) - 1.0).abs() < 1e-12, "layer {i}: {}", row[i]);
        assert!((f(&v["rho"][i]) - 1.0).abs() < 1e-12);
        let p = f(&v["p"][i]);
        assert!((p - 1.0 / 201.0).abs() < 1e-12, "p {p}");
        assert!(f(&v["ci"][i][0]) <= 1.0 && f(&v["ci"][i][1]) <= 1.0 + 1e-12);
    }
    assert!(f(&matrix[0][5]) < 0.999, "the embedding and the last block differ");
    assert_eq!(v["options"]["compare"], "spearman");
    assert_eq!(v["options"]["p"], "two-sided");
    assert_eq!(v["provenance"]["seed"], 3);
    assert_eq!(v["provenance"]["target_model"]["model_sha256"], v["provenance"]["model_sha256"]);
    for file in ["probe.json", "report.md", "rsa_layers.svg", "rsa_matrix.svg", "rdms.npy", "target_rdms.npy"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("| emb |") && md.contains("best match") && md.contains("BOS added"), "{md}");
    let (shape, rdms) = read_npy(&std::fs::read(out.join("rdms.npy")).expect("rdms.npy")).expect("npy");
    assert_eq!(shape, vec![6, 8, 8]);
    let at = |l: usize, i: usize, j: usize| rdms[(l * 8 + i) * 8 + j];
    assert!((0..8).all(|i| at(2, i, i) == 0.0 && at(2, i, 7 - i) == at(2, 7 - i, i)));

    // Block 2's RDM, as a CSV with a header, is the target: rho 1 at block 2
    // (f32 in the file: ranks unchanged unless two distances tie within 1e-7).
    let mut csv = (0..8).map(|j| format!("s{j}")).collect::<Vec<_>>().join(",") + "\n";
    for i in 0..8 {
        csv += &((0..8).map(|j| at(3, i, j).to_string()).collect::<Vec<_>>().join(",") + "\n");
    }
    let target = dir.join("target.csv");
    std::fs::write(&target, &csv).expect("csv");
    let t = target.to_str().expect("path");
    let v =
        json(&[&["probe", "rsa", "--model", &m, "--stimuli", &s, "--target-rdm", t][..], &stats, &["--json"]].concat());
    assert!((f(&v["rho"][3]) - 1.0).abs() < 1e-9, "{}", v["rho"]);
    assert!(v.get("rho_matrix").is_none());
    assert_eq!(v["ci"].as_array().expect("ci").len(), 6);

    // Not symmetric, the wrong size, a similarity matrix, fewer than 3 stimuli.
    let bad = |body: &str, stimuli: &str| {
        std::fs::write(&target, body).expect("csv");
        fails(&["probe", "rsa", "--model", &m, "--stimuli", stimuli, "--target-rdm", t])
    };
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    let mut cells: Vec<&str> = rows[0].split(',').collect();
    cells[1] = "9";
    let first = cells.join(",");
    let mut asym = rows.clone();
    asym[0] = &first;
    let err = bad(&asym.join("\n"), &s);
    assert!(err.contains("not symmetric: (1, 2)") && err.contains("target.csv"), "{err}");
    let err = bad(&rows[..7].iter().map(|r| r.rsplit_once(',').expect("cell").0).collect::<Vec<_>>().join("\n"), &s);
    assert!(err.contains("7 x 7 matrix for 8 stimuli"), "{err}");
    let few = dir.join("few.txt");
    std::fs::write(&few, "a cat\na dog\na bird\n").expect("few");
    let err = bad("1,0.5,0.2\n0.5,1,0.1\n0.2,0.1,1\n", few.to_str().expect("path"));
    assert!(err.contains("diagonal entry (1, 1) is 1"), "{err}");
    let err = bad("0,1,2\n1,0,inf\n2,inf,0\n", few.to_str().expect("path"));
    assert!(err.contains("(2, 3) is inf"), "{err}");
    std::fs::write(&few, "a cat\na dog\n").expect("few");
    let err = bad("0,1\n1,0\n", few.to_str().expect("path"));
    assert!(err.contains("at least 3"), "{err}");
    let err = fails(&["probe", "rsa", "--model", &m, "--stimuli", &s, "--target-model", &m, "--compare", "tau"]);
    assert!(err.contains("spearman, pearson or kendall"), "{err}");
}
