use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::app::MeResource;
use crate::components::error_note::ErrorPage;
use crate::model::user::{Me, Role};

/// Renders `view` for a signed-in user holding one of `roles` (any role if empty); sends
/// everyone else to the login page or shows "not allowed". Comfort only: every server
/// function checks again.
#[component]
pub fn RequireRole<F, V>(#[prop(optional)] roles: Vec<Role>, view: F) -> impl IntoView
where
    F: Fn(Me) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let me = expect_context::<MeResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let view = view.clone();
                let roles = roles.clone();
                Suspend::new(async move {
                    match me.await.ok().flatten() {
                        None => view! { <Redirect path="/login"/> }.into_any(),
                        Some(me) if roles.is_empty() || roles.iter().any(|r| me.has(*r)) => view(me).into_any(),
                        Some(_) => view! { <ErrorPage status=403/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
