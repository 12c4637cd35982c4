//! Giving control back to the browser during long loops, so that events
//! (an `AbortSignal` firing, a worker's messages) are handled between
//! tokens even on the CPU backend, whose read-backs never wait.

/// Yields to the event loop at most every [`Pacer::INTERVAL_MS`].
pub(crate) struct Pacer {
    #[cfg(target_arch = "wasm32")]
    last: f64,
}

impl Pacer {
    /// Milliseconds of work between two yields.
    #[cfg(target_arch = "wasm32")]
    const INTERVAL_MS: f64 = 50.0;

    pub(crate) fn new() -> Self {
        Self {
            #[cfg(target_arch = "wasm32")]
            last: js_sys::Date::now(),
        }
    }

    /// In a browser, when the interval has passed, waits for a zero-delay
    /// `setTimeout` (a macrotask: pending events run first). Natively, returns at once.
    pub(crate) async fn pause(&mut self) {
        #[cfg(target_arch = "wasm32")]
        if js_sys::Date::now() - self.last >= Self::INTERVAL_MS {
            set_timeout_zero().await;
            self.last = js_sys::Date::now();
        }
    }
}

#[cfg(target_arch = "wasm32")]
async fn set_timeout_zero() {
    use wasm_bindgen::{JsCast, JsValue};
    let Ok(set_timeout) = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("setTimeout")) else {
        return;
    };
    let Ok(set_timeout) = set_timeout.dyn_into::<js_sys::Function>() else {
        return;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = set_timeout.call2(&JsValue::UNDEFINED, &resolve, &JsValue::from_f64(0.0));
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
