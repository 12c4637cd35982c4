//! XCOPA loader and prompt tests over ../shared/data/xcopa.

use std::path::{Path, PathBuf};

use kaoshi_eval::suites::xcopa::Xcopa;
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/xcopa");
    assert!(dir.is_dir(), "XCOPA data missing: expected {} (see shared/data/README.md)", dir.display());
    dir
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaoshi-xcopa-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("zh")).unwrap();
    dir
}

#[test]
fn loads_real_files() {
    let data = Xcopa.load(&data_dir()).unwrap();
    // PROVENANCE.md: 6 languages (et, id, it, sw, tr, zh) x (500 test + 100 val).
    assert_eq!(data.items.len(), 3000);
    assert_eq!(data.dev.len(), 600);
    assert_eq!(data.skipped.len(), 0);
    assert_eq!(data.items.iter().filter(|i| i.subject == "zh").count(), 500);
    let item = data.items.iter().find(|i| i.id == "zh/test/0").unwrap();
    assert_eq!(item.answer, Answer::Choice(0));
}

#[test]
fn renders_lm_eval_prompt() {
    let data = Xcopa.load(&data_dir()).unwrap();
    // lm-evaluation-harness lm_eval/tasks/xcopa/utils.py: premise.strip()[:-1]
    // + " " + connector; choices lower-cased first letter after " ".
    let zh = data.items.iter().find(|i| i.id == "zh/test/0").unwrap();
    assert_eq!(
        Xcopa.prompt(zh, &[], Mode::Loglik),
        Prompt::Choices {
            context: "该物品用气泡包装纸包着 因为".to_string(),
            continuations: vec![" 它很易碎。".into(), " 它很小。".into()],
        }
    );
    // 1-shot: the first zh val item + " " + its correct choice + "\n\n".
    let shots = data.fewshot("zh", 1);
    assert_eq!(
        Xcopa.prompt(zh, &shots, Mode::Loglik),
        Prompt::Choices {
            context: "那人打开水龙头 所以 水从水龙头喷口流出。\n\n该物品用气泡包装纸包着 因为".to_string(),
            continuations: vec![" 它很易碎。".into(), " 它很小。".into()],
        }
    );
    let it = data.items.iter().find(|i| i.id == "it/test/0").unwrap();
    assert_eq!(
        Xcopa.prompt(it, &[], Mode::Loglik),
        Prompt::Choices {
            context: "L'oggetto era incartato nella plastica bollata perché".to_string(),
            continuations: vec![" era delicato.".into(), " era piccolo.".into()],
        }
    );
}

#[test]
fn bad_lines_are_skipped_or_rejected() {
    let src = std::fs::read_to_string(data_dir().join("zh/test.zh.jsonl")).unwrap();
    let lines: Vec<String> = src.lines().map(String::from).collect();

    // Line 2 without a label -> counted skip.
    let dir = tmp_dir("skip");
    let mut edited = lines.clone();
    edited[1] = edited[1].replace("\"label\"", "\"old_label\"");
    let path = dir.join("zh/test.zh.jsonl");
    std::fs::write(&path, edited.join("\n")).unwrap();
    let data = Xcopa.load(&dir).unwrap();
    assert_eq!(data.items.len(), 499);
    assert_eq!(data.skipped.len(), 1);
    assert_eq!((data.skipped[0].path.clone(), data.skipped[0].line), (path, 2));
    assert_eq!(data.skipped[0].reason, "label is missing or not 0/1");

    // Line 4 not JSON -> Malformed naming file and line.
    let dir = tmp_dir("malformed");
    let mut edited = lines.clone();
    edited[3] = "{\"premise\": ".to_string();
    let path = dir.join("zh/test.zh.jsonl");
    std::fs::write(&path, edited.join("\n")).unwrap();
    match Xcopa.load(&dir) {
        Err(DataError::Malformed { path: p, line, .. }) => assert_eq!((p, line), (path, 4)),
        other => panic!("expected Malformed, got {other:?}"),
    }

    // Empty file -> Empty.
    let dir = tmp_dir("empty");
    std::fs::write(dir.join("zh/test.zh.jsonl"), "").unwrap();
    assert!(matches!(Xcopa.load(&dir), Err(DataError::Empty { .. })));
}
