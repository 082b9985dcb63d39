#![allow(dead_code)]
//! Shared set-up for the integration tests: real migrations, real services, real router.

use axum::body::Body;
use axum::http::{header, Request};
use floorready::api::auth::Login;
use floorready::server::audit::Actor;
use floorready::server::auth::guard::CurrentUser;
use floorready::server::auth::login::{self, LoginRequest};
use floorready::server::auth::password::Passwords;
use floorready::server::auth::session;
use floorready::server::config::Config;
use floorready::server::db::Db;
use floorready::server::db::Pool;
use floorready::server::http::router;
use floorready::server::state::AppState;
use floorready::server::user::{self, UserInput};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use leptos::server_fn::ServerFn;
use tower::ServiceExt;

pub const PASSWORD: &str = "lantern-orbit-maple";

pub fn state(pool: Pool) -> AppState {
    state_with(pool, Config::for_tests())
}

pub fn state_with(pool: Pool, config: Config) -> AppState {
    // A failing test shows the errors the server logged (RUST_LOG, errors only by default).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "error".into()))
        .with_test_writer()
        .try_init();
    let options = LeptosOptions::builder().output_name("floorready").site_root("target/site").build();
    AppState::new(options, Db::from_pool(pool), config)
}

pub const SYSTEM: Actor<'static> = Actor { id: None, ip: "test" };

/// Creates a user with `roles` (comma separated) and the shared test password.
pub async fn user(state: &AppState, employee_no: &str, roles: &str, team_id: Option<i64>) -> i64 {
    let input = UserInput {
        email: format!("{}@example.com", employee_no.to_lowercase()),
        employee_no: employee_no.into(),
        display_name: format!("User {employee_no}"),
        roles: roles.split(',').map(str::to_string).collect(),
        ..Default::default()
    };
    user::create(&state.db, &state.passwords, SYSTEM, &input, team_id, PASSWORD).await.expect("create user")
}

pub fn passwords() -> Passwords {
    Passwords::new()
}

pub async fn count(pool: &Pool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect("count query")
}

/// Drops one of the audit log's append-only triggers, as an attacker with the database file would.
pub async fn drop_audit_trigger(pool: &Pool, name: &str) {
    #[cfg(not(feature = "postgres"))]
    let sql = format!("drop trigger {name}");
    #[cfg(feature = "postgres")]
    let sql = format!("drop trigger {name} on audit_log");
    sqlx::query(&sql).execute(pool).await.unwrap();
}

pub fn form(path: &str) -> axum::http::request::Builder {
    Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
}

pub async fn send(state: &AppState, req: Request<Body>) -> axum::response::Response {
    router(state.clone()).oneshot(req).await.expect("router answers")
}

pub async fn body_text(res: axum::response::Response) -> String {
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

/// Signs in through the real endpoint and returns the session cookie pair (`name=value`).
pub async fn sign_in(state: &AppState, login: &str) -> String {
    let body = format!("login={login}&password={PASSWORD}");
    let res = send(state, form(Login::PATH).body(Body::from(body.clone())).unwrap()).await;
    let cookie = res.headers().get(header::SET_COOKIE).expect("session cookie").to_str().unwrap().to_string();
    cookie.split(';').next().unwrap().to_string()
}

pub async fn body_bytes(res: axum::response::Response) -> Vec<u8> {
    res.into_body().collect().await.unwrap().to_bytes().to_vec()
}

/// Signs in through the login service and returns the caller as the guards see them.
pub async fn current(st: &AppState, employee_no: &str) -> CurrentUser {
    current_with(st, employee_no, PASSWORD).await
}

/// Signed in with a given password (the demo's, say).
pub async fn current_with(st: &AppState, employee_no: &str, password: &str) -> CurrentUser {
    let token = login::login(
        st,
        LoginRequest { login: employee_no, password, ip: "t", user_agent: "t", previous_session: None, device: None },
    )
    .await
    .unwrap()
    .session;
    session::resolve(&st.db, &st.config, &token).await.unwrap().unwrap()
}

/// A browser's multipart form post of one file in the field `file`.
pub fn multipart_post(path: &str, cookie: &str, name: &str, bytes: &[u8]) -> Request<Body> {
    const BOUNDARY: &str = "----floorready-test-boundary";
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    Request::post(path)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from(body))
        .unwrap()
}
