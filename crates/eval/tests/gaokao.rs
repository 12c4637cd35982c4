//! GAOKAO-Bench loader and prompt tests over ../shared/data/gaokao-bench.

use std::path::{Path, PathBuf};

use kaoshi_eval::suites::gaokao::{Gaokao, SUBJECTIVE_SKIP};
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/gaokao-bench");
    assert!(dir.is_dir(), "GAOKAO-Bench data missing: expected {} (see shared/data/README.md)", dir.display());
    dir
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaoshi-gaokao-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("Objective_Questions")).unwrap();
    std::fs::create_dir_all(dir.join("prompts")).unwrap();
    std::fs::copy(data_dir().join("prompts/Obj_Prompt.json"), dir.join("prompts/Obj_Prompt.json")).unwrap();
    dir
}

#[test]
fn loads_real_files() {
    let data = Gaokao.load(&data_dir()).unwrap();
    // PROVENANCE.md per-file counts: objective 105+124+29+124+287+214+320 =
    // 1,203 (all answers valid letters, checked with python3); subjective
    // 116+29+28+29+28+86+81+47+26 = 470, each skipped "subjective: needs a judge".
    assert_eq!(data.items.len(), 1203);
    assert_eq!(data.dev.len(), 0);
    assert_eq!(data.skipped.len(), 470);
    assert!(data.skipped.iter().all(|s| s.reason == SUBJECTIVE_SKIP));
    let lit = data.items.iter().find(|i| i.id == "2010-2022_Chinese_Modern_Lit/0").unwrap();
    assert_eq!(lit.fields["type"], "multi_question_choice");
    assert_eq!(lit.fields["answer"], "C,A,D");
    assert_eq!(lit.answer, Answer::Choices(vec![2, 0, 3]));
    let n_multi = data.items.iter().filter(|i| matches!(i.answer, Answer::Choices(_))).count();
    assert_eq!(n_multi, 29 + 124);
}

#[test]
fn renders_the_official_prompt() {
    let data = Gaokao.load(&data_dir()).unwrap();
    let item = data.items.iter().find(|i| i.id == "2010-2013_English_MCQs/0").unwrap();
    assert_eq!(item.answer, Answer::Choice(0)); // ["A"]
    // prefix_prompt of keyword 2010-2013_English_MCQs (Bench/Obj_Prompt.json)
    // + question.strip() + "\n" (Bench/bench_function.py choice_test).
    let expected = "请你做一道英语选择题\n请你一步一步思考并将思考过程写在【解析】和<eoe>之间。你将从A，B，C，D中选出正确的答案，并写在【答案】和<eoa>之间。\n例如：【答案】: A <eoa>\n完整的题目回答的格式如下：\n【解析】 ... <eoe>\n【答案】 ... <eoa>\n请你严格按照上述格式作答。\n题目如下：21. --- Have  you finished  reading  Jane  Eyre ? \n--- No, I        my homework  all day yesterday . \nA. was doing  B. would  do C. had done  D. do\n";
    assert_eq!(
        Gaokao.prompt(item, &[], Mode::Generate),
        Prompt::Generate { prompt: expected.to_string(), stop: vec![], max_tokens: 1024 }
    );
}

#[test]
fn bad_records_are_skipped_or_rejected() {
    let name = "Objective_Questions/2010-2013_English_MCQs.json";
    let src = std::fs::read_to_string(data_dir().join(name)).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&src).unwrap();

    // Record 2 with an empty answer list, record 3 with answer "E" -> counted skips.
    let dir = tmp_dir("skip");
    json["example"][1]["answer"] = serde_json::json!([]);
    json["example"][2]["answer"] = serde_json::json!(["E"]);
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    let data = Gaokao.load(&dir).unwrap();
    assert_eq!(data.items.len(), 103);
    let skips: Vec<(PathBuf, usize, String)> =
        data.skipped.iter().map(|s| (s.path.clone(), s.line, s.reason.clone())).collect();
    assert_eq!(
        skips,
        vec![
            (path.clone(), 2, "answer is missing".to_string()),
            (path.clone(), 3, "answer \"E\" is not one of A-D".to_string()),
        ]
    );

    // Truncated JSON -> Malformed naming the file and line.
    let dir = tmp_dir("malformed");
    let path = dir.join(name);
    let cut: String = src.lines().take(5).collect::<Vec<_>>().join("\n");
    std::fs::write(&path, cut).unwrap();
    match Gaokao.load(&dir) {
        Err(DataError::Malformed { path: p, line, .. }) => assert_eq!((p, line), (path, 5)),
        other => panic!("expected Malformed, got {other:?}"),
    }

    // No examples -> Empty.
    let dir = tmp_dir("empty");
    std::fs::write(dir.join(name), r#"{"keywords": "2010-2013_English_MCQs", "example": []}"#).unwrap();
    assert!(matches!(Gaokao.load(&dir), Err(DataError::Empty { .. })));
}
