use leptos::prelude::*;

use crate::components::error_note::load_failed;

use crate::api::team::list_teams;
use crate::api::todo::{get_admin_todo, get_trainee_next, get_trainer_todo};
use crate::components::require::RequireRole;
use crate::i18n::{join_list, show_time, shown, tr, tr_with, use_locale};
use crate::model::user::{Me, Role};
use crate::pages::trainee::learn::MyCourses;

/// Each role's start page: what is waiting for them first, then the way to the rest.
#[component]
pub fn HomePage() -> impl IntoView {
    view! { <RequireRole view=home/> }
}

fn home(me: Me) -> impl IntoView {
    let cards = me
        .roles
        .iter()
        .map(|role| match role {
            Role::Trainee => view! {
                <section class="card">
                    <h2>{tr("home.trainee.title")}</h2>
                    <crate::pages::cert::MyPath/>
                    <WhatNext/>
                    <MyCourses/>
                    <crate::pages::trainee::quiz::MyQuizzes/>
                </section>
            }
            .into_any(),
            Role::Trainer => view! {
                <section class="card">
                    <h2>{tr("home.trainer.title")}</h2>
                    <TrainerTodoList/>
                    <p>
                        <a href="/trainer/courses">{tr("nav.courses")}</a>" · "
                        <a href="/trainer/quizzes">{tr("nav.quizzes")}</a>" · "
                        <a href="/trainer/banks">{tr("nav.banks")}</a>" · "
                        <a href="/trainer/grading">{tr("nav.grading")}</a>
                    </p>
                </section>
            }
            .into_any(),
            Role::Manager => view! {
                <section class="card">
                    <h2>{tr("home.manager.title")}</h2>
                    <p>
                        <a href="/team/roster">{tr("nav.roster")}</a>" · "
                        <a href="/team/progress">{tr("nav.progress")}</a>" · "<a href="/plans">{tr("nav.plans")}</a>
                    </p>
                    <ManagedTeams/>
                </section>
            }
            .into_any(),
            Role::Admin => view! {
                <section class="card">
                    <h2>{tr("home.admin.title")}</h2>
                    <SetupGaps/>
                    <p>
                        <a href="/admin/users">{tr("nav.users")}</a>" · "
                        <a href="/admin/teams">{tr("nav.teams")}</a>" · "
                        <a href="/admin/positions">{tr("nav.positions")}</a>
                    </p>
                </section>
            }
            .into_any(),
        })
        .collect_view();
    // Managers and admins see their figures first (on a phone, before the links), full width.
    let figures = (me.roles.contains(&Role::Manager) || me.roles.contains(&Role::Admin))
        .then(|| view! { <crate::pages::manager::dashboard::ManagerDashboard/> });
    view! {
        <h1>{tr_with("home.greeting", &[("name", me.display_name.clone())])}</h1>
        {figures}
        <div class="grid">{cards}</div>
    }
}

#[component]
fn ManagedTeams() -> impl IntoView {
    let teams = Resource::new(|| (), |_| list_teams());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let teams = match teams.await { Ok(v) => v, Err(e) => return load_failed(e) };
                view! {
                    <h3>{tr("home.manager.teams")}</h3>
                    <ul class="teams">
                        {teams
                            .into_iter()
                            .map(|t| view! { <li>{shown(&t.path)}" · "{t.member_count}</li> })
                            .collect_view()}
                    </ul>
                }.into_any()
            })}
        </Transition>
    }
}

