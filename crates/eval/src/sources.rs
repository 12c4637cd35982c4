//! Where each suite's files are published, pinned by sha256.
//!
//! `kaoshi eval --suite NAME` without `--data` fetches the files listed here
//! into a cache and checks every byte against its sha256 before use. The
//! URLs point at the authors' repositories (or the copy named in the suite's
//! provenance) at a fixed commit, so a pinned file can never change under a
//! run.
//!
//! The pins were taken from `../shared/data/<suite>/PROVENANCE.md` (source
//! repository, commit and path of every file; each local file's git blob id
//! was checked against the one listed there) and the sha256 of the
//! byte-identical file in `../shared/data`. Those folders are sometimes a
//! subset of the full suite (CBBQ without `disability/` and
//! `educational_qualification/` and the categories that were not copied,
//! CRiskEval with 6 of its 21 subtype files, SafetyBench's zh subset, six
//! MGSM languages, six XCOPA languages, twelve FLORES-200 languages, CMATH's
//! dev split, COLD's dev split, CMRC 2018's dev split, WikiText-2's test
//! split): exactly the files present there are pinned, no more. A unit test
//! checks every pin against `../shared/data`.

/// One published file of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFile {
    /// The path inside the suite's folder where its loader reads the file,
    /// e.g. `val/computer_network_val.csv`.
    pub rel_path: &'static str,
    /// Where the file is published (a GitHub raw URL at a pinned commit).
    pub url: &'static str,
    /// The sha256 of the published bytes, lowercase hex.
    pub sha256: &'static str,
}

/// A suite's published files and the licence note to show before download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteSource {
    /// The suite's name, as in `kaoshi eval --suite NAME`.
    pub suite: &'static str,
    /// One line on the data's licence and where it comes from.
    pub licence: &'static str,
    /// The files, sorted by `rel_path`.
    pub files: &'static [SourceFile],
}

/// The pinned files of suite `name`, if it has any.
pub fn find(name: &str) -> Option<&'static SuiteSource> {
    SUITES.iter().find(|s| s.suite == name)
}

const fn file(rel_path: &'static str, url: &'static str, sha256: &'static str) -> SourceFile {
    SourceFile { rel_path, url, sha256 }
}

/// Every suite with pinned published files, in `kaoshi eval --list` order.
pub const SUITES: &[SuiteSource] = &[
    SuiteSource {
        suite: "ceval",
        licence: "C-Eval data is CC BY-NC-SA 4.0 (non-commercial, share-alike; https://github.com/hkust-nlp/ceval); fetched from the ceval-exam copy vendored in TsingmaoAI/MI-optimize",
        files: CEVAL,
    },
    SuiteSource {
        suite: "cmmlu",
        licence: "CMMLU is CC BY-NC-SA 4.0 (non-commercial, share-alike; https://github.com/haonan-li/CMMLU)",
        files: CMMLU,
    },
    SuiteSource {
        suite: "gaokao",
        licence: "GAOKAO-Bench is Apache-2.0 (repository licence; https://github.com/OpenLMLab/GAOKAO-Bench)",
        files: GAOKAO,
    },
    SuiteSource {
        suite: "m3ke",
        licence: "M3KE states no licence (no LICENSE file; treat as research use only; https://github.com/tjunlp-lab/M3KE)",
        files: M3KE,
    },
    SuiteSource { suite: "lfed", licence: "LFED is MIT (https://github.com/tjunlp-lab/LFED)", files: LFED },
    SuiteSource {
        suite: "safetybench",
        licence: "SafetyBench is MIT (https://github.com/thu-coai/SafetyBench)",
        files: SAFETYBENCH,
    },
    SuiteSource { suite: "xcopa", licence: "XCOPA is CC BY 4.0 (https://github.com/cambridgeltl/xcopa)", files: XCOPA },
    SuiteSource { suite: "cmath", licence: "CMATH data is CC BY 4.0 (https://github.com/XiaoMi/cmath)", files: CMATH },
    SuiteSource {
        suite: "mgsm",
        licence: "MGSM is CC BY 4.0 (https://github.com/google-research/url-nlp)",
        files: MGSM,
    },
    SuiteSource {
        suite: "flores",
        licence: "FLORES-200 is CC BY-SA 4.0 (https://github.com/facebookresearch/flores); fetched from the copy in Helsinki-NLP/OPUS-MT-testsets",
        files: FLORES,
    },
    SuiteSource { suite: "cbbq", licence: "CBBQ is CC BY-SA 4.0 (https://github.com/YFHuangxxxx/CBBQ)", files: CBBQ },
    SuiteSource { suite: "cold", licence: "COLD is Apache-2.0 (https://github.com/thu-coai/COLDataset)", files: COLD },
    SuiteSource {
        suite: "cvalues",
        licence: "CValues is Apache-2.0 (repository licence; https://github.com/X-PLUG/CValues)",
        files: CVALUES,
    },
    SuiteSource {
        suite: "criskeval",
        licence: "CRiskEval is CC BY 4.0 (its LICENSE file; the README badge says MIT; https://github.com/tjunlp-lab/CRiskEval)",
        files: CRISKEVAL,
    },
    SuiteSource {
        suite: "wikitext2",
        licence: "WikiText-2 is CC BY-SA 3.0 (Salesforce release); fetched from the copy in pytorch/examples",
        files: WIKITEXT2,
    },
    SuiteSource {
        suite: "cmrc2018",
        licence: "CMRC 2018 is CC BY-SA 4.0 (https://github.com/ymcui/cmrc2018)",
        files: CMRC2018,
    },
];

