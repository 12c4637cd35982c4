//! GAOKAO-Bench subjective loader, candidate prompt and judge prompt over
//! ../shared/data/gaokao-bench.

use std::path::{Path, PathBuf};

use kaoshi_eval::judge::VerdictFormat;
use kaoshi_eval::suites::gaokao_subjective::{CORRECTION_SKIP, GaokaoSubjective};
use kaoshi_eval::{Answer, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/gaokao-bench");
    assert!(dir.is_dir(), "GAOKAO-Bench data missing: expected {} (see shared/data/README.md)", dir.display());
    dir
}

#[test]
fn loads_real_files() {
    let data = GaokaoSubjective.load(&data_dir()).unwrap();
    // Counted independently with python3 over Subjective_Questions/*.json:
    // 470 examples (PROVENANCE.md: 116+29+28+29+28+86+81+47+26); the 26 of
    // 2012-2022_English_Language_Error_Correction (type "correction" in
    // prompts/Sub_Prompt.json) are skipped; every other example has a
    // non-empty question and answer and an integer score > 0, so 444 items.
    assert_eq!(data.items.len(), 444);
    assert_eq!(data.skipped.len(), 26);
    assert!(data.skipped.iter().all(|s| s.reason == CORRECTION_SKIP));
    assert!(GaokaoSubjective.info().modes == [Mode::Judge]);
    let bio = &data.items[0];
    assert_eq!(bio.subject, "2010-2022_Biology_Open-ended_Questions");
    assert_eq!(bio.fields["score"], "9");
    assert!(matches!(&bio.answer, Answer::Text(t) if t.starts_with("（1）淋巴细胞")));
}

#[test]
fn candidate_and_judge_prompts_follow_upstream() {
    let data = GaokaoSubjective.load(&data_dir()).unwrap();
    let item = &data.items[0];
    let Prompt::Generate { prompt, max_tokens, .. } = GaokaoSubjective.prompt(item, &[], Mode::Judge) else {
        panic!("generate prompt expected");
    };
    assert!(prompt.starts_with("请解答下面的生物解答题"));
    assert!(prompt.ends_with(&format!("{}\n", item.question.trim())));
    assert_eq!(max_tokens, 1024);
    let j = GaokaoSubjective.judge_prompt(item, "学生答案 {score}").unwrap();
    assert!(j.prompt.starts_with("你是一名高中生物老师，正在批改高考生物试卷。"));
    assert!(j.prompt.contains(&format!("【题目】{}\n\n【分析过程】", item.question.trim())));
    assert!(j.prompt.contains("\n【分值】9\n【学生分析与答案】学生答案 {score}\n"));
    assert_eq!((j.format, j.min, j.max), (VerdictFormat::GaokaoTotal, 0.0, 9.0));
    assert!(GaokaoSubjective.judge_source().unwrap().contains("Sub_Grade_Prompt_wo_marking_criterion"));
}
