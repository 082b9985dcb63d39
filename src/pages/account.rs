use leptos::prelude::*;

use crate::api::auth::ChangePassword;
use crate::components::error_note::{action_error, ErrorNote};
use crate::components::require::RequireRole;
use crate::i18n::{join_list, tr};
use crate::model::user::Me;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! { <RequireRole view=account/> }
}

fn account(me: Me) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let query = leptos_router::hooks::use_query_map();
    let done = move || {
        matches!(change.value().get(), Some(Ok(())))
            || query.read().get("changed").is_some() && change.value().get().is_none()
    };
    let roles = join_list(me.roles.iter().map(|r| tr(r.label_key())));
    view! {
        <section class="card narrow">
            <h1>{tr("account.title")}</h1>
            <dl>
                <dt>{tr("field.display_name")}</dt><dd>{me.display_name.clone()}</dd>
                <dt>{tr("field.email")}</dt><dd>{me.email.clone()}</dd>
                <dt>{tr("field.employee_no")}</dt><dd>{me.employee_no.clone()}</dd>
                <dt>{tr("field.roles")}</dt><dd>{roles}</dd>
            </dl>
            <h2>{tr("account.change_password")}</h2>
            <ErrorNote error=action_error(change.value())/>
            <Show when=done>
                <p class="alert ok" role="status">{tr("account.password_changed")}</p>
            </Show>
            <ActionForm action=change attr:class="stack">
                <label>{tr("field.current_password")}
                    <input type="password" name="current_password" autocomplete="current-password" required/>
                </label>
                <label>{tr("field.new_password")}
                    <input type="password" name="new_password" autocomplete="new-password" minlength="8" required/>
                </label>
                <label>{tr("field.confirm_password")}
                    <input type="password" name="confirm_password" autocomplete="new-password" minlength="8" required/>
                </label>
                <button type="submit" class="primary">{tr("account.save_password")}</button>
            </ActionForm>
        </section>
    }
}