/// `ceval`: 79 files of github.com/TsingmaoAI/MI-optimize at `b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10`
/// (../shared/data/ceval).
const CEVAL: &[SourceFile] = &[
    file(
        "dev/accountant_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/accountant_dev.csv",
        "2047854b4fd2b6351c89584450187fc8fb0513ef246f12be35c43632871f7e37",
    ),
    file(
        "dev/art_studies_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/art_studies_dev.csv",
        "1be328debad2cd1e00245bf937a25786475a8516b92eb52bbe7602ccc636898c",
    ),
    file(
        "dev/business_administration_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/business_administration_dev.csv",
        "647c7d08baa0869a70b648e71e4157535d7e714dbefa1308c75e12c5f001f80a",
    ),
    file(
        "dev/civil_servant_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/civil_servant_dev.csv",
        "c526fa9a353ebddd60f364a608a92932d16ab171e2094c4b50373e1e7a7b71dd",
    ),
    file(
        "dev/college_chemistry_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/college_chemistry_dev.csv",
        "a50d81b0dce2e65f03b301f2b61440381ced4c41861b6e730d2ea59cd3419598",
    ),
    file(
        "dev/college_physics_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/college_physics_dev.csv",
        "75cdbd3a93827e28ae8a5abf7c6e84c967375b0b08b21a919af47c3f1cf3fa7c",
    ),
    file(
        "dev/computer_architecture_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/computer_architecture_dev.csv",
        "f73fbecffdab85f04a27f0c928a605c3680b15bdf6b105a7ba3cfa75103b14ef",
    ),
    file(
        "dev/discrete_mathematics_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/discrete_mathematics_dev.csv",
        "43fef625e8f5fa2d49974f89ce08beb438e84a4cb9ac1ef3d195af4cd91b2293",
    ),
    file(
        "dev/electrical_engineer_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/electrical_engineer_dev.csv",
        "d0285c1893ab7bc52883cf3358b5a6cad93cae1135c759a41f5b7edfad81a174",
    ),
    file(
        "dev/fire_engineer_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/fire_engineer_dev.csv",
        "8e6bc4e89ed56cfeb63c5c4908e9a5c329fae8d4886a2430ea4f7ddaca4748b9",
    ),
    file(
        "dev/high_school_chemistry_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/high_school_chemistry_dev.csv",
        "9c091e0c3533c41edb3ec14fab6ddbbe5e20fa8d8b3dca59b4d20816124e588f",
    ),
    file(
        "dev/high_school_geography_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/high_school_geography_dev.csv",
        "e57ac6db48f6d20fe7de8ae241fccbfb3c6ac68c51abe64dfbf3e10cefc10b7e",
    ),
    file(
        "dev/high_school_mathematics_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/high_school_mathematics_dev.csv",
        "569eb12027152011b4b15cfbc1d3826545251ebbe8a1a4020d96874fe121e01e",
    ),
    file(
        "dev/high_school_politics_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/high_school_politics_dev.csv",
        "8d1d0a9c33f2d66e1ca7331cee911742f14136a8e28126c61bfc0acf3c7cd134",
    ),
    file(
        "dev/law_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/law_dev.csv",
        "7ad565e2b17eb07b69db7f3e530d92254ca2bed8b93f9bc383f1a238ecf5bfd3",
    ),
    file(
        "dev/logic_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/logic_dev.csv",
        "2eecb1f63e2460e0413081fc695f31197d0982a75fea5b1cf8e79c61bba1fc85",
    ),
    file(
        "dev/marxism_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/marxism_dev.csv",
        "f0bb73bf0ab5470a225ffc7afc30d691d252f48f907c54d807a76af12ba46426",
    ),
    file(
        "dev/middle_school_biology_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/middle_school_biology_dev.csv",
        "c65be8c479600149b334bdac142617ebb8c4fc83424d7171a8134ac5fc3fc118",
    ),
    file(
        "dev/middle_school_geography_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/middle_school_geography_dev.csv",
        "6c45b0576b5a55d24afd59c8cfbef1f3dd87ae9f165238ce999c125f9af89e99",
    ),
    file(
        "dev/middle_school_mathematics_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/middle_school_mathematics_dev.csv",
        "b28fc7493e5fbd36cf8796aeec687afc1a87830482a615220e3e11841d22687c",
    ),
    file(
        "dev/middle_school_politics_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/middle_school_politics_dev.csv",
        "a6e5f5719bb3683bb2040853a8bc21d01d18b35fab4ebc8e9ae51ce29ed69015",
    ),
    file(
        "dev/operating_system_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/operating_system_dev.csv",
        "9dca434412148142ffad0708e300c5a972071b605b09939f4a7db5b35fb1403b",
    ),
    file(
        "dev/plant_protection_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/plant_protection_dev.csv",
        "01a246fe85f9a8de9bb956f86cfef6cf8a4f19bd601858535a5f079d53ac5e2d",
    ),
    file(
        "dev/professional_tour_guide_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/professional_tour_guide_dev.csv",
        "b2ff836e681f1caaa0a441dd8be6cb7e7513e16950bff4898edfc8f44c6dc5ab",
    ),
    file(
        "dev/tax_accountant_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/tax_accountant_dev.csv",
        "6d8f6f33d1191d0fb1029a44a88e544aa6af548fd0b9b01f347a379d9f236da7",
    ),
    file(
        "dev/urban_and_rural_planner_dev.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/dev/urban_and_rural_planner_dev.csv",
        "d94e8f2a4bfe7535d56202903e2d64b8a58580edf85d17860614311618f1f32b",
    ),
    file(
        "subject_mapping.json",
        "https://raw.githubusercontent.com/hkust-nlp/ceval/cba65ae93bcf189149ced9f66ae0c958201faed9/subject_mapping.json",
        "671018e9d1ac8e51e8c3ea02574c89be8ff7660ebe67c8ec31b30b9035e064a7",
    ),
    file(
        "test/accountant_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/accountant_test.csv",
        "cf8455e93ad21e63bae628f33bd7a76db0144126ce84c7b111902148c6ea1ff7",
    ),
    file(
        "test/art_studies_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/art_studies_test.csv",
        "bb0ddef3ecffc9203e603e88f1b140927986851c38d93062bc639e904afb4e63",
    ),
    file(
        "test/business_administration_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/business_administration_test.csv",
        "7f25b25d016ed73b00b11f21f1bf79d5c0c6e5eedfc09bde3f3fd9d40e15ca52",
    ),
    file(
        "test/civil_servant_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/civil_servant_test.csv",
        "cabee449624b4082fc28dd0d8f36ae6fe09b7d39107c00868f92d0cc67d345c4",
    ),
    file(
        "test/college_chemistry_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/college_chemistry_test.csv",
        "f3e06e47cff4e5502e6610deb928c5e2359bca2f8740719a2d16c3c21f186422",
    ),
    file(
        "test/college_physics_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/college_physics_test.csv",
        "def7579e284690532816995fe636963f8a30c14db0177104755a7555049a434c",
    ),
    file(
        "test/computer_architecture_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/computer_architecture_test.csv",
        "f89bdef808b147fe980c931c0055d9177b277858c37ad0551304745844f95dbe",
    ),
    file(
        "test/discrete_mathematics_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/discrete_mathematics_test.csv",
        "610fe4dc5ed48a60045821c2fead547b370ddeae6fffa46ed308820625272643",
    ),
    file(
        "test/electrical_engineer_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/electrical_engineer_test.csv",
        "1fa2f65a5c679d143c4a2aefb6612a5a513563597ce5fd8d1a7ad2e760e20254",
    ),
    file(
        "test/fire_engineer_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/fire_engineer_test.csv",
        "9f1021975dab6cf82d41b712257524e607e4777c88974960113a0a6f1b6b7653",
    ),
    file(
        "test/high_school_chemistry_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/high_school_chemistry_test.csv",
        "44a8e18fd5aa9f0432b0123e6c7b2947ae61c21ffd321226b90bad056b2d853d",
    ),
    file(
        "test/high_school_geography_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/high_school_geography_test.csv",
        "0c35fa43ba51eb49323e18c0d13d9ce56da307c801937b814dd3b2c7d797791e",
    ),
    file(
        "test/high_school_mathematics_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/high_school_mathematics_test.csv",
        "77153537b2c4bfcaa24040d7aa7e7f558b1cfae9dc4368112a9fa4e69c35ba33",
    ),
    file(
        "test/high_school_politics_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/high_school_politics_test.csv",
        "fe88a3db7bfea8f79fe269ed826fd088221b63cd715abb602fd9dedf2871c3c8",
    ),
    file(
        "test/law_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/law_test.csv",
        "be5a92d03c9e72d5c607c8e2de14e44b0af0aedb0067177d33de194661842a86",
    ),
    file(
        "test/logic_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/logic_test.csv",
        "42ea29ddf8209e48d26588d985ae94436f156f8377988873368479e0ef481572",
    ),
    file(
        "test/marxism_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/marxism_test.csv",
        "c666b379f07e213ab9322f2acaceca5473826bbdb9c47698276be929484878e0",
    ),
    file(
        "test/middle_school_biology_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/middle_school_biology_test.csv",
        "95fdece60c9e935287f024abf068c5211fbb03ecb726ba98557db1429ad71977",
    ),
    file(
        "test/middle_school_geography_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/middle_school_geography_test.csv",
        "d369193942173b6822d7addcdce68bdd1ffa4cf4e96410c221a4220ad95b0430",
    ),
    file(
        "test/middle_school_mathematics_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/middle_school_mathematics_test.csv",
        "7f94fc2c6bd36d4cb094b549f057e0a812558d0bb9816739d8464920ef5b8681",
    ),
    file(
        "test/middle_school_politics_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/middle_school_politics_test.csv",
        "e5878d8274b1c80e26b6bb48ccb4f2516f193ab50630bd1b777d36df077343e3",
    ),
    file(
        "test/operating_system_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/operating_system_test.csv",
        "837c3ab4406b00642b0917cea8d1e0fb97f2950e21be8ad71be9bf1ee6c5c9f2",
    ),
    file(
        "test/plant_protection_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/plant_protection_test.csv",
        "26e051aaaf9bb0396c15b2797069279f81495cc36ce6bff7a13e1cf265635e7c",
    ),
    file(
        "test/professional_tour_guide_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/professional_tour_guide_test.csv",
        "50bf42ee80931f607a0a5781636276d7874aab18d29fc92626b232f915c4ab95",
    ),
    file(
        "test/tax_accountant_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/tax_accountant_test.csv",
        "5b5be793a58b7c99bdaf65bed8e037bd205817d0cf2a951aa0d47af4089d88d9",
    ),
    file(
        "test/urban_and_rural_planner_test.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/test/urban_and_rural_planner_test.csv",
        "6ad28722e7abf5df3ffadb6f227bed8277b1fdc57ce096bd85f04a382e9bd11b",
    ),
    file(
        "val/accountant_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/accountant_val.csv",
        "03629a01a6091099c3470e39cd1652e82a07137eeb4600694608d84dfd27faef",
    ),
    file(
        "val/art_studies_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/art_studies_val.csv",
        "b661ec4c106f98c4c8b541ff12c62c54b08bc1409c5cbb4000bcc9e267232712",
    ),
    file(
        "val/business_administration_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/business_administration_val.csv",
        "1420ee70fe578a2146d382d242d2988ef277467cadb7761f788e71dec81e0a08",
    ),
    file(
        "val/civil_servant_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/civil_servant_val.csv",
        "d153306ba5b631d9c2320550668e7d3b156205e41466bbd0ce1f07f30d445bda",
    ),
    file(
        "val/college_chemistry_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/college_chemistry_val.csv",
        "161ed12d3e6857380cc910c78db7d9af0de3fe7740271d9317932658023b9132",
    ),
    file(
        "val/college_physics_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/college_physics_val.csv",
        "522f07961ed15cc34cc585232560adea97e4d36ca4936b73b7e3fc3052d92e77",
    ),
    file(
        "val/computer_architecture_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/computer_architecture_val.csv",
        "88a3aa7e1e6f9d68852ce831b9eaf97706a44d892fa124b94d64013ab74eb925",
    ),
    file(
        "val/discrete_mathematics_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/discrete_mathematics_val.csv",
        "0278a2c0a965712a4a3ef8c3184cd3cf74af0604d3fa56e499f764cade26b0b4",
    ),
    file(
        "val/electrical_engineer_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/electrical_engineer_val.csv",
        "bbf3f9b9000f2824502faa8346cd4777feec94c01e82338b5dbf7b1deff60873",
    ),
    file(
        "val/fire_engineer_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/fire_engineer_val.csv",
        "33336976baa46500642cb2bdb3ae40fdfc156af660e579fb516f7c648b80186e",
    ),
    file(
        "val/high_school_chemistry_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/high_school_chemistry_val.csv",
        "806c928d4b4bf301be778c8faa9fe6c0822e6139819f7ae8f5b2fe09fd4f360d",
    ),
    file(
        "val/high_school_geography_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/high_school_geography_val.csv",
        "a839f73674a2e48605474f67e545cee84a7d07b661d87dc931e1713945d0cac3",
    ),
    file(
        "val/high_school_mathematics_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/high_school_mathematics_val.csv",
        "8eee6deb6c4b004b9b80a28cd856ce2b0c7d0eb3a8f5356f8c3d7e54ef63ca40",
    ),
    file(
        "val/high_school_politics_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/high_school_politics_val.csv",
        "755a33e7fb87c048e6edf3c41b994c3257122d497eba62cef8ce0760c9e65584",
    ),
    file(
        "val/law_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/law_val.csv",
        "0ff2bc650a7a3930ecd2e86dd5cfaae9e5a21f9d7e49c83775c04a2a0ef6cffb",
    ),
    file(
        "val/logic_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/logic_val.csv",
        "a3e8bf84b33dc9befdc99c263b8e1799fb408ec6ccdd953ef926162ccf9b31ff",
    ),
    file(
        "val/marxism_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/marxism_val.csv",
        "8585c235a8bc9be55aa6cde2886c613479ab5abb7891ad354d81c134ec86c3da",
    ),
    file(
        "val/middle_school_biology_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/middle_school_biology_val.csv",
        "c6604825e276298ed201faedc82605b98cb1773cdfb8dcccb3ec274a1f92535b",
    ),
    file(
        "val/middle_school_geography_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/middle_school_geography_val.csv",
        "1b3a54227e7dad7b666248f99483502ca74319023af5af37f293fbd6cbd333f1",
    ),
    file(
        "val/middle_school_mathematics_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/middle_school_mathematics_val.csv",
        "96fd44d86532d02207015ba9ff9cad58d6a03e03914e560cdf839daabd483357",
    ),
    file(
        "val/middle_school_politics_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/middle_school_politics_val.csv",
        "45900a23ec462ee76c088dd4f270ce24d5f47eaa4cab5acfde03fdf0c6124c04",
    ),
    file(
        "val/operating_system_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/operating_system_val.csv",
        "c0107185620a193ffbc06291a5218342b4db3de7f500c76d65d4209a37bdb801",
    ),
    file(
        "val/plant_protection_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/plant_protection_val.csv",
        "b14b498ffc1709e0708f2accfb51be69966272676267e799e0c6a2e659cc6dec",
    ),
    file(
        "val/professional_tour_guide_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/professional_tour_guide_val.csv",
        "bf1aeb3ff4a7dd0ca62e17eb2fa908aed6a022fe3458cb092f557ec291629d2b",
    ),
    file(
        "val/tax_accountant_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/tax_accountant_val.csv",
        "70113957f0fc2746bd4bf11efa5242fe380ea9e579709962fa633b49721c3eaf",
    ),
    file(
        "val/urban_and_rural_planner_val.csv",
        "https://raw.githubusercontent.com/TsingmaoAI/MI-optimize/b147ba570e34b6f176f4ea3bbfc93ce02d4e0a10/mi_optimize/datasets/ceval-exam/val/urban_and_rural_planner_val.csv",
        "d43d86e52db7570e5297d3f4e0094852bfb0b3cb6da2ef19413c81cb818782ec",
    ),
];

