use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::auth::{Logout, SetLanguage};
use crate::app::MeResource;
use crate::i18n::{tr, use_locale, Locale};
use crate::model::user::Role;

/// Plain forms (not ActionForm): signing out and switching language reload the whole page,
/// so every part of it is rendered again for the new session or language.
#[component]
pub fn Nav() -> impl IntoView {
    let me = expect_context::<MeResource>().0;
    view! {
        <header class="topbar">
            <a class="brand" href="/">{tr("app.name")}</a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await.ok().flatten().map(|me| {
                        let admin = me.has(Role::Admin);
                        let author = admin || me.has(Role::Trainer);
                        let oversees = admin || me.has(Role::Manager);
                        view! {
                            <nav class="links" aria-label=tr("nav.main")>
                                <a href="/">{tr("nav.home")}</a>
                                <a href="/learn">{tr("nav.learn")}</a>
                                {author.then(|| view! {
                                    <a href="/trainer/courses">{tr("nav.courses")}</a>
                                    <a href="/trainer/quizzes">{tr("nav.quizzes")}</a>
                                    <a href="/trainer/scenarios">{tr("nav.scenarios")}</a>
                                    <a href="/trainer/programs">{tr("nav.programs")}</a>
                                })}
                                <a href="/roleplays">{tr("nav.roleplays")}</a>
                                <a href="/plans">{tr("nav.plans")}</a>
                                {oversees.then(|| view! {
                                    <a href="/team/progress">{tr("nav.progress")}</a>
                                    <a href="/team/roster">{tr("nav.roster")}</a>
                                })}
                                <a href="/notifications">{tr("nav.notifications")}</a>
                                {admin.then(|| view! {
                                    <a href="/admin/users">{tr("nav.users")}</a>
                                    <a href="/admin/teams">{tr("nav.teams")}</a>
                                    <a href="/admin/course-lists">{tr("nav.course_lists")}</a>
                                    <a href="/admin/tokens">{tr("nav.tokens")}</a>
                                })}
                                <a href="/account" class="who">{me.display_name.clone()}</a>
                                <form method="post" action=Logout::PATH class="inline">
                                    <button type="submit" class="link">{tr("nav.logout")}</button>
                                </form>
                            </nav>
                        }
                    })
                })}
            </Suspense>
            <LanguageSwitch/>
        </header>
    }
}

#[component]
fn LanguageSwitch() -> impl IntoView {
    let current = use_locale();
    view! {
        <form method="post" action=SetLanguage::PATH class="inline lang" aria-label=tr("nav.language")>
            {Locale::ALL
                .into_iter()
                .map(|l| {
                    view! {
                        <button type="submit" name="locale" value=l.code() class="link" disabled=l == current lang=l.code()>
                            {l.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </form>
    }
}
