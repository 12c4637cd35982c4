//! A lost device (here destroyed on purpose) makes every later operation
//! return an error, never panic or hang, and says so (`is_lost`); a new
//! device works. wgpu errors that nobody captured (an invalid operation)
//! come back as errors too. Needs a GPU adapter (lavapipe works).

mod common;

use common::{gpu_or_skip, values};
use kaoshi_gpu::GpuError;

#[test]
fn a_lost_device_gives_errors_not_panics() {
    let Some(dev) = gpu_or_skip() else { return };
    let x = values(64, 1);
    let a = dev.upload_tensor(&x, 4, 16).unwrap();
    let b = dev.add(&a, &a).unwrap();
    assert_eq!(dev.download_tensor(&b).unwrap().len(), 64);
    assert!(!dev.is_lost());

    dev.destroy();
    // Whatever step notices first, none may panic, and reading back fails.
    let err = dev.add(&a, &a).and_then(|c| dev.download_tensor(&c)).expect_err("an operation on a destroyed device");
    eprintln!("after destroy: {err}");
    assert!(matches!(err, GpuError::DeviceLost(_)), "unexpected error {err:?}");
    assert!(dev.is_lost(), "the device-lost callback did not run");
    assert!(matches!(dev.flush(), Err(GpuError::DeviceLost(_))));

    // A new device works.
    let Some(fresh) = gpu_or_skip() else { return };
    let a = fresh.upload_tensor(&x, 4, 16).unwrap();
    assert_eq!(fresh.download_tensor(&fresh.add(&a, &a).unwrap()).unwrap()[0], 2.0 * x[0]);
}