/// `cmmlu`: 68 files of github.com/haonan-li/CMMLU at `d6e7b716d8ac694f38969a6c0407437d1fded799`
/// (../shared/data/cmmlu).
const CMMLU: &[SourceFile] = &[
    file(
        "dev/agronomy.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/agronomy.csv",
        "17d0d80683455a4a12259b8c653c951af4ad4cd32ac23615908e9a9e509bb48c",
    ),
    file(
        "dev/ancient_chinese.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/ancient_chinese.csv",
        "646d4a02d4998f176c111091e5fc23d12ce457ffbd8d2b500d33df06421a2231",
    ),
    file(
        "dev/astronomy.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/astronomy.csv",
        "9e06297324a977a33ac1e293fce080ee57184e5bca56b179492474ec80787612",
    ),
    file(
        "dev/chinese_civil_service_exam.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/chinese_civil_service_exam.csv",
        "ff8903a93de0cb9951e815afd581d4a98bb004725ae4f85b69721a96d5eb727f",
    ),
    file(
        "dev/chinese_food_culture.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/chinese_food_culture.csv",
        "7c8fe26eac8b77014c93c555023f5f2707a49194f7c9748b55cf33aea4f1ab3b",
    ),
    file(
        "dev/chinese_history.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/chinese_history.csv",
        "b2e1e6ca053566e1879fa0b62b2b71b2248026ed2ae5306a789c0fff2f101173",
    ),
    file(
        "dev/chinese_teacher_qualification.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/chinese_teacher_qualification.csv",
        "57e5fa732de23068e3ee709841cb15f695ff425a5501b82c732c08ab33a41e60",
    ),
    file(
        "dev/college_actuarial_science.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/college_actuarial_science.csv",
        "6fa08c27516db844de123f6f1db88706e608bc37be1eb3e76993965a7d4841bb",
    ),
    file(
        "dev/college_engineering_hydrology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/college_engineering_hydrology.csv",
        "a52db1525a3d79984680838c01a33f73a65f1d913c983c87936e59d5237c9e81",
    ),
    file(
        "dev/college_mathematics.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/college_mathematics.csv",
        "68831d82cc5df956856692968b96264dbf37cb9070b63cb55fe8164256be3d73",
    ),
    file(
        "dev/college_medicine.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/college_medicine.csv",
        "9f54c3fc7e9fab4e1583afb6be85f21e9b8b83a2bcbaff336df68e2d4296ee04",
    ),
    file(
        "dev/computer_security.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/computer_security.csv",
        "9f9e202bc3de749dbbdfa749edf4bbab1b3c2e8cbb589636e1f6a367ee457a02",
    ),
    file(
        "dev/construction_project_management.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/construction_project_management.csv",
        "2ec78148e982c006e8653e89e40cadcc191d25f09e4aedc1285db56ea0876ae4",
    ),
    file(
        "dev/education.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/education.csv",
        "a4b1c264f65941fe7873dd449db717c582ea0b533b442a92ea6599f65cbac6a2",
    ),
    file(
        "dev/elementary_chinese.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/elementary_chinese.csv",
        "d8cbcc1db6360d47af57bc049fed0f274c52079881085c95213960d52bc06e69",
    ),
    file(
        "dev/elementary_information_and_technology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/elementary_information_and_technology.csv",
        "4bbef6a470e53e2138ecbe4ead689954ad64e1e1c4a2603b02747ffd02c33f07",
    ),
    file(
        "dev/ethnology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/ethnology.csv",
        "e79415bda0d57799c0050c8649fa1aee495f5799a7857dc20aee01e0f2eb6fc2",
    ),
    file(
        "dev/genetics.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/genetics.csv",
        "cca416a0efc91c77af33cb0e9674853e1ff31b2573d09f94b1b9b36e1bbae2b9",
    ),
    file(
        "dev/high_school_biology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/high_school_biology.csv",
        "1c6ff5688fd7550eea4a2051183db1a1d0bf80166e60300e131b0b2420e31fcd",
    ),
    file(
        "dev/high_school_geography.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/high_school_geography.csv",
        "0d62a6e09046a322ca3b976f98dac700e7efd17bb442f585a93b3571cef3bb71",
    ),
    file(
        "dev/high_school_physics.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/high_school_physics.csv",
        "b0b6cf2222e11c18ca40f95606d75617092671ccb55cd34851137c111922eef2",
    ),
    file(
        "dev/human_sexuality.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/human_sexuality.csv",
        "021b36054f6119c8cda64a5bac4d311e4254d18142bd084f0522eb6c4a45f087",
    ),
    file(
        "dev/journalism.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/journalism.csv",
        "4c77bd61ce1db07166cec95edc4713a0cc9a72807e08b71694c62baa85f34f7d",
    ),
    file(
        "dev/legal_and_moral_basis.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/legal_and_moral_basis.csv",
        "3f7ba972a0ad19f590873ff7fd12cb0100d022fd6a7833af4f1180f35a0e21fd",
    ),
    file(
        "dev/machine_learning.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/machine_learning.csv",
        "a000c451322ef32c8102b3ec6376cdbcfd5633745d4714ecbfc1bfe61c1d2793",
    ),
    file(
        "dev/marketing.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/marketing.csv",
        "ac61a5f64bb8389adf19fb603877be672114c5c06f04a26125bb76877913f6d0",
    ),
    file(
        "dev/modern_chinese.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/modern_chinese.csv",
        "d1cad007847eb75750063c148b0f44abdd4493b567e90c9bb61cf655373228cc",
    ),
    file(
        "dev/philosophy.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/philosophy.csv",
        "ce8cab700cef6bfaff2d73b80ebba477527ccc7a1d585ca3a032e214f571dff1",
    ),
    file(
        "dev/professional_law.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/professional_law.csv",
        "688bc4646c9250008f79e0563b411a460a7ac103f584d49974c3bf06dd51b0ff",
    ),
    file(
        "dev/professional_psychology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/professional_psychology.csv",
        "f2fb45c2ee934027f2e2cdc88c4e03e084d3d55ceae2c3163575be51545d321c",
    ),
    file(
        "dev/security_study.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/security_study.csv",
        "a9b3f940a470feb546cbf76c3dc34fe56d2dc1bbaf82d7dc82182a1720672549",
    ),
    file(
        "dev/sports_science.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/sports_science.csv",
        "94f3aa68cbde254db0707a3627153b4200b9efb752b1d8168e246fbf8d391c72",
    ),
    file(
        "dev/virology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/virology.csv",
        "049ffecfb092b2a6d3299e67737c3a0c468a2e21968adaabb29771e4d2f3197c",
    ),
    file(
        "dev/world_religions.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/dev/world_religions.csv",
        "5626706525abd57b0122b9b3ffbf64730198205343678704e31b00eb2b262817",
    ),
    file(
        "test/agronomy.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/agronomy.csv",
        "df621d68ea7a6d9adca9c3e98f902cbb5f193a51d7f1c4c4ae2f242fd23961d5",
    ),
    file(
        "test/ancient_chinese.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/ancient_chinese.csv",
        "0668734669ce0bd646a21e71050e8821c0526cbf0d1707cc707f3d63a7e59883",
    ),
    file(
        "test/astronomy.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/astronomy.csv",
        "e35a393d61a91860c1b120bba75824857aeab01c23d7ff9ed19505a11a949e39",
    ),
    file(
        "test/chinese_civil_service_exam.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/chinese_civil_service_exam.csv",
        "735d0ce6e82254d93aa8efe0c44aec8563e652b80b4fe00601383a28ccc56474",
    ),
    file(
        "test/chinese_food_culture.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/chinese_food_culture.csv",
        "5e39a97b05f604bb7ba66f5362aa373c0898288e8a3548a1277a5a6a923ff042",
    ),
    file(
        "test/chinese_history.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/chinese_history.csv",
        "1f7b977f5e3ff67eb5a910c3adce74c725fccb7ab286ef97e266eeffbbc51644",
    ),
    file(
        "test/chinese_teacher_qualification.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/chinese_teacher_qualification.csv",
        "eb3425ee8d80f14f23766810fddcad2fa6eda19f27f34fe21d21c6c8a0f2c656",
    ),
    file(
        "test/college_actuarial_science.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/college_actuarial_science.csv",
        "85a044386c41215e6005f668328b85bf245a2ace6d2a6258a84b91031c91f3c2",
    ),
    file(
        "test/college_engineering_hydrology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/college_engineering_hydrology.csv",
        "94726a0c4d647aae3e32ef574ececcdbc92afd303b9c11fd0f27db5e13168c2a",
    ),
    file(
        "test/college_mathematics.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/college_mathematics.csv",
        "480e71728c8d5e70cecfab238ae1e5c31e425d0d9d109ee6822ea6c563d3ddea",
    ),
    file(
        "test/college_medicine.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/college_medicine.csv",
        "aa24898b813f7c9567e8ed4cda70ddc79082630bb6bc00939018d65b1de70988",
    ),
    file(
        "test/computer_security.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/computer_security.csv",
        "107fd397ddbd280ad899a4ccdc87900fe5b0786007783d26a087e2af5e1b71ba",
    ),
    file(
        "test/construction_project_management.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/construction_project_management.csv",
        "82da4f3a01e23b77e718f17f5bebe6b74fccea3b1f8827fd32d1d5739a6a191f",
    ),
    file(
        "test/education.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/education.csv",
        "c66b832678d1c59b21230cbd9145de73d42d27089e9d1604314f3b147fb692e4",
    ),
    file(
        "test/elementary_chinese.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/elementary_chinese.csv",
        "6b01b98f8e5d9423095adfef329974e3b1f48a02bd7e92d202d7c46912bbb798",
    ),
    file(
        "test/elementary_information_and_technology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/elementary_information_and_technology.csv",
        "d1de41bed87ceaab723808c79a283290231df843b77e6daf3f16de674ae88cd0",
    ),
    file(
        "test/ethnology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/ethnology.csv",
        "4d43d06de785147a41ab52e560d049ac6cfee0a3ab7d0a75b38b281ca7d8cb0a",
    ),
    file(
        "test/genetics.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/genetics.csv",
        "54988038f3ac9e07a337411d393315429e92ae97b76fab24ebcda0c0c65ecc78",
    ),
    file(
        "test/high_school_biology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/high_school_biology.csv",
        "9755be53e6a5719d5249db95b0af9f47b9ef1d7795b7d1a2a69dc45bd98edb8d",
    ),
    file(
        "test/high_school_geography.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/high_school_geography.csv",
        "7d557bd8b01e2f73e543f3ba7220df31f77c2233b4c10ad651a8368f07008a83",
    ),
    file(
        "test/high_school_physics.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/high_school_physics.csv",
        "c21a1c6725d2933f0ebd52e1b300a9bb7d49e37097fbe58ad8c256da82bf5b91",
    ),
    file(
        "test/human_sexuality.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/human_sexuality.csv",
        "1aea3017ffbfa6a1ca2e89f51a11f63990280baa552176a1845024fb0cced68c",
    ),
    file(
        "test/journalism.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/journalism.csv",
        "1550a3492c86f639327e051c2de511b884d1128a648458e5aacbd936607b5b62",
    ),
    file(
        "test/legal_and_moral_basis.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/legal_and_moral_basis.csv",
        "bb17449ec248520f42dcd239f776c7a9487f8061265d142ac0ff8cf10a3a6ee0",
    ),
    file(
        "test/machine_learning.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/machine_learning.csv",
        "d709ba631b927cb5694b16c74fe82668f47a8634c367844ebea3eb12a6e97cff",
    ),
    file(
        "test/marketing.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/marketing.csv",
        "32973150ea13549439ef453d0e72df44bcee00965714919f485c43a1be2a4548",
    ),
    file(
        "test/modern_chinese.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/modern_chinese.csv",
        "c9a88c2819f49498f33db858713e4e8dfcda626f2c593aa4985949333c3914f7",
    ),
    file(
        "test/philosophy.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/philosophy.csv",
        "d921532efb00a7e8c63ce78c99ce62bd623e7eff74665682a161792863975aef",
    ),
    file(
        "test/professional_law.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/professional_law.csv",
        "07a492026b8c12d04932b09bbe42e14bd00ec95b51219522b662e38d795f405a",
    ),
    file(
        "test/professional_psychology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/professional_psychology.csv",
        "e9f45c2a238c6e2323cbebfc42836668dc9a27df4d2a8611f33b6216f8cf5542",
    ),
    file(
        "test/security_study.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/security_study.csv",
        "a352cbd0c01be8d0b3f1c4fbada2d4f313ae5eab4a0960b660e31d2c70b7648f",
    ),
    file(
        "test/sports_science.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/sports_science.csv",
        "de1cb02fbc963e07caf0f49376fc3a5d3a1cce5471ba3b063c4391db2320a8c1",
    ),
    file(
        "test/virology.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/virology.csv",
        "ac411d3d869e86bce60b8aab78e568fb74f607da2ac188ce11dcf55eb018b7ba",
    ),
    file(
        "test/world_religions.csv",
        "https://raw.githubusercontent.com/haonan-li/CMMLU/d6e7b716d8ac694f38969a6c0407437d1fded799/data/test/world_religions.csv",
        "799eabc90e3baf58fe266644e548c637986feacc7fed733d707c4e110c037cad",
    ),
];

