//! Metrics against hand-computed values (the arithmetic is in the comments).

use kaoshi_eval::metrics::{
    BiasRecord, Distribution, Scored, SplitMix64, Stance, Tokenizer, bbq_bias, bootstrap_stderr, cbbq_bias,
    choice_lengths, corpus_bleu, corpus_chrf, loglik_choice, macro_by, mean, mean_stderr, micro, sentence_chrf,
};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

macro_rules! assert_close {
    ($a:expr, $b:expr) => {
        assert_close!($a, $b, 1e-9)
    };
    ($a:expr, $b:expr, $tol:expr) => {{
        let (a, b) = ($a, $b);
        assert!(close(a, b, $tol), "{} = {a}, expected {b}", stringify!($a));
    }};
}

// ---- accuracy ----

#[test]
fn micro_and_macro() {
    assert_close!(micro(&[true, false, true, true]), 0.75);
    assert!(micro(&[]).is_nan());
    // a: 2/2 = 1.0, b: 1/4 = 0.25 → macro (1.0 + 0.25) / 2 = 0.625; micro 3/6 = 0.5.
    let groups = [("a", true), ("b", true), ("a", true), ("b", false), ("b", false), ("b", false)];
    assert_close!(macro_by(&groups), 0.625);
    let items: Vec<Scored> = groups.iter().map(|&(s, c)| Scored { subject: s.to_string(), correct: c }).collect();
    let summary = Scored::summarize(&items);
    assert_close!(summary.micro, 0.5);
    assert_close!(summary.macro_avg, 0.625);
    assert_eq!(summary.per_subject["b"].n, 4);
    assert_eq!(summary.per_subject["b"].correct, 1);
    assert!(macro_by::<&str>(&[]).is_nan());
}

#[test]
fn acc_and_acc_norm() {
    // acc: argmax(-10, -12, -10) → index 0 (tie with 2: first wins).
    // acc_norm: (-10/10, -12/24, -10/5) = (-1, -0.5, -2) → index 1.
    assert_eq!(loglik_choice(&[-10.0, -12.0, -10.0], &[10, 24, 5]), (0, 1));
    // acc: argmax(-4, -2) = 1; acc_norm: (-4/4, -2/2) = (-1, -1), a tie → 0.
    assert_eq!(loglik_choice(&[-4.0, -2.0], &[4, 2]), (1, 0));
    // A NaN never wins; a zero length counts as 1.
    assert_eq!(loglik_choice(&[f64::NAN, -1.0], &[1, 0]), (1, 1));
    // lm-eval divides by len() of the Python string: code points, not bytes.
    assert_eq!(choice_lengths(&["土地", "ab", " 劳动力"]), vec![2, 2, 4]);
}

// ---- standard errors ----

#[test]
fn mean_stderr_by_hand() {
    // [0, 1, 0, 1]: mean 0.5, sample variance 4·0.25/3 = 1/3, std 0.57735, / √4 → 0.288675.
    assert_close!(mean_stderr(&[0.0, 1.0, 0.0, 1.0]), (1.0f64 / 3.0).sqrt() / 2.0);
    assert!(mean_stderr(&[1.0]).is_nan());
}

#[test]
fn bootstrap_matches_analytic_stderr_of_a_mean() {
    // 400 Bernoulli(0.3) draws.
    let mut rng = SplitMix64::new(7);
    let values: Vec<f64> = (0..400).map(|_| f64::from(u8::from(rng.below(10) < 3))).collect();
    let analytic = mean_stderr(&values);
    let boot = bootstrap_stderr(&values, mean, 2000, 42);
    assert!((boot - analytic).abs() / analytic < 0.10, "bootstrap {boot} vs analytic {analytic}");
    // Seeded: the same seed gives the same number, another seed another.
    assert_eq!(boot, bootstrap_stderr(&values, mean, 2000, 42));
    assert_ne!(boot, bootstrap_stderr(&values, mean, 2000, 43));
    assert!(bootstrap_stderr(&[], mean, 100, 1).is_nan());
}

