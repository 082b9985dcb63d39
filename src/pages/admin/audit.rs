//! The audit log: who did what and when, filtered by person, action and date, and whether the
//! hash chain still holds (an edited or deleted entry breaks it from there on).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::audit::get_audit_log;
use crate::components::error_note::load_failed;
use crate::components::pager::Pager;
use crate::components::require::RequireRole;
use crate::i18n::{show_time, tr, tr_with};
use crate::model::audit::{AuditEntry, AuditQuery, ChainState};
use crate::model::user::{Me, Role};

#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=audit/> }
}

/// `audit.{group}.{code}` in the reader's language; a code without a name shows as it is.
fn label(group: &str, code: &str) -> String {
    let key = format!("audit.{group}.{code}");
    match tr(&key) {
        t if t.ends_with(&key) => code.to_string(),
        t => t,
    }
}

fn action_label(action: &str) -> String {
    label("action", action)
}

fn audit(_me: Me) -> impl IntoView {
    let url = use_query_map();
    // The filters live in the address: a filtered log is a link, and works without JavaScript.
    let query = move || {
        let m = url.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        AuditQuery { person: get("person"), action: get("action"), from: get("from"), to: get("to"), page: get("page") }
    };
    let log = Resource::new(query, get_audit_log);
    view! {
        <h1>{tr("audit.title")}</h1>
        <p class="hint">{tr("audit.help")}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let q = query();
                let log = match log.await { Ok(l) => l, Err(e) => return load_failed(e) };
                let chain = match log.chain {
                    ChainState::Intact { checked } => view! {
                        <p class="alert ok chain" role="status">
                            <span aria-hidden="true">"✓ "</span>{tr_with("audit.chain_intact", &[("n", checked.to_string())])}
                        </p>
                    }.into_any(),
                    ChainState::BrokenAt { id } => view! {
                        <p class="alert error chain" role="alert">
                            <span aria-hidden="true">"✗ "</span>{tr_with("audit.chain_broken", &[("id", id.to_string())])}
                        </p>
                    }.into_any(),
                };
                let actions = log.actions.iter().map(|a| {
                    let selected = *a == q.action;
                    view! { <option value=a.clone() selected=selected>{action_label(a)}</option> }
                }).collect_view();
                let filters = vec![
                    ("person", q.person.clone()),
                    ("action", q.action.clone()),
                    ("from", q.from.clone()),
                    ("to", q.to.clone()),
                ];
                view! {
                    {chain}
                    <form method="get" class="filters card" role="search" aria-label=tr("audit.filters")>
                        <label>{tr("audit.person")}
                            <input type="search" name="person" value=q.person.clone() placeholder=tr("users.search_placeholder")/>
                        </label>
                        <label>{tr("audit.action_label")}
                            <select name="action"><option value="">{tr("users.any")}</option>{actions}</select>
                        </label>
                        <label>{tr("audit.from")}<input type="date" name="from" value=q.from.clone()/></label>
                        <label>{tr("audit.to")}<input type="date" name="to" value=q.to.clone()/></label>
                        <button type="submit">{tr("users.show")}</button>
                    </form>
                    <p class="hint">{tr_with("audit.count", &[("n", log.total.to_string())])}</p>
                    {if log.entries.is_empty() {
                        view! { <p class="empty">{tr("audit.none")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="list audit">
                                <thead><tr>
                                    <th>{tr("audit.when")}</th><th>{tr("audit.who")}</th><th>{tr("audit.action_label")}</th>
                                    <th>{tr("audit.about")}</th><th>{tr("audit.detail")}</th>
                                </tr></thead>
                                <tbody>{log.entries.into_iter().map(entry_row).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }}
                    <Pager path="/admin/audit" filters=filters page=log.page pages=log.pages/>
                }.into_any()
            })}
        </Transition>
    }
}

fn entry_row(e: AuditEntry) -> impl IntoView {
    let about = match (&e.subject_person, e.subject_id) {
        (Some(p), _) => p.clone(),
        (None, Some(id)) => format!("{} #{id}", label("subject", &e.subject_type)),
        (None, None) => label("subject", &e.subject_type),
    };
    // Long details (a status change's evidence) fold away; the first line says what it is.
    let detail = if e.detail.chars().count() > 80 {
        let head: String = e.detail.chars().take(80).collect();
        view! { <details><summary>{format!("{head}…")}</summary><code>{e.detail}</code></details> }.into_any()
    } else {
        view! { <span>{e.detail}</span> }.into_any()
    };
    view! {
        <tr>
            <td data-label=tr("audit.when")>{show_time(e.at)}</td>
            <td data-label=tr("audit.who")>
                {e.actor.unwrap_or_else(|| tr("audit.system"))}
                {(!e.ip.is_empty()).then(|| view! { <span class="hint">" · "{e.ip}</span> })}
            </td>
            <td data-label=tr("audit.action_label")>{action_label(&e.action)}</td>
            <td data-label=tr("audit.about")>{about}</td>
            <td data-label=tr("audit.detail") class="detail">{detail}</td>
        </tr>
    }
}
