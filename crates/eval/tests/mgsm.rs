//! MGSM loader and prompt tests over ../shared/data/mgsm.

use std::path::PathBuf;

use kaoshi_eval::suites::mgsm::Mgsm;
use kaoshi_eval::{Answer, DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let d = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/mgsm"));
    assert!(d.join("mgsm_zh.tsv").is_file(), "MGSM data missing at {} (see shared/data/README.md)", d.display());
    d
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kaoshi-test-mgsm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn loads_six_languages_of_250() {
    let data = Mgsm.load(&data_dir()).unwrap();
    // PROVENANCE.md: 6 files × 250 rows.
    assert_eq!(data.items.len(), 1500);
    assert!(data.skipped.is_empty(), "{:?}", data.skipped);
    for lang in ["de", "en", "fr", "ja", "sw", "zh"] {
        assert_eq!(data.items.iter().filter(|i| i.subject == lang).count(), 250, "{lang}");
    }
}

#[test]
fn renders_lm_eval_direct_prompts() {
    let data = Mgsm.load(&data_dir()).unwrap();
    let zh = data.items.iter().find(|i| i.id == "mgsm_zh.tsv:1").unwrap();
    assert_eq!(zh.answer, Answer::Number(18.0));
    let Prompt::Generate { prompt, stop, .. } = Mgsm.prompt(zh, &[], Mode::Generate) else { panic!() };
    assert_eq!(
        prompt,
        "问题: 珍妮特的鸭子每天下 16 颗蛋。她每天早上早餐时吃 3 颗，每天用 4 颗为自己的朋友做松饼。剩下的鸭蛋她每天拿去农贸市场卖，每颗新鲜鸭蛋卖 2 美元。她每天在农贸市场赚多少钱？\nAnswer:"
    );
    assert_eq!(stop, vec!["\n\n".to_string(), "\n".to_string()]);
    let de = data.items.iter().find(|i| i.id == "mgsm_de.tsv:1").unwrap();
    let Prompt::Generate { prompt, .. } = Mgsm.prompt(de, &[], Mode::Generate) else { panic!() };
    assert_eq!(
        prompt,
        "Frage: Janets Enten legen 16 Eier pro Tag. Sie isst drei jeden Morgen zum Frühstück und backt mit vier jeden Tag Muffins für ihre Freunde. Den Rest verkauft sie täglich auf dem Bauernmarkt für 2 US-Dollar pro frischem Entenei. Wie viel Dollar nimmt sie täglich auf dem Bauernmarkt ein?\nAntwort:"
    );
}

#[test]
fn bad_rows() {
    let d = tmp("bad");
    let f = d.join("mgsm_en.tsv");
    std::fs::write(&f, "What is 1+1?\t2\nno tab here\nWhat is x?\t\nWhat?\tmany\n").unwrap();
    let data = Mgsm.load(&d).unwrap();
    assert_eq!(data.items.len(), 1);
    let lines: Vec<usize> = data.skipped.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![2, 3, 4]);
    assert!(data.skipped.iter().all(|s| s.path == f));
    std::fs::write(d.join("mgsm_xx.tsv"), "Q\t1\n").unwrap();
    let data = Mgsm.load(&d).unwrap();
    assert!(data.skipped.iter().any(|s| s.reason.contains("`xx`")));
    std::fs::write(&f, "").unwrap();
    std::fs::remove_file(d.join("mgsm_xx.tsv")).unwrap();
    assert!(matches!(Mgsm.load(&d), Err(DataError::Empty { .. })));
    std::fs::write(&f, b"Q \xfe\t1\n").unwrap();
    assert!(matches!(Mgsm.load(&d), Err(DataError::Encoding { path, .. }) if path == f));
    std::fs::remove_dir_all(&d).unwrap();
}