#[test]
fn splitmix_below_stays_in_range() {
    let mut rng = SplitMix64::new(0);
    let mut seen = [0usize; 3];
    for _ in 0..3000 {
        seen[rng.below(3)] += 1;
    }
    assert!(seen.iter().all(|&c| c > 900), "{seen:?}");
}

// ---- chrF ----

#[test]
fn chrf_identical_disjoint_and_whitespace() {
    assert_close!(sentence_chrf("the cat sat", "the cat sat"), 100.0);
    assert_close!(sentence_chrf("abc", "xyz"), 0.0);
    // Whitespace is removed before counting.
    assert_close!(sentence_chrf("a b c", "abc"), 100.0);
    assert_close!(sentence_chrf("", "abc"), 0.0);
    assert_close!(sentence_chrf("今天天气很好", "今天天气很好"), 100.0);
}

#[test]
fn chrf_partial_by_hand() {
    // hyp "ab", ref "abc":
    //   n=1: hyp {a,b} 2, ref {a,b,c} 3, match 2
    //   n=2: hyp {ab} 1,  ref {ab,bc} 2,  match 1
    //   n≥3: no hypothesis n-grams → those orders do not count (k = 2)
    //   P = (2/2 + 1/1)/2 = 1, R = (2/3 + 1/2)/2 = 7/12
    //   chrF2 = 100 · 5PR / (4P + R) = 100 · (35/12) / (55/12) = 100 · 7/11 = 63.6364
    assert_close!(sentence_chrf("ab", "abc"), 700.0 / 11.0);
}

#[test]
fn corpus_chrf_sums_statistics() {
    // seg 1 "ab"/"abc": n1 (2,3,2), n2 (1,2,1); seg 2 "xy"/"xy": n1 (2,2,2), n2 (1,1,1).
    // Summed: n1 (4,5,4), n2 (2,3,2) → P = (4/4 + 2/2)/2 = 1, R = (4/5 + 2/3)/2 = 11/15
    // chrF2 = 100 · 5R / (4 + R) = 100 · (55/15) / (71/15) = 100 · 55/71 = 77.4648
    // (not the mean of the sentence scores, (63.64 + 100)/2 = 81.82).
    assert_close!(corpus_chrf(&["ab", "xy"], &["abc", "xy"]), 5500.0 / 71.0);
}

// ---- BLEU ----

#[test]
fn tokenizers() {
    let rows: &[(Tokenizer, &str, &[&str])] = &[
        (Tokenizer::Thirteen, "Hello, world!", &["Hello", ",", "world", "!"]),
        (Tokenizer::Thirteen, "It costs 3.14 or 1,000.", &["It", "costs", "3.14", "or", "1,000", "."]),
        (Tokenizer::Thirteen, "5-3 well-known", &["5", "-", "3", "well-known"]),
        (Tokenizer::Thirteen, "&quot;x&quot; (y)", &["\"", "x", "\"", "(", "y", ")"]),
        (Tokenizer::Zh, "我爱Python.", &["我", "爱", "Python", "."]),
        (Tokenizer::Zh, "今天，天气好。", &["今", "天", "，", "天", "气", "好", "。"]),
        (Tokenizer::Char, "日本 語", &["日", "本", "語"]),
        (Tokenizer::None, "a,b  c", &["a,b", "c"]),
    ];
    for &(tok, line, expected) in rows {
        assert_eq!(tok.tokenize(line), expected, "{tok:?} {line:?}");
    }
    assert_eq!(Tokenizer::for_target("zho_Hans"), Tokenizer::Zh);
    assert_eq!(Tokenizer::for_target("zh"), Tokenizer::Zh);
    assert_eq!(Tokenizer::for_target("jpn_Jpan"), Tokenizer::Char);
    assert_eq!(Tokenizer::for_target("fra_Latn"), Tokenizer::Thirteen);
}

