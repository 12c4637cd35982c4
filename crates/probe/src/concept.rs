//! Concept vectors from contrastive pairs, model-free: the mean difference
//! (ConTrans, Dong et al. 2025, Eq. 1: `v = 1/N sum_i (h_pos,i - h_neg,i)`)
//! or the first principal component of the recentred differences with its
//! sign fixed so that positives project higher (repeng's `pca_diff`), and
//! how well a direction separates the pairs.
//!
//! Pairs: the i-th positive with the i-th negative; the longer list is cut
//! to the shorter, as ConTrans' `read_data` does.

use serde::Serialize;

/// How a concept vector is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Mean of the differences (not normalized).
    Mean,
    /// First principal component of the recentred differences (unit length).
    Pca,
}

impl std::str::FromStr for Method {
    type Err = crate::ProbeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mean" => Ok(Self::Mean),
            "pca" => Ok(Self::Pca),
            _ => Err(crate::ProbeError::Options(format!("--method {s}: expected mean or pca"))),
        }
    }
}

/// How a direction orders the pairs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Separation {
    /// Mean projection of the positives minus that of the negatives, onto
    /// the unit direction.
    pub gap: f64,
    /// Share of pairs whose positive projects higher than its negative.
    pub ordered: f64,
    /// `gap` over the standard deviation of the pairs' projected
    /// differences (how many spreads apart; infinite when they do not vary).
    pub gap_over_sd: f64,
}

/// `pos[i] - neg[i]` for each pair.
pub fn differences(pos: &[Vec<f64>], neg: &[Vec<f64>]) -> Vec<Vec<f64>> {
    pos.iter().zip(neg).map(|(p, n)| p.iter().zip(n).map(|(a, b)| a - b).collect()).collect()
}

