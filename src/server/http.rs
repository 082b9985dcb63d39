//! The HTTP stack: routes, the per-request session and locale, and the protective layers.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
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

use super::auth::guard::CurrentUser;
use super::auth::session;
use super::ctx::RequestAuth;
use super::state::AppState;
use super::user::Actor;
use crate::app::{shell, App};
use crate::i18n::Locale;

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
        .route("/banks/{id}/export.gift", get(bank_export))
        .route("/team/roster.csv", get(roster_csv))
        .route("/team/roster.xlsx", get(roster_xlsx))
        .route("/api/v1/clearance/{employee_no}", get(clearance_one))
        .route("/api/v1/clearance", axum::routing::post(clearance_bulk))
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
        .nest_service("/pkg", tower_http::services::ServeDir::new(site_root.join("pkg")))
        .fallback_service(tower_http::services::ServeDir::new(&site_root).not_found_service(get(not_found)))
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

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "not found")
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

/// The caller of a download route, allowed to see the plan, and their language.
async fn plan_reader<'a>(
    state: &AppState,
    auth: Option<&'a RequestAuth>,
    plan_id: i64,
) -> Result<(&'a CurrentUser, Locale), Response> {
    let user = signed_in(auth).map_err(IntoResponse::into_response)?;
    match super::plan::require_view(&state.db, user, plan_id).await {
        Ok(_) => Ok((user, auth.map(|a| a.locale).unwrap_or_default())),
        Err(e) => Err((e.status(), e.to_string()).into_response()),
    }
}

fn download(content_type: &'static str, filename: String, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

type Downloaded = Result<Response, Response>;

fn failed(e: crate::error::AppError) -> Response {
    (e.status(), e.to_string()).into_response()
}

async fn plan_record_csv(State(state): State<AppState>, Path(id): Path<i64>, req: Request) -> Downloaded {
    let (user, locale) = plan_reader(&state, req.extensions().get::<RequestAuth>(), id).await?;
    let rows = super::plan::export::record_rows(&state.db, user, id).await.map_err(failed)?;
    let body = super::plan::export::csv(locale, &rows).map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", format!("training-record-{id}.csv"), body))
}

async fn plan_record_xlsx(State(state): State<AppState>, Path(id): Path<i64>, req: Request) -> Downloaded {
    let (user, locale) = plan_reader(&state, req.extensions().get::<RequestAuth>(), id).await?;
    let rows = super::plan::export::record_rows(&state.db, user, id).await.map_err(failed)?;
    let body = super::plan::export::xlsx(locale, &rows).map_err(failed)?;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(download(xlsx, format!("training-record-{id}.xlsx"), body))
}

async fn plan_schedule_ics(State(state): State<AppState>, Path(id): Path<i64>, req: Request) -> Downloaded {
    plan_reader(&state, req.extensions().get::<RequestAuth>(), id).await?;
    let body = super::plan::export::ics(&state.db, id).await.map_err(failed)?;
    Ok(download("text/calendar; charset=utf-8", format!("training-schedule-{id}.ics"), body.into_bytes()))
}

async fn bank_export(State(state): State<AppState>, Path(id): Path<i64>, req: Request) -> Downloaded {
    let user = signed_in(req.extensions().get::<RequestAuth>()).map_err(IntoResponse::into_response)?;
    super::quiz::require_bank(&state.db, user, id).await.map_err(failed)?;
    let (text, skipped) = super::quiz::export_gift(&state.db, id).await.map_err(failed)?;
    let note = if skipped > 0 {
        format!("// {skipped} ordering question(s) left out: GIFT has no ordering type.\n\n")
    } else {
        String::new()
    };
    Ok(download("text/plain; charset=utf-8", format!("question-bank-{id}.gift.txt"), (note + &text).into_bytes()))
}

/// The caller of a roster export: a manager (their teams) or an admin.
async fn roster_rows(state: &AppState, req: Request) -> Result<Vec<crate::model::cert::RosterRow>, Response> {
    let auth = req.extensions().get::<RequestAuth>().cloned();
    let user = signed_in(auth.as_ref()).map_err(IntoResponse::into_response)?;
    if !(user.has(crate::model::user::Role::Manager) || user.has(crate::model::user::Role::Admin)) {
        return Err((StatusCode::FORBIDDEN, "managers and admins only").into_response());
    }
    let within = req
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("within=")))
        .and_then(|v| v.parse::<i64>().ok());
    super::cert::status::roster(&state.db, user, within).await.map_err(failed)
}