/// `gaokao`: 19 files of github.com/OpenLMLab/GAOKAO-Bench at `6dbb24f8d8439041e5431c4c184a582182a6ce9c`
/// (../shared/data/gaokao-bench).
const GAOKAO: &[SourceFile] = &[
    file(
        "Objective_Questions/2010-2013_English_MCQs.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Objective_Questions/2010-2013_English_MCQs.json",
        "126fb62dd4123c53fadbfcd950498c5710f1f21ea1d8f5b16c1d0c59efea4225",
    ),
    file(
        "Objective_Questions/2010-2022_Chemistry_MCQs.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Objective_Questions/2010-2022_Chemistry_MCQs.json",
        "c14257debeedb4f11122a17d2f92ce8d7cc1713041f5b038f58f4c85739be35e",
    ),
    file(
        "Objective_Questions/2010-2022_Chinese_Modern_Lit.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Objective_Questions/2010-2022_Chinese_Modern_Lit.json",
        "a0255a8ee6b0c6099ae78cb1c12a0888b41685b875add032a2fa8ba7446e5459",
    ),
    file(
        "Objective_Questions/2010-2022_English_Reading_Comp.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Objective_Questions/2010-2022_English_Reading_Comp.json",
        "edb64a92871a97c06fc03d68ff818b3020e09a9ae9dd546a74262dbf02f74fc0",
    ),
    file(
        "Objective_Questions/2010-2022_History_MCQs.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Objective_Questions/2010-2022_History_MCQs.json",
        "c662fa9bea0663e346b1107134fd708a7b4353e60925185b9a0d6fe41e8a4f14",
    ),
    file(
        "Objective_Questions/2010-2022_Math_I_MCQs.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Objective_Questions/2010-2022_Math_I_MCQs.json",
        "e1d80fb7e6f1b614edeadf6c9007c3ea0e47540b9c6b41ac68bb414ea39fed4c",
    ),
    file(
        "Objective_Questions/2010-2022_Political_Science_MCQs.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Objective_Questions/2010-2022_Political_Science_MCQs.json",
        "aab7ab67f5bd94a796a8d80c0e3f994fce2a6bfe8893d07835fa9ef34ede32bd",
    ),
    file(
        "Subjective_Questions/2010-2022_Biology_Open-ended_Questions.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Subjective_Questions/2010-2022_Biology_Open-ended_Questions.json",
        "9bbf621c7faa170d1c34f53f255ca24f6e0b422ead2ba85dba940662079829fd",
    ),
    file(
        "Subjective_Questions/2010-2022_Chinese_Language_Ancient_Poetry_Reading.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Subjective_Questions/2010-2022_Chinese_Language_Ancient_Poetry_Reading.json",
        "464597e64b50ce80778e556e811007ae651ab0c6e2e4933811fcc95eb1b22cc1",
    ),
    file(
        "Subjective_Questions/2010-2022_Chinese_Language_Famous_Passages_and_Sentences_Dictation.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Subjective_Questions/2010-2022_Chinese_Language_Famous_Passages_and_Sentences_Dictation.json",
        "4ee05015e3fd18eea5f0b9d0b67d1dcdfa7f123c94cc064749d48007bacdf009",
    ),
    file(
        "Subjective_Questions/2010-2022_Chinese_Language_Literary_Text_Reading.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Subjective_Questions/2010-2022_Chinese_Language_Literary_Text_Reading.json",
        "56271754e7f694854370e3670287f4e0084455fe13bb45dab1514d0a55496f7b",
    ),
    file(
        "Subjective_Questions/2010-2022_Geography_Open-ended_Questions.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Subjective_Questions/2010-2022_Geography_Open-ended_Questions.json",
        "18056ef5a8b3b45fdfcf70974ff7df30b09f65af2d42d1cbe9ab5f4de361f879",
    ),
    file(
        "Subjective_Questions/2010-2022_Math_II_Fill-in-the-Blank.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Subjective_Questions/2010-2022_Math_II_Fill-in-the-Blank.json",
        "797ccc7635a6c1fb7c3ecdb7497a9cd525affd5d2f449a20c2c921b105e20d3a",
    ),
    file(
        "Subjective_Questions/2010-2022_Math_I_Fill-in-the-Blank.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Subjective_Questions/2010-2022_Math_I_Fill-in-the-Blank.json",
        "f7ab2860a0dcf877bc6572f51c800cd51dc5d1b3e7829ede6be68b43e885a0e9",
    ),
    file(
        "Subjective_Questions/2010-2022_Physics_Open-ended_Questions.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Subjective_Questions/2010-2022_Physics_Open-ended_Questions.json",
        "8d48d4348bad353f62bf3d832a0cbdf43723de054e1dbb923df9e51d6b1f1bed",
    ),
    file(
        "Subjective_Questions/2012-2022_English_Language_Error_Correction.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Data/Subjective_Questions/2012-2022_English_Language_Error_Correction.json",
        "cc3385f63365b2192e85c92654f78ed0110f97c50b2361b108f645050a9587f9",
    ),
    file(
        "prompts/Obj_Prompt.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Bench/Obj_Prompt.json",
        "df0f2e16cf33e36bfd35dfa6d1694f3bfc05b5defb6aff6f30b79bf6e879b466",
    ),
    file(
        "prompts/Sub_Grade_Prompt_wo_marking_criterion.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Bench/Sub_Grade_Prompt_wo_marking_criterion.json",
        "593557beeeee526f0d9d939c1ec78ce19aa4948c6797dd3852764a886a71b8a9",
    ),
    file(
        "prompts/Sub_Prompt.json",
        "https://raw.githubusercontent.com/OpenLMLab/GAOKAO-Bench/6dbb24f8d8439041e5431c4c184a582182a6ce9c/Bench/Sub_Prompt.json",
        "e2b0a3d5a6b4db6358541bbed7c200af8b93628d542cff80de71f9cfc155c6b3",
    ),
];

