//! C-Eval loader and prompt tests over the real files in ../shared/data/ceval.

use std::path::{Path, PathBuf};

use kaoshi_eval::suites::ceval::Ceval;
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ceval");
    assert!(dir.is_dir(), "C-Eval data missing: expected {} (see shared/data/README.md)", dir.display());
    dir
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaoshi-ceval-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("val")).unwrap();
    std::fs::copy(data_dir().join("subject_mapping.json"), dir.join("subject_mapping.json")).unwrap();
    dir
}

#[test]
fn loads_real_files() {
    let data = Ceval.load(&data_dir()).unwrap();
    // Counts: PROVENANCE.md's per-file table (26 val files, 26 dev files x 5),
    // recounted with python3 csv.DictReader over val/*.csv (688 rows, all
    // with an answer in A-D and four non-empty options) and dev/*.csv (130).
    assert_eq!(data.items.len(), 688);
    assert_eq!(data.dev.len(), 130);
    assert_eq!(data.skipped.len(), 0, "{:?}", data.skipped);
    let item = data.items.iter().find(|i| i.id == "art_studies/val/0").unwrap();
    assert_eq!(item.subject, "art_studies");
    assert_eq!(item.fields["subject_zh"], "艺术学");
    assert_eq!(item.fields["category"], "Humanities");
    assert_eq!(item.answer, Answer::Choice(0));
    assert_eq!(data.fewshot("art_studies", 5).len(), 5);
}

#[test]
fn renders_the_authors_prompt() {
    let data = Ceval.load(&data_dir()).unwrap();
    let item = data.items.iter().find(|i| i.id == "art_studies/val/0").unwrap();
    // hkust-nlp/ceval code/evaluator_series/evaluators/llama.py:
    // header + format_example(..., include_answer=False).
    let zero = "以下是中国关于艺术学考试的单项选择题，请选出其中的正确答案。\n\n蓝印花布是一种传统的民间纺织印染工艺品。蓝印花布印制方法始于____。\nA. 汉代\nB. 魏晋时期\nC. 唐代\nD. 宋代\n答案：";
    let letters: Vec<String> = ["A", "B", "C", "D"].map(String::from).to_vec();
    assert_eq!(
        Ceval.prompt(item, &[], Mode::Letter),
        Prompt::Letters { context: zero.to_string(), letters: letters.clone() }
    );
    // 1-shot: the first dev exemplar of the subject, followed by its answer and "\n\n".
    let one = "以下是中国关于艺术学考试的单项选择题，请选出其中的正确答案。\n\n王利发是老舍戏剧作品____中的主人公。\nA. 《茶馆》\nB. 《龙须沟》\nC. 《方珍珠》\nD. 《女店员》\n答案：A\n\n蓝印花布是一种传统的民间纺织印染工艺品。蓝印花布印制方法始于____。\nA. 汉代\nB. 魏晋时期\nC. 唐代\nD. 宋代\n答案：";
    let shots = data.fewshot("art_studies", 1);
    assert_eq!(Ceval.prompt(item, &shots, Mode::Letter), Prompt::Letters { context: one.to_string(), letters });
    assert_eq!(
        Ceval.prompt(item, &[], Mode::Loglik),
        Prompt::Choices {
            context: zero.to_string(),
            continuations: [" A", " B", " C", " D"].map(String::from).to_vec()
        }
    );
    assert_eq!(
        Ceval.prompt(item, &[], Mode::Generate),
        Prompt::Generate { prompt: zero.to_string(), stop: vec!["\n\n".to_string()], max_tokens: 64 }
    );
}

#[test]
fn bad_rows_are_skipped_or_rejected() {
    let src = std::fs::read_to_string(data_dir().join("val/art_studies_val.csv")).unwrap();
    let lines: Vec<&str> = src.lines().collect();

    // Missing answer on line 3 -> counted skip naming file and line.
    let dir = tmp_dir("skip");
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let l3 = edited[2].rsplit_once(',').unwrap().0.to_string();
    edited[2] = format!("{l3},");
    let path = dir.join("val/art_studies_val.csv");
    std::fs::write(&path, edited.join("\n")).unwrap();
    let data = Ceval.load(&dir).unwrap();
    assert_eq!(data.items.len(), lines.len() - 2);
    assert_eq!(data.skipped.len(), 1);
    assert_eq!(data.skipped[0].path, path);
    assert_eq!(data.skipped[0].line, 3);
    assert_eq!(data.skipped[0].reason, "answer is missing");

    // A row with an extra field on line 4 -> Malformed naming file and line.
    let dir = tmp_dir("malformed");
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    edited[3].push_str(",extra");
    let path = dir.join("val/art_studies_val.csv");
    std::fs::write(&path, edited.join("\n")).unwrap();
    match Ceval.load(&dir) {
        Err(DataError::Malformed { path: p, line, .. }) => {
            assert_eq!(p, path);
            assert_eq!(line, 4);
        }
        other => panic!("expected Malformed, got {other:?}"),
    }

    // Header only -> Empty.
    let dir = tmp_dir("empty");
    std::fs::write(dir.join("val/art_studies_val.csv"), format!("{}\n", lines[0])).unwrap();
    assert!(matches!(Ceval.load(&dir), Err(DataError::Empty { .. })));

    // A subject missing from subject_mapping.json -> Malformed naming the file.
    let dir = tmp_dir("unknown");
    std::fs::write(dir.join("val/no_such_subject_val.csv"), src.as_bytes()).unwrap();
    assert!(matches!(Ceval.load(&dir), Err(DataError::Malformed { line: 1, .. })));
}
