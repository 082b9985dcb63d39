//! Floorready: staff training and certification, and who is cleared for the floor today.

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
    leptos::mount::hydrate_body(app::App);
    // Lets the end-to-end tests wait for hydration instead of guessing with timeouts.
    let _ = js_sys::Reflect::set(&leptos::prelude::window(), &"__floorready_hydrated".into(), &true.into());
}