/// `m3ke`: 73 files of github.com/tjunlp-lab/M3KE at `b370aae92167610791c34d16ef1b5a3e41805e62`
/// (../shared/data/m3ke).
const M3KE: &[SourceFile] = &[
    file(
        "dev/Advanced Mathematics-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Advanced%20Mathematics-Natural%20Sciences-College.jsonl",
        "dc2df6020536397e589d388e9c36b40c5067043100b53ed2d7833afeedc49dd6",
    ),
    file(
        "dev/Animal Physiology-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Animal%20Physiology-Natural%20Sciences-College.jsonl",
        "26741009207eadfe45b3f0d107d534d78f3ae65aef017b0538e869936ba5af12",
    ),
    file(
        "dev/Basic Principle of Marxism-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Basic%20Principle%20of%20Marxism-Social%20Sciences-College.jsonl",
        "ec245af05b98b8f4570067a6f53f3a9c11e6ec93733de6aae933fe1ccb25a8d4",
    ),
    file(
        "dev/Biochemistry-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Biochemistry-Natural%20Sciences-College.jsonl",
        "b376fed129a1fa50dab202ce952cd9da96457a47b0255781e92e077419d9a2f5",
    ),
    file(
        "dev/Biology-Natural Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Biology-Natural%20Sciences-Junior%20high%20school.jsonl",
        "656f26a258ba34e1f25f939ae84d5edb25b427e099f999498c394be696ac4a05",
    ),
    file(
        "dev/Chemistry-Natural Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Chemistry-Natural%20Sciences-Junior%20high%20school.jsonl",
        "be72155d6953e2d98b99795224b5d1fa0ad1365598b0716b566b6c9c537d6048",
    ),
    file(
        "dev/Chinese Constitutional Law-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Chinese%20Constitutional%20Law-Social%20Sciences-College.jsonl",
        "4cc113a0ff085a3a19af882c7d910fae2c32aca3ead43992702c4800a84a76bc",
    ),
    file(
        "dev/Chinese-Arts & Humanities-High school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Chinese-Arts%20%26%20Humanities-High%20school.jsonl",
        "9517cac446abb27c61df3d863edd2baa5edc3a03cb32637e2ba2de87f0514d23",
    ),
    file(
        "dev/Chinese-Arts & Humanities-Primary school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Chinese-Arts%20%26%20Humanities-Primary%20school.jsonl",
        "6084a0ccd8fadf0dd4b3aaed85ec2f0d1390dcd047a46b08d3196b9efb03d30d",
    ),
    file(
        "dev/Computer Fundamentals-Natural Sciences-Other.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Computer%20Fundamentals-Natural%20Sciences-Other.jsonl",
        "080db0f8d5f768b606faeae28e475fe65c5d804d3edda479963d2605a7573b13",
    ),
    file(
        "dev/Computer Programming Language-Natural Sciences-Other.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Computer%20Programming%20Language-Natural%20Sciences-Other.jsonl",
        "0de57bc37ae08bfe63318501a6d75cf61dc78eddfc8eb4a8cfe24ccb19205a82",
    ),
    file(
        "dev/Current Affairs and Politics-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Current%20Affairs%20and%20Politics-Social%20Sciences-College.jsonl",
        "3cb2457b432ca224b1d0ee7e1580fa0fcefd7fcf90360a19eb40e48c6cd213ea",
    ),
    file(
        "dev/Data Structures-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Data%20Structures-Natural%20Sciences-College.jsonl",
        "1722c16dfe16f31992fd584c5ccbda014a498aa6a342347aff8292e8c87eb129",
    ),
    file(
        "dev/Economics-Other-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Economics-Other-College.jsonl",
        "42d12050f68cc033b7949963b4bc7224e6d0c17c4030eabc485adb21b0cc790d",
    ),
    file(
        "dev/Experimental Psychology-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Experimental%20Psychology-Social%20Sciences-College.jsonl",
        "13fa24bd11ce34e8f0a35a80dd21f78f2b83dde6c1174be36003722d86012540",
    ),
    file(
        "dev/Fine Arts-Arts & Humanities-Other.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Fine%20Arts-Arts%20%26%20Humanities-Other.jsonl",
        "a9d4be01ca578cd8d4f40e954cbe07aa078a75935f827522910345bf8960a97d",
    ),
    file(
        "dev/Geography-Natural Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Geography-Natural%20Sciences-Junior%20high%20school.jsonl",
        "98c8ebb46f9b8518c6c38ef2d147448d211fe893609acd700d8110756d5e4279",
    ),
    file(
        "dev/History of Chinese Education-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/History%20of%20Chinese%20Education-Social%20Sciences-College.jsonl",
        "c67ad86aec8739c413902a3e377e57b5b36b3608d441ebf5f79d76336d81d9ce",
    ),
    file(
        "dev/History of the Chinese Legal System-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/History%20of%20the%20Chinese%20Legal%20System-Social%20Sciences-College.jsonl",
        "3cbfd50f3e4f554401f71732b6bb3d2cecf90b307e9a142da833f32133729d44",
    ),
    file(
        "dev/History-Arts & Humanities-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/History-Arts%20%26%20Humanities-Junior%20high%20school.jsonl",
        "1b501fe5ae668a372b72a32d021d1a764e8f5ce2acdde4a6cc96d91c6b300d0a",
    ),
    file(
        "dev/Immunology-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Immunology-Natural%20Sciences-College.jsonl",
        "c02a3c7ac2647b04a6841c072f52354d427e670fabafd9565e67511aa048665b",
    ),
    file(
        "dev/Introduction to Mao Tsetung Thoughts-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Introduction%20to%20Mao%20Tsetung%20Thoughts-Social%20Sciences-College.jsonl",
        "e088fd0f15cbd1227d41e8c85c270aa1f4042144d156a48e0458c0fcb761a5f6",
    ),
    file(
        "dev/Jurisprudence-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Jurisprudence-Social%20Sciences-College.jsonl",
        "0a0f78cf166a166f71bee589bb087be6dece6a13611b25901572c86d6ddac9ed",
    ),
    file(
        "dev/Management-Other-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Management-Other-College.jsonl",
        "4f66803b825431072ac3e5642337d50313ed80fac183842c2d085c6b66f60780",
    ),
    file(
        "dev/Math-Natural Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Math-Natural%20Sciences-Junior%20high%20school.jsonl",
        "94a86005b3487a877f4598d01d8033bbfe2e575fdcc13776d0a741ba9956ab7d",
    ),
    file(
        "dev/Modern History-Arts & Humanities-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Modern%20History-Arts%20%26%20Humanities-College.jsonl",
        "6df612add292fe45325c14103e7277afdb6e990015e91b54b1cfbda8ce51f9f6",
    ),
    file(
        "dev/Moral Cultivation-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Moral%20Cultivation-Social%20Sciences-College.jsonl",
        "7e82213d0234e7cf1a3a48c23f624eea2d8dbe00066f3ea971ebe333cd9ccbf4",
    ),
    file(
        "dev/Novels-Other-Other.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Novels-Other-Other.jsonl",
        "9826c63a3260dac64e7f3cf83ddafa7ef8a74cbc518d1456dd157740b78acd79",
    ),
    file(
        "dev/Outline of Chinese Modern History-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Outline%20of%20Chinese%20Modern%20History-Social%20Sciences-College.jsonl",
        "6fe9cadebdd77550385d5fd8f169c24f83576f6c480de7a4b4e5c39d0d559014",
    ),
    file(
        "dev/Physics-Natural Sciences-High schoo.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Physics-Natural%20Sciences-High%20schoo.jsonl",
        "1339679e68186922e16285871f5c91b62a7d611f1b5d4ccf60fffcbb1e83541c",
    ),
    file(
        "dev/Physiology-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Physiology-Natural%20Sciences-College.jsonl",
        "35072cd7a5d20e902c58d1222378e0e3b6e0acb6c5ac4714206dc12c25348779",
    ),
    file(
        "dev/Politics-Social Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Politics-Social%20Sciences-Junior%20high%20school.jsonl",
        "bf160d41ca9a8c70085fad96be268fab9c6c19d0afbee47c29a6eb22084551fe",
    ),
    file(
        "dev/Principles of Pedagogy-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Principles%20of%20Pedagogy-Social%20Sciences-College.jsonl",
        "0e042dae2f42ff4472912d50fd7b09fa2c0cadabc873515f8f86d9782841439c",
    ),
    file(
        "dev/Psychology of Teaching-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Psychology%20of%20Teaching-Social%20Sciences-College.jsonl",
        "a1cb8ea0fa4d8a09b518a3a8190786af7ca3781b1188216be66b4c4b26ab5e7c",
    ),
    file(
        "dev/Sociology-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Sociology-Social%20Sciences-College.jsonl",
        "57eae61ce15ddb4431460380571968140e58868682ffc461103c2123862dcf83",
    ),
    file(
        "dev/Surgical Sciences-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/dev/Surgical%20Sciences-Natural%20Sciences-College.jsonl",
        "e1817530d8dc39cde69eb889674fb33b514e6cc920c9e44d0583dbba8a5eebc0",
    ),
    file(
        "subject_cluster.mapping.json",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/subject_cluster.mapping.json",
        "c2b1eadc910ed651dce74f48215e2c617c220d2af70b8f7eb313d2ee15e08691",
    ),
    file(
        "test/Advanced Mathematics-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Advanced%20Mathematics-Natural%20Sciences-College.jsonl",
        "7edd10eb24cfbe67b6e5c963ab0427f0ebbddf1cca6277b7d4a44ef082ada2a9",
    ),
    file(
        "test/Animal Physiology-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Animal%20Physiology-Natural%20Sciences-College.jsonl",
        "1e36fb40a6d73c6384d29cffddf439d6571b27e419604c5a22d8540266fe5f73",
    ),
    file(
        "test/Basic Principle of Marxism-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Basic%20Principle%20of%20Marxism-Social%20Sciences-College.jsonl",
        "68e1dca423e37d4fa4c1b0394c2ddcf495542119a7f008654dbb871ba1a2c576",
    ),
    file(
        "test/Biochemistry-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Biochemistry-Natural%20Sciences-College.jsonl",
        "9924e0c39a3679c66e67bb0664596498a9ad7698d438b105c1d9da5b7399ef12",
    ),
    file(
        "test/Biology-Natural Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Biology-Natural%20Sciences-Junior%20high%20school.jsonl",
        "128ddc4d3102da7ad4cb22434c0aec3aec15a21476d5e6d442fb18a6f2724498",
    ),
    file(
        "test/Chemistry-Natural Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Chemistry-Natural%20Sciences-Junior%20high%20school.jsonl",
        "53db23f0123e354b3ef9d327e95c2961abbf1d3111e75e4f86561e2d0d1771ff",
    ),
    file(
        "test/Chinese Constitutional Law-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Chinese%20Constitutional%20Law-Social%20Sciences-College.jsonl",
        "43e6979f3dda9f02fd525d59e24d1940a7ebebc29fac09e5944d47a3a8437bc8",
    ),
    file(
        "test/Chinese-Arts & Humanities-High school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Chinese-Arts%20%26%20Humanities-High%20school.jsonl",
        "817284b1f5ee6f50d031df7440065e9145d43ca08a7682f67c94f53667d71de0",
    ),
    file(
        "test/Chinese-Arts & Humanities-Primary school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Chinese-Arts%20%26%20Humanities-Primary%20school.jsonl",
        "26131408f82c6a1bf8b6528e18c8160bf73cff54ad51e2232427378585f79cc4",
    ),
    file(
        "test/Computer Fundamentals-Natural Sciences-Other.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Computer%20Fundamentals-Natural%20Sciences-Other.jsonl",
        "51dfde893fae63f944aee4d367d4324f918ffa2539c69953d930c48326490d92",
    ),
    file(
        "test/Computer Programming Language-Natural Sciences-Other.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Computer%20Programming%20Language-Natural%20Sciences-Other.jsonl",
        "f0de473abc5acbf79320c4e8b8c2f76ef02c75e0509d4c18a96661b50a80dab5",
    ),
    file(
        "test/Current Affairs and Politics-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Current%20Affairs%20and%20Politics-Social%20Sciences-College.jsonl",
        "8c5e2396bb1e27e138f2ecaacb99fb80beae35b1bcdfa9759df36c87e27baaf7",
    ),
    file(
        "test/Data Structures-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Data%20Structures-Natural%20Sciences-College.jsonl",
        "3fbe6e5c5fc4a2f2a2f1c3c365b8debde0e9415dfe83881e6a8c9063acb0766f",
    ),
    file(
        "test/Economics-Other-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Economics-Other-College.jsonl",
        "cfc9119ca1e3678a3a320f350a687e723ee7dbb509b0c8f3507dcbaf61f19bff",
    ),
    file(
        "test/Experimental Psychology-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Experimental%20Psychology-Social%20Sciences-College.jsonl",
        "9d402ca5c61d52f634cfcf34f6e5dde48a73c2db579c1ace6e16adabcdfd269c",
    ),
    file(
        "test/Fine Arts-Arts & Humanities-Other.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Fine%20Arts-Arts%20%26%20Humanities-Other.jsonl",
        "9bd43a12cd5d196517c48ef5f81e90b583f21bda19ba6a53bfe904cf4cb0c43c",
    ),
    file(
        "test/Geography-Natural Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Geography-Natural%20Sciences-Junior%20high%20school.jsonl",
        "375711d47b02490338cbf8b6a06b7bcd71cacf447537f5e6202ac06898468b96",
    ),
    file(
        "test/History of Chinese Education-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/History%20of%20Chinese%20Education-Social%20Sciences-College.jsonl",
        "3e1d9b099d3e17ab0e1153ed80728494ea5226510c925ad5567b861720bb6f47",
    ),
    file(
        "test/History of the Chinese Legal System-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/History%20of%20the%20Chinese%20Legal%20System-Social%20Sciences-College.jsonl",
        "295fa064177e3963dee2124ee9727f7200222fa701db23b6c42097409a11e96a",
    ),
    file(
        "test/History-Arts & Humanities-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/History-Arts%20%26%20Humanities-Junior%20high%20school.jsonl",
        "ae596274ef7b8875f5732adb32894005904601bcd5d462746958dde788643dec",
    ),
    file(
        "test/Immunology-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Immunology-Natural%20Sciences-College.jsonl",
        "ab5670af08db1d885b76c69a4e2419e813d4eb7538c20f431a88401455a8390d",
    ),
    file(
        "test/Introduction to Mao Tsetung Thoughts-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Introduction%20to%20Mao%20Tsetung%20Thoughts-Social%20Sciences-College.jsonl",
        "252056cac85b0096b62374868e7e7fdf5a40903e7522ab98fbf70857b84e0c46",
    ),
    file(
        "test/Jurisprudence-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Jurisprudence-Social%20Sciences-College.jsonl",
        "515a43a720acd564d7a80619332eafb0e47473b7981d11dd8eedcdb555dfa687",
    ),
    file(
        "test/Management-Other-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Management-Other-College.jsonl",
        "27b1565cb1a9fccd9995429ba41a2ba67b3fdd98c278cca081247771d7c480c5",
    ),
    file(
        "test/Math-Natural Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Math-Natural%20Sciences-Junior%20high%20school.jsonl",
        "ed78139ab9bd66a5d4cd8e9cc132ce587dee7f5342d9d4edf8133b853a5f695e",
    ),
    file(
        "test/Modern History-Arts & Humanities-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Modern%20History-Arts%20%26%20Humanities-College.jsonl",
        "87e19b65178971701317a366a35762c59a44e0f3fac9a34d2eca79fa0cd0b28f",
    ),
    file(
        "test/Moral Cultivation-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Moral%20Cultivation-Social%20Sciences-College.jsonl",
        "14fba175ea526809faca5b26cf68eb485427361b84a31b0b11f4b62c50e22f41",
    ),
    file(
        "test/Novels-Other-Other.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Novels-Other-Other.jsonl",
        "7953bff99c5c449231621ba2d57aa1cde6e7720bb3813bd9be951679921db15a",
    ),
    file(
        "test/Outline of Chinese Modern History-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Outline%20of%20Chinese%20Modern%20History-Social%20Sciences-College.jsonl",
        "d62e80162f66ab63600b2033844889fe3c0e73e67efa4fb79273a50a3831678e",
    ),
    file(
        "test/Physics-Natural Sciences-High schoo.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Physics-Natural%20Sciences-High%20schoo.jsonl",
        "e9be718617809a5ec44d10589f966c62f8623e6570655267d3cf0e0ffcfb8d9d",
    ),
    file(
        "test/Physiology-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Physiology-Natural%20Sciences-College.jsonl",
        "81a9bf12ce1502f3f31867eca71a212326e5dd6df88eb80d0e9fe2a9f2c49843",
    ),
    file(
        "test/Politics-Social Sciences-Junior high school.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Politics-Social%20Sciences-Junior%20high%20school.jsonl",
        "b2e7543536df5e5d9b65ad2298f7006719f11f7887ea2fdc6ff1d058566d42d9",
    ),
    file(
        "test/Principles of Pedagogy-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Principles%20of%20Pedagogy-Social%20Sciences-College.jsonl",
        "2640c8b4853ba5259a74f60d074559732a228232ffbaa59ae84707a1f3875408",
    ),
    file(
        "test/Psychology of Teaching-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Psychology%20of%20Teaching-Social%20Sciences-College.jsonl",
        "f62da35bff3371a00043bfaba92e905e8f8f64aaa6e98d43be86f55d6bec143a",
    ),
    file(
        "test/Sociology-Social Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Sociology-Social%20Sciences-College.jsonl",
        "3e07aeaa4fd034fe069349c28458891d93fe0d9c8f1c3293314f88809cb39a60",
    ),
    file(
        "test/Surgical Sciences-Natural Sciences-College.jsonl",
        "https://raw.githubusercontent.com/tjunlp-lab/M3KE/b370aae92167610791c34d16ef1b5a3e41805e62/data/test/Surgical%20Sciences-Natural%20Sciences-College.jsonl",
        "eb2cefd7b0997f1af5307f906d6e3c08cf07896abb334fd620578a25a7335cb6",
    ),
];

