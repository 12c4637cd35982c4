//! The linear map between two models' residual spaces (ConTrans, Dong et
//! al. 2025, Eq. 2), model-free: `W` (`d_target x d_source`) minimizing
//! `||X W^T - Y||` over paired rows `X` (source states) and `Y` (target
//! states), in closed form through the singular value decomposition of `X`,
//! with no bias and no centring, as the authors' `solve_via_svd` does
//! (`W = Y^T U S^-1 V^T`).
//!
//! The SVD comes from the eigendecomposition of the smaller Gram matrix
//! (`X X^T` when there are fewer rows than columns, else `X^T X`), by
//! cyclic Jacobi rotations in f64. With fewer rows than dimensions the
//! plain solve interpolates the training rows and is unstable, so two
//! regularizations are offered: a ridge penalty (`1 / s` becomes
//! `s / (s^2 + lambda)`) and a rank cut (only the `r` largest singular
//! values). Without either, singular values below `1e-7` of the largest are
//! dropped: the Gram matrix squares them, and f64 cannot resolve smaller
//! ones (numpy's `lstsq` cuts at machine epsilon times the size instead).

use serde::Serialize;

/// How the solve is regularized.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum Regularization {
    /// The pseudo-inverse, singular values below 1e-7 of the largest dropped.
    None,
    /// Ridge with this penalty on `||W||^2`.
    Ridge(f64),
    /// Keep this many singular values.
    Rank(usize),
}

/// A fitted map: `y = W x`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearMap {
    /// Rows: target dimensions; columns: source dimensions.
    pub w: Vec<Vec<f64>>,
    /// The singular values kept, largest first.
    pub singular_values: Vec<f64>,
}

impl LinearMap {
    /// `W x`.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        self.w.iter().map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum()).collect()
    }
}

/// Mean squared error of `map` on the pairs, over every element (PyTorch's
/// `MSELoss`, as the authors report it).
pub fn mse(map: &LinearMap, x: &[Vec<f64>], y: &[Vec<f64>]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0usize;
    for (xi, yi) in x.iter().zip(y) {
        for (p, t) in map.apply(xi).iter().zip(yi) {
            sum += (p - t).powi(2);
            n += 1;
        }
    }
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// Fits `W` on the rows of `x` and `y` (as many of each, each of one width).
pub fn fit(x: &[Vec<f64>], y: &[Vec<f64>], reg: Regularization) -> LinearMap {
    let (n, ds) = (x.len(), x.first().map_or(0, Vec::len));
    let dt = y.first().map_or(0, Vec::len);
    // Eigenpairs of the smaller Gram matrix: (eigenvalues s^2, vectors as
    // columns). With fewer rows, the vectors are U's columns; else V's.
    let rows_side = n < ds;
    let gram = if rows_side { gram_rows(x) } else { gram_cols(x) };
    let (values, vectors) = jacobi_eigen(gram);
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let top = values.get(order.first().copied().unwrap_or(0)).copied().unwrap_or(0.0).max(0.0).sqrt();
    let kept: Vec<(usize, f64)> = order
        .iter()
        .map(|&i| (i, values[i].max(0.0).sqrt()))
        .enumerate()
        .filter(|&(rank, (_, s))| match reg {
            Regularization::Rank(r) => rank < r && s > 0.0,
            Regularization::None => s > 1e-7 * top,
            Regularization::Ridge(_) => s > 0.0,
        })
        .map(|(_, p)| p)
        .collect();
    // W^T = sum over kept k of f(s_k) v_k (u_k^T Y), with u_k = X v_k / s_k
    // and v_k = X^T u_k / s_k; f(s) = 1/s plain, s/(s^2 + lambda) ridge.
    let filter = |s: f64| match reg {
        Regularization::Ridge(lambda) => s / (s * s + lambda),
        _ => 1.0 / s,
    };
    let mut wt = vec![vec![0.0; dt]; ds]; // ds x dt
    for &(i, s) in &kept {
        let e: Vec<f64> = (0..vectors.len()).map(|r| vectors[r][i]).collect();
        let (u, v): (Vec<f64>, Vec<f64>) = if rows_side {
            // e is u (length n); v = X^T u / s.
            let v = (0..ds).map(|c| x.iter().zip(&e).map(|(row, ui)| row[c] * ui).sum::<f64>() / s).collect();
            (e, v)
        } else {
            // e is v (length ds); u = X v / s.
            let u = x.iter().map(|row| row.iter().zip(&e).map(|(a, b)| a * b).sum::<f64>() / s).collect();
            (u, e)
        };
        let uy: Vec<f64> = (0..dt).map(|c| y.iter().zip(&u).map(|(row, ui)| row[c] * ui).sum()).collect();
        let f = filter(s);
        for (wrow, vi) in wt.iter_mut().zip(&v) {
            for (w, b) in wrow.iter_mut().zip(&uy) {
                *w += f * vi * b;
            }
        }
    }
    let w = (0..dt).map(|t| (0..ds).map(|s| wt[s][t]).collect()).collect();
    LinearMap { w, singular_values: kept.iter().map(|&(_, s)| s).collect() }
}

/// `X X^T` (`n x n`).
fn gram_rows(x: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut g = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in i..n {
            let v: f64 = x[i].iter().zip(&x[j]).map(|(a, b)| a * b).sum();
            g[i][j] = v;
            g[j][i] = v;
        }
    }
    g
}

