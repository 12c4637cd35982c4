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
    // + question.strip() + "\n" (Bench/bench_function.py choice_test); a
    // single-answer item stops at its first "<eoa>".
    let expected = "请你做一道英语选择题\n请你一步一步思考并将思考过程写在【解析】和<eoe>之间。你将从A，B，C，D中选出正确的答案，并写在【答案】和<eoa>之间。\n例如：【答案】: A <eoa>\n完整的题目回答的格式如下：\n【解析】 ... <eoe>\n【答案】 ... <eoa>\n请你严格按照上述格式作答。\n题目如下：21. --- Have  you finished  reading  Jane  Eyre ? \n--- No, I        my homework  all day yesterday . \nA. was doing  B. would  do C. had done  D. do\n";
    assert_eq!(
        Gaokao.prompt(item, &[], Mode::Generate),
        Prompt::Generate { prompt: expected.to_string(), stop: vec!["<eoa>".to_string()], max_tokens: 1024 }
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

/// GAOKAO-Bench's own extraction (Bench/bench_function.py `choice_test`) on
/// outputs shaped like the answers the official prompts ask for.
#[test]
fn extracts_answers_by_question_type() {
    use kaoshi_eval::extract::{Extractor, GaokaoType, extract};
    let g = |question_type, n_answers| Extractor::Gaokao { question_type, n_answers };
    let single = g(GaokaoType::SingleChoice, 1);
    let multi = g(GaokaoType::MultiChoice, 1);
    let three = g(GaokaoType::MultiQuestionChoice, 3);
    let five = g(GaokaoType::FiveOutOfSeven, 5);
    let rows: Vec<(&Extractor, &str, Option<&str>)> = vec![
        // single_choice: the last A-D of the output.
        (&single, "【解析】由题意，x=2 时 f(x) 取最小值，故选 C。 <eoe>\n【答案】 C <eoa>", Some("C")),
        (&single, "【解析】A 项错误，B 项正确。<eoe>\n【答案】：Ｂ <eoa>", Some("B")),
        (&single, "【解析】……<eoe>\n【答案】 B，D 项不符合题意<eoa>", Some("D")), // upstream: last letter
        (&single, "【解析】无法确定。<eoe>", None),
        // multi_choice: every A-D from 【答案】 on (whitespace removed).
        (&multi, "【解析】小球做平抛运动，A 错误……<eoe>\n【答案】 B D <eoa>", Some("BD")),
        (&multi, "【答案】AC<eoa>", Some("AC")), // upstream (index > 0) would read the last 10 chars
        (&multi, "【解析】两物体加速度相同……所以选BC", Some("BC")), // no 【答案】: last 10 characters
        (&multi, "【解析】条件不足。<eoe>", None),
        // multi_question_choice: one 【答案】 per sub-question ...
        (
            &three,
            "（1）【解析】文中第二段……<eoe>\n【答案】 C <eoa>\n（2）【解析】……<eoe>\n【答案】: A <eoa>\n（3）【答案】：D <eoa>",
            Some("C,A,D"),
        ),
        // ... else the first capital letters of the output.
        (&three, "1. B\n2. A\n3. D", Some("B,A,D")),
        (&three, "【答案】 B <eoa>\n【答案】 C <eoa>\nThe third one is D", Some("B,C,T")),
        (&three, "【答案】 B <eoa>", None), // one letter for three questions
        // five_out_of_seven: the first five letters A-G.
        (&five, "【答案】 F C G A E <eoa>", Some("F,C,G,A,E")),
        (&five, "【答案】 F C G <eoa>", None),
    ];
    for (extractor, output, expected) in rows {
        assert_eq!(extract(extractor, output).as_deref(), expected, "{extractor:?} on {output:?}");
    }
}

/// The suite picks the extractor from the item, and a multi-select Physics
/// item scores 1 for the exact set, ½ for a correct subset (Bench/
/// OBJ_score_evaluation.py: "Fully correct: 6 points; Partially correct: 3
/// points"), 0 with a wrong letter; a multi-question item the fraction right.
#[test]
fn scores_with_partial_credit() {
    use kaoshi_eval::extract::{Extractor, GaokaoType, extract, gaokao_credit};
    let dir = tmp_dir("physics");
    let physics = serde_json::json!({"keywords": "2010-2022_Physics_MCQs", "example": [
        {"year": "2018", "category": "（新课标Ⅰ）", "question": "14．…A．…B．…C．…D．…", "answer": ["BD"],
         "analysis": "", "index": 0, "score": 6}
    ]});
    std::fs::write(dir.join("Objective_Questions/2010-2022_Physics_MCQs.json"), physics.to_string()).unwrap();
    let data = Gaokao.load(&dir).unwrap();
    let item = &data.items[0];
    assert_eq!(item.answer, Answer::Choices(vec![1, 3]));
    let extractor = Gaokao.extractor(item);
    assert_eq!(extractor, Extractor::Gaokao { question_type: GaokaoType::MultiChoice, n_answers: 1 });
    let credit =
        |output: &str| gaokao_credit(GaokaoType::MultiChoice, &item.answer, extract(&extractor, output).as_deref());
    assert_eq!(credit("【解析】……<eoe>\n【答案】 BD <eoa>"), 1.0);
    assert_eq!(credit("【解析】……<eoe>\n【答案】 D B <eoa>"), 1.0);
    assert_eq!(credit("【解析】……<eoe>\n【答案】 B <eoa>"), 0.5);
    assert_eq!(credit("【解析】……<eoe>\n【答案】 BC <eoa>"), 0.0);
    assert_eq!(credit("【解析】……<eoe>"), 0.0);

    let real = Gaokao.load(&data_dir()).unwrap();
    let lit = real.items.iter().find(|i| i.id == "2010-2022_Chinese_Modern_Lit/0").unwrap();
    let extractor = Gaokao.extractor(lit);
    assert_eq!(extractor, Extractor::Gaokao { question_type: GaokaoType::MultiQuestionChoice, n_answers: 3 });
    let out = "（1）【答案】 C <eoa>\n（2）【答案】 B <eoa>\n（3）【答案】 D <eoa>";
    let c = gaokao_credit(GaokaoType::MultiQuestionChoice, &lit.answer, extract(&extractor, out).as_deref());
    assert!((c - 2.0 / 3.0).abs() < 1e-12); // C,A,D: two of three
    let mcq = real.items.iter().find(|i| i.id == "2010-2013_English_MCQs/0").unwrap();
    assert_eq!(Gaokao.extractor(mcq), Extractor::Gaokao { question_type: GaokaoType::SingleChoice, n_answers: 1 });
}
