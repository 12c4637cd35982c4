//! The RSA math (kaoshi_probe::rsa) on hand-worked cases and against
//! independent computations written here; the `.npy` reader against the
//! writer and against bytes built by hand. Tolerances: 1e-12 where the
//! same numbers are computed two ways in f64; statistical ones are
//! justified where they are used.

use kaoshi_probe::rsa::{
    self, Compare, Distance, SplitMix64, check_target, kendall_tau_b, pearson, permutation_null, ranks, rdm, upper,
};
use kaoshi_probe::tensor_file::{Array, ArrayData, npy, read_npy};

const EPS: f64 = 1e-12;

fn random_vectors(n: usize, dim: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut g = SplitMix64::new(seed);
    (0..n).map(|_| (0..dim).map(|_| (g.next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5).collect()).collect()
}

fn random_rdm(n: usize, seed: u64) -> Vec<Vec<f64>> {
    rdm(&random_vectors(n, 8, seed), Distance::Euclidean)
}

fn map(m: &[Vec<f64>], f: impl Fn(f64) -> f64) -> Vec<Vec<f64>> {
    m.iter().map(|r| r.iter().map(|&v| f(v)).collect()).collect()
}

#[test]
fn splitmix64_matches_the_reference_sequence() {
    // Vigna's splitmix64.c from state 0.
    let mut g = SplitMix64::new(0);
    assert_eq!(g.next_u64(), 0xE220_A839_7B1D_CDAF);
    assert_eq!(g.next_u64(), 0x6E78_9E6A_A1B9_65F4);
}

#[test]
fn rdms_are_symmetric_with_zero_diagonal_and_hand_values() {
    let x = random_vectors(7, 5, 1);
    for d in [Distance::Correlation, Distance::Cosine, Distance::Euclidean, Distance::Spearman] {
        let m = rdm(&x, d);
        assert_eq!(m.len(), 7);
        for (i, row) in m.iter().enumerate() {
            assert_eq!(row[i], 0.0, "{d:?}");
            for (j, v) in row.iter().enumerate() {
                assert_eq!(*v, m[j][i], "{d:?}");
                assert!(v.is_finite());
            }
        }
    }
    let v = vec![vec![1.0, 2.0, 3.0], vec![3.0, 2.0, 1.0], vec![2.0, 4.0, 6.0], vec![1.0, 4.0, 9.0]];
    let c = rdm(&v, Distance::Correlation);
    assert!((c[0][1] - 2.0).abs() < EPS && c[0][2].abs() < EPS, "1 - r: r = -1 and 1");
    assert!(c[0][3] > 1e-3, "1, 4, 9 is not linear in 1, 2, 3");
    let s = rdm(&v, Distance::Spearman);
    assert!(s[0][3].abs() < EPS && (s[0][1] - 2.0).abs() < EPS, "but monotone");
    let e = rdm(&v, Distance::Euclidean);
    assert!((e[0][1] - 8f64.sqrt()).abs() < EPS);
    let k = rdm(&[vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 1.0]], Distance::Cosine);
    assert!((k[0][1] - 1.0).abs() < EPS && (k[0][2] - (1.0 - 0.5f64.sqrt())).abs() < EPS);
    assert_eq!(upper(&e), vec![e[0][1], e[0][2], e[0][3], e[1][2], e[1][3], e[2][3]]);
}

#[test]
fn rank_correlations_on_hand_worked_cases_with_ties() {
    assert_eq!(ranks(&[10.0, 20.0, 20.0, 30.0, 5.0]), vec![2.0, 3.5, 3.5, 5.0, 1.0]);
    // x = 1 2 2 3, y = 1 3 2 3: 4 concordant, 0 discordant, one pair tied in
    // x, one in y: tau-b = 4 / sqrt(5 * 5) = 0.8. Ranks 1 2.5 2.5 4 and
    // 1 3.5 2 3.5: rho = 3.75 / 4.5.
    let (x, y) = ([1.0, 2.0, 2.0, 3.0], [1.0, 3.0, 2.0, 3.0]);
    assert!((kendall_tau_b(&x, &y) - 0.8).abs() < EPS);
    assert!((Compare::Spearman.of(&x, &y) - 3.75 / 4.5).abs() < EPS);
    // No ties: 7 concordant, 3 discordant; sum d^2 = 8.
    let (x, y) = ([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 1.0, 2.0, 5.0, 4.0]);
    assert!((kendall_tau_b(&x, &y) - 0.4).abs() < EPS);
    assert!((Compare::Spearman.of(&x, &y) - (1.0 - 6.0 * 8.0 / 120.0)).abs() < EPS);
    assert!(kendall_tau_b(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan(), "a constant has no order");
    assert!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
}

/// Tau-b over all pairs, O(m^2), to check the O(m log m) one.
fn tau_b_by_pairs(x: &[f64], y: &[f64]) -> f64 {
    let (mut s, mut tx, mut ty, mut n0) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            let (dx, dy) = ((x[i] - x[j]).signum(), (y[i] - y[j]).signum());
            let (dx, dy) = (if x[i] == x[j] { 0.0 } else { dx }, if y[i] == y[j] { 0.0 } else { dy });
            s += dx * dy;
            tx += f64::from(dx == 0.0);
            ty += f64::from(dy == 0.0);
            n0 += 1.0;
        }
    }
    s / ((n0 - tx) * (n0 - ty)).sqrt()
}

