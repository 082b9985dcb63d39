//! Text limits: every text field refuses what is too long or holds control characters with an
//! error that names the field; searches and category filters treat `%` and `_` as letters.

use axum::body::Body;
use axum::http::{header, StatusCode};
use floorready::api::user::ListUsers;
use floorready::error::AppError;
use floorready::model::plan::PlanFields;
use floorready::model::roleplay::CriterionInput;
use floorready::server::db::Pool;
use floorready::server::plan::{self, SessionInput};
use floorready::server::roleplay as rp;
use floorready::server::{course, quiz, user};
use leptos::server_fn::ServerFn;

use crate::common::*;

fn session(topic: &str) -> SessionInput {
    SessionInput {
        topic: topic.into(),
        day: "2026-12-01".into(),
        start_time: "09:00".into(),
        end_time: "10:00".into(),
        venue: String::new(),
        online_link: String::new(),
        instructor_employee_no: String::new(),
    }
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn long_or_control_character_text_is_refused_and_nothing_is_stored(pool: Pool) {
    let st = state(pool.clone());
    let t = user(&st, "T1", "trainer", None).await;
    let fields = PlanFields { title: "Plan".into(), ..Default::default() };
    let id = plan::create(&st.db, SYSTEM, t, &fields).await.unwrap();
    let long = "话".repeat(100_000);
    assert_eq!(
        plan::add_session(&st.db, id, &session(&long)).await.unwrap_err(),
        AppError::validation("topic", "error.text_too_long")
    );
    assert_eq!(
        plan::add_session(&st.db, id, &session("投诉\0处理")).await.unwrap_err(),
        AppError::validation("topic", "error.control_characters")
    );
    let too_long_purpose = PlanFields { purpose: long.clone(), ..fields.clone() };
    assert_eq!(
        plan::update(&st.db, id, &too_long_purpose).await.unwrap_err(),
        AppError::validation("purpose", "error.text_too_long")
    );
    let rows = vec![CriterionInput {
        name_en: "manner".into(),
        weight: "1".into(),
        levels: "a\nb".into(),
        ..Default::default()
    }];
    assert_eq!(
        rp::save_rubric(&st.db, SYSTEM, None, &long, &rows).await.unwrap_err(),
        AppError::validation("name", "error.text_too_long")
    );
    let nul_level = vec![CriterionInput { levels: "a\0\nb".into(), ..rows[0].clone() }];
    assert!(rp::save_rubric(&st.db, SYSTEM, None, "R", &nul_level).await.is_err());
    let summary = floorready::model::course::CourseFields {
        title: "Course".into(),
        summary: long.clone(),
        category_id: 2,
        level_id: 1,
        training_type: floorready::model::course::TrainingType::PreJob,
        duration_minutes: 10,
    };
    assert_eq!(
        course::create(&st.db, SYSTEM, t, &summary).await.unwrap_err(),
        AppError::validation("summary", "error.text_too_long")
    );
    let input = user::UserInput { position: "Specialist\0".into(), ..Default::default() };
    assert!(user::UserFields::parse(&input, None).unwrap_err().iter().any(|(f, _)| f == "position"));
    assert_eq!(count(&pool, "select count(*) from plan_sessions").await, 0);
    assert_eq!(count(&pool, "select count(*) from rubrics").await, 0);
    assert_eq!(count(&pool, "select count(*) from courses").await, 0);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn searches_and_filters_take_percent_and_underscore_literally(pool: Pool) {
    let st = state(pool.clone());
    user(&st, "AD", "admin", None).await;
    user(&st, "E_1", "trainee", None).await;
    user(&st, "EX1", "trainee", None).await;
    let q = floorready::model::user::UserQuery { q: "E_1".into(), ..Default::default() };
    let found = user::list(&st.db, &q).await.unwrap().users;
    assert_eq!(found.iter().map(|u| u.employee_no.as_str()).collect::<Vec<_>>(), ["E_1"]);
    // A search long enough to make SQLite's LIKE fail is a 400 that names the box, not a 500.
    let cookie = sign_in(&st, "AD").await;
    let body = format!("q={}", "a".repeat(30_000));
    let res = send(&st, form(ListUsers::PATH).header(header::COOKIE, &cookie).body(Body::from(body)).unwrap()).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(res).await.contains("\"q\""));

    // A draw from category "100%" takes that category only, not every one starting "100".
    let trainer = current(&st, "AD").await;
    let bank = quiz::create_bank(&st.db, SYSTEM, &trainer, None, "Bank").await.unwrap();
    let gift = "$CATEGORY: 100%\n\n::A:: In 100%. {T}\n\n$CATEGORY: 100x\n\n::B:: In 100x. {T}\n\n$CATEGORY: 100%/sub\n\n::C:: Below. {T}\n\n$CATEGORY: 100x/sub\n\n::D:: Elsewhere. {T}\n";
    quiz::import_gift(&st.db, SYSTEM, bank, gift).await.unwrap();
    let mut conn = st.db.read.acquire().await.unwrap();
    let pool_ids = quiz::draw_pool(&mut conn, bank, "100%", "").await.unwrap();
    assert_eq!(pool_ids.len(), 2, "100% and 100%/sub, not 100x or 100x/sub");
}
