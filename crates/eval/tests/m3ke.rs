//! M3KE loader and prompt tests over the real files in ../shared/data/m3ke.

use std::path::{Path, PathBuf};

use kaoshi_eval::suites::m3ke::M3ke;
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/m3ke");
    assert!(dir.is_dir(), "M3KE data missing: expected {} (see shared/data/README.md)", dir.display());
    dir
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaoshi-m3ke-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("dev")).unwrap();
    std::fs::copy(data_dir().join("subject_cluster.mapping.json"), dir.join("subject_cluster.mapping.json")).unwrap();
    dir
}

const TASK: &str = "Chinese-Arts & Humanities-Primary school";

#[test]
fn loads_real_files() {
    let data = M3ke.load(&data_dir()).unwrap();
    // The dev split is scored (test answers are withheld). Counted with
    // python3 over dev/*.jsonl: 36 files x 5 non-empty lines = 180, all with
    // an answer in A-D. No few-shot exemplars (dev is the scored split).
    assert_eq!(data.items.len(), 180);
    assert_eq!(data.dev.len(), 0);
    assert_eq!(data.skipped.len(), 0);
    let item = data.items.iter().find(|i| i.id == format!("{TASK}/0")).unwrap();
    assert_eq!(item.fields["cluster"], "Arts & Humanities");
    assert_eq!(item.fields["level"], "Primary school");
    assert_eq!(item.fields["subject_name"], "Chinese");
    assert_eq!(item.answer, Answer::Choice(1));
}

#[test]
fn renders_cmmlu_style_prompt() {
    let data = M3ke.load(&data_dir()).unwrap();
    let item = data.items.iter().find(|i| i.id == format!("{TASK}/0")).unwrap();
    // CMMLU's template (haonan-li/CMMLU src/mp_utils.py), subject name as published.
    let zero = "以下是关于Chinese的单项选择题，请直接给出正确答案的选项。\n\n题目：你知道对联“四面湖山归眼底，万家忧乐到心头。”所写的人物是谁吗？\nA. 李白\nB. 范仲淹\nC. 文天祥\nD. 蒲松龄\n答案是：";
    assert_eq!(
        M3ke.prompt(item, &[], Mode::Letter),
        Prompt::Letters { context: zero.to_string(), letters: ["A", "B", "C", "D"].map(String::from).to_vec() }
    );
}

#[test]
fn bad_rows_are_skipped_or_rejected() {
    let file = format!("dev/{TASK}.jsonl");
    let src = std::fs::read_to_string(data_dir().join(&file)).unwrap();
    let lines: Vec<String> = src.lines().map(String::from).collect();

    // Empty answer on line 2 -> counted skip.
    let dir = tmp_dir("skip");
    let mut edited = lines.clone();
    edited[1] = edited[1].replace("\"answer\": \"", "\"answer\": \"\", \"old\": \"");
    let path = dir.join(&file);
    std::fs::write(&path, edited.join("\n")).unwrap();
    let data = M3ke.load(&dir).unwrap();
    assert_eq!(data.items.len(), 4);
    assert_eq!(data.skipped.len(), 1);
    assert_eq!((data.skipped[0].path.clone(), data.skipped[0].line), (path, 2));
    assert_eq!(data.skipped[0].reason, "answer is missing");

    // Truncated JSON on line 3 -> Malformed naming file and line.
    let dir = tmp_dir("malformed");
    let mut edited = lines.clone();
    edited[2].truncate(20);
    let path = dir.join(&file);
    std::fs::write(&path, edited.join("\n")).unwrap();
    match M3ke.load(&dir) {
        Err(DataError::Malformed { path: p, line, .. }) => assert_eq!((p, line), (path, 3)),
        other => panic!("expected Malformed, got {other:?}"),
    }

    // Empty file -> Empty.
    let dir = tmp_dir("empty");
    std::fs::write(dir.join(&file), "").unwrap();
    assert!(matches!(M3ke.load(&dir), Err(DataError::Empty { .. })));
}
