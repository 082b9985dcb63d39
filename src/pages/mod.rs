pub mod account;
pub mod admin;
pub mod home;
pub mod login;
pub mod manager;
pub mod plans;
pub mod trainee;
pub mod trainer;

use leptos::prelude::*;

use crate::i18n::tr;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card">
            <h1>{tr("error.not_found")}</h1>
            <a href="/">{tr("nav.home")}</a>
        </section>
    }
}
