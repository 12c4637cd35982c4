//! GPU time per kernel (`enable_profiling`): every dispatch is counted
//! under its kernel, also past the capacity of one recording's query set
//! (2,048 dispatches), which forces an early submission mid-recording.
//! Needs a GPU adapter with timestamps inside passes (lavapipe has them).

mod common;

use common::{gpu_or_skip, values};

#[test]
fn profile_counts_every_dispatch_by_kernel() {
    let Some(mut dev) = gpu_or_skip() else { return };
    // One recording for the whole loop, so the query set fills up.
    dev.set_submit_every(100_000);
    if let Err(e) = dev.enable_profiling() {
        eprintln!("SKIPPED: {e}");
        return;
    }
    let x = values(64, 3);
    let a = dev.upload_tensor(&x, 4, 16).unwrap();
    let mut y = dev.add(&a, &a).unwrap();
    for _ in 0..2199 {
        y = dev.add(&y, &a).unwrap();
    }
    let got = dev.download_tensor(&y).unwrap();
    assert!((got[0] - 2201.0 * x[0]).abs() <= 1e-3 * got[0].abs().max(1.0), "{} vs {}", got[0], 2201.0 * x[0]);
    let profile = dev.profile().unwrap();
    let add = profile.iter().find(|t| t.kernel == "Add F32").expect("Add in the profile");
    assert_eq!(add.calls, 2200);
    assert!(add.nanos > 0.0);
    dev.reset_profile().unwrap();
    assert!(dev.profile().unwrap().is_empty());
}