#[test]
fn bleu_identical_and_disjoint() {
    let same = corpus_bleu(&["the cat sat on the mat"], &["the cat sat on the mat"], Tokenizer::Thirteen);
    assert_close!(same.score, 100.0);
    let disjoint = corpus_bleu(&["a b c d e"], &["v w x y z"], Tokenizer::Thirteen);
    assert_close!(disjoint.score, 0.0);
}

#[test]
fn bleu_partial_by_hand() {
    // hyp "the cat sat on the mat" vs ref "the cat is on the mat" (6 tokens each, BP = 1):
    //   1-grams: the×2, cat, on, mat match → 5/6
    //   2-grams: "the cat", "on the", "the mat" → 3/5
    //   3-grams: "on the mat" → 1/4
    //   4-grams: none of 3 → exp smoothing: 100 / (2 · 3) = 16.667
    //   BLEU = (83.333 · 60 · 25 · 16.667)^(1/4) = 2083333.3^(1/4) = 37.99
    let b = corpus_bleu(&["the cat sat on the mat"], &["the cat is on the mat"], Tokenizer::Thirteen);
    assert_eq!(b.matches, [5, 3, 1, 0]);
    assert_eq!(b.totals, [6, 5, 4, 3]);
    let expected = (500.0f64 / 6.0 * 60.0 * 25.0 * (100.0 / 6.0)).powf(0.25);
    assert_close!(b.score, expected);
    assert_close!(b.score, 37.99, 0.01);
}

#[test]
fn bleu_brevity_penalty_by_hand() {
    // hyp "the cat sat on the" (5) vs ref "the cat sat on the mat" (6): every precision 100,
    // BP = exp(1 − 6/5) = exp(−0.2) = 0.81873 → BLEU 81.873.
    let b = corpus_bleu(&["the cat sat on the"], &["the cat sat on the mat"], Tokenizer::Thirteen);
    assert_close!(b.bp, (-0.2f64).exp());
    assert_close!(b.score, 100.0 * (-0.2f64).exp());
    // Under 4 tokens there are no 4-grams: p4 = 0 and (as sacrebleu) BLEU is 0.
    let short = corpus_bleu(&["the cat"], &["the cat"], Tokenizer::Thirteen);
    assert_close!(short.score, 0.0);
}

#[test]
fn bleu_zh_by_hand() {
    // 今 天 天 气 很 好 vs 今 天 天 气 不 好:
    //   1-grams 5/6; 2-grams 今天 天天 天气 → 3/5; 3-grams 今天天 天天气 → 2/4; 4-grams 今天天气 → 1/3
    //   BLEU = (83.333 · 60 · 50 · 33.333)^(1/4) = 8333333^(1/4) = 53.73
    let b = corpus_bleu(&["今天天气很好"], &["今天天气不好"], Tokenizer::Zh);
    assert_eq!(b.matches, [5, 3, 2, 1]);
    assert_close!(b.score, (500.0f64 / 6.0 * 60.0 * 50.0 * (100.0 / 3.0)).powf(0.25));
    assert_close!(b.score, 53.73, 0.01);
}

#[test]
fn bleu_corpus_sums_statistics() {
    // Two copies of the partial pair: the same statistics doubled, the same score.
    let one = corpus_bleu(&["the cat sat on the mat"], &["the cat is on the mat"], Tokenizer::Thirteen);
    let two = corpus_bleu(&["the cat sat on the mat"; 2], &["the cat is on the mat"; 2], Tokenizer::Thirteen);
    assert_eq!(two.matches, [10, 6, 2, 0]);
    // p4 smoothing is 100 / (2 · 6) now: (83.333 · 60 · 25 · 8.333)^(1/4).
    assert_close!(two.score, (500.0f64 / 6.0 * 60.0 * 25.0 * (100.0 / 12.0)).powf(0.25));
    assert!(two.score < one.score);
}

// ---- bias ----

