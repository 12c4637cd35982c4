//! CMRC 2018 perplexity loader tests over ../shared/data/cmrc2018.

use std::path::PathBuf;

use kaoshi_eval::suites::cmrc2018::Cmrc2018;
use kaoshi_eval::{DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let d = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/cmrc2018"));
    assert!(d.join("cmrc2018_dev.json").is_file(), "CMRC2018 data missing at {}", d.display());
    d
}

#[test]
fn loads_848_distinct_paragraphs() {
    let data = Cmrc2018.load(&data_dir()).unwrap();
    // PROVENANCE.md: 848 paragraphs; all distinct (checked with Python set()).
    assert_eq!(data.items.len(), 848);
    let first = &data.items[0];
    assert_eq!((first.id.as_str(), first.fields["chars"].as_str()), ("DEV_0", "417"));
    let Prompt::Perplexity { text } = Cmrc2018.prompt(first, &[], Mode::Perplexity) else { panic!() };
    assert!(text.starts_with("《战国无双3》（）是由光荣和ω-force开发的战国无双系列的正统第三续作。本作以三大故事为主轴，分别是以武田信玄等人为"));
    assert_eq!(text, first.question);
}

#[test]
fn dedup_and_bad_files() {
    let d = std::env::temp_dir().join(format!("kaoshi-test-cmrc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let f = d.join("cmrc2018_dev.json");
    std::fs::write(
        &f,
        r#"{"data": [{"title": "t", "paragraphs": [{"id": "a", "context": "同一段"}, {"id": "b", "context": "同一段"}, {"id": "c"}]}]}"#,
    )
    .unwrap();
    let data = Cmrc2018.load(&d).unwrap();
    assert_eq!(data.items.len(), 1);
    assert_eq!((data.skipped[0].line, data.skipped[0].path.clone()), (3, f.clone()));
    std::fs::write(&f, "{\"data\": 1}").unwrap();
    assert!(matches!(Cmrc2018.load(&d), Err(DataError::Malformed { path, .. }) if path == f));
    std::fs::write(&f, "{\"data\": []}").unwrap();
    assert!(matches!(Cmrc2018.load(&d), Err(DataError::Empty { .. })));
    std::fs::write(&f, "{\n\"data\": [\n}").unwrap();
    assert!(matches!(Cmrc2018.load(&d), Err(DataError::Malformed { line: 3, .. })));
    std::fs::remove_dir_all(&d).unwrap();
}
