//! The suites kaoshi knows, each in its own module.

mod demo;

use crate::suite::Suite;

pub mod cbbq;
pub mod ceval;
pub mod cmath;
pub mod cmmlu;
pub mod cmrc2018;
pub mod cold;
pub mod criskeval;
pub mod cvalues;
mod exam_common;
pub mod flores;
pub mod gaokao;
pub mod gaokao_subjective;
pub mod generic;
pub mod lfed;
pub mod m3ke;
pub mod mgsm;
pub mod safetybench;
mod shared_io;
pub mod wikitext2;
pub mod xcopa;

/// Every suite, in the order `kaoshi eval --list` shows them.
pub fn all() -> Vec<&'static dyn Suite> {
    vec![
        &demo::Demo,
        &ceval::Ceval,
        &cmmlu::Cmmlu,
        &gaokao::Gaokao,
        &gaokao_subjective::GaokaoSubjective,
        &m3ke::M3ke,
        &lfed::Lfed,
        &safetybench::SafetyBench,
        &xcopa::Xcopa,
        &cmath::Cmath,
        &mgsm::Mgsm,
        &flores::Flores::DEFAULT,
        &cbbq::Cbbq,
        &cold::Cold,
        &cvalues::Cvalues,
        &criskeval::CriskEval,
        &wikitext2::Wikitext2,
        &cmrc2018::Cmrc2018,
    ]
}

/// Suite groups: OpenEval's three dimensions (capability, alignment,
/// safety; Liu et al. 2024, "OpenEval: Benchmarking Chinese LLMs across
/// Capability, Alignment and Safety") filled with the suites kaoshi has.
pub fn groups() -> std::collections::BTreeMap<&'static str, Vec<&'static str>> {
    let dims: [(&str, &[&str]); 3] = [
        (
            "openeval-capability",
            &["ceval", "cmmlu", "gaokao", "gaokao-subjective", "m3ke", "lfed", "cmath", "mgsm", "xcopa", "flores"],
        ),
        ("openeval-alignment", &["cbbq", "cold", "cvalues"]),
        ("openeval-safety", &["criskeval", "safetybench"]),
    ];
    dims.into_iter().map(|(g, members)| (g, members.iter().copied().filter(|m| find(m).is_some()).collect())).collect()
}

/// The suite called `name`.
pub fn find(name: &str) -> Option<&'static dyn Suite> {
    all().into_iter().find(|s| s.info().name == name)
}
