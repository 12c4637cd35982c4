//! FLORES-200 loader and prompt tests over ../shared/data/flores200.

use std::path::PathBuf;

use kaoshi_eval::suites::flores::Flores;
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let d = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/flores200"));
    assert!(d.join("devtest/zho_Hans.devtest").is_file(), "FLORES data missing at {}", d.display());
    d
}

#[test]
fn default_directions_are_zh_en_both_ways() {
    let data = Flores::DEFAULT.load(&data_dir()).unwrap();
    // PROVENANCE.md: 1012 lines per language; 2 default directions.
    assert_eq!(data.items.len(), 2 * 1012);
    assert_eq!(data.items.iter().filter(|i| i.subject == "zho_Hans-eng_Latn").count(), 1012);
    let more = Flores::load_directions(
        &data_dir(),
        &[("eng_Latn", "deu_Latn"), ("jpn_Jpan", "kor_Hang"), ("fra_Latn", "eng_Latn")],
    )
    .unwrap();
    assert_eq!(more.items.len(), 3 * 1012);
}

#[test]
fn renders_the_first_sentence() {
    let data = Flores::DEFAULT.load(&data_dir()).unwrap();
    let item = &data.items[0];
    assert_eq!(item.id, "zho_Hans-eng_Latn:1");
    assert_eq!(
        item.answer,
        Answer::Text(
            "\"We now have 4-month-old mice that are non-diabetic that used to be diabetic,\" he added.".into()
        )
    );
    let Prompt::Generate { prompt, stop, .. } = Flores::DEFAULT.prompt(item, &[], Mode::Generate) else { panic!() };
    assert_eq!(
        prompt,
        "Chinese phrase: 他补充道：“我们现在有 4 个月大没有糖尿病的老鼠，但它们曾经得过该病。”\nEnglish phrase:"
    );
    assert_eq!(stop, vec!["\n".to_string()]);
}

#[test]
fn misaligned_and_missing_files() {
    let d = std::env::temp_dir().join(format!("kaoshi-test-flores-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("devtest")).unwrap();
    std::fs::write(d.join("devtest/zho_Hans.devtest"), "一\n二\n\n").unwrap();
    std::fs::write(d.join("devtest/eng_Latn.devtest"), "one\ntwo\nthree\n").unwrap();
    let data = Flores::load_directions(&d, &[("zho_Hans", "eng_Latn")]).unwrap();
    assert_eq!(data.items.len(), 2);
    assert_eq!((data.skipped[0].line, data.skipped[0].path.clone()), (3, d.join("devtest/zho_Hans.devtest")));
    std::fs::write(d.join("devtest/eng_Latn.devtest"), "one\n").unwrap();
    match Flores::load_directions(&d, &[("zho_Hans", "eng_Latn")]) {
        Err(DataError::Malformed { path, line, .. }) => {
            assert_eq!((path, line), (d.join("devtest/eng_Latn.devtest"), 2))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(Flores::load_directions(&d, &[("xxx_Latn", "eng_Latn")]), Err(DataError::Io { .. })));
    std::fs::write(d.join("devtest/eng_Latn.devtest"), "").unwrap();
    std::fs::write(d.join("devtest/zho_Hans.devtest"), "").unwrap();
    assert!(matches!(Flores::DEFAULT.load(&d), Err(DataError::Empty { .. })));
    std::fs::remove_dir_all(&d).unwrap();
}
