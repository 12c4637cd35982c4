//! LFED loader and prompt tests over the real GBK file in ../shared/data/lfed.

use std::path::{Path, PathBuf};

use kaoshi_eval::suites::lfed::Lfed;
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/lfed");
    assert!(dir.is_dir(), "LFED data missing: expected {} (see shared/data/README.md)", dir.display());
    dir
}

fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kaoshi-lfed-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn loads_real_file() {
    let data = Lfed.load(&data_dir()).unwrap();
    // PROVENANCE.md: 1,304 rows. Checked with python3 (bytes.decode('gbk') +
    // csv.reader): three rows are unusable -> 1,301 items, 3 skips.
    assert_eq!(data.items.len() + data.skipped.len(), 1304);
    assert_eq!(data.items.len(), 1301);
    assert_eq!(data.dev.len(), 0);
    let skips: Vec<(usize, &str)> = data.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect();
    assert_eq!(
        skips,
        vec![(283, "answer \"C2\" is not one of A-D"), (511, "option D is empty"), (1251, "option C is empty"),]
    );
    assert!(data.skipped.iter().all(|s| s.path.ends_with("LFED.csv")));
    assert_eq!(data.items[0].answer, Answer::Choice(1));
}

#[test]
fn renders_cmmlu_style_prompt() {
    let data = Lfed.load(&data_dir()).unwrap();
    let item = &data.items[0];
    assert_eq!(item.id, "LFED.csv:2");
    // CMMLU's template (haonan-li/CMMLU src/mp_utils.py) with the novel title.
    let zero = "以下是关于情书的单项选择题，请直接给出正确答案的选项。\n\n题目：关于《情书》这本小说，女藤井树和渡边博子是怎么相识的\nA. 她们是学生时代的好友\nB. 渡边博子给亡夫写信寄到了女藤井树手里\nC. 她们喜欢上了同一个人\nD. 不指定\n答案是：";
    assert_eq!(
        Lfed.prompt(item, &[], Mode::Letter),
        Prompt::Letters { context: zero.to_string(), letters: ["A", "B", "C", "D"].map(String::from).to_vec() }
    );
}

#[test]
fn bad_bytes_and_rows() {
    let src = std::fs::read(data_dir().join("LFED.csv")).unwrap();

    // An invalid GBK byte (0xFF) -> Encoding error with its offset, no replacement.
    let dir = tmp_dir("encoding");
    let mut bad = src.clone();
    // Replace the first ',' after byte 100 (an ASCII position, so the
    // preceding text stays valid) with 0xFF.
    let offset = 100 + src[100..].iter().position(|&b| b == b',').unwrap();
    bad[offset] = 0xFF;
    let path = dir.join("LFED.csv");
    std::fs::write(&path, &bad).unwrap();
    match Lfed.load(&dir) {
        Err(DataError::Encoding { path: p, encoding, offset: o }) => {
            assert_eq!((p, encoding, o), (path, "GBK", offset));
        }
        other => panic!("expected Encoding, got {other:?}"),
    }

    // A row with a missing field on line 3 -> Malformed naming file and line.
    let dir = tmp_dir("malformed");
    let text = encoding_rs::GBK.decode(&src).0.into_owned();
    let mut lines: Vec<String> = text.split("\r\n").map(String::from).collect();
    lines[2] = "神雕侠侣,关于《神雕侠侣》这本小说，杨过最喜欢的师父是谁,小龙女,黄蓉,郭靖,A".to_string();
    let joined = lines.join("\r\n");
    let (bytes, _, _) = encoding_rs::GBK.encode(&joined);
    let path = dir.join("LFED.csv");
    std::fs::write(&path, &bytes).unwrap();
    match Lfed.load(&dir) {
        Err(DataError::Malformed { path: p, line, .. }) => assert_eq!((p, line), (path, 3)),
        other => panic!("expected Malformed, got {other:?}"),
    }

    // Header only -> Empty.
    let dir = tmp_dir("empty");
    let header = src.split(|&b| b == b'\n').next().unwrap();
    std::fs::write(dir.join("LFED.csv"), header).unwrap();
    assert!(matches!(Lfed.load(&dir), Err(DataError::Empty { .. })));
}
