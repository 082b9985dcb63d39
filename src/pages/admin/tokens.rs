//! API tokens for rostering and ticket-routing systems: create (the token is shown once),
//! limit to a team, revoke.

use leptos::prelude::*;

use crate::api::cert::{list_tokens, CreateToken, RevokeToken};
use crate::api::team::list_teams;
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr};
use crate::model::user::{Me, Role};
use crate::pages::cert::day;

#[component]
pub fn TokensPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=tokens/> }
}

fn tokens(_me: Me) -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let data = Resource::new(move || create.version().get() + revoke.version().get(), |_| list_tokens());
    let teams = Resource::new(|| (), |_| list_teams());
    view! {
        <h1>{tr("token.title")}</h1>
        <p class="hint">{tr("token.help")}</p>
        <ErrorNote error=action_error(create.value())/>
        <ErrorNote error=action_error(revoke.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let (list, fresh) = match data.await {
                    Err(e) => return load_failed(e),
                    Ok(d) => d,
                };
                // With JavaScript the action holds the new token; without, the page request carries it.
                let fresh = create.value().get_untracked().and_then(|r| r.ok()).or(fresh);
                view! {
                    {fresh.map(|t| view! {
                        <div class="alert ok" role="status">
                            <p>{tr("token.created")}</p>
                            <pre class="sample token">{t}</pre>
                        </div>
                    })}
                    <table class="list tokens">
                        <thead><tr>
                            <th>{tr("field.name")}</th><th>{tr("token.scope")}</th><th>{tr("field.team")}</th>
                            <th>{tr("token.created_at")}</th><th>{tr("token.last_used")}</th>
                            <th>{tr("token.expires")}</th><th></th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|t| {
                            let id = t.id;
                            let revoked = t.revoked_at.is_some();
                            let expired = t.expired;
                            view! {
                                <tr class:inactive=revoked || expired>
                                    <td><strong>{t.name}</strong></td>
                                    <td data-label=tr("token.scope")>{t.scope}</td>
                                    <td data-label=tr("field.team")>{t.team.as_ref().map(shown).unwrap_or_else(|| tr("token.all_teams"))}</td>
                                    <td data-label=tr("token.created_at")>{day(t.created_at)}</td>
                                    <td data-label=tr("token.last_used")>{t.last_used_at.map(day).unwrap_or_else(|| "—".into())}</td>
                                    <td data-label=tr("token.expires")>{t.expires_at.map(day).unwrap_or_else(|| "—".into())}</td>
                                    <td>{if revoked {
                                        view! { <span>{tr("token.revoked")}</span> }.into_any()
                                    } else if expired {
                                        view! { <span>{tr("token.expired")}</span> }.into_any()
                                    } else {
                                        view! {
                                            <ActionForm action=revoke attr:class="inline">
                                                <input type="hidden" name="id" value=id/>
                                                <button type="submit" class="danger">{tr("token.revoke")}</button>
                                            </ActionForm>
                                        }.into_any()
                                    }}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Transition>
        <section class="card">
            <h2>{tr("token.new")}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let teams = match teams.await { Ok(v) => v, Err(e) => return load_failed(e) };
                    view! {
                        <ActionForm action=create attr:class="stack">
                            <label>{tr("field.name")}<input name="name" required maxlength="100"/></label>
                            <fieldset>
                                <legend>{tr("token.scope")}</legend>
                                <label class="choice"><input type="radio" name="scope" value="clearance:read" checked/>" "{tr("token.scope_clearance")}</label>
                                <label class="choice"><input type="radio" name="scope" value="metrics:write"/>" "{tr("token.scope_metrics")}</label>
                            </fieldset>
                            <label>{tr("field.team")}
                                <select name="team_id">
                                    <option value="">{tr("token.all_teams")}</option>
                                    {teams.into_iter().map(|t| view! { <option value=t.id>{shown(&t.path)}</option> }).collect_view()}
                                </select>
                            </label>
                            <label>{tr("field.valid_days")}
                                <input type="number" name="valid_days" min="1" max="730" value="365" required/>
                            </label>
                            <p class="hint">{tr("token.valid_days_help")}</p>
                            <button type="submit" class="primary">{tr("token.create")}</button>
                        </ActionForm>
                    }.into_any()
                })}
            </Transition>
        </section>
    }
}
