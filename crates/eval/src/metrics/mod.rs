//! Metrics over per-item results.
//!
//! | metric | function | definition | source |
//! |---|---|---|---|
//! | accuracy (micro) | [`micro`] | correct / items | — |
//! | accuracy (macro) | [`macro_by`] | mean of per-subject accuracies, each subject weighted equally | C-Eval / CMMLU / MMLU subject averages |
//! | `acc`, `acc_norm` | [`loglik_choice`] | argmax of the options' log-likelihoods; of log-likelihood ÷ the option's length in characters | lm-evaluation-harness `lm_eval/api/task.py` (`process_results`, multiple_choice) |
//! | stderr of a mean | [`mean_stderr`] | sample std (n−1) / √n | lm-evaluation-harness `lm_eval/api/metrics.py` `mean_stderr` |
//! | bootstrap stderr | [`bootstrap_stderr`] | sample std of the statistic over seeded resamples with replacement | lm-evaluation-harness `bootstrap_stderr` |
//! | stratified bootstrap stderr | [`bootstrap_stderr_stratified`], [`macro_mean`] | as above, resampling within each group (subject) so group sizes stay fixed; for the macro average | — |
//! | chrF | [`sentence_chrf`], [`corpus_chrf`] | F-β (β = 2) of character 1..6-gram precision and recall averaged over orders, whitespace removed, 0..100 | Popović 2015; sacrebleu `CHRF` defaults |
//! | BLEU | [`corpus_bleu`] | brevity penalty × geometric mean of clipped 1..4-gram precisions, `exp` smoothing, 13a / zh tokenizers, 0..100 | Papineni et al. 2002; sacrebleu `BLEU` defaults |
//! | BBQ bias | [`bbq_bias`] | s_DIS = 2·biased/non-unknown − 1; s_AMB = (1 − acc_amb)·s_DIS(ambiguous) | Parrish et al. 2022 |
//! | CBBQ bias | [`cbbq_bias`] | ambiguous: biased / items; disambiguated: biased / (biased + counter-biased) | Huang & Xiong 2023, authors' evaluation scripts |
//! | label distribution | [`Distribution`] | counts and fractions per label (CRiskEval risk levels), mean label | — |
//!
//! Each submodule documents its formula in full with the file it follows.
//! Empty inputs give NaN for plain averages and `None` for the bias scores.

pub mod accuracy;
pub mod bias;
pub mod bleu;
pub mod bootstrap;
pub mod chrf;
pub mod distribution;

pub use accuracy::{GroupAccuracy, Scored, Summary, choice_lengths, loglik_choice, macro_by, micro, per_group};
pub use bias::{BbqBias, BiasCounts, BiasRecord, CbbqBias, Stance, bbq_bias, cbbq_bias};
pub use bleu::{Bleu, Tokenizer, corpus_bleu};
pub use bootstrap::{
    SplitMix64, bootstrap_stderr, bootstrap_stderr_stratified, macro_mean, mean, mean_stderr, sample_stddev,
};
pub use chrf::{corpus_chrf, sentence_chrf};
pub use distribution::Distribution;
