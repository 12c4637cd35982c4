//! Giving control back to the browser during long loops, so that events
//! (an `AbortSignal` firing, a worker's messages) are handled between
//! tokens even on the CPU backend, whose read-backs never wait; and the
//! clock, which in a browser is JavaScript's.

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

/// Milliseconds since the Unix epoch (the browser's clock in wasm).
pub(crate) fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`, as `results.json` dates are
/// written (`std::time` has no clock in a browser's wasm).
pub(crate) fn now_iso() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let iso = String::from(js_sys::Date::new_0().to_iso_string());
        // "2026-11-26T13:00:00.000Z" -> "2026-11-26T13:00:00Z"
        match iso.split_once('.') {
            Some((head, _)) => format!("{head}Z"),
            None => iso,
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        kaoshi_harness::results::now_utc()
    }
}
