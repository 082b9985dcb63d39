use leptos::prelude::*;

use crate::pages::cleared_on_success;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::position::list_positions;
use crate::api::team::list_teams;
use crate::api::user::{get_user, list_users, CreateUser, ImportUsers, ResetUserPassword, SetUserActive, UpdateUser};
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::pager::Pager;
use crate::components::position_picker::PositionPicker;
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{join_list, shown, tr, tr_with, use_locale, Locale};
use crate::model::position::Position;
use crate::model::team::TeamNode;
use crate::model::user::{Me, Role, UserDetail, UserQuery};

#[component]
pub fn UsersPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=users/> }
}

fn users(_me: Me) -> impl IntoView {
    let locale = use_locale();
    let url = use_query_map();
    // The filters live in the address: a filtered list is a link, and works without JavaScript.
    let query = move || {
        let m = url.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        UserQuery {
            q: get("q"),
            team: get("team"),
            role: get("role"),
            status: get("status"),
            missing: get("missing"),
            page: get("page"),
        }
    };
    let list = Resource::new(query, list_users);
    let teams = Resource::new(|| (), |_| list_teams());
    let import = ServerAction::<ImportUsers>::new();
    let imported = move || url.read().get("imported");
    view! {
        <div class="row">
            <h1>{tr("users.title")}</h1>
            <a class="button primary" href="/admin/users/new">{tr("users.new")}</a>
        </div>
        {move || imported().map(|n| view! {
            <p class="alert ok" role="status">{tr_with("users.imported", &[("count", n)])}</p>
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let teams = match teams.await { Ok(t) => t, Err(e) => return load_failed(e) };
                view! { <UserFilters q=query() teams=teams/> }.into_any()
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => load_failed(e),
                    Ok(l) if l.users.is_empty() => view! { <p class="empty">{tr("users.none")}</p> }.into_any(),
                    Ok(l) => view! {
                        <p class="hint">{tr_with("users.count", &[("n", l.total.to_string())])}</p>
                        <table class="list users">
                            <thead><tr>
                                <th>{tr("field.display_name")}</th>
                                <th>{tr("field.employee_no")}</th>
                                <th>{tr("field.email")}</th>
                                <th>{tr("field.team")}</th>
                                <th>{tr("field.position")}</th>
                                <th>{tr("field.hire_date")}</th>
                                <th>{tr("field.roles")}</th>
                                <th>{tr("field.status")}</th>
                            </tr></thead>
                            <tbody>
                                {l.users.into_iter().map(|u| {
                                    let roles = join_list(u.roles.iter().map(|r| tr(r.label_key())));
                                    view! {
                                        <tr class:inactive=!u.active>
                                            <td><a href=format!("/admin/users/{}", u.id)>{u.display_name}</a></td>
                                            <td>{u.employee_no}</td>
                                            <td>{u.email}</td>
                                            <td>{u.team_path.as_ref().map(shown).unwrap_or_else(|| "—".into())}</td>
                                            <td>{match u.position.shown(locale) { "" => "—".to_string(), p => p.to_string() }}</td>
                                            <td>{u.hire_date.map(|d| locale.format_date(d))}</td>
                                            <td>{roles}</td>
                                            <td>{tr(if u.active { "users.active" } else { "users.disabled" })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager path="/admin/users" filters=filters(&query()) page=(l.page - 1) as u32 pages=l.pages as u32/>
                    }.into_any(),
                }
            })}
        </Transition>
        <section class="card">
            <h2>{tr("users.import.title")}</h2>
            <p>{tr("users.import.help")}</p>
            <pre class="sample">"employee_no,display_name,email,position,hire_date,team,roles,password\nE3001,王芳,wang.fang@example.com,售后服务专员,2026-11-01,上海 / 售后服务部,trainee,lantern-orbit-maple"</pre>
            <ErrorNote error=action_error(import.value())/>
            <ActionForm action=import node_ref=cleared_on_success(import) attr:class="stack">
                <label>{tr("users.import.csv")}
                    <TextArea keep=(ImportUsers::PATH, "csv") {..} name="csv" rows="6" required=true/>
                </label>
                <button type="submit">{tr("users.import.submit")}</button>
            </ActionForm>
            // A file works without JavaScript too: the route imports it like pasted text.
            <form method="post" action="/admin/users/import" enctype="multipart/form-data" class="row upload">
                <label>{tr("users.import.file")}
                    <input type="file" name="file" accept=".csv,text/csv" required/>
                </label>
                <button type="submit">{tr("users.import.upload")}</button>
            </form>
        </section>
    }
}

fn filters(q: &UserQuery) -> Vec<(&'static str, String)> {
    vec![
        ("q", q.q.clone()),
        ("team", q.team.clone()),
        ("role", q.role.clone()),
        ("status", q.status.clone()),
        ("missing", q.missing.clone()),
    ]
}

/// A GET form: search text, team (with the teams below it), role, status, and what is missing.
#[component]
fn UserFilters(q: UserQuery, teams: Vec<TeamNode>) -> impl IntoView {
    let option = move |value: &'static str, label: String, current: &str| {
        view! { <option value=value selected=current == value>{label}</option> }
    };
    let roles = Role::ALL.iter().map(|r| option(r.as_str(), tr(r.label_key()), &q.role)).collect_view();
    view! {
        <form method="get" class="filters card" role="search" aria-label=tr("users.filters")>
            <label>{tr("users.search")}
                <input type="search" name="q" value=q.q.clone() placeholder=tr("users.search_placeholder")/>
            </label>
            <label>{tr("field.team")}
                <select name="team">
                    <option value="">{tr("users.any")}</option>
                    {teams.into_iter().map(|t| {
                        let selected = q.team == t.id.to_string();
                        view! { <option value=t.id selected=selected>{shown(&t.path)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{tr("field.roles")}
                <select name="role"><option value="">{tr("users.any")}</option>{roles}</select>
            </label>
            <label>{tr("field.status")}
                <select name="status">
                    <option value="">{tr("users.any")}</option>
                    {option("active", tr("users.active"), &q.status)}
                    {option("disabled", tr("users.disabled"), &q.status)}
                </select>
            </label>
            <label>{tr("users.missing")}
                <select name="missing">
                    <option value="">"—"</option>
                    {option("team", tr("users.missing_team"), &q.missing)}
                    {option("position", tr("users.missing_position"), &q.missing)}
                </select>
            </label>
            <button type="submit">{tr("users.show")}</button>
        </form>
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=new_user/> }
}

fn new_user(_me: Me) -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let teams = Resource::new(|| (), |_| list_teams());
    let positions = Resource::new(|| (), |_| list_positions());
    view! {
        <h1>{tr("users.new")}</h1>
        <ErrorNote error=action_error(create.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let teams = match teams.await { Ok(v) => v, Err(e) => return load_failed(e) };
                let positions = match positions.await { Ok(v) => v, Err(e) => return load_failed(e) };
                view! {
                    <ActionForm action=create attr:class="stack card">
                        <UserFields user=None teams=teams positions=positions/>
                        <label>{tr("field.password")}
                            <input type="password" name="password" autocomplete="new-password" minlength="8" required/>
                        </label>
                        <button type="submit" class="primary">{tr("users.create")}</button>
                    </ActionForm>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn EditUserPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=edit_user/> }
}

fn edit_user(_me: Me) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let update = ServerAction::<UpdateUser>::new();
    let active = ServerAction::<SetUserActive>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let version = move || (id(), update.version().get(), active.version().get(), reset.version().get());
    let user = Resource::new(version, |(id, ..)| get_user(id));
    let teams = Resource::new(|| (), |_| list_teams());
    let positions = Resource::new(|| (), |_| list_positions());
    let saved = move || {
        let pending = update.pending().get() || active.pending().get() || reset.pending().get();
        let failed = [
            update.value().get().map(|r| r.is_err()),
            active.value().get().map(|r| r.is_err()),
            reset.value().get().map(|r| r.is_err()),
        ]
        .into_iter()
        .flatten()
        .any(|e| e);
        !pending && !failed && query.read().get("saved").is_some()
    };
    view! {
        <p><a href="/admin/users">{tr("users.back")}</a></p>
        <Show when=saved>
            <p class="alert ok" role="status">{tr("users.saved")}</p>
        </Show>
        <ErrorNote error=action_error(update.value())/>
        <ErrorNote error=action_error(active.value())/>
        <ErrorNote error=action_error(reset.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let teams = match teams.await { Ok(v) => v, Err(e) => return load_failed(e) };
                let positions = match positions.await { Ok(v) => v, Err(e) => return load_failed(e) };
                match user.await {
                    Err(e) => load_failed(e),
                    Ok(u) => {
                        let id = u.id;
                        let is_active = u.active;
                        view! {
                            <h1>{u.display_name.clone()}</h1>
                            <ActionForm action=update attr:class="stack card">
                                <input type="hidden" name="id" value=id/>
                                <UserFields user=Some(u.clone()) teams=teams.clone() positions=positions/>
                                <ManagedTeams user=u.clone() teams=teams/>
                                <button type="submit" class="primary">{tr("users.save")}</button>
                            </ActionForm>
                            <section class="card">
                                <h2>{tr("users.reset_password")}</h2>
                                <ActionForm action=reset attr:class="stack">
                                    <input type="hidden" name="id" value=id/>
                                    <label>{tr("field.new_password")}
                                        <input type="password" name="password" autocomplete="new-password" minlength="8" required/>
                                    </label>
                                    <button type="submit">{tr("users.reset_password")}</button>
                                </ActionForm>
                            </section>
                            <section class="card">
                                <h2>{tr(if is_active { "users.disable" } else { "users.enable" })}</h2>
                                <p>{tr(if is_active { "users.disable_help" } else { "users.enable_help" })}</p>
                                <ActionForm action=active>
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="active" value=(!is_active).to_string()/>
                                    <button type="submit" class=if is_active { "danger" } else { "" }>
                                        {tr(if is_active { "users.disable" } else { "users.enable" })}
                                    </button>
                                </ActionForm>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The fields shared by the create and edit forms.
#[component]
fn UserFields(user: Option<UserDetail>, teams: Vec<TeamNode>, positions: Vec<Position>) -> impl IntoView {
    let u = user.unwrap_or(UserDetail {
        id: 0,
        display_name: String::new(),
        email: String::new(),
        employee_no: String::new(),
        position_id: None,
        position: Default::default(),
        hire_date: None,
        locale: Locale::ZhCn,
        team_id: None,
        roles: vec![Role::Trainee],
        managed_team_ids: vec![],
        active: true,
    });
    let role_boxes = Role::ALL
        .iter()
        .enumerate()
        .map(|(i, r)| {
            view! {
                <label class="check">
                    <input type="checkbox" name=format!("roles[{i}]") value=r.as_str() checked=u.roles.contains(r)/>
                    {tr(r.label_key())}
                </label>
            }
        })
        .collect_view();
    let team_options = teams
        .iter()
        .map(|t| view! { <option value=t.id selected=u.team_id == Some(t.id)>{shown(&t.path)}</option> })
        .collect_view();
    let locale_options = Locale::ALL
        .iter()
        .map(|l| view! { <option value=l.code() selected=u.locale == *l>{l.native_name()}</option> })
        .collect_view();
    view! {
        <label>{tr("field.display_name")}<input name="display_name" value=u.display_name required/></label>
        <label>{tr("field.employee_no")}<input name="employee_no" value=u.employee_no required/></label>
        <label>{tr("field.email")}<input type="email" name="email" value=u.email required/></label>
        <label>{tr("field.position")}<PositionPicker positions=positions selected=u.position_id/></label>
        <label>{tr("field.hire_date")}<input type="date" name="hire_date" value=u.hire_date.unwrap_or_default()/></label>
        <label>{tr("field.team")}
            <select name="team_id">
                <option value="">{tr("users.no_team")}</option>
                {team_options}
            </select>
        </label>
        <label>{tr("field.locale")}<select name="locale">{locale_options}</select></label>
        <fieldset>
            <legend>{tr("field.roles")}</legend>
            {role_boxes}
        </fieldset>
    }
}

#[component]
fn ManagedTeams(user: UserDetail, teams: Vec<TeamNode>) -> impl IntoView {
    let boxes = teams
        .iter()
        .enumerate()
        .map(|(i, t)| {
            view! {
                <label class=format!("check depth-{}", t.depth.min(4))>
                    <input type="checkbox" name=format!("managed_teams[{i}]") value=t.id checked=user.managed_team_ids.contains(&t.id)/>
                    {shown(&t.name)}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset>
            <legend>{tr("users.managed_teams")}</legend>
            <p class="hint">{tr("users.managed_teams_help")}</p>
            {boxes}
        </fieldset>
    }
}
