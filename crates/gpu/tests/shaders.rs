//! Every kernel variant the code can build is parsed and validated by naga,
//! with exactly the capabilities the variant declares. No GPU needed.

use kaoshi_gpu::{KernelSpec, Target};
use naga::valid::{Capabilities, ValidationFlags, Validator};

fn validate(spec: &KernelSpec) -> Result<(), String> {
    let src = spec.source(Target::Native);
    let module = naga::front::wgsl::parse_str(&src).map_err(|e| e.emit_to_string(&src))?;
    // unpack2x16float is core WGSL; naga files it under this capability.
    let mut caps = Capabilities::SHADER_FLOAT16_IN_FLOAT32;
    if spec.f16 {
        caps |= Capabilities::SHADER_FLOAT16;
    }
    if spec.subgroups {
        caps |= Capabilities::SUBGROUP;
    }
    Validator::new(ValidationFlags::all(), caps).validate(&module).map_err(|e| e.emit_to_string(&src))?;
    if !module.entry_points.iter().any(|ep| ep.name == spec.entry_point()) {
        return Err(format!("no entry point {}", spec.entry_point()));
    }
    Ok(())
}

#[test]
fn every_variant_parses_and_validates() {
    let specs = KernelSpec::all();
    assert!(specs.len() >= 60, "expected every op x dtype x size x f16 x subgroups, got {}", specs.len());
    let failures: Vec<String> =
        specs.iter().filter_map(|s| validate(s).err().map(|e| format!("{s:?}:\n{e}"))).collect();
    assert!(failures.is_empty(), "{} of {} variants invalid:\n{}", failures.len(), specs.len(), failures.join("\n"));
}

#[test]
fn browser_source_adds_only_the_subgroups_enable_line() {
    for spec in KernelSpec::all() {
        let native = spec.source(Target::Native);
        let browser = spec.source(Target::Browser);
        assert!(!native.contains("enable subgroups;"), "{spec:?}");
        assert_eq!(browser.contains("enable subgroups;"), spec.subgroups, "{spec:?}");
        assert_eq!(native.contains("enable f16;"), spec.f16, "{spec:?}");
        assert_eq!(browser.replace("enable subgroups;\n", ""), native, "{spec:?}");
    }
}

#[test]
fn variants_without_extensions_do_not_use_them() {
    // A variant with f16/subgroups off must validate without the capability:
    // the fallback for adapters that lack them (SwiftShader has no f16).
    for spec in KernelSpec::all().into_iter().filter(|s| !s.f16 && !s.subgroups) {
        let src = spec.source(Target::Native);
        assert!(!src.contains("f16>") && !src.contains("subgroupAdd"), "{spec:?}");
    }
}
