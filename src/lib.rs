//! Floorready: staff training and certification, and who is cleared for the floor today.

// Leptos view types nest deeply; a clean wasm build computes their layouts past rustc's default
// depth of 128 where an incremental one did not. Pages still erase big parts with `into_any()`.
#![recursion_limit = "256"]

// Translations are compiled in from `locales/`; every lookup names its locale explicitly
// because one server renders for many users at once.
rust_i18n::i18n!("locales", fallback = "en");

pub mod api;
pub mod app;
pub mod components;
pub mod error;
pub mod i18n;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A refused plain-form post comes back as its form's page at the server function's address:
    // the router must read the page's own address, or it hydrates another route over it.
    let document = leptos::prelude::document();
    if let Some(page) = document.document_element().and_then(|e| e.get_attribute("data-page")) {
        if let Ok(history) = leptos::prelude::window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&page));
        }
    }
    leptos::mount::hydrate_body(app::App);
    // Lets the end-to-end tests wait for hydration instead of guessing with timeouts.
    let _ = js_sys::Reflect::set(&leptos::prelude::window(), &"__floorready_hydrated".into(), &true.into());
}
