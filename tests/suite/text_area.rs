//! Text areas: no saved value can close its `<textarea>` (Leptos writes their children raw on the
//! server), and no page writes a `<textarea>` except through `components::text_area`.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request};
use floorready::api::auth::Login;
use floorready::server::db::Pool;
use floorready::server::demo::{self, DEMO_PASSWORD};
use leptos::server_fn::ServerFn;

/// What an attacker saves: it closes the text area, then adds an element and a meta refresh.
const BREAKOUT: &str =
    r#"</textarea><b id="breakout">x</b><meta http-equiv="refresh" content="0;url=https://evil.example/">"#;

#[test]
fn no_textarea_outside_the_component() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("components/text_area.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, line) in text.lines().enumerate() {
                    if line.contains("<textarea") {
                        found.push(format!("{}:{}", path.display(), i + 1));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(std::path::Path::new("src"), &mut found);
    assert!(found.is_empty(), "use components::text_area::TextArea instead of <textarea> at {found:?}");
}

async fn demo_cookie(st: &floorready::server::state::AppState, login: &str) -> String {
    let body = format!("login={login}&password={DEMO_PASSWORD}");
    let res = send(st, form(Login::PATH).body(Body::from(body)).unwrap()).await;
    let cookie = res.headers().get(header::SET_COOKIE).expect("session cookie").to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// The first criterion's first level descriptor, set to `$1` inside the rubric's JSON.
#[cfg(not(feature = "postgres"))]
const SET_FIRST_LEVEL: &str = "update rubric_versions set criteria = json_set(criteria, '$[0].levels[0]', $1)";
#[cfg(feature = "postgres")]
const SET_FIRST_LEVEL: &str =
    "update rubric_versions set criteria = jsonb_set(criteria::jsonb, '{0,levels,0}', to_jsonb($1::text))::text";

async fn id(pool: &Pool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_saved_breakout_stays_text_in_every_multi_line_field(pool: Pool) {
    let st = state(pool.clone());
    demo::seed(&st.db, &st.passwords).await.unwrap();
    // A published course is edited as a new draft, where the summary and lessons are text areas.
    let course = id(&pool, "select min(course_id) from course_versions").await;
    floorready::server::course::start_draft(&st.db, SYSTEM, course).await.unwrap();
    for sql in [
        "update training_plans set purpose = $1, materials = $1",
        "update course_versions set summary = $1",
        "update lessons set body_md = $1",
        "update question_versions set stem = $1",
        SET_FIRST_LEVEL,
        "update scenarios set situation = $1, persona = $1, objective = $1, cues = $1, facts = $1, customer_turns = $1",
    ] {
        sqlx::query(sql).bind(BREAKOUT).execute(&pool).await.unwrap();
    }
    let plan = id(&pool, "select min(id) from training_plans").await;
    let bank = id(&pool, "select min(bank_id) from questions").await;
    let rubric = id(&pool, "select min(id) from rubrics").await;
    let scenario = id(&pool, "select min(id) from scenarios").await;
    let admin = demo_cookie(&st, "A0001").await;
    let trainer = demo_cookie(&st, "T1001").await;
    for (path, cookie) in [
        (format!("/plans/{plan}"), &trainer),
        (format!("/trainer/courses/{course}"), &trainer),
        (format!("/trainer/banks/{bank}"), &trainer),
        (format!("/trainer/rubrics/{rubric}"), &admin),
        (format!("/trainer/scenarios/{scenario}"), &admin),
    ] {
        let res = send(&st, Request::get(&path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await;
        assert!(res.status().is_success(), "{path}: {}", res.status());
        let html = body_text(res).await;
        assert!(html.contains("<textarea"), "{path} has a text area");
        // (GIFT escapes `=` and `:`, so only the start of the text is compared.)
        assert!(html.contains("&lt;/textarea&gt;&lt;b id"), "{path} shows the saved text");
        assert!(!html.contains("<b id"), "{path}: the saved text became an element");
        assert!(!html.contains("<meta http-equiv"), "{path}: the saved text became a meta refresh");
    }
}
