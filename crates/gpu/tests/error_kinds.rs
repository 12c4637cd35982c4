//! Each kind of GPU failure crosses the `Backend` trait as its own
//! `BackendError` variant (front ends name errors by it, never by text):
//! a weight type without kernels, a buffer over the binding limit (with the
//! sizes), a lost device, operands of the wrong shape, and every
//! `GpuError` mapped. Needs a GPU adapter (lavapipe works) but the mapping.

mod common;

use common::gpu_or_skip;
use kaoshi_cpu::synth::{SynthSpec, synthetic_bytes};
use kaoshi_formats::GgmlDType;
use kaoshi_formats::GgufFile;
use kaoshi_gpu::{GpuBackend, GpuError};
use kaoshi_model::{Backend, BackendError, Model, ModelError};

#[test]
fn every_gpu_error_maps_to_its_kind() {
    use BackendError as B;
    type IsKind = fn(&B) -> bool;
    let cases: Vec<(GpuError, IsKind)> = vec![
        (GpuError::NoAdapter, |e| matches!(e, B::Unavailable { backend: "gpu", .. })),
        (GpuError::WebGpuUnavailable("no navigator".into()), |e| matches!(e, B::Unavailable { .. })),
        (GpuError::RequestDevice("refused".into()), |e| matches!(e, B::Unavailable { .. })),
        (GpuError::OutOfMemory("buffer".into()), |e| matches!(e, B::OutOfMemory { requested: None, .. })),
        (GpuError::TooLarge { bytes: 300, limit: 256 }, |e| {
            matches!(e, B::OutOfMemory { requested: Some(300), limit: Some(256), .. })
        }),
        (GpuError::DeviceLost("Destroyed".into()), |e| matches!(e, B::DeviceLost { .. })),
        (GpuError::Shape("[2, 3] x [4, 5]".into()), |e| matches!(e, B::Shape { .. })),
        (GpuError::Readback("mapping failed".into()), |e| matches!(e, B::Other { .. })),
        (GpuError::MissingFeature { feature: "SHADER_F16" }, |e| matches!(e, B::Other { .. })),
    ];
    for (gpu, is_kind) in cases {
        let text = gpu.to_string();
        let e = BackendError::from(gpu);
        assert!(is_kind(&e), "{text} became {e:?}");
        assert!(e.to_string().starts_with("gpu backend: "), "{e}");
    }
}

#[test]
fn failures_through_the_trait_keep_their_kind() {
    let Some(dev) = gpu_or_skip() else { return };
    let b = GpuBackend::from_device(dev);
    // Shape: a norm weight of the wrong width.
    let x = b.upload(&[1.0; 8], 2, 4).unwrap();
    let w = b.upload(&[1.0; 3], 1, 3).unwrap();
    assert!(matches!(b.rms_norm(&x, &w, 1e-5, 4), Err(BackendError::Shape { backend: "gpu", .. })));
    // Out of memory, with the sizes: one tensor over the binding limit.
    let limit = b.device().info().limits.max_storage_buffer_binding_size;
    let n = (limit / 4 + 1) as usize;
    match b.upload(&vec![0.0; n], 1, n) {
        Err(BackendError::OutOfMemory { requested: Some(r), limit: Some(l), .. }) => {
            assert!(r >= n as u64 * 4 && l == limit, "{r} bytes over {l}");
        }
        other => panic!("expected OutOfMemory with sizes, got {:?}", other.err()),
    }
    // Device lost: every later operation says so.
    b.device().destroy();
    let e = b.add(&x, &x).and_then(|y| b.download(&y)).expect_err("an error after destroy");
    assert!(matches!(e, BackendError::DeviceLost { backend: "gpu", .. }), "{e:?}");
}

/// A model with BF16 matrices, which the GPU kernels do not read: loading
/// it fails with `UnsupportedDtype` naming the tensor and the type.
#[test]
fn a_weight_type_without_kernels_is_unsupported_dtype() {
    let Some(dev) = gpu_or_skip() else { return };
    let bytes = synthetic_bytes(&SynthSpec::small_llama(), GgmlDType::BF16, 3).unwrap();
    let file = GgufFile::from_bytes("bf16.gguf", bytes).unwrap();
    match Model::load(&file, GpuBackend::from_device(dev)) {
        Err(ModelError::Backend(BackendError::UnsupportedDtype { backend: "gpu", tensor, dtype, role })) => {
            assert_eq!((dtype.as_str(), role), ("BF16", "weights"));
            assert!(tensor.ends_with(".weight"), "{tensor}");
        }
        Err(other) => panic!("expected UnsupportedDtype, got {other:?}"),
        Ok(_) => panic!("BF16 weights loaded on the GPU"),
    }
}
