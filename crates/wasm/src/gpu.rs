//! Opening the GPU. In a browser wgpu panics (it does not return an error)
//! when WebGPU is absent, so `navigator.gpu` is asked for an adapter first,
//! in the page or in a worker alike.

use kaoshi_gpu::GpuDevice;

use crate::error::Error;

/// Opens the default GPU adapter, or says why there is none
/// (`ErrorKind::WebGpuUnavailable`).
pub(crate) async fn open_device() -> Result<GpuDevice, Error> {
    #[cfg(target_arch = "wasm32")]
    probe_webgpu().await?;
    Ok(GpuDevice::new_async().await?)
}

/// Succeeds when `navigator.gpu.requestAdapter()` yields an adapter.
#[cfg(target_arch = "wasm32")]
async fn probe_webgpu() -> Result<(), Error> {
    use wasm_bindgen::{JsCast, JsValue};

    use crate::error::ErrorKind;

    let unavailable = |why: &str| Error::new(ErrorKind::WebGpuUnavailable, format!("WebGPU is unavailable: {why}"));
    let get =
        |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    let navigator = get(&js_sys::global(), "navigator");
    if navigator.is_undefined() || navigator.is_null() {
        return Err(unavailable("this global scope has no navigator"));
    }
    let gpu = get(&navigator, "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Err(unavailable("navigator.gpu is missing (this browser has no WebGPU, or it is turned off)"));
    }
    let Ok(request) = get(&gpu, "requestAdapter").dyn_into::<js_sys::Function>() else {
        return Err(unavailable("navigator.gpu.requestAdapter is not a function"));
    };
    let promise = request
        .call0(&gpu)
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
        .ok_or_else(|| unavailable("navigator.gpu.requestAdapter() did not return a promise"))?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| unavailable(&format!("navigator.gpu.requestAdapter() failed: {e:?}")))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err(unavailable("navigator.gpu.requestAdapter() found no adapter"));
    }
    Ok(())
}
