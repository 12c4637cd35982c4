//! Answer extraction: each row is (input, expected).

use kaoshi_eval::extract::{
    Extractor, extract, extract_letter, extract_number, extract_numbers, format_number, numbers_match,
};

/// (output, n_choices, expected letter).
const LETTERS: &[(&str, usize, Option<char>)] = &[
    // Words must not yield letters.
    ("Let's think step by step.", 4, None),
    ("Let's think step by step.", 26, None),
    ("Answer", 4, None),
    ("Answer:", 4, None),
    ("I think so.", 10, None),
    ("I think the answer is B.", 10, Some('B')),
    ("A bird in the hand is worth two in the bush", 4, None),
    ("DNA is the answer", 4, None),
    ("The answer is Apple", 4, None),
    ("AB", 4, None),
    ("答案是AB", 4, None),
    ("I'm not sure", 10, None),
    // Statement beats a bare letter; among statements the last wins.
    ("Let's think step by step. The answer is C.", 4, Some('C')),
    ("答案是A。……不对，答案是B", 4, Some('B')),
    ("A。答案是C", 4, Some('C')),
    ("Answer: B\nAnswer: C", 4, Some('C')),
    ("B and C are wrong, so the answer is A.", 4, Some('A')),
    ("答案是 B，因为A是错误的", 4, Some('B')),
    // Chinese answer statements.
    ("答案是A", 4, Some('A')),
    ("答案为：D", 4, Some('D')),
    ("答案：C", 4, Some('C')),
    ("正确答案是D。", 4, Some('D')),
    ("答案应该是 B", 4, Some('B')),
    ("答案为C选项", 4, Some('C')),
    ("分析如下……故选：B。", 4, Some('B')),
    ("所以选择C", 4, Some('C')),
    ("因此选项A错误，选项B正确", 4, Some('B')),
    ("A项错误，C项正确", 4, Some('C')),
    ("正确的选项是 A", 4, Some('A')),
    ("【解析】……<eoe>\n【答案】: C <eoa>", 4, Some('C')),
    // English answer statements.
    ("The correct answer is (C).", 4, Some('C')),
    ("The final answer is **A**", 4, Some('A')),
    ("The answer is: (A)", 4, Some('A')),
    ("**Final Answer:** D", 4, Some('D')),
    ("Option B is correct.", 4, Some('B')),
    ("I choose D.", 4, Some('D')),
    ("so \\boxed{B}", 4, Some('B')),
    // Full-width letters and punctuation.
    ("答案是Ｂ", 4, Some('B')),
    ("答案：Ｃ", 4, Some('C')),
    ("Ｄ", 4, Some('D')),
    ("ａ", 4, None),
    // A standalone letter.
    ("B", 4, Some('B')),
    ("B.", 4, Some('B')),
    ("(C)", 4, Some('C')),
    ("**D**", 4, Some('D')),
    ("  A\n", 4, Some('A')),
    ("B. 土地", 4, Some('B')),
    ("C：劳动力", 4, Some('C')),
    ("I", 10, Some('I')),
    ("经过比较，最合适的是 C", 4, Some('C')),
    // Letters outside the first n_choices are ignored.
    ("答案是E", 4, None),
    ("答案是C", 2, None),
    ("The answer is E. B", 4, Some('B')),
    ("答案是E", 5, Some('E')),
    // Nothing to extract.
    ("", 4, None),
    ("   ", 4, None),
    ("我不知道。", 4, None),
    ("A", 0, None),
];