/// Essays to grade, role-plays waiting for this trainer's rating, and today's sessions.
#[component]
fn TrainerTodoList() -> impl IntoView {
    let todo = Resource::new(|| (), |_| get_trainer_todo());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let t = match todo.await { Ok(t) => t, Err(e) => return load_failed(e) };
                let sessions = t.sessions.into_iter().map(|s| {
                    let what = if s.topic.is_empty() { shown(&s.plan_title) } else { format!("{}: {}", shown(&s.plan_title), s.topic) };
                    view! {
                        <li>
                            <a href=format!("/plans/{}/sessions/{}", s.plan_id, s.session_id)>
                                <strong>{format!("{}–{}", s.start_time, s.end_time)}</strong>" "{what}
                            </a>
                            {(!s.venue.is_empty()).then(|| view! { <span class="hint">" · "{s.venue.clone()}</span> })}
                        </li>
                    }
                }).collect_view();
                view! {
                    <ul class="todo">
                        <li class:done=t.essays == 0>
                            <a href="/trainer/grading">{tr_with("home.trainer.essays", &[("n", t.essays.to_string())])}</a>
                        </li>
                        <li class:done=t.roleplays == 0>
                            <a href="/roleplays">{tr_with("home.trainer.roleplays", &[("n", t.roleplays.to_string())])}</a>
                        </li>
                    </ul>
                    <h3>{tr("home.trainer.today")}</h3>
                    {if sessions.is_empty() {
                        view! { <p class="empty">{tr("home.trainer.no_sessions")}</p> }.into_any()
                    } else {
                        view! { <ul class="todo sessions">{sessions}</ul> }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>
    }
}

/// What stops the product working for everyone, each with the page that fixes it.
#[component]
fn SetupGaps() -> impl IntoView {
    let todo = Resource::new(|| (), |_| get_admin_todo());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let t = match todo.await { Ok(t) => t, Err(e) => return load_failed(e) };
                if t.is_empty() {
                    return view! { <p class="alert ok">{tr("home.admin.no_gaps")}</p> }.into_any();
                }
                let count = |n: i64, key: &str, href: &'static str| (n > 0).then(|| view! {
                    <li><a href=href>{tr_with(key, &[("n", n.to_string())])}</a></li>
                });
                let programs = t.programs_without_requirements.into_iter().map(|(id, name)| view! {
                    <li><a href=format!("/trainer/programs/{id}")>{tr_with("home.admin.program_without_requirements", &[("program", shown(&name))])}</a></li>
                }).collect_view();
                let sites = (!t.sites_without_time_zone.is_empty()).then(|| view! {
                    <li><a href="/admin/teams">{tr_with("home.admin.sites_without_zone", &[("sites", join_list(t.sites_without_time_zone.iter().map(shown)))])}</a></li>
                });
                let tokens = t.expiring_tokens.iter().map(|k| {
                    let key = if k.expired { "home.admin.token_expired" } else { "home.admin.token_expiring" };
                    view! {
                        <li><a href="/admin/tokens">{tr_with(key, &[("name", k.name.clone()), ("date", show_time(k.expires_at))])}</a></li>
                    }
                }).collect_view();
                view! {
                    <h3>{tr("home.admin.gaps")}</h3>
                    <ul class="todo">
                        {count(t.people_without_team, "home.admin.without_team", "/admin/users?missing=team")}
                        {count(t.trainees_without_position, "home.admin.without_position", "/admin/users?missing=position&role=trainee")}
                        {programs}
                        {sites}
                        {tokens}
                    </ul>
                }.into_any()
            })}
        </Transition>
    }
}

/// For a trainee with no path to the floor yet: why, and whom to ask.
#[component]
fn WhatNext() -> impl IntoView {
    let next = Resource::new(|| (), |_| get_trainee_next());
    let locale = use_locale();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let n = match next.await { Ok(n) => n, Err(e) => return load_failed(e) };
                if n.programs > 0 {
                    return ().into_any();
                }
                let why = match &n.position {
                    None => tr("home.trainee.no_position"),
                    Some(p) => tr_with("home.trainee.no_program", &[("position", p.shown(locale).to_string())]),
                };
                let ask = if n.managers.is_empty() {
                    tr("home.trainee.ask_admin")
                } else {
                    tr_with("home.trainee.ask", &[("managers", join_list(n.managers.clone()))])
                };
                view! {
                    <div class="alert next">
                        <p><strong>{why}</strong></p>
                        <p>{tr("home.trainee.what_next")}</p>
                        <p>{ask}</p>
                    </div>
                }.into_any()
            })}
        </Transition>
    }
}