/// The mean of `rows` (all of one width; empty gives an empty vector).
pub fn mean(rows: &[Vec<f64>]) -> Vec<f64> {
    let Some(first) = rows.first() else { return Vec::new() };
    let mut m = vec![0.0; first.len()];
    for r in rows {
        m.iter_mut().zip(r).for_each(|(a, b)| *a += b);
    }
    m.iter_mut().for_each(|a| *a /= rows.len() as f64);
    m
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// The concept vector of the pairs by `method`.
pub fn concept_vector(pos: &[Vec<f64>], neg: &[Vec<f64>], method: Method) -> Vec<f64> {
    let diffs = differences(pos, neg);
    match method {
        Method::Mean => mean(&diffs),
        Method::Pca => {
            let mut v = first_component(&diffs);
            if orders_backwards(pos, neg, &v) {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            v
        }
    }
}

/// repeng's sign rule: whether more pairs have the positive projecting
/// lower than the negative than higher.
fn orders_backwards(pos: &[Vec<f64>], neg: &[Vec<f64>], v: &[f64]) -> bool {
    let (mut lower, mut higher) = (0usize, 0usize);
    for (p, n) in pos.iter().zip(neg) {
        let (a, b) = (dot(p, v), dot(n, v));
        lower += usize::from(a < b);
        higher += usize::from(a > b);
    }
    lower > higher
}

/// The first principal component (unit length) of `rows` after removing
/// their mean, by power iteration on `X^T X` applied as `X^T (X v)` (no
/// `d x d` matrix). Starts from the row of largest norm, so the result is
/// deterministic; iterates until the direction moves less than 1e-12 or
/// 10,000 steps. Rows that do not vary give the zero vector.
pub fn first_component(rows: &[Vec<f64>]) -> Vec<f64> {
    let m = mean(rows);
    let centred: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().zip(&m).map(|(a, b)| a - b).collect()).collect();
    let Some(start) = centred.iter().max_by(|a, b| norm(a).total_cmp(&norm(b))) else { return Vec::new() };
    let n0 = norm(start);
    if n0 == 0.0 {
        return vec![0.0; m.len()];
    }
    let mut v: Vec<f64> = start.iter().map(|x| x / n0).collect();
    for _ in 0..10_000 {
        let mut next = vec![0.0; v.len()];
        for r in &centred {
            let s = dot(r, &v);
            next.iter_mut().zip(r).for_each(|(a, b)| *a += s * b);
        }
        let n = norm(&next);
        if n == 0.0 {
            break;
        }
        next.iter_mut().for_each(|x| *x /= n);
        let moved = next.iter().zip(&v).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        v = next;
        if moved < 1e-12 {
            break;
        }
    }
    v
}

/// How `direction` separates the pairs (`pos[i]`, `neg[i]`).
pub fn separation(pos: &[Vec<f64>], neg: &[Vec<f64>], direction: &[f64]) -> Separation {
    let n = norm(direction);
    let unit: Vec<f64> = direction.iter().map(|x| if n > 0.0 { x / n } else { 0.0 }).collect();
    let gaps: Vec<f64> = pos.iter().zip(neg).map(|(p, q)| dot(p, &unit) - dot(q, &unit)).collect();
    let k = gaps.len().max(1) as f64;
    let gap = gaps.iter().sum::<f64>() / k;
    let ordered = gaps.iter().filter(|&&g| g > 0.0).count() as f64 / k;
    let var = gaps.iter().map(|g| (g - gap).powi(2)).sum::<f64>() / (k - 1.0).max(1.0);
    let gap_over_sd = if var > 0.0 { gap / var.sqrt() } else { f64::INFINITY.copysign(gap) };
    Separation { gap, ordered, gap_over_sd }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for test data.
    fn noise(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }

    #[test]
    fn mean_difference_is_the_average_gap() {
        let pos = vec![vec![3.0, 1.0], vec![5.0, 1.0]];
        let neg = vec![vec![1.0, 1.0], vec![1.0, 3.0]];
        assert_eq!(concept_vector(&pos, &neg, Method::Mean), vec![3.0, -1.0]);
    }

    #[test]
    fn pca_finds_a_planted_direction_and_points_it_at_the_positives() {
        // Differences along -e1 with varying size (the planted axis), small
        // noise elsewhere: the component is +-e1, and positives lie lower on
        // e1, so the sign rule must give -e1.
        let mut seed = 7;
        let (mut pos, mut neg) = (Vec::new(), Vec::new());
        for i in 0..50 {
            let base: Vec<f64> = (0..4).map(|_| noise(&mut seed)).collect();
            let size = 1.0 + (i % 5) as f64;
            let mut p = base.clone();
            p[0] -= size;
            for x in p.iter_mut().skip(1) {
                *x += 0.01 * noise(&mut seed);
            }
            pos.push(p);
            neg.push(base);
        }
        let v = concept_vector(&pos, &neg, Method::Pca);
        assert!((norm(&v) - 1.0).abs() < 1e-9);
        assert!(v[0] < -0.999, "{v:?}");
        let s = separation(&pos, &neg, &v);
        assert_eq!(s.ordered, 1.0);
        assert!(s.gap > 0.0);
    }

    #[test]
    fn separation_counts_ordered_pairs() {
        let pos = vec![vec![2.0], vec![0.0], vec![5.0], vec![1.0]];
        let neg = vec![vec![1.0], vec![1.0], vec![1.0], vec![1.0]];
        let s = separation(&pos, &neg, &[2.0]);
        assert_eq!(s.ordered, 0.5);
        assert!((s.gap - 1.0).abs() < 1e-12);
        // gaps 1, -1, 4, 0: mean 1, sample variance (0 + 4 + 9 + 1) / 3.
        assert!((s.gap_over_sd - 1.0 / (14.0f64 / 3.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn constant_rows_have_no_component() {
        let rows = vec![vec![1.0, 2.0]; 3];
        assert_eq!(first_component(&rows), vec![0.0, 0.0]);
    }
}