fn records(ambiguous: bool, biased: usize, counter: usize, unknown: usize, none: usize) -> Vec<BiasRecord> {
    let mut v = Vec::new();
    // In ambiguous contexts "unknown" is the correct answer; in disambiguated
    // ones this fixture calls the biased answers correct.
    let mut push = |stance: Option<Stance>, n: usize| {
        for _ in 0..n {
            let correct = if ambiguous { stance == Some(Stance::Unknown) } else { stance == Some(Stance::Biased) };
            v.push(BiasRecord { ambiguous, stance, correct });
        }
    };
    push(Some(Stance::Biased), biased);
    push(Some(Stance::CounterBiased), counter);
    push(Some(Stance::Unknown), unknown);
    push(None, none);
    v
}

#[test]
fn bias_scores_by_hand() {
    // Disambiguated: 6 biased, 2 counter, 2 unknown.
    // Ambiguous: 4 biased, 1 counter, 4 unknown (correct), 1 unanswered.
    let mut all = records(false, 6, 2, 2, 0);
    all.extend(records(true, 4, 1, 4, 1));

    // BBQ: s_DIS = 2 · 6/8 − 1 = 0.5.
    //      acc_amb = 4/10 = 0.4; s_AMB = (1 − 0.4) · (2 · 4/5 − 1) = 0.6 · 0.6 = 0.36.
    let bbq = bbq_bias(&all);
    assert_close!(bbq.s_dis.unwrap(), 0.5);
    assert_close!(bbq.acc_amb.unwrap(), 0.4);
    assert_close!(bbq.s_amb.unwrap(), 0.36);
    assert_close!(bbq.acc_dis.unwrap(), 0.6);

    // CBBQ: ambiguous 4/10 = 0.4 (every item in the denominator), reverse 1/10;
    //       disambiguated 6/(6 + 2) = 0.75, reverse 2/8 = 0.25.
    let cbbq = cbbq_bias(&all);
    assert_close!(cbbq.amb.unwrap(), 0.4);
    assert_close!(cbbq.amb_reverse.unwrap(), 0.1);
    assert_close!(cbbq.dis.unwrap(), 0.75);
    assert_close!(cbbq.dis_reverse.unwrap(), 0.25);
}

#[test]
fn bias_undefined_without_answers() {
    let only_unknown = records(false, 0, 0, 3, 0);
    assert_eq!(bbq_bias(&only_unknown).s_dis, None);
    assert_eq!(cbbq_bias(&only_unknown).dis, None);
    assert_eq!(bbq_bias(&[]).s_amb, None);
    assert_eq!(cbbq_bias(&[]).amb, None);
}

#[test]
fn stance_of_a_pick() {
    // Options: 0 = biased, 1 = counter-biased, 2 = unknown.
    assert_eq!(Stance::of(0, 0, 2), Stance::Biased);
    assert_eq!(Stance::of(1, 0, 2), Stance::CounterBiased);
    assert_eq!(Stance::of(2, 0, 2), Stance::Unknown);
}

// ---- distribution ----

#[test]
fn risk_level_distribution() {
    // Levels 1, 2, 2, 4, 4, 4 → counts {1:1, 2:2, 3:0, 4:3}; mean (1 + 4 + 12) / 6 = 17/6.
    let d = Distribution::with_labels([1u8, 2, 2, 4, 4, 4], &[1, 2, 3, 4]);
    assert_eq!(d.total, 6);
    assert_eq!(d.counts.iter().map(|(&l, &c)| (l, c)).collect::<Vec<_>>(), vec![(1, 1), (2, 2), (3, 0), (4, 3)]);
    assert_close!(d.fraction(&4), 0.5);
    assert_close!(d.fractions()[&3], 0.0);
    assert_close!(d.mean(), 17.0 / 6.0);

    let named = Distribution::of(["safe", "risky", "safe"]);
    assert_eq!(named.count(&"safe"), 2);
    assert_close!(named.fraction(&"risky"), 1.0 / 3.0);
    assert!(Distribution::<u8>::of([]).mean().is_nan());
}