/// `lfed`: 1 files of github.com/tjunlp-lab/LFED at `3029b9c2668345af7173c29655bfe18d6c51c76a`
/// (../shared/data/lfed).
const LFED: &[SourceFile] = &[file(
    "LFED.csv",
    "https://raw.githubusercontent.com/tjunlp-lab/LFED/3029b9c2668345af7173c29655bfe18d6c51c76a/LFED.csv",
    "29f61a53e7b16288d6246d5aeb277219efa215354e5b49d0e62f9e06976bf337",
)];

/// `safetybench`: 2 files of github.com/thu-coai/SafetyBench at `960833692a1ec82b191ff3e902daca7993c35cc1`
/// (../shared/data/safetybench).
const SAFETYBENCH: &[SourceFile] = &[
    file(
        "test_answers_zh_subset.json",
        "https://raw.githubusercontent.com/thu-coai/SafetyBench/960833692a1ec82b191ff3e902daca7993c35cc1/opensource_data/test_answers_zh_subset.json",
        "41c3e40330a7a96375de54b46df4839f6a46e8c9f6be974a2d31b35b8012af6c",
    ),
    file(
        "test_zh_subset.json",
        "https://raw.githubusercontent.com/thu-coai/SafetyBench/960833692a1ec82b191ff3e902daca7993c35cc1/opensource_data/test_zh_subset.json",
        "8760b0621df0fa81b99f7e49961853f1ff8b5ac0e4f1f96dad20a587c33aea4f",
    ),
];

