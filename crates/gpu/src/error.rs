//! [`GpuError`]: every failure of the GPU backend, typed.

/// A GPU backend failure.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GpuError {
    /// No adapter (GPU or software rasterizer) was found.
    #[error("no GPU adapter found")]
    NoAdapter,
    /// A browser offers no WebGPU adapter (no `navigator.gpu`, or it found
    /// no adapter).
    #[error("WebGPU is unavailable: {0}")]
    WebGpuUnavailable(String),
    /// The adapter refused to open a device.
    #[error("requesting a device failed: {0}")]
    RequestDevice(String),
    /// A variant needs a feature this adapter lacks.
    #[error("kernel variant needs {feature}, which the adapter lacks")]
    MissingFeature {
        /// The feature's name.
        feature: &'static str,
    },
    /// A kernel variant the code does not define.
    #[error("unsupported kernel variant {0}")]
    UnsupportedKernel(String),
    /// wgpu reported a validation or out-of-memory error.
    #[error("wgpu error in {context}: {message}")]
    Wgpu {
        /// What was being done.
        context: &'static str,
        /// wgpu's message.
        message: String,
    },
    /// The GPU ran out of memory (a buffer could not be allocated).
    #[error("the GPU is out of memory: {0}")]
    OutOfMemory(String),
    /// The device was lost (driver reset, destroyed, reclaimed by the
    /// browser); open a new one.
    #[error("the GPU device was lost ({0}); open a new one")]
    DeviceLost(String),
    /// Reading a buffer back failed.
    #[error("reading back from the GPU failed: {0}")]
    Readback(String),
    /// Operands of incompatible shapes or types.
    #[error("{0}")]
    Shape(String),
    /// A buffer too large for one binding: an activation (weights are
    /// split by rows; this is raised only when 4 rows of one exceed it).
    #[error("a buffer of {bytes} bytes exceeds the adapter's binding limit of {limit}")]
    TooLarge {
        /// The tensor's size.
        bytes: u64,
        /// max_storage_buffer_binding_size.
        limit: u64,
    },
}

/// The kind carried across the `Backend` trait unchanged: a front end
/// (the CLI, the browser's `Error.name`) tells them apart by variant.
impl From<GpuError> for kaoshi_model::BackendError {
    fn from(e: GpuError) -> Self {
        use kaoshi_model::BackendError as B;
        let backend = "gpu";
        match e {
            GpuError::NoAdapter | GpuError::WebGpuUnavailable(_) | GpuError::RequestDevice(_) => {
                B::Unavailable { backend, reason: e.to_string() }
            }
            GpuError::OutOfMemory(detail) => B::OutOfMemory { backend, requested: None, limit: None, detail },
            GpuError::TooLarge { bytes, limit } => {
                B::OutOfMemory { backend, requested: Some(bytes), limit: Some(limit), detail: e.to_string() }
            }
            GpuError::DeviceLost(reason) => B::DeviceLost { backend, reason },
            GpuError::Shape(message) => B::Shape { backend, message },
            other => B::Other { backend, message: other.to_string() },
        }
    }
}
