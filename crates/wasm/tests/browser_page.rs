//! Browser tests in the page (headless Chromium); the cases are in `browser/cases.rs` and `browser/runtime.rs`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "browser/cases.rs"]
mod cases;
mod common;
#[path = "browser/runtime.rs"]
mod runtime;
