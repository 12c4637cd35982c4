//! Neuron importance by the first-order Taylor criterion (FuxiTranyu,
//! section 6.1; Molchanov et al. 2017), model-free: [`taylor`] turns one
//! leaf's activations and loss gradients into each neuron's importance,
//! [`Site`] names the nine activations read per block and the eight
//! [`Component`]s they are reported as, and [`LanguageSums`] averages
//! sentences into per-layer, per-component figures, shares and top
//! neurons.
//!
//! Definition (our reading; the paper publishes no code for the
//! aggregation): for one sentence with loss `L` = mean over its predicted
//! tokens of `-log p`, neuron `j` of an activation has value `a[t][j]` at
//! each position `t` (BOS included); its importance on the sentence is
//! `|Σ_t a[t][j] · ∂L/∂a[t][j]|`, the first-order estimate of the change of
//! `L` when the neuron is zeroed at every position. A language's importance
//! of a neuron is the mean over its sentences; a layer's figure for a
//! component is the sum over the component's neurons.
//!
//! The sites, per block `l` (TransformerLens names): q = `attn.hook_q`
//! (the q projection's output, bias included, before rope), k, v likewise,
//! o = `hook_attn_out` (the output projection's output), gate =
//! `mlp.hook_pre`, up = `mlp.hook_pre_linear`, down = `hook_mlp_out` (the
//! down projection's output), and ln1, ln2 = `ln1/ln2.hook_normalized`
//! (the outputs of the attention's and the MLP's input RMS norms), which
//! are summed into the component "norm" and also kept apart.

use std::collections::BTreeMap;

use kaoshi_model::HookPoint;
use serde::{Deserialize, Serialize};

/// An activation read in every block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Site {
    /// The q projection's output.
    Q,
    /// The k projection's output.
    K,
    /// The v projection's output.
    V,
    /// The attention output projection's output.
    O,
    /// The MLP gate projection's output.
    Gate,
    /// The MLP up projection's output.
    Up,
    /// The MLP down projection's output.
    Down,
    /// The attention's input RMS norm's output.
    Ln1,
    /// The MLP's input RMS norm's output.
    Ln2,
}

/// What the report shows per layer: the sites, with ln1 and ln2 as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    /// q.
    Q,
    /// k.
    K,
    /// v.
    V,
    /// o.
    O,
    /// gate.
    Gate,
    /// up.
    Up,
    /// down.
    Down,
    /// ln1 + ln2.
    Norm,
}

impl Site {
    /// The nine sites, in the order a block computes them (ln1 and ln2
    /// last; the order of the journal's per-layer arrays).
    pub const ALL: [Site; 9] =
        [Site::Q, Site::K, Site::V, Site::O, Site::Gate, Site::Up, Site::Down, Site::Ln1, Site::Ln2];

    /// Its hook point in block `layer`.
    pub fn point(self, layer: usize) -> HookPoint {
        match self {
            Site::Q => HookPoint::AttnQ(layer),
            Site::K => HookPoint::AttnK(layer),
            Site::V => HookPoint::AttnV(layer),
            Site::O => HookPoint::AttnOut(layer),
            Site::Gate => HookPoint::MlpPre(layer),
            Site::Up => HookPoint::MlpPreLinear(layer),
            Site::Down => HookPoint::MlpOut(layer),
            Site::Ln1 => HookPoint::Ln1(layer),
            Site::Ln2 => HookPoint::Ln2(layer),
        }
    }

    /// The site and block of a hook point, if it is one of the nine.
    pub fn of(point: HookPoint) -> Option<(Site, usize)> {
        (0..Site::ALL.len()).find_map(|i| {
            let l = point.layer()?;
            (Site::ALL[i].point(l) == point).then_some((Site::ALL[i], l))
        })
    }

    /// Its index in [`Site::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its name in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Site::Ln1 => "ln1",
            Site::Ln2 => "ln2",
            s => s.component().name(),
        }
    }

    /// The component it is reported in.
    pub fn component(self) -> Component {
        match self {
            Site::Q => Component::Q,
            Site::K => Component::K,
            Site::V => Component::V,
            Site::O => Component::O,
            Site::Gate => Component::Gate,
            Site::Up => Component::Up,
            Site::Down => Component::Down,
            Site::Ln1 | Site::Ln2 => Component::Norm,
        }
    }
}

impl Component {
    /// The eight components.
    pub const ALL: [Component; 8] = [
        Component::Q,
        Component::K,
        Component::V,
        Component::O,
        Component::Gate,
        Component::Up,
        Component::Down,
        Component::Norm,
    ];

