//! Representational similarity analysis, model-free (the definitions
//! follow Ren et al., "Do Large Language Models Mirror Cognitive Language
//! Processing?", COLING 2025, and Kriegeskorte et al. 2008; Nili et al.
//! 2014 for the tests):
//!
//! - [`rdm`]: the representational dissimilarity matrix of n vectors
//!   ([`Distance`]: 1 - Pearson correlation, 1 - cosine, Euclidean, or
//!   1 - Spearman); only its upper triangle ([`upper`], i < j) is compared.
//! - [`Compare`]: second-order similarity of two RDMs' upper triangles:
//!   Spearman (ranks with average ties, [`ranks`]), Pearson, or Kendall's
//!   tau-b ([`kendall_tau_b`], Knight's O(m log m) algorithm).
//! - [`test`]: the statistic, a two-sided permutation p-value (stimulus
//!   labels permuted: rows and columns of the target together;
//!   p = (1 + #{|r_perm| >= |r|}) / (1 + P)) and a bootstrap percentile
//!   interval over stimuli (resampled with replacement; pairs of a stimulus
//!   with its own copy dropped; 2.5 and 97.5 percentiles, linear
//!   interpolation between order statistics as numpy's default).
//! - [`SplitMix64`]: the seeded generator (no dependency); every layer is
//!   tested with the same permutations and resamples.
//! - [`check_target`], [`read_target`]: a target RDM from CSV or `.npy`,
//!   checked before use.

use std::path::Path;
use std::str::FromStr;

use serde::Serialize;

use crate::error::ProbeError;

/// A target's largest allowed asymmetry `|a_ij - a_ji|` and diagonal
/// `|a_ii|`, relative to `max(1, max |a|)`.
pub const TARGET_TOLERANCE: f64 = 1e-6;

/// The distance between two stimulus embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Distance {
    /// 1 - Pearson correlation (the usual RSA choice).
    Correlation,
    /// 1 - cosine.
    Cosine,
    /// Euclidean.
    Euclidean,
    /// 1 - Spearman correlation.
    Spearman,
}

/// How two RDMs' upper triangles are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// Spearman's rho (ties get their average rank).
    Spearman,
    /// Pearson's r.
    Pearson,
    /// Kendall's tau-b.
    Kendall,
}

impl FromStr for Distance {
    type Err = ProbeError;

    fn from_str(s: &str) -> Result<Self, ProbeError> {
        match s {
            "correlation" => Ok(Self::Correlation),
            "cosine" => Ok(Self::Cosine),
            "euclidean" => Ok(Self::Euclidean),
            "spearman" => Ok(Self::Spearman),
            o => {
                Err(ProbeError::Options(format!("distance {o:?}: expected correlation, cosine, euclidean or spearman")))
            }
        }
    }
}

impl FromStr for Compare {
    type Err = ProbeError;

    fn from_str(s: &str) -> Result<Self, ProbeError> {
        match s {
            "spearman" => Ok(Self::Spearman),
            "pearson" => Ok(Self::Pearson),
            "kendall" => Ok(Self::Kendall),
            o => Err(ProbeError::Options(format!("compare {o:?}: expected spearman, pearson or kendall"))),
        }
    }
}

impl Compare {
    /// The statistic of `x` against `y` (NaN when one is constant).
    pub fn of(self, x: &[f64], y: &[f64]) -> f64 {
        match self {
            Self::Spearman => pearson(&ranks(x), &ranks(y)),
            Self::Pearson => pearson(x, y),
            Self::Kendall => kendall_tau_b(x, y),
        }
    }
}

impl Distance {
    /// The distance between `a` and `b`.
    pub fn of(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            Self::Correlation => 1.0 - pearson(a, b),
            Self::Cosine => 1.0 - crate::similarity::cosine(a, b),
            Self::Euclidean => a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt(),
            Self::Spearman => 1.0 - pearson(&ranks(a), &ranks(b)),
        }
    }
}