async fn roster_csv(State(state): State<AppState>, req: Request) -> Downloaded {
    let rows = roster_rows(&state, req).await?;
    let body = super::cert::status::roster_csv(&rows).map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", "floor-roster.csv".into(), body))
}

async fn roster_xlsx(State(state): State<AppState>, req: Request) -> Downloaded {
    let rows = roster_rows(&state, req).await?;
    let body = super::cert::status::roster_xlsx(&rows).map_err(failed)?;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(download(xlsx, "floor-roster.xlsx".into(), body))
}

/// A JSON error for API clients: `{"error": "..."}` with the status.
fn api_error(e: crate::error::AppError) -> Response {
    let mut res = (e.status(), axum::Json(serde_json::json!({ "error": e.to_string() }))).into_response();
    if e == crate::error::AppError::Unauthorized {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    res
}

async fn api_grant(state: &AppState, headers: &HeaderMap) -> Result<super::cert::token::Grant, Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    super::cert::token::authenticate(&state.db, bearer, super::cert::token::SCOPE_CLEARANCE).await.map_err(api_error)
}

/// `GET /api/v1/clearance/{employee_no}`: one person's clearance, 404 when unknown or outside
/// the token's teams.
async fn clearance_one(State(state): State<AppState>, Path(no): Path<String>, headers: HeaderMap) -> Response {
    let grant = match api_grant(&state, &headers).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    match super::cert::token::clearance(&state.db, &grant, &[no]).await {
        Ok(mut list) if !list.is_empty() => axum::Json(list.remove(0)).into_response(),
        Ok(_) => api_error(crate::error::AppError::NotFound),
        Err(e) => api_error(e),
    }
}

#[derive(serde::Deserialize)]
struct BulkQuery {
    employee_nos: Vec<String>,
}

/// `POST /api/v1/clearance` with `{"employee_nos": [...]}` (at most 500): the people found, in
/// the order asked; numbers unknown or outside the token's teams are listed under `not_found`.
async fn clearance_bulk(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let grant = match api_grant(&state, &headers).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Ok(q) = serde_json::from_slice::<BulkQuery>(&body) else {
        return api_error(crate::error::AppError::validation("employee_nos", "error.json_invalid"));
    };
    if q.employee_nos.len() > 500 {
        return api_error(crate::error::AppError::validation("employee_nos", "error.too_many"));
    }
    match super::cert::token::clearance(&state.db, &grant, &q.employee_nos).await {
        Ok(found) => {
            let not_found: Vec<&String> =
                q.employee_nos.iter().filter(|n| !found.iter().any(|f| &f.employee_no == *n)).collect();
            axum::Json(serde_json::json!({ "people": found, "not_found": not_found })).into_response()
        }
        Err(e) => api_error(e),
    }
}

async fn bank_template_csv() -> Downloaded {
    let body = super::quiz::sheet::template_csv().map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", "questions-template.csv".into(), body))
}

async fn bank_template_xlsx() -> Downloaded {
    let body = super::quiz::sheet::template_xlsx().map_err(failed)?;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(download(xlsx, "questions-template.xlsx".into(), body))
}

/// A question file posted from a plain form: GIFT, CSV or XLSX. Answers with a redirect to the
/// bank, carrying the count or the problems (line:field:key, the first 50) for the page to show.
async fn bank_import(
    State(state): State<AppState>,
    Path(bank_id): Path<i64>,
    auth: Option<axum::Extension<RequestAuth>>,
    multipart: Multipart,
) -> Response {
    use crate::error::AppError;
    let (user, actor) = match form_caller(&auth) {
        Ok(caller) => caller,
        Err(refused) => return refused.into_response(),
    };
    if let Err(e) = super::quiz::require_bank(&state.db, user, bank_id).await {
        return failed(e);
    }
    let outcome = match read_file_field(multipart).await {
        Ok((name, bytes)) => super::quiz::import_file(&state.db, actor, bank_id, &name, &bytes).await,
        Err(e) => Err(e),
    };
    let query = match outcome {
        Ok(n) => format!("imported={n}"),
        Err(AppError::Rows(rows)) => {
            let list: Vec<String> = rows.iter().take(50).map(|r| format!("{}:{}:{}", r.line, r.field, r.key)).collect();
            format!(
                "import_errors={}",
                percent_encoding::utf8_percent_encode(&list.join(","), percent_encoding::NON_ALPHANUMERIC)
            )
        }
        Err(AppError::Validation { field, key }) => format!("import_errors=0:{field}:{key}"),
        Err(e) => return failed(e),
    };
    see_other(&format!("/trainer/banks/{bank_id}?{query}"))
}