/// `X^T X` (`d x d`).
fn gram_cols(x: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = x.first().map_or(0, Vec::len);
    let mut g = vec![vec![0.0; d]; d];
    for row in x {
        for i in 0..d {
            let a = row[i];
            if a == 0.0 {
                continue;
            }
            for (gij, b) in g[i][i..].iter_mut().zip(&row[i..]) {
                *gij += a * b;
            }
        }
    }
    for i in 1..d {
        let (upper, lower) = g.split_at_mut(i);
        for (j, row) in upper.iter().enumerate() {
            lower[0][j] = row[i];
        }
    }
    g
}

/// Eigenvalues and eigenvectors (as the columns of the second matrix) of
/// a symmetric matrix, by cyclic Jacobi sweeps until the off-diagonal mass
/// is below 1e-22 of the total (or 100 sweeps).
pub fn jacobi_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect()).collect();
    let total: f64 = a.iter().flatten().map(|x| x * x).sum();
    for _ in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j].powi(2))
            .sum();
        if off <= 1e-22 * total || total == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p][q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for row in a.iter_mut() {
                    let (akp, akq) = (row[p], row[q]);
                    row[p] = c * akp - s * akq;
                    row[q] = s * akp + c * akq;
                }
                let (before, from_q) = a.split_at_mut(q);
                for (x, y) in before[p].iter_mut().zip(from_q[0].iter_mut()) {
                    let (apk, aqk) = (*x, *y);
                    *x = c * apk - s * aqk;
                    *y = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i][i]).collect(), v)
}

/// The 80/10/10 split of `n` rows in file order (ConTrans'
/// `train_affine_svd.py`: `int(0.8 n)` training rows, `int(0.1 n)`
/// development rows, the rest test).
pub fn split(n: usize) -> (std::ops::Range<usize>, std::ops::Range<usize>, std::ops::Range<usize>) {
    let train = n * 8 / 10;
    let dev = n / 10;
    (0..train, train..train + dev, train + dev..n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(seed: &mut u64) -> f64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    }

    type Rows = Vec<Vec<f64>>;

    /// A random map `w` and rows `x` with `y = w x`.
    fn planted(n: usize, ds: usize, dt: usize, seed: &mut u64) -> (Rows, Rows, Rows) {
        let w: Vec<Vec<f64>> = (0..dt).map(|_| (0..ds).map(|_| noise(seed)).collect()).collect();
        let x: Vec<Vec<f64>> = (0..n).map(|_| (0..ds).map(|_| noise(seed)).collect()).collect();
        let y = x.iter().map(|xi| w.iter().map(|r| r.iter().zip(xi).map(|(a, b)| a * b).sum()).collect()).collect();
        (w, x, y)
    }

    #[test]
    fn recovers_a_planted_map_with_more_rows_than_dimensions() {
        let mut seed = 3;
        let (w, x, y) = planted(60, 8, 5, &mut seed);
        let m = fit(&x, &y, Regularization::None);
        let err = m.w.iter().flatten().zip(w.iter().flatten()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        // Noiseless, full column rank: exact up to rounding (1e-9 leaves
        // room for the Gram matrix's squared condition number).
        assert!(err < 1e-9, "max error {err}");
        assert!(mse(&m, &x, &y) < 1e-18);
    }

    #[test]
    fn fewer_rows_than_dimensions_fit_the_training_rows_exactly() {
        let mut seed = 5;
        let (_, x, y) = planted(6, 12, 4, &mut seed);
        let m = fit(&x, &y, Regularization::None);
        assert!(mse(&m, &x, &y) < 1e-18);
        assert_eq!(m.singular_values.len(), 6);
        // The ridge shrinks the map; a rank cut keeps what it is told.
        let ridge = fit(&x, &y, Regularization::Ridge(10.0));
        let norm = |m: &LinearMap| m.w.iter().flatten().map(|a| a * a).sum::<f64>();
        assert!(norm(&ridge) < norm(&m));
        assert_eq!(fit(&x, &y, Regularization::Rank(2)).singular_values.len(), 2);
    }

    #[test]
    fn jacobi_diagonalizes_a_symmetric_matrix() {
        let a = vec![vec![4.0, 1.0, 2.0], vec![1.0, 3.0, 0.5], vec![2.0, 0.5, 5.0]];
        let (vals, vecs) = jacobi_eigen(a.clone());
        for k in 0..3 {
            for i in 0..3 {
                let av: f64 = (0..3).map(|j| a[i][j] * vecs[j][k]).sum();
                assert!((av - vals[k] * vecs[i][k]).abs() < 1e-12);
            }
        }
        assert!((vals.iter().sum::<f64>() - 12.0).abs() < 1e-12);
    }

    #[test]
    fn split_is_eighty_ten_ten_in_order() {
        assert_eq!(split(2000), (0..1600, 1600..1800, 1800..2000));
        assert_eq!(split(15), (0..12, 12..13, 13..15));
    }
}