#[test]
fn letters() {
    let mut failures = Vec::new();
    for &(input, n, expected) in LETTERS {
        let got = extract_letter(input, n);
        if got != expected {
            failures.push(format!("{input:?} (n={n}): got {got:?}, expected {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// (output, expected number).
const NUMBERS: &[(&str, Option<f64>)] = &[
    ("答案是 12", Some(12.0)),
    ("1,234", Some(1234.0)),
    ("-5", Some(-5.0)),
    ("3.50", Some(3.5)),
    ("\\boxed{7}", Some(7.0)),
    ("First 3 apples, then \\boxed{7}, check: 7+3=10", Some(7.0)),
    ("\\boxed{\\frac{3}{4}}", Some(0.75)),
    ("\\frac{3}{4}", Some(0.75)),
    ("3/4", Some(0.75)),
    ("５分之３", Some(0.6)),
    ("１２３", Some(123.0)),
    ("12%", Some(12.0)),
    ("小明有3个苹果，又买了5个，一共8个。", Some(8.0)),
    ("答案是12。验算：12×3=36", Some(12.0)),
    ("Natalia sold 48/2 = 24 clips in May.\n#### 72", Some(72.0)),
    ("The answer is $1,000.", Some(1000.0)),
    ("3-5", Some(5.0)),
    ("x = -2", Some(-2.0)),
    ("−7", Some(-7.0)),
    ("1,2,3", Some(3.0)),
    ("1,2345", Some(2345.0)),
    ("1，234", Some(234.0)),
    ("约 2.71 米", Some(2.71)),
    ("答案：-3", Some(-3.0)),
    ("no numbers here", None),
    ("2/0", None),
    ("", None),
];

#[test]
fn numbers() {
    let mut failures = Vec::new();
    for &(input, expected) in NUMBERS {
        let got = extract_number(input);
        if got != expected {
            failures.push(format!("{input:?}: got {got:?}, expected {expected:?}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn all_numbers_in_order() {
    let rows: &[(&str, &[f64])] = &[
        ("3-5", &[3.0, 5.0]),
        ("1,2,3", &[1.0, 2.0, 3.0]),
        ("共 1,234 元，每人 -2.5", &[1234.0, -2.5]),
        ("\\frac{1}{2} 和 2分之1", &[0.5, 0.5]),
        ("none", &[]),
    ];
    for &(input, expected) in rows {
        assert_eq!(extract_numbers(input), expected, "{input:?}");
    }
}

#[test]
fn canonical_numbers() {
    let rows: &[(f64, &str)] = &[
        (12.0, "12"),
        (-3.0, "-3"),
        (0.5, "0.5"),
        (0.75, "0.75"),
        (-0.0, "0"),
        (1234.0, "1234"),
        (1e20, "100000000000000000000"),
    ];
    for &(x, s) in rows {
        assert_eq!(format_number(x), s);
        assert_eq!(s.parse::<f64>().unwrap(), x);
    }
}

#[test]
fn number_tolerance_follows_cmath() {
    let rows: &[(f64, f64, bool)] =
        &[(12.0, 12.0, true), (12.0, 13.0, false), (0.3333, 1.0 / 3.0, true), (0.5, 0.51, false), (100.0, 100.5, true)];
    for &(a, b, same) in rows {
        assert_eq!(numbers_match(a, b), same, "{a} vs {b}");
    }
}

/// (extractor, output, expected string).
#[test]
fn extract_dispatches() {
    let rows: Vec<(Extractor, &str, Option<&str>)> = vec![
        (Extractor::Letter { n_choices: 4 }, "答案是Ｂ", Some("B")),
        (Extractor::Letter { n_choices: 4 }, "Let's think", None),
        (Extractor::Number, "\\boxed{\\frac{3}{4}}", Some("0.75")),
        (Extractor::Number, "共 1,234 元", Some("1234")),
        (Extractor::Number, "x = -3.0", Some("-3")),
        (Extractor::Number, "没有数字", None),
        (Extractor::Text, "  Bonjour le monde.  \n\nExtra", Some("Bonjour le monde.")),
        (Extractor::Text, "第一行\n第二行\r\n \r\n第三段", Some("第一行\n第二行")),
        (Extractor::Text, "\n\n  \n", None),
    ];
    for (ex, input, expected) in rows {
        assert_eq!(extract(&ex, input).as_deref(), expected, "{ex:?} {input:?}");
    }
}