/// `xcopa`: 12 files of github.com/cambridgeltl/xcopa at `e2e9d7f105a758ee869cd13e0fe251ef93a29840`
/// (../shared/data/xcopa).
const XCOPA: &[SourceFile] = &[
    file(
        "et/test.et.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/et/test.et.jsonl",
        "f670f3f726342fa3ccd6f844b72d378ed5d0a9a71bd152e6b3607d402eaafa92",
    ),
    file(
        "et/val.et.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/et/val.et.jsonl",
        "c6d8f33c11e968fe519d5ddbb61769a73a5ac58ac889060df2fdf5e8a54d6a3c",
    ),
    file(
        "id/test.id.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/id/test.id.jsonl",
        "b6fe1cfc10bcf02f724dddf876d01df370be0a049cdf1ebf7be8f34504ff66da",
    ),
    file(
        "id/val.id.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/id/val.id.jsonl",
        "b3ac8c87c516d64c05ee39becc038ae747b1522010f385796f6c19019f75c77c",
    ),
    file(
        "it/test.it.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/it/test.it.jsonl",
        "33564a0dbefc9ff3a7dc868d9a9718d7aaaf7fb136879ae4d2ba022f311f8a88",
    ),
    file(
        "it/val.it.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/it/val.it.jsonl",
        "f8389021d6595ef994ed8ff163dfddbcc3f5473b4e7b4803745fb98a7ecd1031",
    ),
    file(
        "sw/test.sw.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/sw/test.sw.jsonl",
        "4ca583c40f9ac045a9b6114fc1f052b0f4ca7402e7a78f567c32a7d8246aa273",
    ),
    file(
        "sw/val.sw.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/sw/val.sw.jsonl",
        "e35fb416b7b9557bcede9987a53d56895c04f3608817d3326da09c52082fbfc5",
    ),
    file(
        "tr/test.tr.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/tr/test.tr.jsonl",
        "1f0152af30bb46acccd0db14ecfe29014c1770c09b0af9b377e15bb4837178ec",
    ),
    file(
        "tr/val.tr.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/tr/val.tr.jsonl",
        "879848162ac5f614f4569c99d37e03bb66034c27684968643371c6c9662bc812",
    ),
    file(
        "zh/test.zh.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/zh/test.zh.jsonl",
        "c9b42590399214b9f066adacac2465d7286f5e590181fe6bfd7f6139531b83d4",
    ),
    file(
        "zh/val.zh.jsonl",
        "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840/data/zh/val.zh.jsonl",
        "8f638466c196342104bdbe9276e7d91fe0abcc044e9a9ad715f30c8ad618bcdd",
    ),
];

/// `cmath`: 1 files of github.com/XiaoMi/cmath at `9fa13ef0b2d03f5a18c1ace7001248d3981d65ea`
/// (../shared/data/cmath).
const CMATH: &[SourceFile] = &[file(
    "cmath_dev.jsonl",
    "https://raw.githubusercontent.com/XiaoMi/cmath/9fa13ef0b2d03f5a18c1ace7001248d3981d65ea/datasets/cmath_dev.jsonl",
    "b9c6333a31fd740e7f5b5a71022bd59e00748798a3377364346d280549b25e3b",
)];

/// `mgsm`: 6 files of github.com/google-research/url-nlp at `452a21ad3dae5668c06ceeac21ff073e1e40f9be`
/// (../shared/data/mgsm).
const MGSM: &[SourceFile] = &[
    file(
        "mgsm_de.tsv",
        "https://raw.githubusercontent.com/google-research/url-nlp/452a21ad3dae5668c06ceeac21ff073e1e40f9be/mgsm/mgsm_de.tsv",
        "4dfea30fede44b813e2e496f5f0534049e83c7cc8aed6e00600b30ec62053626",
    ),
    file(
        "mgsm_en.tsv",
        "https://raw.githubusercontent.com/google-research/url-nlp/452a21ad3dae5668c06ceeac21ff073e1e40f9be/mgsm/mgsm_en.tsv",
        "50021d0f28cc957edcb44e7806425b1c7fbd648ddcb9e0a8ec689d10e57d40fa",
    ),
    file(
        "mgsm_fr.tsv",
        "https://raw.githubusercontent.com/google-research/url-nlp/452a21ad3dae5668c06ceeac21ff073e1e40f9be/mgsm/mgsm_fr.tsv",
        "36207c1c03fd7cd3ea491441eb755408199f94e4a647851df531bbaedc99d606",
    ),
    file(
        "mgsm_ja.tsv",
        "https://raw.githubusercontent.com/google-research/url-nlp/452a21ad3dae5668c06ceeac21ff073e1e40f9be/mgsm/mgsm_ja.tsv",
        "59a2b50debe77981fd784cb3b2bef1505e3abf2a37116dc9d7a366ab029b4637",
    ),
    file(
        "mgsm_sw.tsv",
        "https://raw.githubusercontent.com/google-research/url-nlp/452a21ad3dae5668c06ceeac21ff073e1e40f9be/mgsm/mgsm_sw.tsv",
        "2bac828d77229e65d7c7197b1ad4a2cb5b1fe99b163f2cbdd66501de6a2115c4",
    ),
    file(
        "mgsm_zh.tsv",
        "https://raw.githubusercontent.com/google-research/url-nlp/452a21ad3dae5668c06ceeac21ff073e1e40f9be/mgsm/mgsm_zh.tsv",
        "b2fa63151022370a0de1f4211c8c284eae74b0f5a3b003b1d5982c0d4a73f661",
    ),
];

/// `flores`: 13 files of github.com/Helsinki-NLP/OPUS-MT-testsets at `ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180`
/// (../shared/data/flores200).
const FLORES: &[SourceFile] = &[
    file(
        "devtest/arb_Arab.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/arb_Arab.devtest",
        "ff09a52e63884e9b5bb1083780b58f37d3d14acb0c58c6b1f1f2544ecea12ff8",
    ),
    file(
        "devtest/deu_Latn.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/deu_Latn.devtest",
        "9a1bfa90d153fedb7ff80047f4a63d493998888eddb056e8a28e24592f26e5f2",
    ),
    file(
        "devtest/eng_Latn.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/eng_Latn.devtest",
        "612e9fbe87997617c0fa8fa8929654a4f49b728d96738112c2b86ef6a1d78d88",
    ),
    file(
        "devtest/fra_Latn.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/fra_Latn.devtest",
        "82f5b000db419ef9254eea7857cce82943b361090942f17ed696e3dce2944f42",
    ),
    file(
        "devtest/hin_Deva.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/hin_Deva.devtest",
        "5f5fd39acadca29fb044a0398e81869e48f37de979df086f2fad4a7d1fd2d015",
    ),
    file(
        "devtest/jpn_Jpan.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/jpn_Jpan.devtest",
        "36b8e392ae9404a20e8448c731d16d957ac1b94588d97fb691128ae706b63606",
    ),
    file(
        "devtest/kor_Hang.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/kor_Hang.devtest",
        "540972696230a56e888f1fbd04b7000135c436351f5e467f99ce67fdccd8df0f",
    ),
    file(
        "devtest/rus_Cyrl.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/rus_Cyrl.devtest",
        "cdc706ed862d1d35d8d67cfda0b396766646885434958b18291aa760ff1bb59e",
    ),
    file(
        "devtest/spa_Latn.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/spa_Latn.devtest",
        "40fcb836b49b0a461a14c00b8bce1f03113f8d2668132af424e74b2421d18ce9",
    ),
    file(
        "devtest/swh_Latn.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/swh_Latn.devtest",
        "834ce9e5f48893505f9d69dec24da2545be4323e841fb23440e36c62c5d61ee4",
    ),
    file(
        "devtest/zho_Hans.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/zho_Hans.devtest",
        "b30158b1b76f7cee08530d8127a9769f4512597c7eefe97ae1ccf630d5b6e7fd",
    ),
    file(
        "devtest/zho_Hant.devtest",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/devtest/zho_Hant.devtest",
        "341a38f1b4a1a281d6cd9e8951c3d3d2324e94dad5049f85d7cf549a73b9c4bb",
    ),
    file(
        "metadata_devtest.tsv",
        "https://raw.githubusercontent.com/Helsinki-NLP/OPUS-MT-testsets/ac0f19c0be3cb4e0d9450fcb2d7a9847c4bdd180/datasets/facebook/flores/flores200_dataset/metadata_devtest.tsv",
        "8edac47f861fcf6b54dad2068c10ba8f741da8b8676861c6bc27fcd9f5483b36",
    ),
];

/// `cbbq`: 10 files of github.com/YFHuangxxxx/CBBQ at `95eaf2eeaa0b936f3e97e3424f134e9d7655da98`
/// (../shared/data/cbbq).
const CBBQ: &[SourceFile] = &[
    file(
        "disease/ambiguous/ambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/disease/ambiguous/ambiguous.csv",
        "db7a22c7cd1c8b4cb68142c2979542fa74116bc7d3bc0e600291957205650488",
    ),
    file(
        "disease/disambiguous/disambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/disease/disambiguous/disambiguous.csv",
        "42cdbc7c56b9c727768b725d081b8a051f01ebcf382c7d483bbc7598be296ef2",
    ),
    file(
        "ethnicity/ambiguous/ambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/ethnicity/ambiguous/ambiguous.csv",
        "15ad06f2d17e9cab20b72430d31a15f7efb019eda5de76124464dec262e8cacf",
    ),
    file(
        "ethnicity/disambiguous/disambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/ethnicity/disambiguous/disambiguous.csv",
        "fc53047bed0c1dd15746da7cb46dad044e881c20d3eaba95f249be2a02f1a11c",
    ),
    file(
        "gender/ambiguous/ambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/gender/ambiguous/ambiguous.csv",
        "f928100a0a4651028272cadc339b2595b7775467c37029e433b58de79ac7b069",
    ),
    file(
        "gender/disambiguous/disambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/gender/disambiguous/disambiguous.csv",
        "ace38bcc96a3e4312ca16ffdc389e64f742e48eeaae165d58645c8826a68967b",
    ),
    file(
        "region/ambiguous/ambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/region/ambiguous/ambiguous.csv",
        "322246e5eea71fff77984141544cde6b3668e05f8792d8955a4c0594acae3d18",
    ),
    file(
        "region/disambiguous/disambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/region/disambiguous/disambiguous.csv",
        "dbbd0bf0137a69cd9334592156e8d8d871d7bc09dd45c4d059e4864c21f3ca88",
    ),
    file(
        "sexual_orientation/ambiguous/ambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/sexual_orientation/ambiguous/ambiguous.csv",
        "a73703cdff2f199a8e6263e8d10a544a1b122890e79020f92a46a0a89ef99eb5",
    ),
    file(
        "sexual_orientation/disambiguous/disambiguous.csv",
        "https://raw.githubusercontent.com/YFHuangxxxx/CBBQ/95eaf2eeaa0b936f3e97e3424f134e9d7655da98/data/sexual_orientation/disambiguous/disambiguous.csv",
        "1dc1de61dca1bff90bcbb050284d9a5f45a865792f95fde52a8bf6cd3ef9957f",
    ),
];