/// Uploaded files are served as inert downloads: sniffed type, no scripts even if a browser
/// disagreed with our sniffing, images shown inline and everything else saved.
async fn course_file(
    State(state): State<AppState>,
    Path((id, _name)): Path<(i64, String)>,
    req: Request,
) -> Downloaded {
    let user = signed_in(req.extensions().get::<RequestAuth>()).map_err(IntoResponse::into_response)?;
    let (file, bytes) =
        super::course::files::read(&state.db, &state.config.data_dir, user, id).await.map_err(failed)?;
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let disposition = if file.is_image() { "inline" } else { "attachment" };
    let encoded = percent_encoding::utf8_percent_encode(&file.name, percent_encoding::NON_ALPHANUMERIC);
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    Ok(res)
}

/// A plain multipart form post (works without JavaScript); answers with a redirect back to the
/// course editor carrying the outcome, as the editor page reads it.
async fn upload_course_file(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
    auth: Option<axum::Extension<RequestAuth>>,
    multipart: Multipart,
) -> Response {
    let back = |query: String| see_other(&format!("/trainer/courses/{course_id}?{query}"));
    let (user, actor) = match form_caller(&auth) {
        Ok(caller) => caller,
        Err(refused) => return refused.into_response(),
    };
    if let Err(e) = super::course::require_author(&state.db, user, course_id).await {
        return failed(e);
    }
    let outcome = match read_file_field(multipart).await {
        Ok((name, bytes)) => {
            super::course::files::upload(&state.db, &state.config.data_dir, actor, course_id, &name, &bytes).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => back(format!("uploaded={id}")),
        Err(crate::error::AppError::Validation { key, .. }) => back(format!("file_error={key}")),
        Err(e) => failed(e),
    }
}

/// The signed-in caller of a plain form post, and the actor its audit entries name.
fn form_caller(
    auth: &Option<axum::Extension<RequestAuth>>,
) -> Result<(&CurrentUser, Actor<'_>), (StatusCode, &'static str)> {
    let auth = auth.as_ref().map(|e| &e.0);
    let user = signed_in(auth)?;
    let ip = auth.map(|a| a.ip.as_str()).unwrap_or_default();
    Ok((user, Actor { id: Some(user.id), ip }))
}

/// Where a plain form post sends the browser afterwards (the page reads the outcome from the query).
fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

async fn read_file_field(mut multipart: Multipart) -> Result<(String, Vec<u8>), crate::error::AppError> {
    use crate::error::AppError;
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::validation("file", "error.file_too_large")
        } else {
            AppError::validation("file", "error.file_empty")
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(too_large)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::validation("file", "error.file_empty"))
}

fn signed_in(auth: Option<&RequestAuth>) -> Result<&CurrentUser, (StatusCode, &'static str)> {
    let auth = auth.ok_or((StatusCode::INTERNAL_SERVER_ERROR, "no request context"))?;
    auth.user.as_ref().ok_or((StatusCode::UNAUTHORIZED, "sign in first"))
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Resolves the caller (session cookie) and the page language once per request.
async fn resolve_request(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/pkg/") {
        return next.run(req).await;
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let ip = super::config::client_ip(peer, &forwarded, &state.config.trusted_proxies);
    let user = match cookie_value(req.headers(), state.config.session_cookie_name()) {
        Some(token) => session::resolve(&state.db, &state.config, token).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "session lookup failed");
            None
        }),
        None => None,
    };
    let locale = user
        .as_ref()
        .map(|u| u.locale)
        .or_else(|| cookie_value(req.headers(), "lang").and_then(Locale::parse))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default();
    req.extensions_mut().insert(RequestAuth { user, ip, locale });
    next.run(req).await
}

/// Refuses state-changing requests that a browser marks as coming from another site, so a
/// form on an attacker's page cannot post to a server function with the user's cookie.
async fn reject_cross_site(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross_by_fetch_site = matches!(fetch_site, Some("cross-site" | "same-site"));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let cross_by_origin = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some(origin) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest);
            origin_host.is_none() || origin_host != host
        }
    };
    if cross_by_fetch_site || cross_by_origin {
        tracing::warn!(path = %req.uri().path(), ?fetch_site, "refused cross-site request");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}
