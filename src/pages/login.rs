use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::api::auth::Login;
use crate::components::error_note::{action_error, ErrorNote};
use crate::i18n::tr;

#[component]
pub fn LoginPage() -> impl IntoView {
    // Reads the error of a failed sign-in back from the URL (no-JavaScript path).
    let action = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <section class="card narrow">
            <h1>{tr("login.title")}</h1>
            <ErrorNote error=action_error(action.value())/>
            // A plain form: a successful sign-in reloads the whole page under the new session.
            <form method="post" action=Login::PATH class="stack">
                <label>
                    {tr("login.login")}
                    <input name="login" autocomplete="username" required autofocus/>
                </label>
                <label>
                    {tr("login.password")}
                    <input type="password" name="password" autocomplete="current-password" required/>
                </label>
                <input type="hidden" name="next" value=next/>
                <button type="submit" class="primary">{tr("login.submit")}</button>
            </form>
        </section>
    }
}
