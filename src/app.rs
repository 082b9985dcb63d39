//! The HTML shell, the `App` root and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::api::auth::get_me;
use crate::components::nav::Nav;
use crate::i18n::{tr, Locale, Zone};
use crate::model::user::Me;
use crate::pages::{
    account::AccountPage, admin, cert, followups, home::HomePage, login::LoginPage, manager, metrics, plans, reports,
    roleplay, surveys, trainee, trainer, NotFound,
};

/// The signed-in user, loaded once per page and shared by every component.
#[derive(Clone, Copy)]
pub struct MeResource(pub Resource<Result<Option<Me>, crate::error::AppError>>);

/// The organisation (name, logo, seal), loaded once per page for the header and certificates.
#[derive(Clone, Copy)]
pub struct OrgResource(pub Resource<Result<crate::model::organisation::Organisation, crate::error::AppError>>);

/// The locale the server chose for this request.
#[cfg(feature = "ssr")]
fn request_locale() -> Locale {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::server::http::request::RequestAuth>().map(|a| a.locale))
        .unwrap_or_default()
}

/// The viewer's time zone, chosen by the server for this request.
#[cfg(feature = "ssr")]
fn request_zone() -> Zone {
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::server::http::request::RequestAuth>().map(|a| a.zone))
        .unwrap_or_default()
}

/// A refused plain-form post, answered with its form's page at the server function's address
/// (`server::http::refusals`). The shell writes it into `<html>` so the browser hydrates the same
/// page: `hydrate` puts the page's address back, and `App` hands the refusal and the posted text to
/// the page as the server did.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The form's page (path and query).
    pub page: String,
    /// The server function's path and its error, encoded as Leptos puts them in `__path`/`__err`.
    pub fn_path: String,
    pub err: String,
    /// The posted fields, form-encoded.
    pub posted: String,
}