    /// Its name in the JSON and the report.
    pub fn name(self) -> &'static str {
        match self {
            Component::Q => "q",
            Component::K => "k",
            Component::V => "v",
            Component::O => "o",
            Component::Gate => "gate",
            Component::Up => "up",
            Component::Down => "down",
            Component::Norm => "norm",
        }
    }
}

/// Each neuron's signed first-order term `Σ_t a[t][j] · g[t][j]` of a
/// `[rows, cols]` row-major activation `values` and its gradient `grads`
/// (the importance is its absolute value). Extra values past `rows * cols`
/// are ignored.
pub fn taylor(values: &[f64], grads: &[f64], cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; cols];
    if cols == 0 {
        return out;
    }
    for (a, g) in values.chunks_exact(cols).zip(grads.chunks_exact(cols)) {
        for ((o, x), y) in out.iter_mut().zip(a).zip(g) {
            *o += x * y;
        }
    }
    out
}

/// Each neuron's importance: `|taylor|`.
pub fn importance(values: &[f64], grads: &[f64], cols: usize) -> Vec<f64> {
    taylor(values, grads, cols).into_iter().map(f64::abs).collect()
}

/// One MLP neuron among a language's most important.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopNeuron {
    /// "gate" or "up".
    pub component: String,
    /// The block.
    pub layer: usize,
    /// The neuron's index in the MLP's hidden width.
    pub neuron: usize,
    /// Its importance, the mean over the language's sentences.
    pub importance: f64,
}

/// A language's sums over its finished sentences.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LanguageSums {
    /// Sentences summed.
    pub sentences: usize,
    /// `[layer][site]`: the sum over sentences of the site's summed neuron
    /// importance.
    pub sites: Vec<[f64; 9]>,
    /// `[layer][neuron]`: the sum over sentences of each gate neuron's
    /// importance.
    pub gate: Vec<Vec<f64>>,
    /// The same for up.
    pub up: Vec<Vec<f64>>,
}

impl LanguageSums {
    /// Empty sums for `layers` blocks of MLP width `ffn`.
    pub fn new(layers: usize, ffn: usize) -> Self {
        Self {
            sentences: 0,
            sites: vec![[0.0; 9]; layers],
            gate: vec![vec![0.0; ffn]; layers],
            up: vec![vec![0.0; ffn]; layers],
        }
    }

    /// Adds one sentence: its per-layer site sums and its gate and up
    /// neuron importances (`[layer][neuron]`).
    pub fn add(&mut self, sites: &[[f64; 9]], gate: &[Vec<f64>], up: &[Vec<f64>]) {
        self.sentences += 1;
        for (s, x) in self.sites.iter_mut().zip(sites) {
            s.iter_mut().zip(x).for_each(|(s, x)| *s += x);
        }
        for (sum, x) in self.gate.iter_mut().zip(gate).chain(self.up.iter_mut().zip(up)) {
            sum.iter_mut().zip(x).for_each(|(s, x)| *s += x);
        }
    }

    /// `[layer]` per site name ("ln1", "ln2" and the seven others): the
    /// mean over sentences.
    pub fn site_means(&self) -> BTreeMap<&'static str, Vec<f64>> {
        let n = self.sentences.max(1) as f64;
        Site::ALL.iter().map(|s| (s.name(), self.sites.iter().map(|l| l[s.index()] / n).collect())).collect()
    }

    /// `[layer]` per component: the mean over sentences (norm = ln1 + ln2).
    pub fn component_means(&self) -> BTreeMap<&'static str, Vec<f64>> {
        let n = self.sentences.max(1) as f64;
        Component::ALL
            .iter()
            .map(|&c| {
                let per_layer = self
                    .sites
                    .iter()
                    .map(|l| Site::ALL.iter().filter(|s| s.component() == c).map(|s| l[s.index()]).sum::<f64>() / n)
                    .collect();
                (c.name(), per_layer)
            })
            .collect()
    }

    /// The `k` gate and up neurons of highest mean importance, highest
    /// first.
    pub fn top_neurons(&self, k: usize) -> Vec<TopNeuron> {
        let n = self.sentences.max(1) as f64;
        let mut all: Vec<TopNeuron> = [("gate", &self.gate), ("up", &self.up)]
            .into_iter()
            .flat_map(|(name, sums)| {
                sums.iter().enumerate().flat_map(move |(layer, row)| {
                    row.iter().enumerate().map(move |(neuron, &s)| TopNeuron {
                        component: name.to_string(),
                        layer,
                        neuron,
                        importance: s / n,
                    })
                })
            })
            .collect();
        all.sort_by(|a, b| b.importance.total_cmp(&a.importance));
        all.truncate(k);
        all
    }
}

