//! Asking a browser for WebGPU before wgpu is touched: wgpu panics (it
//! does not return an error) where WebGPU is absent, so
//! `navigator.gpu.requestAdapter()` is called first, in the page or in a
//! worker alike.

use wasm_bindgen::{JsCast, JsValue};

use crate::GpuError;

/// Whether the adapter `navigator.gpu.requestAdapter()` yields is a
/// fallback (software) adapter; [`GpuError::WebGpuUnavailable`] with the
/// reason when there is none.
pub(crate) async fn probe_webgpu() -> Result<bool, GpuError> {
    let unavailable = |why: &str| GpuError::WebGpuUnavailable(why.to_string());
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
    // `adapter.info.isFallbackAdapter` (current spec), else the older
    // `adapter.isFallbackAdapter`.
    let in_info = get(&get(&adapter, "info"), "isFallbackAdapter");
    let flag = if in_info.is_undefined() { get(&adapter, "isFallbackAdapter") } else { in_info };
    Ok(flag.as_bool().unwrap_or(false))
}