/// Reads back what the shell wrote of a [`Refused`] post (nothing on an ordinary page).
#[cfg(feature = "hydrate")]
fn refused_from_document() -> Option<Refused> {
    let html = document().document_element()?;
    let attr = |name: &str| html.get_attribute(name);
    Some(Refused {
        page: attr("data-page")?,
        fn_path: attr("data-refused-fn")?,
        err: attr("data-refused-err")?,
        posted: attr("data-posted").unwrap_or_default(),
    })
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (locale, zone) = (request_locale(), request_zone());
    #[cfg(not(feature = "ssr"))]
    let (locale, zone) = (Locale::default(), Zone::default());
    let refused = use_context::<Refused>();
    let attr = move |f: fn(&Refused) -> &String| refused.as_ref().map(|r| f(r).clone());
    let (page, fn_path, err, posted) = (attr(|r| &r.page), attr(|r| &r.fn_path), attr(|r| &r.err), attr(|r| &r.posted));
    #[cfg(feature = "ssr")]
    set_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang=locale.code() data-tz=zone.name() data-page=page data-refused-fn=fn_path data-refused-err=err
            data-posted=posted>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Scripts run only from our origin or with this response's nonce (the hydration bootstrap).
#[cfg(feature = "ssr")]
fn set_page_csp() {
    let Some(nonce) = leptos::nonce::use_nonce() else { return };
    let Some(res) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'"
    );
    if let Ok(v) = http::HeaderValue::from_str(&csp) {
        res.append_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
}

/// Counts every form submission on the page (in the capture phase, before any handler can stop
/// it), so error notes know when the user has moved on.
#[cfg(feature = "hydrate")]
fn count_submits(submits: crate::components::error_note::Submits) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let on_submit = Closure::<dyn Fn(web_sys::Event)>::new(move |_| submits.0.update(|n| *n += 1));
    let _ = document().add_event_listener_with_callback_and_bool("submit", on_submit.as_ref().unchecked_ref(), true);
    // Lives as long as the page.
    on_submit.forget();
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    let (locale, zone) = (request_locale(), request_zone());
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    let (locale, zone) = (crate::i18n::locale_from_document(), crate::i18n::zone_from_document());
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    let (locale, zone) = (Locale::default(), Zone::default());
    provide_context(locale);
    provide_context(zone);
    // The server provides these while rendering a refused plain-form post; the browser reads them
    // back, so the page hydrates with the same refusal and the same posted text.
    #[cfg(feature = "hydrate")]
    if let Some(r) = refused_from_document() {
        provide_context(leptos::server::ServerActionError::new(&r.fn_path, &r.err));
        let fields = form_urlencoded::parse(r.posted.as_bytes()).into_owned().collect();
        provide_context(crate::components::text_area::PostedForm { action: r.fn_path, fields });
    }
    let submits = crate::components::error_note::Submits(RwSignal::new(0));
    provide_context(submits);
    #[cfg(feature = "hydrate")]
    count_submits(submits);
    let me = Resource::new_blocking(|| (), |_| get_me());
    provide_context(MeResource(me));
    let org = Resource::new_blocking(|| (), |_| crate::api::organisation::get_organisation());
    provide_context(OrgResource(org));

    // Async SSR: every page arrives complete, so it reads right without JavaScript (out-of-order
    // streaming would need a script to move late Suspense content into place).
    view! {
        <Stylesheet id="leptos" href="/pkg/floorready.css"/>
        <Title text=tr("app.title")/>
        <Router>
            <Nav/>
            <main class="page">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=admin::users::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users/new") view=admin::users::NewUserPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users/:id") view=admin::users::EditUserPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/teams") view=admin::teams::TeamsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/positions") view=admin::positions::PositionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/organisation") view=admin::organisation::OrganisationPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/course-lists") view=admin::course_lists::CourseListsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=admin::audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/courses") view=trainer::courses::CoursesPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/courses/:id") view=trainer::courses::CourseEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/courses/:id/preview") view=trainer::courses::CoursePreviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/banks") view=trainer::banks::BanksPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/banks/:id") view=trainer::banks::BankPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/quizzes") view=trainer::quizzes::QuizzesPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/quizzes/:id") view=trainer::quizzes::QuizEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/quizzes/:id/results") view=trainer::quizzes::QuizResultsPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/quizzes/:id/statistics") view=trainer::quiz_stats::QuizStatisticsPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/grading") view=trainer::quizzes::GradingPage ssr=SsrMode::Async/>
                    <Route path=path!("/quiz/:id") view=trainee::quiz::QuizIntroPage ssr=SsrMode::Async/>
                    <Route path=path!("/attempt/:id") view=trainee::quiz::AttemptPage ssr=SsrMode::Async/>
                    <Route path=path!("/attempt/:id/result") view=trainee::quiz::AttemptResultPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/forms") view=surveys::FormsPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/forms/new") view=surveys::FormEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/forms/:id") view=surveys::FormEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/surveys") view=surveys::SurveyResultsListPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/surveys/:id") view=surveys::SurveyResultsPage ssr=SsrMode::Async/>
                    <Route path=path!("/surveys") view=surveys::MySurveysPage ssr=SsrMode::Async/>
                    <Route path=path!("/followups") view=followups::MyFollowupsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/metrics") view=metrics::MetricsAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/team/metrics") view=metrics::MetricEntryPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/on-the-job") view=reports::transfer::TransferPage ssr=SsrMode::Async/>
                    <Route path=path!("/followups/:id") view=followups::FollowupPage ssr=SsrMode::Async/>
                    <Route path=path!("/surveys/:id") view=surveys::SurveyPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/rubrics") view=trainer::roleplay::RubricsPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/rubrics/new") view=trainer::roleplay::RubricEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/rubrics/:id") view=trainer::roleplay::RubricEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/scenarios") view=trainer::roleplay::ScenariosPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/scenarios/new") view=trainer::roleplay::ScenarioEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/scenarios/:id") view=trainer::roleplay::ScenarioEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/calibration") view=trainer::roleplay::CalibrationPage ssr=SsrMode::Async/>
                    <Route path=path!("/roleplays") view=roleplay::RoleplaysPage ssr=SsrMode::Async/>
                    <Route path=path!("/roleplay/:id") view=roleplay::RoleplayPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/programs") view=trainer::programs::ProgramsPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/programs/new") view=trainer::programs::ProgramEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/trainer/programs/:id") view=trainer::programs::ProgramEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/people/:id/certification") view=cert::PersonCertificationPage ssr=SsrMode::Async/>
                    <Route path=path!("/certificates/:number") view=cert::CertificatePage ssr=SsrMode::Async/>
                    <Route path=path!("/verify/:number") view=cert::VerifyPage ssr=SsrMode::Async/>
                    <Route path=path!("/team/roster") view=cert::RosterPage ssr=SsrMode::Async/>
                    <Route path=path!("/notifications") view=cert::NotificationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/tokens") view=admin::tokens::TokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/plans") view=plans::PlansPage ssr=SsrMode::Async/>
                    <Route path=path!("/team/progress") view=manager::progress::TeamProgressPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/pass-rates") view=reports::pass_rates::PassRatesPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/roleplay-criteria") view=reports::criteria::CriteriaPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/gains") view=reports::gains::GainsReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/plans/:id") view=plans::PlanPage ssr=SsrMode::Async/>
                    <Route path=path!("/plans/:id/print") view=plans::PlanPrintPage ssr=SsrMode::Async/>
                    <Route path=path!("/plans/:id/sessions/:sid") view=plans::AttendancePage ssr=SsrMode::Async/>
                    <Route path=path!("/learn") view=trainee::learn::LearnPage ssr=SsrMode::Async/>
                    <Route path=path!("/learn/:id") view=trainee::learn::CourseOutlinePage ssr=SsrMode::Async/>
                    <Route path=path!("/learn/lesson/:id") view=trainee::learn::LessonPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
