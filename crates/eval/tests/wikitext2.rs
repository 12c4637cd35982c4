//! WikiText-2 loader tests over ../shared/data/wikitext-2.

use std::path::PathBuf;

use kaoshi_eval::suites::wikitext2::{Wikitext2, detokenize, split_pages, word_count};
use kaoshi_eval::{DataError, Mode, Prompt, Suite};

fn data_dir() -> PathBuf {
    let d = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/wikitext-2"));
    assert!(d.join("test.txt").is_file(), "WikiText-2 data missing at {}", d.display());
    d
}

#[test]
fn splits_into_62_documents() {
    let data = Wikitext2.load(&data_dir()).unwrap();
    // Counted independently by running lm-eval's `_generate_examples` page
    // split and `wikitext_detokenizer` (Python, copied from
    // lm_eval/tasks/wikitext) over test.txt: 62 pages, 1,204,935 characters
    // after detokenization, first page 5,208 characters, 1,093 words and
    // 5,456 bytes before it.
    assert_eq!(data.items.len(), 62);
    let total: usize = data.items.iter().map(|i| i.question.chars().count()).sum();
    assert_eq!(total, 1_204_935);
    let first = &data.items[0];
    assert_eq!(first.fields["title"], "Robert <unk>");
    assert_eq!(first.question.chars().count(), 5208);
    assert_eq!((first.fields["words"].as_str(), first.fields["bytes"].as_str()), ("1093", "5456"));
    let Prompt::Perplexity { text } = Wikitext2.prompt(first, &[], Mode::Perplexity) else { panic!() };
    let head: String = text.chars().take(300).collect();
    assert_eq!(
        head,
        " = Robert <unk> =\n\nRobert <unk> is an English film, television and theatre actor. He had a guest-starring role on the television series The Bill in 2000. This was followed by a starring role in the play Herons written by Simon Stephens, which was performed in 2001 at the Royal Court Theatre. He had "
    );
    assert!(data.items[61].question.ends_with("Ed Taylor, Ed Parker, and Eddie <unk>.\n\n"));
}

#[test]
fn detokenizer_rules() {
    assert_eq!(
        detokenize("the 1 @,@ 000 @-@ year ( old ) dog 's \" toy \" , N"),
        "the 1,000-year (old) dog's \"toy\", N"
    );
    assert_eq!(detokenize(" = = Career = = \n"), " == Career ==\n");
    assert_eq!(detokenize("5 @.@ 5 ° C"), "5.5°C");
    assert_eq!(detokenize("a 5 ° C b"), "a 5°C b");
    assert_eq!(word_count(" a b \n"), 4);
    assert_eq!(split_pages(" \n = A = \n x \n = = B = = \n y \n = C = \n z").len(), 2);
}

#[test]
fn bad_files() {
    let d = std::env::temp_dir().join(format!("kaoshi-test-wikitext-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("test.txt"), " \n \n").unwrap();
    assert!(matches!(Wikitext2.load(&d), Err(DataError::Empty { .. })));
    std::fs::write(d.join("test.txt"), b" = A = \n \xff\n").unwrap();
    assert!(matches!(Wikitext2.load(&d), Err(DataError::Encoding { offset: 9, .. })));
    std::fs::remove_dir_all(&d).unwrap();
}