/// The n x n dissimilarity matrix of `x` (one vector per stimulus):
/// symmetric, 0 on the diagonal.
pub fn rdm(x: &[Vec<f64>], d: Distance) -> Vec<Vec<f64>> {
    // Spearman is the correlation of ranks: rank each vector once.
    let ranked: Vec<Vec<f64>>;
    let (x, d) = if d == Distance::Spearman {
        ranked = x.iter().map(|v| ranks(v)).collect();
        (&ranked[..], Distance::Correlation)
    } else {
        (x, d)
    };
    let n = x.len();
    let mut m = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in i + 1..n {
            let v = d.of(&x[i], &x[j]);
            m[i][j] = v;
            m[j][i] = v;
        }
    }
    m
}

/// The upper triangle (i < j), row by row.
pub fn upper(m: &[Vec<f64>]) -> Vec<f64> {
    m.iter().enumerate().flat_map(|(i, row)| row[i + 1..].iter().copied()).collect()
}

/// Ranks from 1, ties given the mean of the ranks they span.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        let mean = (start + end + 1) as f64 / 2.0;
        order[start..end].iter().for_each(|&k| r[k] = mean);
        start = end;
    }
    r
}

/// Pearson's correlation (NaN when either is constant or shorter than 2).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len()) as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (a, b) = (a - mx, b - my);
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    if sxx == 0.0 || syy == 0.0 { f64::NAN } else { (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0) }
}

/// Kendall's tau-b: (concordant - discordant) / sqrt((n0 - n1)(n0 - n2)),
/// n1 and n2 the pairs tied in x and in y; by Knight's algorithm (sort by
/// x then y, count the swaps a merge sort of y makes).
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> f64 {
    let m = x.len().min(y.len());
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    let pairs = |t: u64| t * t.saturating_sub(1) / 2;
    let (mut tied_x, mut tied_xy) = (0u64, 0u64);
    let (mut i, mut run_x, mut run_xy) = (1, 1u64, 1u64);
    while i <= m {
        let same_x = i < m && x[order[i]] == x[order[i - 1]];
        let same_xy = same_x && y[order[i]] == y[order[i - 1]];
        if same_xy {
            run_xy += 1;
        } else {
            tied_xy += pairs(run_xy);
            run_xy = 1;
        }
        if same_x {
            run_x += 1;
        } else {
            tied_x += pairs(run_x);
            run_x = 1;
        }
        i += 1;
    }
    let mut ys: Vec<f64> = order.iter().map(|&k| y[k]).collect();
    let swaps = merge_count(&mut ys, &mut vec![0.0; m]);
    let mut tied_y = 0u64;
    let mut run = 1u64;
    for k in 1..=m {
        if k < m && ys[k] == ys[k - 1] {
            run += 1;
        } else {
            tied_y += pairs(run);
            run = 1;
        }
    }
    let n0 = pairs(m as u64);
    let num = n0 as f64 - tied_x as f64 - tied_y as f64 + tied_xy as f64 - 2.0 * swaps as f64;
    let den = ((n0 - tied_x) as f64 * (n0 - tied_y) as f64).sqrt();
    if den == 0.0 { f64::NAN } else { (num / den).clamp(-1.0, 1.0) }
}

/// Sorts `v` ascending and returns its inversions (i < j with v_i > v_j).
fn merge_count(v: &mut [f64], buf: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut swaps = merge_count(&mut v[..mid], &mut buf[..mid]) + merge_count(&mut v[mid..], &mut buf[mid..]);
    let (mut i, mut j) = (0, mid);
    for slot in buf[..n].iter_mut() {
        if j >= n || (i < mid && v[i] <= v[j]) {
            *slot = v[i];
            i += 1;
        } else {
            *slot = v[j];
            swaps += (mid - i) as u64;
            j += 1;
        }
    }
    v.copy_from_slice(&buf[..n]);
    swaps
}

/// Sebastiano Vigna's SplitMix64: a small seeded generator, enough for
/// permutations and resampling (not for cryptography).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (multiply-shift; the bias is below n / 2^64).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Shuffles `v` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