#[test]
fn kendall_equals_the_pairwise_count_with_many_ties() {
    let mut g = SplitMix64::new(7);
    for m in [2, 3, 10, 57, 200] {
        let x: Vec<f64> = (0..m).map(|_| g.below(6) as f64).collect();
        let y: Vec<f64> = (0..m).map(|_| g.below(4) as f64).collect();
        let (fast, slow) = (kendall_tau_b(&x, &y), tau_b_by_pairs(&x, &y));
        assert!((fast - slow).abs() < EPS || (fast.is_nan() && slow.is_nan()), "m {m}: {fast} vs {slow}");
    }
}

#[test]
fn an_rdm_matches_itself_and_spearman_ignores_monotone_transforms() {
    let d = random_rdm(12, 3);
    for c in [Compare::Spearman, Compare::Pearson, Compare::Kendall] {
        assert!((c.of(&upper(&d), &upper(&d)) - 1.0).abs() < EPS, "{c:?}");
    }
    for t in [map(&d, |v| v * v * v), map(&d, f64::exp)] {
        assert!((Compare::Spearman.of(&upper(&d), &upper(&t)) - 1.0).abs() < EPS);
        assert!((Compare::Kendall.of(&upper(&d), &upper(&t)) - 1.0).abs() < EPS);
        let p = Compare::Pearson.of(&upper(&d), &upper(&t));
        assert!(p < 1.0 - 1e-3, "Pearson sees the curvature: {p}");
    }
}

#[test]
fn the_permutation_null_is_centred_and_p_is_uniform_on_unrelated_rdms() {
    // n = 20 stimuli, 190 pairs: a permuted rho has sd about 0.1 at most,
    // so the mean of 2000 is within 0.01 of 0 (5 sd) and the mean |rho| is
    // well under 0.2.
    let null = permutation_null(&random_rdm(20, 11), &random_rdm(20, 12), Compare::Spearman, 2000, 5);
    let mean = null.iter().sum::<f64>() / null.len() as f64;
    let mean_abs = null.iter().map(|r| r.abs()).sum::<f64>() / null.len() as f64;
    assert!(mean.abs() < 0.01 && mean_abs < 0.2, "mean {mean}, mean |r| {mean_abs}");
    // Under the null p is uniform: the mean of 40 p-values has sd
    // 0.29 / sqrt(40) = 0.046; 0.5 +- 0.15 is over 3 sd.
    let ps: Vec<f64> = (0..40u64)
        .map(|t| rsa::test(&random_rdm(10, 100 + t), &random_rdm(10, 200 + t), Compare::Spearman, 199, 0, t).p)
        .collect();
    let mean_p = ps.iter().sum::<f64>() / 40.0;
    assert!((mean_p - 0.5).abs() < 0.15, "mean p {mean_p}");
    assert!(ps.iter().all(|p| (1.0 / 200.0..=1.0).contains(p)));
}

#[test]
fn a_related_target_is_significant_with_an_interval_around_rho() {
    let d = random_rdm(15, 21);
    let noise = random_rdm(15, 22);
    let t: Vec<Vec<f64>> =
        d.iter().zip(&noise).map(|(a, b)| a.iter().zip(b).map(|(x, y)| x + 0.3 * y).collect()).collect();
    for c in [Compare::Spearman, Compare::Pearson, Compare::Kendall] {
        let r = rsa::test(&d, &t, c, 500, 300, 9);
        assert!(r.rho > 0.5, "{c:?} {r:?}");
        assert_eq!(r.p, 1.0 / 501.0, "{c:?}: no permutation comes near");
        assert!(r.ci[0] < r.rho && r.rho < r.ci[1] && r.ci[0] > 0.0 && r.ci[1] <= 1.0, "{c:?} {r:?}");
    }
    let none = rsa::test(&d, &t, Compare::Spearman, 0, 0, 9);
    assert!(none.p.is_nan() && none.ci[0].is_nan());
}

#[test]
fn the_same_seed_gives_the_same_numbers_and_another_seed_others() {
    let (a, b) = (random_rdm(10, 31), random_rdm(10, 32));
    let one = rsa::test(&a, &b, Compare::Spearman, 300, 200, 1);
    assert_eq!(one, rsa::test(&a, &b, Compare::Spearman, 300, 200, 1));
    let two = rsa::test(&a, &b, Compare::Spearman, 300, 200, 2);
    assert_eq!(one.rho, two.rho);
    assert_ne!(one.ci, two.ci);
    assert_ne!(permutation_null(&a, &b, Compare::Kendall, 50, 1), permutation_null(&a, &b, Compare::Kendall, 50, 2));
    assert_ne!(one.p, two.p, "{one:?} {two:?}");
}

