//! CMATH loader and prompt tests over ../shared/data/cmath.

use std::path::PathBuf;

use kaoshi_eval::suites::cmath::Cmath;
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let d = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cmath"));
    assert!(d.join("cmath_dev.jsonl").is_file(), "CMATH data missing at {} (see shared/data/README.md)", d.display());
    d
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kaoshi-test-cmath-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn loads_all_600_rows() {
    let data = Cmath.load(&data_dir()).unwrap();
    // PROVENANCE.md: cmath_dev.jsonl has 600 lines, 100 per grade.
    assert_eq!(data.items.len(), 600);
    assert!(data.skipped.is_empty(), "{:?}", data.skipped);
    for g in 1..=6 {
        assert_eq!(data.items.iter().filter(|i| i.fields["grade"] == g.to_string()).count(), 100);
    }
    let first = &data.items[0];
    assert_eq!(first.id, "cmath_dev.jsonl:1");
    assert_eq!(first.answer, Answer::Number(9.0));
    assert_eq!(first.fields["reasoning_step"], "1");
    // fractions and percents keep the raw golden string
    let frac = data.items.iter().find(|i| i.fields["golden"] == "2/6").unwrap();
    assert_eq!(frac.answer, Answer::Number(2.0 / 6.0));
}

#[test]
fn renders_the_first_item() {
    let data = Cmath.load(&data_dir()).unwrap();
    let Prompt::Generate { prompt, .. } = Cmath.prompt(&data.items[0], &[], Mode::Generate) else { panic!() };
    assert_eq!(prompt, "问题：芳芳买了一本书有99页，看了90页，她还剩多少页没有看？\n答案：");
}

#[test]
fn bad_rows() {
    let d = tmp("bad");
    let f = d.join("cmath_dev.jsonl");
    std::fs::write(
        &f,
        "{\"grade\": 1, \"input\": \"1+1=?\", \"golden\": \"2\", \"reasoning_step\": 1}\n\
         {\"grade\": 1, \"input\": \"no answer\", \"reasoning_step\": 1}\n\
         {\"grade\": 1, \"input\": \"bad\", \"golden\": \"two\", \"reasoning_step\": 1}\n",
    )
    .unwrap();
    let data = Cmath.load(&d).unwrap();
    assert_eq!(data.items.len(), 1);
    assert_eq!(data.skipped.len(), 2);
    assert_eq!((data.skipped[0].line, data.skipped[0].path.clone()), (2, f.clone()));
    assert!(data.skipped[0].reason.contains("golden"));
    assert_eq!(data.skipped[1].line, 3);

    std::fs::write(&f, "{\"grade\": 1, \"input\": \"x\", \"golden\": \"2\"}\n{not json\n").unwrap();
    match Cmath.load(&d) {
        Err(DataError::Malformed { path, line, .. }) => assert_eq!((path, line), (f.clone(), 2)),
        other => panic!("{other:?}"),
    }
    std::fs::write(&f, "").unwrap();
    assert!(matches!(Cmath.load(&d), Err(DataError::Empty { .. })));
    std::fs::write(&f, b"{\"input\": \"\xff\"}\n").unwrap();
    match Cmath.load(&d) {
        Err(DataError::Encoding { path, offset, .. }) => assert_eq!((path, offset), (f.clone(), 11)),
        other => panic!("{other:?}"),
    }
    assert!(matches!(Cmath.load(&d.join("nope")), Err(DataError::Io { .. })));
    std::fs::remove_dir_all(&d).unwrap();
}
