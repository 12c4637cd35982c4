//! Generic task format tests: tiny task files with JSONL and CSV data.

use std::path::{Path, PathBuf};

use kaoshi_eval::extract::Extractor;
use kaoshi_eval::suites::generic::GenericTask;
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kaoshi-test-generic-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("data")).unwrap();
    d
}

fn write(p: &Path, s: &str) {
    std::fs::write(p, s).unwrap();
}

#[test]
fn jsonl_letter_task() {
    let d = tmp("jsonl");
    write(
        &d.join("task.json"),
        r#"{"name": "lhmke-demo", "data": "data/items.jsonl", "format": "jsonl",
            "fields": {"question": "q", "choices": ["A", "B", "C", "D"], "answer": "answer", "subject": "subject"},
            "template": "以下是{subject}的单项选择题。\n{question}\nA. {A}\nB. {B}\nC. {C}\nD. {D}\n答案：",
            "mode": "letter"}"#,
    );
    write(
        &d.join("data/items.jsonl"),
        "{\"q\": \"1+1={x}?\", \"A\": \"1\", \"B\": \"2\", \"C\": \"3\", \"D\": \"4\", \"answer\": \"B\", \"subject\": \"数学\"}\n\
         {\"q\": \"no answer\", \"A\": \"1\", \"B\": \"2\", \"C\": \"3\", \"D\": \"4\", \"subject\": \"数学\"}\n\
         \n\
         {\"q\": \"missing D\", \"A\": \"1\", \"B\": \"2\", \"C\": \"3\", \"answer\": \"A\", \"subject\": \"数学\"}\n\
         {\"q\": \"bad letter\", \"A\": \"1\", \"B\": \"2\", \"C\": \"3\", \"D\": \"4\", \"answer\": \"E\", \"subject\": \"数学\"}\n\
         {\"q\": \"index\", \"A\": \"1\", \"B\": \"2\", \"C\": \"3\", \"D\": \"4\", \"answer\": 3, \"subject\": \"数学\"}\n",
    );
    let task = GenericTask::from_file(&d.join("task.json")).unwrap();
    assert_eq!(task.info().name, "lhmke-demo");
    assert_eq!(task.info().modes[0], Mode::Letter);
    assert_eq!(task.task_extractor(), Extractor::Letter { n_choices: 4 });
    let data = task.load(Path::new("")).unwrap();
    assert_eq!(data.items.len(), 2);
    assert_eq!(data.items[0].answer, Answer::Choice(1));
    assert_eq!(data.items[1].answer, Answer::Choice(3));
    assert_eq!(data.items[0].id, "items.jsonl:1");
    let skipped: Vec<(usize, bool)> =
        data.skipped.iter().map(|s| (s.line, s.path == d.join("data/items.jsonl"))).collect();
    assert_eq!(skipped, vec![(2, true), (4, true), (5, true)]);
    assert!(data.skipped[0].reason.contains("`answer`"));
    assert!(data.skipped[1].reason.contains("`D`"));
    // braces inside the data are not re-expanded
    assert_eq!(
        task.prompt(&data.items[0], &[], Mode::Letter),
        Prompt::Letters {
            context: "以下是数学的单项选择题。\n1+1={x}?\nA. 1\nB. 2\nC. 3\nD. 4\n答案：".into(),
            letters: vec!["A".into(), "B".into(), "C".into(), "D".into()],
        }
    );
    let Prompt::Choices { continuations, .. } = task.prompt(&data.items[0], &[], Mode::Loglik) else { panic!() };
    assert_eq!(continuations, [" 1", " 2", " 3", " 4"]);
    let Prompt::Letters { context, .. } = task.prompt(&data.items[1], &[&data.items[0]], Mode::Letter) else {
        panic!()
    };
    assert!(context.starts_with("以下是数学的单项选择题。\n1+1={x}?\nA. 1\nB. 2\nC. 3\nD. 4\n答案：B\n\n以下是"));

    // bad JSON line → Malformed naming the data file and line
    write(&d.join("data/items.jsonl"), "{\"q\": 1}\n{oops\n");
    match task.load(Path::new("")) {
        Err(DataError::Malformed { path, line, .. }) => assert_eq!((path, line), (d.join("data/items.jsonl"), 2)),
        other => panic!("{other:?}"),
    }
    write(&d.join("data/items.jsonl"), "");
    assert!(matches!(task.load(Path::new("")), Err(DataError::Empty { .. })));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn csv_choices_field_and_generate_number() {
    let d = tmp("csv");
    write(
        &d.join("task.json"),
        r#"{"name": "opts", "data": "data/items.csv", "format": "csv",
            "fields": {"question": "question", "choices_field": "options", "answer": "answer", "id": "id"},
            "template": "{question}\n{choices}\n答案：", "mode": "loglik"}"#,
    );
    write(
        &d.join("data/items.csv"),
        "\u{feff}id,question,options,answer\nq1,天空是什么颜色？,\"[\"\"蓝色\"\", \"\"绿色\"\"]\",a\nq2,坏选项,not json,A\n",
    );
    let task = GenericTask::from_file(&d.join("task.json")).unwrap();
    assert_eq!(task.info().modes[0], Mode::Loglik);
    let data = task.load(Path::new("")).unwrap();
    assert_eq!(data.items.len(), 1);
    assert_eq!((data.items[0].id.as_str(), &data.items[0].answer), ("q1", &Answer::Choice(0)));
    assert_eq!((data.skipped[0].line, data.skipped[0].path.clone()), (3, d.join("data/items.csv")));
    assert_eq!(
        task.prompt(&data.items[0], &[], Mode::Loglik),
        Prompt::Choices {
            context: "天空是什么颜色？\nA. 蓝色\nB. 绿色\n答案：".into(),
            continuations: vec![" 蓝色".into(), " 绿色".into()]
        }
    );

    // a FineMath-style numeric task in CSV
    write(
        &d.join("math.json"),
        r#"{"name": "finemath-demo", "data": "data/math.csv", "format": "csv",
            "fields": {"question": "q", "answer": "a"},
            "template": "问题：{question}\n答案：", "extractor": {"kind": "number"}, "stop": ["\n"], "max_tokens": 64}"#,
    );
    write(&d.join("data/math.csv"), "q,a\n3个苹果加2个苹果？,5\n一半是多少？,1/2\n没有答案,\n");
    let task = GenericTask::from_file(&d.join("math.json")).unwrap();
    assert_eq!(task.info().modes, &[Mode::Generate]);
    let data = task.load(Path::new("")).unwrap();
    assert_eq!(
        data.items.iter().map(|i| i.answer.clone()).collect::<Vec<_>>(),
        vec![Answer::Number(5.0), Answer::Number(0.5)]
    );
    assert_eq!(data.items[0].subject, "finemath-demo");
    assert_eq!(data.skipped[0].line, 4);
    assert_eq!(
        task.prompt(&data.items[0], &[], Mode::Generate),
        Prompt::Generate {
            prompt: "问题：3个苹果加2个苹果？\n答案：".into(), stop: vec!["\n".into()], max_tokens: 64
        }
    );
    // CSV row with a wrong field count → Malformed with its line
    write(&d.join("data/math.csv"), "q,a\n1+1,2\n1,2,3\n");
    assert!(matches!(task.load(Path::new("")), Err(DataError::Malformed { line: 3, .. })));
    // bad encoding
    std::fs::write(d.join("data/math.csv"), b"q,a\n\xff,1\n").unwrap();
    assert!(matches!(task.load(Path::new("")), Err(DataError::Encoding { offset: 4, .. })));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn bad_task_files() {
    let d = tmp("spec");
    let t = d.join("task.json");
    write(&t, "{\"name\": \"x\",\n \"data\": 1}");
    assert!(matches!(GenericTask::from_file(&t), Err(DataError::Malformed { path, .. }) if path == t));
    write(
        &t,
        r#"{"name": "x", "data": "d.jsonl", "format": "jsonl", "fields": {"question": "q", "answer": "a"}, "template": "{question}", "mode": "letter"}"#,
    );
    assert!(matches!(GenericTask::from_file(&t), Err(DataError::Malformed { .. })));
    write(
        &t,
        r#"{"name": "x", "data": "d.jsonl", "format": "xml", "fields": {"question": "q", "answer": "a"}, "template": "{question}"}"#,
    );
    assert!(matches!(GenericTask::from_file(&t), Err(DataError::Malformed { .. })));
    assert!(matches!(GenericTask::from_file(&d.join("missing.json")), Err(DataError::Io { .. })));
    std::fs::remove_dir_all(&d).unwrap();
}