/// `cold`: 1 files of github.com/thu-coai/COLDataset at `a0c55a945497ab58e94aef491180e1cf88ffb864`
/// (../shared/data/cold).
const COLD: &[SourceFile] = &[file(
    "dev.csv",
    "https://raw.githubusercontent.com/thu-coai/COLDataset/a0c55a945497ab58e94aef491180e1cf88ffb864/COLDataset/dev.csv",
    "28e67a26815aa1852449ba06919e51c07060d146e2bd23101cc0137a0ff94b7c",
)];

/// `cvalues`: 1 files of github.com/X-PLUG/CValues at `3018d3886890d04c95c9051c7055fb19e36ef592`
/// (../shared/data/cvalues).
const CVALUES: &[SourceFile] = &[file(
    "cvalues_responsibility_prompts.jsonl",
    "https://raw.githubusercontent.com/X-PLUG/CValues/3018d3886890d04c95c9051c7055fb19e36ef592/dataset/cvalues_responsibility_prompts.jsonl",
    "ee99050d4a8933829697c796e279b83795838feacefc84cdd06856bad01bfff4",
)];

/// `criskeval`: 6 files of github.com/tjunlp-lab/CRiskEval at `33403161f8aee5613394e3e6a9361292f120a6bf`
/// (../shared/data/criskeval).
const CRISKEVAL: &[SourceFile] = &[
    file(
        "CRisk/Awareness-ai-identity.json",
        "https://raw.githubusercontent.com/tjunlp-lab/CRiskEval/33403161f8aee5613394e3e6a9361292f120a6bf/CRisk/Awareness-ai-identity.json",
        "97dbf2e527c6303cf30543283d4fa70d133fbffe1390b1f9dada8591c8a6e411",
    ),
    file(
        "CRisk/Awareness-internet-access.json",
        "https://raw.githubusercontent.com/tjunlp-lab/CRiskEval/33403161f8aee5613394e3e6a9361292f120a6bf/CRisk/Awareness-internet-access.json",
        "a2c0a84954eb87ebcda43263bb25cbf261cc92f4a195376661532cc265893b32",
    ),
    file(
        "CRisk/Coordinate-copy-of-itself.json",
        "https://raw.githubusercontent.com/tjunlp-lab/CRiskEval/33403161f8aee5613394e3e6a9361292f120a6bf/CRisk/Coordinate-copy-of-itself.json",
        "3a0d2eb9887605e563f6045c72cf98ad5613cd8716de6bee0c205fa592c8569c",
    ),
    file(
        "CRisk/Coordinate-other-versions.json",
        "https://raw.githubusercontent.com/tjunlp-lab/CRiskEval/33403161f8aee5613394e3e6a9361292f120a6bf/CRisk/Coordinate-other-versions.json",
        "29d68ba65b85aa80115192e157db9a5f455f4680bc9e2def184c73587df47627",
    ),
    file(
        "CRisk/Improvement-self.json",
        "https://raw.githubusercontent.com/tjunlp-lab/CRiskEval/33403161f8aee5613394e3e6a9361292f120a6bf/CRisk/Improvement-self.json",
        "2af6147febe82ffcbf84fac1b0fdad74bd363789efd13f225b7967f3af88e481",
    ),
    file(
        "CRisk/Risk-goal-passive.json",
        "https://raw.githubusercontent.com/tjunlp-lab/CRiskEval/33403161f8aee5613394e3e6a9361292f120a6bf/CRisk/Risk-goal-passive.json",
        "e107fc06aa111890138a106c82790127b6e14faf3dd12d0c20716519a8858e5a",
    ),
];

/// `wikitext2`: 1 files of github.com/pytorch/examples at `77f55b912142e11fcfdf5b530231fb9c52f181e8`
/// (../shared/data/wikitext-2).
const WIKITEXT2: &[SourceFile] = &[file(
    "test.txt",
    "https://raw.githubusercontent.com/pytorch/examples/77f55b912142e11fcfdf5b530231fb9c52f181e8/word_language_model/data/wikitext-2/test.txt",
    "d790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0",
)];

/// `cmrc2018`: 1 files of github.com/ymcui/cmrc2018 at `c0eb1b6ba219847457e6af3180da722bbeb656af`
/// (../shared/data/cmrc2018).
const CMRC2018: &[SourceFile] = &[file(
    "cmrc2018_dev.json",
    "https://raw.githubusercontent.com/ymcui/cmrc2018/c0eb1b6ba219847457e6af3180da722bbeb656af/squad-style-data/cmrc2018_dev.json",
    "e9ff74231f05c230c6fa88b84441ee334d97234cbb610991cd94b82db00c7f1f",
)];

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use sha2::{Digest, Sha256};

    use super::*;
    use crate::suites;

    /// The folder of ../shared/data holding suite `name`.
    fn shared_dir(name: &str) -> PathBuf {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
        assert!(data.is_dir(), "the shared data is missing: expected {}", data.display());
        let folder = match name {
            "gaokao" => "gaokao-bench",
            "flores" => "flores200",
            "wikitext2" => "wikitext-2",
            other => other,
        };
        data.join(folder)
    }

    #[test]
    fn every_pin_matches_the_shared_file() {
        for s in SUITES {
            let dir = shared_dir(s.suite);
            assert!(!s.files.is_empty(), "{}: no files", s.suite);
            for f in s.files {
                let path = dir.join(f.rel_path);
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let hex: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
                assert_eq!(hex, f.sha256, "{}: sha256 differs from the pin", path.display());
                assert!(f.url.starts_with("https://raw.githubusercontent.com/"), "{}", f.url);
                assert!(!f.url.contains(' '), "unencoded URL {}", f.url);
            }
        }
    }

    /// Every pinned suite exists, lists each file once, and its loader reads
    /// a folder holding exactly the pinned files (hard links or copies of
    /// the shared files at their `rel_path`), with the same items as the
    /// shared folder.
    #[test]
    fn pinned_files_are_what_the_loaders_read() {
        let tmp = std::env::temp_dir().join(format!("kaoshi-sources-{}", std::process::id()));
        for s in SUITES {
            let suite = suites::find(s.suite).unwrap_or_else(|| panic!("no suite {}", s.suite));
            let mut rels: Vec<&str> = s.files.iter().map(|f| f.rel_path).collect();
            rels.dedup();
            assert_eq!(rels.len(), s.files.len(), "{}: duplicate rel_path", s.suite);
            let src = shared_dir(s.suite);
            let dst = tmp.join(s.suite);
            for f in s.files {
                let to = dst.join(f.rel_path);
                std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
                if std::fs::hard_link(src.join(f.rel_path), &to).is_err() {
                    std::fs::copy(src.join(f.rel_path), &to).expect("copy");
                }
            }
            let pinned = suite.load(&dst).unwrap_or_else(|e| panic!("{}: {e}", s.suite));
            let shared = suite.load(&src).unwrap_or_else(|e| panic!("{}: {e}", s.suite));
            assert!(!pinned.items.is_empty(), "{}: no items", s.suite);
            assert_eq!(pinned.items.len(), shared.items.len(), "{}: items", s.suite);
            assert_eq!(pinned.dev.len(), shared.dev.len(), "{}: dev items", s.suite);
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }

    /// Every pinned suite loaded from its files held in memory (as the
    /// browser does, [`crate::files::load_from_memory`]) gives exactly the
    /// items and skipped rows of the same files on disk; a file missing from
    /// memory is an error naming it.
    #[test]
    fn pinned_suites_load_from_memory_as_from_disk() {
        for s in SUITES {
            let suite = suites::find(s.suite).expect("suite");
            let src = shared_dir(s.suite);
            let mut files = crate::files::MemoryFiles::new();
            for f in s.files {
                files.insert(f.rel_path, std::fs::read(src.join(f.rel_path)).expect("read")).expect("insert");
            }
            let mem = crate::files::load_from_memory(suite, files).unwrap_or_else(|e| panic!("{}: {e}", s.suite));
            let disk = suite.load(&src).unwrap_or_else(|e| panic!("{}: {e}", s.suite));
            assert_eq!(mem.items, disk.items, "{}: items", s.suite);
            assert_eq!(mem.dev, disk.dev, "{}: dev items", s.suite);
            assert_eq!(mem.skipped.len(), disk.skipped.len(), "{}: skipped rows", s.suite);
        }
        let mut partial = crate::files::MemoryFiles::new();
        partial.insert("test/agronomy.csv", b"not,a,cmmlu\nfile".to_vec()).expect("insert");
        let err = crate::files::load_from_memory(suites::find("cmmlu").expect("cmmlu"), partial).unwrap_err();
        assert!(err.to_string().contains("agronomy.csv"), "{err}");
        // Loading from memory does not leak into later loads from disk.
        assert!(suites::find("cmmlu").expect("cmmlu").load(&shared_dir("cmmlu")).is_ok());
    }
}
