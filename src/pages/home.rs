use leptos::prelude::*;

use crate::components::error_note::load_failed;

use crate::api::team::list_teams;
use crate::components::require::RequireRole;
use crate::i18n::{tr, tr_with};
use crate::model::user::{Me, Role};
use crate::pages::trainee::learn::MyCourses;

/// Each role's start page. Later features fill the empty states.
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
                    <MyCourses/>
                    <crate::pages::trainee::quiz::MyQuizzes/>
                    <p class="hint">{tr("home.trainee.empty")}</p>
                </section>
            }
            .into_any(),
            Role::Trainer => view! {
                <section class="card">
                    <h2>{tr("home.trainer.title")}</h2>
                    <p class="empty">{tr("home.trainer.empty")}</p>
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
                    <crate::pages::cert::FloorToday/>
                    <p>
                        <a href="/team/roster">{tr("nav.roster")}</a>" · "
                        <a href="/team/progress">{tr("nav.progress")}</a>" · "<a href="/plans">{tr("nav.plans")}</a>
                    </p>
                    <ManagedTeams/>
                </section>
            }
            .into_any(),
            Role::Admin => card("home.admin.title", "home.admin.empty", Some(("/admin/users", "nav.users"))),
        })
        .collect_view();
    view! {
        <h1>{tr_with("home.greeting", &[("name", me.display_name.clone())])}</h1>
        <div class="grid">{cards}</div>
    }
}

fn card(title: &'static str, body: &'static str, link: Option<(&'static str, &'static str)>) -> AnyView {
    view! {
        <section class="card">
            <h2>{tr(title)}</h2>
            <p class="empty">{tr(body)}</p>
            {link.map(|(href, label)| view! { <a href=href>{tr(label)}</a> })}
        </section>
    }
    .into_any()
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
                            .map(|t| view! { <li>{t.path}" · "{t.member_count}</li> })
                            .collect_view()}
                    </ul>
                }.into_any()
            })}
        </Transition>
    }
}
