//! HTTP-level checks against the real router: headers, cookies, CSRF and server-function rights.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use floorready::api::auth::{GetMe, Login};
use floorready::api::course::GetTeamProgress;
use floorready::api::user::ListUsers;
use floorready::server::config::Config;
use floorready::server::db::Pool;
use leptos::server_fn::ServerFn;

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn login_page_has_security_headers_and_a_nonce_csp(pool: Pool) {
    let st = state(pool);
    let res = send(
        &st,
        Request::get("/login").header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert_eq!(h.get(header::REFERRER_POLICY).unwrap(), "same-origin");
    let csps: Vec<String> =
        h.get_all(header::CONTENT_SECURITY_POLICY).iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(csps.iter().any(|c| c.contains("frame-ancestors 'none'")), "{csps:?}");
    assert!(csps.iter().any(|c| c.contains("base-uri 'none'") && c.contains("form-action 'self'")), "{csps:?}");
    let page_csp = csps.iter().find(|c| c.contains("script-src")).expect("page CSP");
    let nonce = page_csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();
    let html = body_text(res).await;
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "hydration script carries the nonce");
    assert!(html.contains("<html lang=\"zh-CN\""));
    assert!(html.contains("邮箱或工号"), "rendered in Chinese from Accept-Language");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn session_cookie_flags(pool: Pool) {
    let st = state(pool.clone());
    user(&st, "E1", "trainee", None).await;
    let body = format!("login=E1&password={PASSWORD}");
    let res = send(&st, form(Login::PATH).body(Body::from(body.clone())).unwrap()).await;
    let cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.starts_with("floorready_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"));
    assert!(!cookie.contains("Secure"));

    let secure = state_with(pool, Config { secure_cookies: true, ..Config::for_tests() });
    let res = send(&secure, form(Login::PATH).body(Body::from(body.clone())).unwrap()).await;
    let cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.starts_with("__Host-floorready_session=") && cookie.contains("; Secure"), "{cookie}");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn cross_site_posts_are_refused(pool: Pool) {
    let st = state(pool.clone());
    user(&st, "E2", "trainee", None).await;
    let body = format!("login=E2&password={PASSWORD}");
    let by_fetch_site =
        form(Login::PATH).header("sec-fetch-site", "cross-site").body(Body::from(body.clone())).unwrap();
    assert_eq!(send(&st, by_fetch_site).await.status(), StatusCode::FORBIDDEN);
    let by_origin =
        form(Login::PATH).header(header::ORIGIN, "https://evil.example").body(Body::from(body.clone())).unwrap();
    assert_eq!(send(&st, by_origin).await.status(), StatusCode::FORBIDDEN);
    let same = form(Login::PATH)
        .header(header::ORIGIN, "http://127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body.clone()))
        .unwrap();
    assert_eq!(send(&st, same).await.status(), StatusCode::OK);
    assert_eq!(count(&pool, "select count(*) from sessions").await, 1, "only the same-origin login counted");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn server_functions_need_a_session_and_the_right_role(pool: Pool) {
    let st = state(pool);
    user(&st, "E3", "trainee", None).await;
    user(&st, "AD", "admin", None).await;

    let anon = send(&st, form(ListUsers::PATH).body(Body::from("query=")).unwrap()).await;
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);

    let trainee = sign_in(&st, "E3").await;
    let res =
        send(&st, form(ListUsers::PATH).header(header::COOKIE, &trainee).body(Body::from("query=")).unwrap()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let text = body_text(res).await;
    assert!(!text.contains("ad@example.com"), "a denied call leaks no data");
    let res =
        send(&st, form(GetTeamProgress::PATH).header(header::COOKIE, &trainee).body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "team progress is for managers and admins");

    let admin = sign_in(&st, "AD").await;
    let res = send(&st, form(ListUsers::PATH).header(header::COOKIE, &admin).body(Body::from("query=")).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = body_text(res).await;
    assert!(text.contains("e3@example.com") && !text.contains("password"), "{text}");

    let me = send(&st, form(GetMe::PATH).header(header::COOKIE, &trainee).body(Body::empty()).unwrap()).await;
    assert!(body_text(me).await.contains("\"employee_no\":\"E3\""));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn throttled_login_answers_429_with_retry_after(pool: Pool) {
    let st = state(pool);
    user(&st, "E4", "trainee", None).await;
    let bad = "login=E4&password=wrong-guess-123";
    for _ in 0..6 {
        let res = send(&st, form(Login::PATH).body(Body::from(bad)).unwrap()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let res = send(&st, form(Login::PATH).body(Body::from(bad)).unwrap()).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers().get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn healthz_checks_the_database(pool: Pool) {
    let st = state(pool.clone());
    let res = send(&st, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    pool.close().await;
    let res = send(&st, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn course_functions_refuse_the_wrong_people(pool: Pool) {
    use floorready::api::course::{AddModule, CreateCourse, GetLesson, PublishCourse};
    let st = state(pool.clone());
    user(&st, "T1", "trainer", None).await;
    user(&st, "T2", "trainer", None).await;
    user(&st, "E1", "trainee", None).await;
    let owner = sign_in(&st, "T1").await;
    let other = sign_in(&st, "T2").await;
    let trainee = sign_in(&st, "E1").await;
    let post = |path: &str, cookie: &str, body: &str| {
        form(path).header(header::COOKIE, cookie).body(Body::from(body.to_string())).unwrap()
    };

    let create = "title_en=Onboarding&summary=&category_id=2&level_id=1&training_type=pre_job&duration_minutes=60";
    assert_eq!(send(&st, post(CreateCourse::PATH, &trainee, create)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(send(&st, post(CreateCourse::PATH, &owner, create)).await.status(), StatusCode::OK);
    let course: i64 = sqlx::query_scalar("select id from courses").fetch_one(&pool).await.unwrap();

    let module = format!("course_id={course}&title_en=Intro");
    assert_eq!(send(&st, post(AddModule::PATH, &other, &module)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(send(&st, post(AddModule::PATH, &trainee, &module)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&pool, "select count(*) from course_modules").await, 0, "denied calls change nothing");
    assert_eq!(send(&st, post(AddModule::PATH, &owner, &module)).await.status(), StatusCode::OK);

    let publish = format!("id={course}");
    let res = send(&st, post(PublishCourse::PATH, &owner, &publish)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "no lessons yet");
    assert!(body_text(res).await.contains("error.course_empty"));

    let bad_number = "title_en=X&category_id=two&level_id=1&training_type=pre_job&duration_minutes=60";
    let res = send(&st, post(CreateCourse::PATH, &owner, bad_number)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(res).await.contains("category_id"), "the bad field is named");

    assert_eq!(send(&st, post(GetLesson::PATH, &trainee, "lesson_id=1")).await.status(), StatusCode::NOT_FOUND);

    use floorready::api::course::AddCourseChoice;
    let choice = "list=category&name_zh=安全&name_en=Safety";
    assert_eq!(send(&st, post(AddCourseChoice::PATH, &owner, choice)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&pool, "select count(*) from course_categories").await, 5);
}

/// Regression: building a router while another request renders used to leave that render waiting
/// forever (a 408 after 30 s); see `http::route_list`. Not a database matter: SQLite's in-memory
/// database serves it in either build's suite.
#[cfg(not(feature = "postgres"))]
#[test]
fn pages_render_while_other_routers_are_built() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        floorready::server::db::MIGRATOR.run(&pool).await.unwrap();
        let st = state(pool);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let st = st.clone();
                tokio::spawn(async move {
                    for _ in 0..20 {
                        let res = send(&st, Request::get("/login").body(Body::empty()).unwrap()).await;
                        assert_eq!(res.status(), StatusCode::OK);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_bad_next_after_sign_in_goes_home_and_never_panics(pool: Pool) {
    let st = state(pool);
    user(&st, "E9", "trainee", None).await;
    // Form-encoded: the server sees a CR LF, a tab, and a literal `%09` in `next`.
    for next in ["/x%0D%0ASet-Cookie:%20evil=1", "/%09/evil.example/", "/%2509/evil.example/", "//evil.example"] {
        let body = format!("login=E9&password={PASSWORD}&next={next}");
        let req = form(Login::PATH).header(header::ACCEPT, "text/html").body(Body::from(body)).unwrap();
        let res = send(&st, req).await;
        assert!(res.status().is_success() || res.status().is_redirection(), "{next}: {}", res.status());
        assert_eq!(res.headers().get(header::LOCATION).expect("a redirect"), "/", "{next}");
        let cookies: Vec<_> = res.headers().get_all(header::SET_COOKIE).iter().collect();
        assert!(cookies.iter().all(|c| !c.to_str().unwrap().contains("evil")), "{cookies:?}");
    }
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_not_a_dropped_connection() {
    use tower::ServiceExt;
    let app = axum::Router::new()
        .route("/boom", axum::routing::get(|| async { panic!("boom") as &'static str }))
        .layer(floorready::server::http::catch_panic());
    let res = app.oneshot(Request::get("/boom").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_sign_in_page_sets_a_device_cookie_that_outlasts_an_address_lock(pool: Pool) {
    let st = state(pool);
    user(&st, "E12", "trainee", None).await;
    let body = format!("login=E12&password={PASSWORD}");
    let res = send(&st, form(Login::PATH).body(Body::from(body.clone())).unwrap()).await;
    let device = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("floorready_device="))
        .expect("device cookie");
    assert!(device.contains("HttpOnly") && device.contains("SameSite=Lax") && device.contains("Max-Age="), "{device}");
    let device = device.split(';').next().unwrap().to_string();
    // Every request here comes from one address: spraying from it locks the address.
    for i in 0..31 {
        let spray = format!("login=nobody{i}&password=wrong-guess-123");
        send(&st, form(Login::PATH).body(Body::from(spray)).unwrap()).await;
    }
    let untrusted = send(&st, form(Login::PATH).body(Body::from(body.clone())).unwrap()).await;
    assert_eq!(untrusted.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(untrusted.headers().get(header::RETRY_AFTER).is_some());
    let trusted = send(&st, form(Login::PATH).header(header::COOKIE, &device).body(Body::from(body)).unwrap()).await;
    assert_eq!(trusted.status(), StatusCode::OK);
}

#[tokio::test]
async fn accepted_connections_send_without_delay() {
    use axum::serve::Listener;
    let mut listener = floorready::server::http::listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let client = tokio::spawn(async move { tokio::net::TcpStream::connect(addr).await.unwrap() });
    let (accepted, _) = listener.accept().await;
    assert!(accepted.nodelay().unwrap(), "TCP_NODELAY on the accepted connection");
    drop(client.await.unwrap());
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn malformed_server_function_requests_are_400_and_say_why(pool: Pool) {
    use floorready::api::quiz::{GetAttempt, PublishQuiz};
    let st = state(pool);
    user(&st, "E13", "trainee", None).await;
    user(&st, "T13", "trainer", None).await;
    let e = sign_in(&st, "E13").await;
    let t = sign_in(&st, "T13").await;
    let huge = format!("id={}", u64::MAX);
    for (path, cookie, body) in [
        (GetAttempt::PATH, &e, b"page=1".to_vec()),
        (GetAttempt::PATH, &e, b"id=abc&page=1".to_vec()),
        (GetAttempt::PATH, &e, b"id=1&page=-1".to_vec()),
        (GetAttempt::PATH, &e, format!("{huge}&page=1").into_bytes()),
        (GetAttempt::PATH, &e, b"id=1&page=\xff\xfe".to_vec()),
        (PublishQuiz::PATH, &t, b"id=1&published=2".to_vec()),
    ] {
        let req = form(path).header(header::COOKIE, cookie).body(Body::from(body.clone())).unwrap();
        let res = send(&st, req).await;
        let status = res.status();
        let text = body_text_lossy(res).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {:?}: {text}", String::from_utf8_lossy(&body));
        assert!(text.contains("args"), "{text}");
    }
    // A body over the limit: refused by its declared length before anything reads it, and a 400
    // (not a 500) when it arrives without one.
    let big = vec![b'a'; floorready::server::http::MAX_BODY_BYTES + 1];
    let declared = form(GetAttempt::PATH).header(header::COOKIE, &e).header(header::CONTENT_LENGTH, big.len());
    assert_eq!(
        send(&st, declared.body(Body::from(big.clone())).unwrap()).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let streamed = form(GetAttempt::PATH).header(header::COOKIE, &e).body(Body::from(big)).unwrap();
    assert_eq!(send(&st, streamed).await.status(), StatusCode::BAD_REQUEST);
}

async fn body_text_lossy(res: axum::response::Response) -> String {
    String::from_utf8_lossy(&body_bytes(res).await).into_owned()
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_signed_in_language_switch_is_kept_on_the_account(pool: Pool) {
    use floorready::api::auth::SetLanguage;
    let st = state(pool.clone());
    user(&st, "E1", "trainee", None).await;
    let cookie = sign_in(&st, "E1").await;
    let page = |cookie: String| {
        let st = st.clone();
        async move {
            let req = Request::get("/account").header(header::COOKIE, cookie).body(Body::empty()).unwrap();
            body_text(send(&st, req).await).await
        }
    };
    assert!(page(cookie.clone()).await.contains("<html lang=\"zh-CN\""), "the account starts in Chinese");

    let res =
        send(&st, form(SetLanguage::PATH).header(header::COOKIE, &cookie).body(Body::from("locale=en")).unwrap()).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let stored: String =
        sqlx::query_scalar("select locale from users where employee_no = 'E1'").fetch_one(&pool).await.unwrap();
    assert_eq!(stored, "en");
    // Every page from then on, and a later sign-in from a browser without the lang cookie.
    assert!(page(cookie).await.contains("<html lang=\"en\""));
    assert!(page(sign_in(&st, "E1").await).await.contains("<html lang=\"en\""));

    let bad = send(
        &st,
        form(SetLanguage::PATH).header(header::COOKIE, sign_in(&st, "E1").await).body(Body::from("locale=xx")).unwrap(),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// A release bundle (what `build/bundle` leaves): pages name the content-hashed files, which go
/// out pre-compressed with a year-long cache; the stylesheet, unhashed, keeps Last-Modified caching.
#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_hashed_bundle_is_named_in_pages_and_served_precompressed_and_immutable(pool: Pool) {
    let site = std::env::temp_dir().join(format!("floorready-site-{}-{}", std::process::id(), line!()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let name = "floorready.0123456789abcdef";
    std::fs::write(pkg.join("bundle-name"), format!("{name}\n")).unwrap();
    std::fs::write(pkg.join(format!("{name}.js")), "export default function(){}").unwrap();
    std::fs::write(pkg.join(format!("{name}.js.br")), b"BROTLI-BYTES").unwrap();
    std::fs::write(pkg.join("floorready.css"), "body{}").unwrap();
    assert_eq!(floorready::server::http::bundle_name(&site), name);

    let options = leptos::prelude::LeptosOptions::builder()
        .output_name(floorready::server::http::bundle_name(&site))
        .site_root(site.to_string_lossy().to_string())
        .build();
    let config = Config { site_root: site.clone(), ..Config::for_tests() };
    let st = floorready::server::state::AppState::new(options, floorready::server::db::Db::from_pool(pool), config);

    let page = body_text(send(&st, Request::get("/login").body(Body::empty()).unwrap()).await).await;
    assert!(page.contains(&format!("/pkg/{name}.js")), "the page names the hashed script");
    assert!(page.contains(&format!("/pkg/{name}_bg.wasm")), "and the hashed wasm");

    let js = |encoding: &'static str| {
        Request::get(format!("/pkg/{name}.js")).header(header::ACCEPT_ENCODING, encoding).body(Body::empty()).unwrap()
    };
    let res = send(&st, js("gzip, deflate, br")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(res.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(body_text(res).await, "BROTLI-BYTES", "the pre-compressed file, as it is");
    let res = send(&st, js("identity")).await;
    assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body_text(res).await, "export default function(){}");

    let css = send(&st, Request::get("/pkg/floorready.css").body(Body::empty()).unwrap()).await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers().get(header::CACHE_CONTROL).is_none(), "unhashed: the browser's own caching");
    assert!(css.headers().get(header::LAST_MODIFIED).is_some());
    let missing = send(&st, Request::get(format!("/pkg/{name}_bg.wasm")).body(Body::empty()).unwrap()).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get(header::CACHE_CONTROL).is_none(), "a 404 is never cached for a year");
    let _ = std::fs::remove_dir_all(&site);
}