#[test]
fn bad_targets_are_named() {
    let good = random_rdm(4, 41);
    assert!(check_target(&good, 4, "t.csv").is_ok());
    let err = |m: &[Vec<f64>], n: usize| check_target(m, n, "t.csv").expect_err("refused").to_string();
    assert!(err(&good, 5).contains("4 x 4 matrix for 5 stimuli"), "{}", err(&good, 5));
    let mut ragged = good.clone();
    ragged[2].pop();
    assert!(err(&ragged, 4).contains("not square"));
    let mut asym = good.clone();
    asym[0][3] += 1e-3;
    assert!(err(&asym, 4).contains("not symmetric: (1, 4)"), "{}", err(&asym, 4));
    let mut tiny = good.clone();
    tiny[0][3] += 1e-9;
    assert!(check_target(&tiny, 4, "t").is_ok(), "within the tolerance");
    let mut nan = good.clone();
    nan[1][2] = f64::NAN;
    assert!(err(&nan, 4).contains("(2, 3) is NaN"), "{}", err(&nan, 4));
    let sim = map(&good, |v| 1.0 - v);
    assert!(err(&sim, 4).contains("1 - S"), "a similarity matrix: {}", err(&sim, 4));
}

#[test]
fn targets_are_read_from_csv_and_npy() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("rsa-targets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let csv = dir.join("t.csv");
    std::fs::write(&csv, "a,b,c\n0, 1, 2\n1,0,3.5\n\n2,3.5,0\n").expect("write");
    let m = rsa::read_target(&csv).expect("csv with a header");
    assert_eq!(m, vec![vec![0.0, 1.0, 2.0], vec![1.0, 0.0, 3.5], vec![2.0, 3.5, 0.0]]);
    std::fs::write(&csv, "0,1,2\n1,0,x\n2,3,0\n").expect("write");
    let e = rsa::read_target(&csv).expect_err("x").to_string();
    assert!(e.contains("t.csv:2: column 3") && e.contains("\"x\""), "{e}");
    let npy_path = dir.join("t.npy");
    std::fs::write(
        &npy_path,
        npy(&Array {
            name: "t".into(),
            shape: vec![3, 3],
            data: ArrayData::F32(vec![0.0, 1.0, 2.0, 1.0, 0.0, 3.5, 2.0, 3.5, 0.0]),
        }),
    )
    .expect("write");
    assert_eq!(rsa::read_target(&npy_path).expect("npy"), m);
    std::fs::write(
        &npy_path,
        npy(&Array { name: "t".into(), shape: vec![1, 3, 3], data: ArrayData::F32(vec![0.0; 9]) }),
    )
    .expect("write");
    assert!(rsa::read_target(&npy_path).expect_err("3-D").to_string().contains("3-D"));
}

#[test]
fn npy_reads_the_writers_files_and_f64_built_by_hand() {
    let a = Array { name: "x".into(), shape: vec![2, 3], data: ArrayData::F32(vec![1.0, -2.0, 0.5, 3.0, 4.0, 1e-8]) };
    let (shape, v) = read_npy(&npy(&a)).expect("round trip");
    assert_eq!(shape, vec![2, 3]);
    assert_eq!(v, [1.0f32, -2.0, 0.5, 3.0, 4.0, 1e-8].map(f64::from).to_vec());
    // Format 2.0 (4-byte header length), f64, as numpy writes it.
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
    let mut b = b"\x93NUMPY\x02\x00".to_vec();
    b.extend((header.len() as u32 + 1).to_le_bytes());
    b.extend(header.as_bytes());
    b.push(b'\n');
    for x in [0.0f64, 0.1, 0.1, 0.0] {
        b.extend(x.to_le_bytes());
    }
    assert_eq!(read_npy(&b).expect("f64"), (vec![2, 2], vec![0.0, 0.1, 0.1, 0.0]));
    let e = read_npy(&b[..b.len() - 1]).expect_err("short").to_string();
    assert!(e.contains("needs 4 values of 8 bytes"), "{e}");
    let mut be = b.clone();
    let at = be.windows(3).position(|w| w == b"<f8").expect("descr");
    be[at] = b'>';
    assert!(read_npy(&be).expect_err("big-endian").to_string().contains(">f8"));
    let i = npy(&Array { name: "i".into(), shape: vec![2], data: ArrayData::I64(vec![1, 2]) });
    assert!(read_npy(&i).expect_err("ints").to_string().contains("<i8"));
    assert!(read_npy(b"not numpy").is_err());
}
