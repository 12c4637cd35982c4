//! Cross-lingual representation similarity, accumulated sentence by
//! sentence ([`XlingAccumulator`]): per layer, the cosine of each pair of
//! language centroids (`centroid`), the same after subtracting the mean of
//! the centroids (`centered`), and the mean over sentences of the cosine
//! between a sentence's two translations (`paired`). Everything in f64.

use serde::Serialize;

/// `a · b / (|a| |b|)`; 0 when either vector is zero (the cosine is then
/// undefined; a zero representation shares no direction).
pub fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let (mut dot, mut na, mut nb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na.sqrt() * nb.sqrt()) }
}

/// The mean of `m[i][j]` over `i != j`.
pub fn mean_off_diagonal(m: &[Vec<f64>]) -> f64 {
    let n = m.len();
    if n < 2 {
        return f64::NAN;
    }
    let sum: f64 =
        (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| m[i][j]).sum();
    sum / (n * (n - 1)) as f64
}

/// One similarity measure: `[layer][language][language]`.
pub type Matrices = Vec<Vec<Vec<f64>>>;

/// The three similarities of every layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Similarities {
    /// Cosine of the language centroids.
    pub centroid: Matrices,
    /// Cosine of the centroids less their mean over languages.
    pub centered: Matrices,
    /// Mean over sentences of the cosine between translations.
    pub paired: Matrices,
}

impl Similarities {
    /// Each measure's mean off-diagonal value per layer.
    pub fn mean_off_diagonal(&self) -> MeanOffDiagonal {
        let f = |m: &Matrices| m.iter().map(|l| mean_off_diagonal(l)).collect();
        MeanOffDiagonal { centroid: f(&self.centroid), centered: f(&self.centered), paired: f(&self.paired) }
    }
}

/// Each measure's mean off-diagonal value, per layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanOffDiagonal {
    /// Of [`Similarities::centroid`].
    pub centroid: Vec<f64>,
    /// Of [`Similarities::centered`].
    pub centered: Vec<f64>,
    /// Of [`Similarities::paired`].
    pub paired: Vec<f64>,
}

/// Sums over sentences: each language's representation sum per layer (for
/// the centroids) and the sum of each pair's cosine (for `paired`).
#[derive(Debug, Clone)]
pub struct XlingAccumulator {
    n_langs: usize,
    /// `[layer][lang][dim]`.
    sums: Vec<Vec<Vec<f64>>>,
    /// `[layer][lang][lang]`.
    paired: Vec<Vec<Vec<f64>>>,
    n: usize,
}

impl XlingAccumulator {
    /// For `n_langs` languages, `n_layers` layers of width `dim`.
    pub fn new(n_langs: usize, n_layers: usize, dim: usize) -> Self {
        Self {
            n_langs,
            sums: vec![vec![vec![0.0; dim]; n_langs]; n_layers],
            paired: vec![vec![vec![0.0; n_langs]; n_langs]; n_layers],
            n: 0,
        }
    }

    /// Adds one sentence: `reps[lang][layer]` is its representation in each
    /// language at each layer.
    pub fn add(&mut self, reps: &[Vec<Vec<f64>>]) {
        assert_eq!(reps.len(), self.n_langs, "one representation per language");
        for (layer, (sums, paired)) in self.sums.iter_mut().zip(&mut self.paired).enumerate() {
            for (a, sum) in sums.iter_mut().enumerate() {
                for (s, x) in sum.iter_mut().zip(&reps[a][layer]) {
                    *s += x;
                }
                for b in 0..self.n_langs {
                    paired[a][b] += if a == b { 1.0 } else { cosine(&reps[a][layer], &reps[b][layer]) };
                }
            }
        }
        self.n += 1;
    }

    /// Sentences added.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The similarities of the sentences added.
    pub fn finish(&self) -> Similarities {
        let n = self.n.max(1) as f64;
        let pairwise = |vs: &[Vec<f64>]| -> Vec<Vec<f64>> {
            (0..vs.len())
                .map(|a| (0..vs.len()).map(|b| if a == b { 1.0 } else { cosine(&vs[a], &vs[b]) }).collect())
                .collect()
        };
        let mut centroid = Vec::new();
        let mut centered = Vec::new();
        for sums in &self.sums {
            let centroids: Vec<Vec<f64>> = sums.iter().map(|s| s.iter().map(|x| x / n).collect()).collect();
            let dim = centroids.first().map_or(0, Vec::len);
            let mean: Vec<f64> =
                (0..dim).map(|d| centroids.iter().map(|c| c[d]).sum::<f64>() / self.n_langs as f64).collect();
            let less: Vec<Vec<f64>> =
                centroids.iter().map(|c| c.iter().zip(&mean).map(|(x, m)| x - m).collect()).collect();
            centroid.push(pairwise(&centroids));
            centered.push(pairwise(&less));
        }
        let paired =
            self.paired.iter().map(|l| l.iter().map(|r| r.iter().map(|s| s / n).collect()).collect()).collect();
        Similarities { centroid, centered, paired }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_by_hand() {
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 2.0]), 0.0);
        assert!((cosine(&[1.0, 1.0], &[2.0, 2.0]) - 1.0).abs() < 1e-15);
        assert!((cosine(&[1.0, 0.0], &[1.0, 1.0]) - 0.5f64.sqrt()).abs() < 1e-15);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
    }

    /// Two languages, one layer, two sentences in 2-D:
    /// A: (1, 0) and (1, 2); B: (0, 1) and (2, 1).
    /// Centroids A = (1, 1), B = (1, 1): cosine 1. Their mean is (1, 1), so
    /// both centered centroids are 0: cosine 0 by convention. Paired:
    /// cos((1,0),(0,1)) = 0 and cos((1,2),(2,1)) = 4/5, mean 0.4.
    #[test]
    fn centroid_centered_and_paired_by_hand() {
        let mut acc = XlingAccumulator::new(2, 1, 2);
        acc.add(&[vec![vec![1.0, 0.0]], vec![vec![0.0, 1.0]]]);
        acc.add(&[vec![vec![1.0, 2.0]], vec![vec![2.0, 1.0]]]);
        let s = acc.finish();
        assert!((s.centroid[0][0][1] - 1.0).abs() < 1e-15);
        assert_eq!(s.centered[0][0][1], 0.0);
        assert!((s.paired[0][0][1] - 0.4).abs() < 1e-15);
        assert_eq!((s.centroid[0][0][0], s.paired[0][1][1]), (1.0, 1.0));
        let m = s.mean_off_diagonal();
        assert!((m.paired[0] - 0.4).abs() < 1e-15);
    }

    /// Three languages whose centroids share a large common component:
    /// raw centroid cosines are all high, centered ones are those of the
    /// distinct parts (here orthogonal unit vectors, centered: -1/2).
    #[test]
    fn centering_removes_the_shared_direction() {
        let common = [10.0, 10.0, 10.0, 10.0];
        let own = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]];
        let mut acc = XlingAccumulator::new(3, 1, 4);
        let reps: Vec<Vec<Vec<f64>>> =
            own.iter().map(|o| vec![o.iter().zip(&common).map(|(a, b)| a + b).collect()]).collect();
        acc.add(&reps);
        let s = acc.finish();
        assert!(s.centroid[0][0][1] > 0.99);
        // e_i - (e_1 + e_2 + e_3)/3 for orthogonal unit e_i: cosine -1/2.
        assert!((s.centered[0][0][1] + 0.5).abs() < 1e-12, "{}", s.centered[0][0][1]);
        assert!((mean_off_diagonal(&s.centered[0]) + 0.5).abs() < 1e-12);
    }
}
