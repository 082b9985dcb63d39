pub mod account;
pub mod admin;
pub mod cert;
pub mod followups;
pub mod home;
pub mod login;
pub mod manager;
pub mod metrics;
pub mod plans;
pub mod reports;
pub mod roleplay;
pub mod surveys;
pub mod trainee;
pub mod trainer;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::error_note::ErrorPage;
use crate::i18n::tr;

/// A numeric route parameter (`/plans/:id`), 0 when absent or malformed (the server then says
/// "not found").
pub fn param(name: &str) -> i64 {
    use_params_map().read_untracked().get(name).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// A confirmation after a form: a plain post's redirect carries `?<flag>=1`; with JavaScript the
/// action's own result says so.
pub fn done_note(flag: &'static str, done: Signal<bool>, message_key: &'static str) -> impl IntoView {
    let posted = leptos_router::hooks::use_query_map().read_untracked().get(flag).is_some();
    move || (posted || done.get()).then(|| view! { <p class="alert ok" role="status">{tr(message_key)}</p> })
}

/// True once the action's last submission succeeded.
pub fn succeeded<A>(action: ServerAction<A>) -> Signal<bool>
where
    A: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
{
    Signal::derive(move || action.value().with(|v| matches!(v, Some(Ok(_)))))
}

/// A form that adds something and stays on its page empties itself once its action succeeded, so
/// a second click does not add a duplicate (with JavaScript nothing reloads the page):
/// `<ActionForm action=add node_ref=cleared_on_success(add)>`.
pub fn cleared_on_success<A>(action: ServerAction<A>) -> NodeRef<leptos::html::Form>
where
    A: leptos::server_fn::ServerFn<Error = crate::error::AppError> + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
{
    let form = NodeRef::<leptos::html::Form>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(f) = form.get_untracked() {
                f.reset();
            }
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = action;
    form
}

/// A percentage for a table cell, or a dash when there is none yet.
pub fn percent(p: Option<impl Into<f64>>) -> String {
    p.map(|p| format!("{:.0}%", p.into())).unwrap_or_else(|| "—".into())
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPage status=404/> }
}
