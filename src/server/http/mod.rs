//! The HTTP stack: routes, the per-request session and locale, and the protective layers.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, AxumRouteListing, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::state::AppState;
use crate::app::{shell, App};

mod bundle;
mod clearance;
mod downloads;
mod refusals;
pub mod request;
mod uploads;

pub use bundle::bundle_name;
use clearance::{clearance_bulk, clearance_one, metrics_write};
use downloads::{
    bank_export, bank_template_csv, bank_template_xlsx, course_file, gains_csv, gains_xlsx, org_image, pass_rates_csv,
    pass_rates_xlsx, plan_record_csv, plan_record_xlsx, plan_schedule_ics, quiz_grades_csv, quiz_grades_xlsx,
    roleplay_criteria_csv, roleplay_criteria_xlsx, roster_csv, roster_xlsx, survey_results_csv, survey_results_xlsx,
};
use request::{reject_cross_site, resolve_request};
use uploads::{bank_import, metrics_import, upload_course_file, upload_org_image, upload_users_csv};

/// Uploads (CSV imports) are the largest bodies the app accepts.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Applies to every response; the page's own CSP (with the script nonce) is added by `shell`.
/// Browsers enforce both policies, so this one only adds what a meta/page policy cannot. No page
/// sets a `<base>`, so none may (an injected one would redirect every relative link and form);
/// forms post only to this origin. No CSP directive stops a `<meta http-equiv="refresh">`: that is
/// what `components::text_area` and Leptos' escaping of text are for.
const BASE_CSP: &str = "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// The route list, generated once per process. Generating it runs the app with resource loading
/// suppressed through a process-wide flag, and a resource first polled by another render in that
/// window never resolves (leptos-rs/leptos#4773); our tests build many routers concurrently.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let leptos_options = state.leptos_options.clone();
    let site_root = state.config.site_root.clone();

    let ctx_state = state.clone();
    let fn_state = state.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/plans/{id}/record.csv", get(plan_record_csv))
        .route("/plans/{id}/record.xlsx", get(plan_record_xlsx))
        .route("/plans/{id}/schedule.ics", get(plan_schedule_ics))
        .route("/files/{id}/{name}", get(course_file))
        .route("/org/{which}", get(org_image))
        .route(
            "/admin/users/import",
            axum::routing::post(upload_users_csv).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route(
            "/admin/organisation/{which}",
            axum::routing::post(upload_org_image).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/banks/{id}/export.gift", get(bank_export))
        .route("/team/roster.csv", get(roster_csv))
        .route("/reports/pass-rates.csv", get(pass_rates_csv))
        .route("/reports/pass-rates.xlsx", get(pass_rates_xlsx))
        .route("/reports/gains.csv", get(gains_csv))
        .route("/reports/gains.xlsx", get(gains_xlsx))
        .route("/reports/roleplay-criteria.csv", get(roleplay_criteria_csv))
        .route("/reports/roleplay-criteria.xlsx", get(roleplay_criteria_xlsx))
        .route("/trainer/quizzes/{id}/grades.csv", get(quiz_grades_csv))
        .route("/trainer/surveys/{id}/results.csv", get(survey_results_csv))
        .route("/trainer/surveys/{id}/results.xlsx", get(survey_results_xlsx))
        .route("/trainer/quizzes/{id}/grades.xlsx", get(quiz_grades_xlsx))
        .route("/team/roster.xlsx", get(roster_xlsx))
        .route("/api/v1/clearance/{employee_no}", get(clearance_one))
        .route("/api/v1/clearance", axum::routing::post(clearance_bulk))
        .route("/api/v1/metrics", axum::routing::post(metrics_write).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)))
        .route(
            "/admin/metrics/import",
            axum::routing::post(metrics_import).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route("/admin/metrics/template.csv", get(downloads::metrics_template_csv))
        .route("/banks/template.csv", get(bank_template_csv))
        .route("/banks/template.xlsx", get(bank_template_xlsx))
        .route("/banks/{id}/import", axum::routing::post(bank_import).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)))
        .route(
            "/courses/{id}/files",
            axum::routing::post(upload_course_file).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route(
            "/api/{*fn_name}",
            axum::routing::post(move |req: Request<Body>| {
                let s = fn_state.clone();
                handle_server_fns_with_context(move || provide_context(s.clone()), req)
            }),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(ctx_state.clone()),
            move || shell(leptos_options.clone()),
        )
        .nest("/pkg", bundle::service(&site_root))
        .fallback_service(
            tower_http::services::ServeDir::new(&site_root).not_found_service(get(not_found).with_state(state.clone())),
        )
        // Inside `resolve_request`, so a refused form's page is rendered for the caller it knows.
        .layer(middleware::from_fn_with_state(state.clone(), refusals::render_refusals))
        .layer(middleware::from_fn_with_state(state.clone(), resolve_request))
        .layer(middleware::from_fn(reject_cross_site))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::appending(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(BASE_CSP)))
        .layer(TraceLayer::new_for_http())
        .layer(catch_panic())
        .with_state(state)
}

/// The server's listener. Accepted connections send at once (TCP_NODELAY): axum does not set it,
/// and a page written in several chunks otherwise waits ~40 ms for the client's delayed ACK.
pub async fn listen(
    addr: SocketAddr,
) -> std::io::Result<axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>> {
    use axum::serve::ListenerExt;
    fn no_delay(tcp: &mut tokio::net::TcpStream) {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
    }
    Ok(tokio::net::TcpListener::bind(addr).await?.tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

/// A panic anywhere below becomes a logged 500, not a dropped connection.
pub fn catch_panic() -> tower_http::catch_panic::CatchPanicLayer<fn(Box<dyn std::any::Any + Send>) -> Response> {
    fn answer(panic: Box<dyn std::any::Any + Send>) -> Response {
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        tracing::error!(panic = message, "request handler panicked");
        (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
    }
    tower_http::catch_panic::CatchPanicLayer::custom(answer as fn(_) -> _)
}

/// An address that is neither a page, a route nor a file: the app's own 404 page (styled, in the
/// reader's language, with the navigation), not a bare "not found".
async fn not_found(State(state): State<AppState>, req: Request<Body>) -> Response {
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_async_with_context(
        move || provide_context(state.clone()),
        move || shell(options.clone()),
    );
    render(req).await
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match sqlx::query_scalar!("select 1 as one").fetch_one(&state.db.read).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// An error as a plain-text response with its status, for the routes outside the server functions.
fn failed(e: crate::error::AppError) -> Response {
    (e.status(), e.to_string()).into_response()
}
