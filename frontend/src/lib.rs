#![recursion_limit = "256"]
//! The browser entry. Pages are rendered on the server; the wasm wakes the few islands on them
//! (`#[island]` components in `app`) and enhances the plain forms (see `enhance`).
mod enhance;

use wasm_bindgen::{prelude::*, JsCast};

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    enhance::install();
    // The islands script wakes each island right after this returns (within the same task): the
    // marker tests wait for is set in the next task, when the page is fully interactive.
    let mark = Closure::once_into_js(|| enhance::ready(true));
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(mark.unchecked_ref(), 0);
    }
}
