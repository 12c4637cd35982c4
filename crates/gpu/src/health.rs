//! Device errors and device loss, caught instead of panicking: wgpu's
//! default handler panics on an uncaptured error (an out-of-memory buffer,
//! a validation error), and a lost device (driver reset, `destroy`, a
//! browser reclaiming the GPU) would otherwise surface as a panic or a
//! hang. Both are recorded here and returned as a [`GpuError`] by the next
//! submission or read-back; a lost device stays lost (open a new one).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::{GpuDevice, GpuError};

/// What went wrong on the device, if anything.
#[derive(Debug, Default)]
pub(crate) struct Health {
    /// Set when either field below is: the fast path checks only this.
    troubled: AtomicBool,
    error: Mutex<Option<GpuError>>,
    lost: Mutex<Option<String>>,
}

impl Health {
    /// Installs the error and device-lost callbacks on `device`.
    pub(crate) fn watch(device: &wgpu::Device) -> Arc<Self> {
        let health = Arc::new(Self::default());
        let h = health.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let err = match e {
                wgpu::Error::OutOfMemory { .. } => GpuError::OutOfMemory(e.to_string()),
                other => GpuError::Wgpu { context: "a GPU operation", message: other.to_string() },
            };
            if let Ok(mut slot) = h.error.lock() {
                slot.get_or_insert(err);
            }
            h.troubled.store(true, Ordering::Release);
        }));
        let h = health.clone();
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut slot) = h.lost.lock() {
                slot.get_or_insert(format!("{reason:?}: {message}"));
            }
            h.troubled.store(true, Ordering::Release);
        });
        health
    }
}

impl GpuDevice {
    /// The device's loss, or the first error wgpu reported since the last
    /// check (then cleared), as an error.
    pub(crate) fn check_health(&self) -> Result<(), GpuError> {
        if !self.health.troubled.load(Ordering::Acquire) {
            return Ok(());
        }
        if let Some(why) = self.health.lost.lock().ok().and_then(|l| l.clone()) {
            return Err(GpuError::DeviceLost(why));
        }
        let taken = self.health.error.lock().ok().and_then(|mut e| e.take());
        self.health.troubled.store(false, Ordering::Release);
        taken.map_or(Ok(()), Err)
    }

    /// Whether the device was lost (every later operation fails; open a new
    /// [`GpuDevice`] to go on).
    pub fn is_lost(&self) -> bool {
        self.health.lost.lock().is_ok_and(|l| l.is_some())
    }

    /// Destroys the device, freeing its memory at once; it then counts as
    /// lost. Tests use it to check that a lost device gives errors, not panics.
    pub fn destroy(&self) {
        self.device.destroy();
        // wgpu reports the loss at its next poll; an operation before that
        // (one that builds a pipeline, say) would otherwise fail with a
        // validation error instead of the loss.
        if let Ok(mut slot) = self.health.lost.lock() {
            slot.get_or_insert_with(|| "Destroyed: destroyed on purpose".into());
        }
        self.health.troubled.store(true, Ordering::Release);
    }
}