/// What [`test`] finds for one model RDM against the target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Test {
    /// The second-order similarity.
    pub rho: f64,
    /// Two-sided permutation p-value (NaN with no permutations).
    pub p: f64,
    /// The bootstrap's 2.5 and 97.5 percentiles (NaN with no resamples).
    pub ci: [f64; 2],
}

/// For Spearman, the target as ranks of its upper triangle: the ranks of a
/// permuted triangle are the permuted ranks, so each permutation needs
/// only a Pearson correlation.
fn prepared(compare: Compare, m: &[Vec<f64>]) -> (Vec<Vec<f64>>, Compare) {
    if compare != Compare::Spearman {
        return (m.to_vec(), compare);
    }
    let r = ranks(&upper(m));
    let n = m.len();
    // Pair (i, j), i < j, is entry i * n - i * (i + 1) / 2 + j - i - 1 of the triangle.
    let at = |i: usize, j: usize| r[i * n - i * (i + 1) / 2 + j - i - 1];
    let out = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| match i.cmp(&j) {
                    std::cmp::Ordering::Less => at(i, j),
                    std::cmp::Ordering::Greater => at(j, i),
                    std::cmp::Ordering::Equal => 0.0,
                })
                .collect()
        })
        .collect();
    (out, Compare::Pearson)
}

/// The statistic for `permutations` random relabellings of the target's
/// stimuli (rows and columns permuted together).
pub fn permutation_null(
    model: &[Vec<f64>],
    target: &[Vec<f64>],
    compare: Compare,
    permutations: usize,
    seed: u64,
) -> Vec<f64> {
    let (a, stat) = prepared(compare, model);
    let (b, _) = prepared(compare, target);
    let a = upper(&a);
    let n = b.len();
    let mut rng = SplitMix64::new(seed);
    let mut perm: Vec<usize> = (0..n).collect();
    let mut shuffled = Vec::with_capacity(a.len());
    (0..permutations)
        .map(|_| {
            rng.shuffle(&mut perm);
            shuffled.clear();
            for i in 0..n {
                shuffled.extend((i + 1..n).map(|j| b[perm[i]][perm[j]]));
            }
            stat.of(&a, &shuffled)
        })
        .collect()
}

/// Two-sided: (1 + #{|r_perm| >= |r|}) / (1 + P).
pub fn p_value(r: f64, null: &[f64]) -> f64 {
    if null.is_empty() || !r.is_finite() {
        return f64::NAN;
    }
    let hits = null.iter().filter(|x| x.abs() >= r.abs() - 1e-12).count();
    (1 + hits) as f64 / (1 + null.len()) as f64
}

/// The statistic on `resamples` bootstrap samples of the stimuli (with
/// replacement; a stimulus's pairs with its own copies left out); the
/// non-finite ones (too few distinct stimuli drawn) dropped.
pub fn bootstrap(model: &[Vec<f64>], target: &[Vec<f64>], compare: Compare, resamples: usize, seed: u64) -> Vec<f64> {
    let n = model.len();
    let mut rng = SplitMix64::new(seed ^ 0xB007_5743_B007_5743);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    (0..resamples)
        .filter_map(|_| {
            let idx: Vec<usize> = (0..n).map(|_| rng.below(n)).collect();
            a.clear();
            b.clear();
            for (k, &i) in idx.iter().enumerate() {
                for &j in idx[k + 1..].iter().filter(|&&j| j != i) {
                    a.push(model[i][j]);
                    b.push(target[i][j]);
                }
            }
            Some(compare.of(&a, &b)).filter(|r| r.is_finite())
        })
        .collect()
}

