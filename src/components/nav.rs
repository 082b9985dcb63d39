use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::auth::{Logout, SetLanguage};
use crate::app::{MeResource, OrgResource};
use crate::i18n::{tr, use_locale, Locale};
use crate::model::organisation::OrgImage;
use crate::model::user::Role;

/// The header: the organisation's logo and name (the product's until an admin sets them), the menu grouped by area, the person and the language switch.
/// Groups are `<details>` and the phone menu a checkbox, so all of it opens without JavaScript.
/// Signing out and switching language are plain forms (not ActionForm): they reload the whole
/// page, so every part of it is rendered again for the new session or language.
#[component]
pub fn Nav() -> impl IntoView {
    let me = expect_context::<MeResource>().0;
    let org = expect_context::<OrgResource>().0;
    let locale = use_locale();
    view! {
        <header class="topbar" on:click=close_menus>
            <Suspense fallback=|| view! { <a class="brand" href="/">{tr("app.name")}</a> }>
                {move || Suspend::new(async move {
                    let o = org.await.unwrap_or_default();
                    let name = match o.name.shown(locale) {
                        "" => tr("app.name"),
                        n => n.to_string(),
                    };
                    view! {
                        <a class="brand" href="/">
                            {o.image_url(OrgImage::Logo).map(|src| view! { <img class="logo" src=src alt=""/> })}
                            <span>{name}</span>
                        </a>
                    }
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await.ok().flatten().map(|me| {
                        let admin = me.has(Role::Admin);
                        let author = admin || me.has(Role::Trainer);
                        let oversees = admin || me.has(Role::Manager);
                        view! {
                            <input type="checkbox" id="menu-toggle" class="menu-toggle" aria-controls="main-menu"/>
                            <label for="menu-toggle" class="menu-button">{tr("nav.menu")}</label>
                            <nav class="links" id="main-menu" aria-label=tr("nav.main")>
                                <a href="/">{tr("nav.home")}</a>
                                <Group title="nav.group_learning">
                                    <a href="/learn">{tr("nav.learn")}</a>
                                    <a href="/roleplays">{tr("nav.roleplays")}</a>
                                    <a href="/plans">{tr("nav.plans")}</a>
                                    <a href="/surveys">{tr("nav.surveys")}</a>
                                    <a href="/followups">{tr("nav.followups")}</a>
                                </Group>
                                {author.then(|| view! {
                                    <Group title="nav.group_authoring">
                                        <a href="/trainer/courses">{tr("nav.courses")}</a>
                                        <a href="/trainer/banks">{tr("nav.banks")}</a>
                                        <a href="/trainer/quizzes">{tr("nav.quizzes")}</a>
                                        <a href="/trainer/grading">{tr("nav.grading")}</a>
                                        <a href="/trainer/rubrics">{tr("nav.rubrics")}</a>
                                        <a href="/trainer/scenarios">{tr("nav.scenarios")}</a>
                                        <a href="/trainer/calibration">{tr("nav.calibration")}</a>
                                        <a href="/trainer/programs">{tr("nav.programs")}</a>
                                        <a href="/trainer/forms">{tr("nav.forms")}</a>
                                        <a href="/trainer/surveys">{tr("nav.survey_results")}</a>
                                        {(!oversees).then(|| view! {
                                            <a href="/reports/pass-rates">{tr("nav.pass_rates")}</a>
                                            <a href="/reports/roleplay-criteria">{tr("nav.roleplay_criteria")}</a>
                                            <a href="/reports/gains">{tr("nav.gains")}</a>
                                            <a href="/reports/on-the-job">{tr("nav.on_the_job")}</a>
                                        })}
                                    </Group>
                                })}
                                {oversees.then(|| view! {
                                    <Group title="nav.group_team">
                                        <a href="/team/roster">{tr("nav.roster")}</a>
                                        <a href="/team/progress">{tr("nav.progress")}</a>
                                        <a href="/followups">{tr("nav.followups")}</a>
                                        <a href="/reports/pass-rates">{tr("nav.pass_rates")}</a>
                                        <a href="/reports/roleplay-criteria">{tr("nav.roleplay_criteria")}</a>
                                        <a href="/reports/gains">{tr("nav.gains")}</a>
                                        <a href="/reports/on-the-job">{tr("nav.on_the_job")}</a>
                                        <a href="/team/metrics">{tr("nav.metric_entry")}</a>
                                        {(!author).then(|| view! { <a href="/trainer/surveys">{tr("nav.survey_results")}</a> })}
                                    </Group>
                                })}
                                {admin.then(|| view! {
                                    <Group title="nav.group_admin">
                                        <a href="/admin/users">{tr("nav.users")}</a>
                                        <a href="/admin/teams">{tr("nav.teams")}</a>
                                        <a href="/admin/positions">{tr("nav.positions")}</a>
                                        <a href="/admin/organisation">{tr("nav.organisation")}</a>
                                        <a href="/admin/course-lists">{tr("nav.course_lists")}</a>
                                        <a href="/admin/metrics">{tr("nav.metrics")}</a>
                                        <a href="/admin/tokens">{tr("nav.tokens")}</a>
                                        <a href="/admin/audit">{tr("nav.audit")}</a>
                                    </Group>
                                })}
                                <a href="/notifications">{tr("nav.notifications")}</a>
                                <span class="me">
                                    <a href="/account" class="who">{me.display_name.clone()}</a>
                                    <form method="post" action=Logout::PATH class="inline">
                                        <button type="submit" class="link">{tr("nav.logout")}</button>
                                    </form>
                                </span>
                            </nav>
                        }
                    })
                })}
            </Suspense>
            <LanguageSwitch/>
        </header>
    }
}

/// One area of the menu, opening on a click (a `<details>`, so without JavaScript too).
#[component]
fn Group(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <details class="group">
            <summary>{tr(title)}</summary>
            <div class="group-links">{children()}</div>
        </details>
    }
}

/// With the client router a link does not reload the page, so the menu closes itself when a link
/// in it is followed (or another group is opened).
#[allow(unused_variables)]
fn close_menus(ev: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        let on_link = target.closest("a").ok().flatten().is_some();
        let on_summary = target.closest("summary").ok().flatten();
        let Ok(open) = document().query_selector_all(".topbar details[open]") else { return };
        for i in 0..open.length() {
            let Some(details) = open.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else { continue };
            let clicked_own = on_summary.as_ref().is_some_and(|s| s.parent_element().as_ref() == Some(&details));
            if on_link || !clicked_own {
                let _ = details.remove_attribute("open");
            }
        }
        if on_link {
            if let Some(toggle) =
                document().get_element_by_id("menu-toggle").and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                toggle.set_checked(false);
            }
        }
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