/// Per-layer values of each component divided by the total over all
/// components and layers, so that each language's shares sum to 1 (all
/// zeros stay zeros).
pub fn shares(per_component: &BTreeMap<&'static str, Vec<f64>>) -> BTreeMap<&'static str, Vec<f64>> {
    let total: f64 = per_component.values().flatten().sum();
    let scale = if total > 0.0 { 1.0 / total } else { 0.0 };
    per_component.iter().map(|(&k, v)| (k, v.iter().map(|x| x * scale).collect())).collect()
}

/// One sentence's importances.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceScores {
    /// Its mean next-token loss (nats).
    pub loss: f64,
    /// Tokens in the pass (BOS included).
    pub tokens: usize,
    /// `[layer][site index][neuron]`: each neuron's importance.
    pub neurons: Vec<Vec<Vec<f64>>>,
}

impl SentenceScores {
    /// `[layer][site]`: the sum over each site's neurons.
    pub fn site_sums(&self) -> Vec<[f64; 9]> {
        self.neurons
            .iter()
            .map(|sites| {
                let mut s = [0.0; 9];
                for (o, n) in s.iter_mut().zip(sites) {
                    *o = n.iter().sum();
                }
                s
            })
            .collect()
    }

    /// `[layer][neuron]` of one site.
    pub fn of(&self, site: Site) -> Vec<Vec<f64>> {
        self.neurons.iter().map(|s| s[site.index()].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taylor_sums_activation_times_gradient_over_positions() {
        // Two positions, three neurons: a = [[1, 2, -1], [3, 0, 2]],
        // g = [[0.5, 1, 2], [-1, 4, 0.25]]; neuron 0: 0.5 - 3 = -2.5,
        // neuron 1: 2 + 0 = 2, neuron 2: -2 + 0.5 = -1.5.
        let a = [1.0, 2.0, -1.0, 3.0, 0.0, 2.0];
        let g = [0.5, 1.0, 2.0, -1.0, 4.0, 0.25];
        assert_eq!(taylor(&a, &g, 3), vec![-2.5, 2.0, -1.5]);
        assert_eq!(importance(&a, &g, 3), vec![2.5, 2.0, 1.5]);
        // Opposite terms at two positions cancel: the neuron's zeroing
        // changes the loss by nothing to first order.
        assert_eq!(importance(&[1.0, 1.0], &[2.0, -2.0], 1), vec![0.0]);
        assert!(taylor(&[], &[], 0).is_empty());
    }

    #[test]
    fn sites_map_to_hook_points_and_back() {
        for s in Site::ALL {
            assert_eq!(Site::of(s.point(4)), Some((s, 4)));
        }
        assert_eq!(Site::of(HookPoint::MlpPost(1)), None);
        assert_eq!(Site::Ln2.component(), Component::Norm);
        assert_eq!(Site::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().len(), 9);
    }

    #[test]
    fn means_components_shares_and_top_neurons() {
        let mut s = LanguageSums::new(2, 3);
        // Sentence 1: layer 0 sites 1..=9, layer 1 all 2; sentence 2: all 1.
        let one = [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], [2.0; 9]];
        s.add(&one, &[vec![1.0, 0.0, 3.0], vec![0.0; 3]], &[vec![0.0; 3], vec![5.0, 0.0, 0.0]]);
        s.add(&[[1.0; 9], [1.0; 9]], &[vec![1.0, 0.0, 1.0], vec![0.0; 3]], &[vec![0.0; 3], vec![1.0, 0.0, 0.0]]);
        let c = s.component_means();
        assert_eq!(c["q"], vec![1.0, 1.5]);
        // norm = ln1 + ln2: layer 0 (8 + 9 + 1 + 1) / 2 = 9.5, layer 1 (2+2+1+1)/2 = 3.
        assert_eq!(c["norm"], vec![9.5, 3.0]);
        assert_eq!(s.site_means()["ln2"], vec![5.0, 1.5]);
        assert_eq!(c.len(), 8);
        // Total: layer 0 = (45 + 9) / 2 = 27, layer 1 = (18 + 9) / 2 = 13.5.
        let sh = shares(&c);
        let total: f64 = sh.values().flatten().sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert!((sh["norm"][0] - 9.5 / 40.5).abs() < 1e-12);
        let top = s.top_neurons(2);
        assert_eq!((top[0].component.as_str(), top[0].layer, top[0].neuron, top[0].importance), ("up", 1, 0, 3.0));
        assert_eq!((top[1].component.as_str(), top[1].neuron, top[1].importance), ("gate", 2, 2.0));
        let empty = shares(&LanguageSums::new(1, 1).component_means());
        assert!(empty.values().flatten().all(|&x| x == 0.0));
    }
}