/// The `q` quantile of `v` (0..=1), linear between order statistics.
pub fn percentile(v: &[f64], q: f64) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (s.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

/// The statistic of `model` against `target` (both n x n), its permutation
/// p-value and bootstrap interval; the same `seed` gives the same numbers.
pub fn test(
    model: &[Vec<f64>],
    target: &[Vec<f64>],
    compare: Compare,
    permutations: usize,
    resamples: usize,
    seed: u64,
) -> Test {
    let rho = compare.of(&upper(model), &upper(target));
    let p = p_value(rho, &permutation_null(model, target, compare, permutations, seed));
    let boot = bootstrap(model, target, compare, resamples, seed);
    Test { rho, p, ci: [percentile(&boot, 0.025), percentile(&boot, 0.975)] }
}

/// Checks that `m` is a dissimilarity matrix of `n` stimuli: square,
/// n x n, finite, symmetric and 0 on the diagonal (within
/// [`TARGET_TOLERANCE`] of `max(1, max |a|)`). `name` is the file.
pub fn check_target(m: &[Vec<f64>], n: usize, name: &str) -> Result<(), ProbeError> {
    let bad = |why: String| Err(ProbeError::Data(format!("{name}: {why}")));
    if let Some((i, row)) = m.iter().enumerate().find(|(_, r)| r.len() != m.len()) {
        return bad(format!("not square: {} rows, row {} has {} values", m.len(), i + 1, row.len()));
    }
    if m.len() != n {
        return bad(format!("a {0} x {0} matrix for {n} stimuli (one row and column per stimulus line)", m.len()));
    }
    let mut scale = 1.0f64;
    for (i, row) in m.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if !v.is_finite() {
                return bad(format!("entry ({}, {}) is {v}", i + 1, j + 1));
            }
            scale = scale.max(v.abs());
        }
    }
    let tol = TARGET_TOLERANCE * scale;
    for (i, row) in m.iter().enumerate() {
        if row[i].abs() > tol {
            return bad(format!(
                "diagonal entry ({0}, {0}) is {1}, not 0: a dissimilarity matrix is 0 on its diagonal \
                 (for a similarity matrix S give 1 - S)",
                i + 1,
                row[i]
            ));
        }
        for (j, v) in row.iter().enumerate().skip(i + 1) {
            if (v - m[j][i]).abs() > tol {
                return bad(format!(
                    "not symmetric: ({}, {}) is {v} but ({}, {}) is {} (tolerance {tol:e})",
                    i + 1,
                    j + 1,
                    j + 1,
                    i + 1,
                    m[j][i]
                ));
            }
        }
    }
    Ok(())
}

/// Reads a target matrix: `.npy` (2-D, f32 or f64), else CSV (numbers
/// separated by commas; a first row that is not all numbers is a header).
pub fn read_target(path: &Path) -> Result<Vec<Vec<f64>>, ProbeError> {
    let io = |source| ProbeError::Io { path: path.to_path_buf(), source };
    let name = path.display();
    if path.extension().is_some_and(|e| e == "npy") {
        let (shape, data) = crate::tensor_file::read_npy(&std::fs::read(path).map_err(io)?)
            .map_err(|e| ProbeError::Data(format!("{name}: {e}")))?;
        let [rows, cols] = shape[..] else {
            return Err(ProbeError::Data(format!("{name}: a {}-D array, expected a 2-D matrix", shape.len())));
        };
        return Ok((0..rows).map(|i| data[i * cols..(i + 1) * cols].to_vec()).collect());
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    let mut rows = Vec::new();
    for (k, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        match cells.iter().map(|c| c.parse::<f64>()).collect::<Result<Vec<_>, _>>() {
            Ok(row) => rows.push(row),
            Err(_) if rows.is_empty() && k == first_line(&text) => {}
            Err(_) => {
                let c = cells.iter().position(|c| c.parse::<f64>().is_err()).unwrap_or(0);
                return Err(ProbeError::Data(format!(
                    "{name}:{}: column {}, {:?} is not a number",
                    k + 1,
                    c + 1,
                    cells[c]
                )));
            }
        }
    }
    if rows.is_empty() {
        return Err(ProbeError::Data(format!("{name}: no matrix rows")));
    }
    Ok(rows)
}

/// The index of the first non-blank line.
fn first_line(text: &str) -> usize {
    text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0)
}
