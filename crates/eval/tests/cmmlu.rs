//! CMMLU loader and prompt tests over the real files in ../shared/data/cmmlu.

use std::path::{Path, PathBuf};

use kaoshi_eval::suites::cmmlu::Cmmlu;
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/cmmlu");
    assert!(dir.is_dir(), "CMMLU data missing: expected {} (see shared/data/README.md)", dir.display());
    dir
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaoshi-cmmlu-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("test")).unwrap();
    dir
}

#[test]
fn loads_real_files() {
    let data = Cmmlu.load(&data_dir()).unwrap();
    // Counts: sum of PROVENANCE.md's per-file rows for the 34 test / 34 dev
    // files, recounted with python3 csv.reader (rows minus header): test
    // 5,664, dev 170; every row has four options and an answer in A-D.
    assert_eq!(data.items.len(), 5664);
    assert_eq!(data.dev.len(), 170);
    assert_eq!(data.skipped.len(), 0, "{:?}", data.skipped);
    let item = &data.items[0];
    assert_eq!(item.id, "agronomy/test/0");
    assert_eq!(item.fields["subject_zh"], "农学");
    assert_eq!(item.fields["category"], "Other");
    assert_eq!(item.answer, Answer::Choice(1));
    let ancient = data.items.iter().find(|i| i.subject == "ancient_chinese").unwrap();
    assert_eq!(ancient.fields["category"], "Social Science");
    assert_eq!(ancient.fields["china_specific"], "true");
}

#[test]
fn renders_the_authors_prompt() {
    let data = Cmmlu.load(&data_dir()).unwrap();
    let item = &data.items[0];
    let letters: Vec<String> = ["A", "B", "C", "D"].map(String::from).to_vec();
    // haonan-li/CMMLU src/mp_utils.py gen_prompt + format_example (non-CoT).
    let zero = "以下是关于农学的单项选择题，请直接给出正确答案的选项。\n\n题目：在农业生产中被当作极其重要的劳动对象发挥作用，最主要的不可替代的基本生产资料是\nA. 农业生产工具\nB. 土地\nC. 劳动力\nD. 资金\n答案是：";
    assert_eq!(
        Cmmlu.prompt(item, &[], Mode::Letter),
        Prompt::Letters { context: zero.to_string(), letters: letters.clone() }
    );
    let one = "以下是关于农学的单项选择题，请直接给出正确答案的选项。\n\n题目：肉牛屠宰后，胴体的哪个部位肉质较好\nA. 胸\nB. 腹\nC. 大腿\nD. 小腿\n答案是：C\n\n题目：在农业生产中被当作极其重要的劳动对象发挥作用，最主要的不可替代的基本生产资料是\nA. 农业生产工具\nB. 土地\nC. 劳动力\nD. 资金\n答案是：";
    let shots = data.fewshot("agronomy", 1);
    assert_eq!(Cmmlu.prompt(item, &shots, Mode::Letter), Prompt::Letters { context: one.to_string(), letters });
}

#[test]
fn bad_rows_are_skipped_or_rejected() {
    let src = std::fs::read_to_string(data_dir().join("test/agronomy.csv")).unwrap();
    let lines: Vec<String> = src.lines().map(String::from).collect();

    // Empty option C on line 2 -> counted skip.
    let dir = tmp_dir("skip");
    let mut edited = lines.clone();
    edited[1] =
        "0,在农业生产中被当作极其重要的劳动对象发挥作用，最主要的不可替代的基本生产资料是,农业生产工具,土地,,资金,B"
            .to_string();
    let path = dir.join("test/agronomy.csv");
    std::fs::write(&path, edited.join("\n")).unwrap();
    let data = Cmmlu.load(&dir).unwrap();
    assert_eq!(data.items.len(), lines.len() - 2);
    assert_eq!(data.skipped.len(), 1);
    assert_eq!((data.skipped[0].path.clone(), data.skipped[0].line), (path, 2));
    assert_eq!(data.skipped[0].reason, "option C is empty");

    // A short row -> Malformed naming file and line.
    let dir = tmp_dir("malformed");
    let mut edited = lines.clone();
    edited[5] = "4,问题,A,B".to_string();
    let path = dir.join("test/agronomy.csv");
    std::fs::write(&path, edited.join("\n")).unwrap();
    match Cmmlu.load(&dir) {
        Err(DataError::Malformed { path: p, line, message }) => {
            assert_eq!((p, line), (path, 6), "{message}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }

    // Empty file -> Empty.
    let dir = tmp_dir("empty");
    std::fs::write(dir.join("test/agronomy.csv"), "").unwrap();
    assert!(matches!(Cmmlu.load(&dir), Err(DataError::Empty { .. })));
}
