//! Lesson images and attachments through the real router: who may upload and read, what types are
//! accepted (by content), how files are served, and that a linked file cannot be deleted.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use floorready::model::course::{CourseFields, TrainingType};
use floorready::server::config::Config;
use floorready::server::course::{self, enroll, files};
use floorready::server::db::Pool;
use floorready::server::state::AppState;

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn test_state(pool: Pool) -> AppState {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("floorready-files-{}-{nanos}", std::process::id()));
    state_with(pool, Config { data_dir: dir, ..Config::for_tests() })
}

fn upload(course_id: i64, cookie: &str, name: &str, bytes: &[u8]) -> Request<Body> {
    multipart_post(&format!("/courses/{course_id}/files"), cookie, name, bytes)
}

fn get(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()
}

fn location(res: &axum::response::Response) -> String {
    res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

async fn course_with_enrolled_trainee(st: &AppState) -> i64 {
    let owner = user(st, "T1", "trainer", None).await;
    user(st, "E1", "trainee", None).await;
    let fields = CourseFields {
        title: "三包 rules".into(),
        summary: String::new(),
        category_id: 1,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 30,
    };
    let c = course::create(&st.db, SYSTEM, owner, &fields).await.unwrap();
    let m = course::add_module(&st.db, c, &"Module".into()).await.unwrap();
    course::add_lesson(&st.db, c, m, &"Lesson".into(), "text").await.unwrap();
    course::publish(&st.db, SYSTEM, c).await.unwrap();
    enroll::by_employee_numbers(&st.db, SYSTEM, c, "E1").await.unwrap();
    c
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn an_owner_uploads_an_image_that_enrolled_trainees_can_see(pool: Pool) {
    let st = test_state(pool.clone());
    let c = course_with_enrolled_trainee(&st).await;
    user(&st, "E2", "trainee", None).await;
    let owner = sign_in(&st, "T1").await;

    let res = send(&st, upload(c, &owner, "../三包 flow chart.PNG", PNG)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = count(&pool, "select max(id) from course_files").await;
    assert_eq!(location(&res), format!("/trainer/courses/{c}?uploaded={id}"));
    let listed = files::list(&st.db, c).await.unwrap();
    assert_eq!(listed[0].name, "三包-flow-chart.png");
    assert_eq!(listed[0].content_type, "image/png");
    assert_eq!(listed[0].markdown(), format!("![三包-flow-chart.png](/files/{id}/三包-flow-chart.png)"));

    let trainee = sign_in(&st, "E1").await;
    let res = send(&st, get(&format!("/files/{id}/x.png"), &trainee)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "image/png");
    assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert!(h.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().starts_with("inline; filename*=UTF-8''"));
    let csps: Vec<_> = h.get_all(header::CONTENT_SECURITY_POLICY).iter().map(|v| v.to_str().unwrap()).collect();
    assert!(csps.contains(&"default-src 'none'; sandbox"), "{csps:?}");
    assert_eq!(body_bytes(res).await, PNG);

    // Someone not enrolled learns nothing, not even that the file exists; nobody signed in is told to.
    let stranger = sign_in(&st, "E2").await;
    assert_eq!(send(&st, get(&format!("/files/{id}/x.png"), &stranger)).await.status(), StatusCode::NOT_FOUND);
    let anonymous = Request::get(format!("/files/{id}/x.png")).body(Body::empty()).unwrap();
    assert_eq!(send(&st, anonymous).await.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn only_authors_upload_and_only_accepted_types_are_stored(pool: Pool) {
    let st = test_state(pool.clone());
    let c = course_with_enrolled_trainee(&st).await;
    user(&st, "T2", "trainer", None).await;

    let other_trainer = sign_in(&st, "T2").await;
    assert_eq!(send(&st, upload(c, &other_trainer, "a.png", PNG)).await.status(), StatusCode::FORBIDDEN);
    let trainee = sign_in(&st, "E1").await;
    assert_eq!(send(&st, upload(c, &trainee, "a.png", PNG)).await.status(), StatusCode::FORBIDDEN);

    let owner = sign_in(&st, "T1").await;
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
    let res = send(&st, upload(c, &owner, "logo.png", svg)).await;
    assert_eq!(location(&res), format!("/trainer/courses/{c}?file_error=error.file_type"));
    let res = send(&st, upload(c, &owner, "empty.png", b"")).await;
    assert_eq!(location(&res), format!("/trainer/courses/{c}?file_error=error.file_empty"));
    let big = [PNG, &vec![0u8; files::MAX_FILE_BYTES]].concat();
    let res = send(&st, upload(c, &owner, "big.png", &big)).await;
    assert_eq!(location(&res), format!("/trainer/courses/{c}?file_error=error.file_too_large"));
    assert_eq!(count(&pool, "select count(*) from course_files").await, 0, "nothing refused was stored");
    let stored = std::fs::read_dir(st.config.data_dir.join("files")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(stored, 0, "no refused bytes were written to disk");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_file_linked_from_a_lesson_cannot_be_deleted(pool: Pool) {
    let st = test_state(pool.clone());
    let c = course_with_enrolled_trainee(&st).await;
    let owner = sign_in(&st, "T1").await;
    send(&st, upload(c, &owner, "a.png", PNG)).await;
    send(&st, upload(c, &owner, "b.png", PNG)).await;
    let list = files::list(&st.db, c).await.unwrap();
    let (linked, unlinked) = (&list[0], &list[1]);
    course::start_draft(&st.db, SYSTEM, c).await.unwrap();
    let m = course::add_module(&st.db, c, &"Images".into()).await.unwrap();
    course::add_lesson(&st.db, c, m, &"Flow".into(), &linked.markdown()).await.unwrap();

    let err = files::delete(&st.db, SYSTEM, c, linked.id).await.unwrap_err();
    assert_eq!(err, floorready::error::AppError::validation("file", "error.file_in_use"));
    files::delete(&st.db, SYSTEM, c, unlinked.id).await.unwrap();
    let left: Vec<i64> = files::list(&st.db, c).await.unwrap().iter().map(|f| f.id).collect();
    assert_eq!(left, vec![linked.id]);
    // Both rows shared one blob; deleting a row leaves the content the other still needs.
    let trainer_view = send(&st, get(&linked.url(), &owner)).await;
    assert_eq!(body_bytes(trainer_view).await, PNG);
}
