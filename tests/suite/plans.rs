//! Training plans, sessions, enrollment, attendance and exports against a real database.

use std::io::Cursor;

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use calamine::{Reader, Xlsx};
use floorready::error::{AppError, RowError};
use floorready::i18n::{Locale, Zone};
use floorready::model::course::{CourseFields, TrainingType};
use floorready::model::plan::{Attendance, Method, PlanFields};
use floorready::model::team::TeamKind;
use floorready::server::db::Pool;
use floorready::server::plan::{self, export, SessionInput};
use floorready::server::spreadsheet::Letterhead;
use floorready::server::{course, team, user};

fn plan_fields() -> PlanFields {
    PlanFields {
        title: "2026 年 12 月新员工岗前培训".into(),
        purpose: "上岗前取得合格证书".into(),
        methods: vec![Method::Lecture, Method::RolePlay],
        venue: "上海培训中心 301".into(),
        budget_planned_cents: 500_000,
        time_zone: Zone::parse("Asia/Shanghai").unwrap(),
        ..Default::default()
    }
}

fn session(day: &str, start: &str, end: &str, instructor: &str) -> SessionInput {
    SessionInput {
        topic: "投诉处理".into(),
        day: day.into(),
        start_time: start.into(),
        end_time: end.into(),
        venue: "301".into(),
        instructor_employee_no: instructor.into(),
        ..Default::default()
    }
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn plan_validation_names_the_field(pool: Pool) {
    let st = state(pool.clone());
    let t = user(&st, "T1", "trainer", None).await;
    let reversed =
        PlanFields { hire_from: Some("2026-12-01".into()), hire_to: Some("2026-11-01".into()), ..plan_fields() };
    assert_eq!(
        plan::create(&st.db, SYSTEM, t, &reversed).await.unwrap_err(),
        AppError::validation("hire_to", "error.range_reversed")
    );
    let id = plan::create(&st.db, SYSTEM, t, &plan_fields()).await.unwrap();
    let bad_end = plan::add_session(&st.db, id, &session("2026-12-01", "10:00", "09:00", "")).await.unwrap_err();
    assert_eq!(bad_end, AppError::validation("end_time", "error.range_reversed"));
    let bad_day = plan::add_session(&st.db, id, &session("2026-02-30", "09:00", "10:00", "")).await.unwrap_err();
    assert_eq!(bad_day, AppError::validation("day", "error.date_invalid"));
    let bad_instructor =
        plan::add_session(&st.db, id, &session("2026-12-01", "09:00", "10:00", "NOPE")).await.unwrap_err();
    assert_eq!(bad_instructor, AppError::validation("instructor", "error.employee_no_unknown"));
    assert_eq!(count(&pool, "select count(*) from plan_sessions").await, 0);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_bad_csv_enrolls_nobody_and_a_good_one_enrolls_in_the_courses_too(pool: Pool) {
    let st = state(pool.clone());
    let t = user(&st, "T1", "trainer", None).await;
    user(&st, "E1", "trainee", None).await;
    user(&st, "E2", "trainee", None).await;
    let c = course::create(
        &st.db,
        SYSTEM,
        t,
        &CourseFields {
            title: "Onboarding".into(),
            summary: String::new(),
            category_id: 1,
            level_id: 1,
            training_type: TrainingType::PreJob,
            duration_minutes: 60,
        },
    )
    .await
    .unwrap();
    let m = course::add_module(&st.db, c, &"M".into()).await.unwrap();
    course::add_lesson(&st.db, c, m, &"L".into(), "x").await.unwrap();
    course::publish(&st.db, SYSTEM, c).await.unwrap();
    let id = plan::create(&st.db, SYSTEM, t, &plan_fields()).await.unwrap();
    plan::set_teams_and_courses(&st.db, id, &[], &[c]).await.unwrap();

    let bad = "\u{feff}name,employee_no\nA,E1\nB,NOPE\nC,\n";
    let err = plan::enroll_csv(&st.db, SYSTEM, id, bad.as_bytes()).await.unwrap_err();
    assert_eq!(
        err,
        AppError::Rows(vec![
            RowError {
                line: 3,
                field: "employee_no".into(),
                key: "error.employee_no_unknown".into(),
                value: "NOPE".into(),
            },
            RowError {
                line: 4,
                field: "employee_no".into(),
                key: "error.csv_row_malformed".into(),
                value: String::new()
            },
        ])
    );
    assert_eq!(count(&pool, "select count(*) from plan_members").await, 0);
    assert_eq!(count(&pool, "select count(*) from enrollments").await, 0);

    assert_eq!(plan::enroll_csv(&st.db, SYSTEM, id, b"employee_no\nE1\nE2\n").await.unwrap(), 2);
    assert_eq!(count(&pool, "select count(*) from enrollments where course_id = 1").await, 2, "plan courses follow");
    assert_eq!(plan::enroll_numbers(&st.db, SYSTEM, id, "E1 E2").await.unwrap(), 0, "already members");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn attendance_rates_per_trainee_and_plan(pool: Pool) {
    let st = state(pool.clone());
    let t = user(&st, "T1", "trainer", None).await;
    let e1 = user(&st, "E1", "trainee", None).await;
    let e2 = user(&st, "E2", "trainee", None).await;
    let outsider = user(&st, "E3", "trainee", None).await;
    let id = plan::create(&st.db, SYSTEM, t, &plan_fields()).await.unwrap();
    let s1 = plan::add_session(&st.db, id, &session("2026-12-01", "09:00", "12:00", "T1")).await.unwrap();
    let s2 = plan::add_session(&st.db, id, &session("2026-12-02", "09:00", "12:00", "T1")).await.unwrap();
    let s3 = plan::add_session(&st.db, id, &session("2026-12-03", "09:00", "12:00", "T1")).await.unwrap();
    plan::enroll_numbers(&st.db, SYSTEM, id, "E1 E2").await.unwrap();

    for (s, u, a) in [
        (s1, e1, Attendance::Present),
        (s2, e1, Attendance::Late),
        (s3, e1, Attendance::Absent),
        (s1, e2, Attendance::Excused),
        (s2, e2, Attendance::Present),
        (s3, e2, Attendance::Absent),
    ] {
        plan::mark(&st.db, SYSTEM, s, u, a).await.unwrap();
    }
    plan::mark(&st.db, SYSTEM, s3, e2, Attendance::Present).await.unwrap(); // corrected
    assert_eq!(
        plan::mark(&st.db, SYSTEM, s1, outsider, Attendance::Present).await.unwrap_err(),
        AppError::validation("user", "error.not_a_member")
    );
    let me = current(&st, "T1").await;
    let d = plan::detail(&st.db, &me, id).await.unwrap();
    let rates: Vec<Option<u32>> = d.members.iter().map(|m| m.attendance_percent).collect();
    assert_eq!(rates, vec![Some(67), Some(100)], "E1: 2 of 3; E2: 2 of 2 (excused not counted)");
    assert_eq!(d.attendance_percent, Some(80), "4 of 5");
    assert_eq!(d.sessions.len(), 3);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn who_may_see_edit_and_mark(pool: Pool) {
    let st = state(pool.clone());
    let site = team::create(&st.db, SYSTEM, None, &"Shanghai".into(), TeamKind::Site).await.unwrap();
    let other = team::create(&st.db, SYSTEM, None, &"Beijing".into(), TeamKind::Site).await.unwrap();
    let t1 = user(&st, "T1", "trainer", None).await;
    user(&st, "T2", "trainer", None).await;
    user(&st, "E1", "trainee", Some(site)).await;
    user(&st, "E9", "trainee", Some(other)).await;
    for (no, t) in [("M1", site), ("M2", other)] {
        let id = user(&st, no, "manager", None).await;
        let input = user::UserInput {
            email: format!("{}@example.com", no.to_lowercase()),
            employee_no: no.into(),
            display_name: format!("User {no}"),
            roles: vec!["manager".into()],
            ..Default::default()
        };
        user::update(&st.db, SYSTEM, id, &input, None, &[t]).await.unwrap();
    }
    let id = plan::create(&st.db, SYSTEM, t1, &plan_fields()).await.unwrap();
    let s = plan::add_session(&st.db, id, &session("2026-12-01", "09:00", "10:00", "T2")).await.unwrap();
    plan::enroll_numbers(&st.db, SYSTEM, id, "E1").await.unwrap();

    let (owner, instructor, m1, m2, e1, e9) = (
        current(&st, "T1").await,
        current(&st, "T2").await,
        current(&st, "M1").await,
        current(&st, "M2").await,
        current(&st, "E1").await,
        current(&st, "E9").await,
    );
    assert!(plan::require_edit(&st.db, &owner, id).await.is_ok());
    assert_eq!(plan::require_edit(&st.db, &instructor, id).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(plan::require_edit(&st.db, &m1, id).await.unwrap_err(), AppError::Forbidden);
    assert!(plan::require_view(&st.db, &instructor, id).await.is_ok());
    assert!(plan::require_view(&st.db, &m1, id).await.is_ok(), "the member is in M1's team");
    assert_eq!(plan::require_view(&st.db, &m2, id).await.unwrap_err(), AppError::Forbidden, "another team's plan");
    assert!(plan::require_view(&st.db, &e1, id).await.is_ok(), "members see their plan");
    assert_eq!(plan::require_view(&st.db, &e9, id).await.unwrap_err(), AppError::Forbidden);
    assert!(plan::require_mark(&st.db, &instructor, s).await.is_ok());
    assert!(plan::require_mark(&st.db, &owner, s).await.is_ok());
    assert_eq!(plan::require_mark(&st.db, &m1, s).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(plan::require_mark(&st.db, &e1, s).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(plan::list_for(&st.db, &m2, Zone::UTC).await.unwrap().len(), 0);
    assert_eq!(plan::list_for(&st.db, &m1, Zone::UTC).await.unwrap().len(), 1);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_trainee_sees_their_own_record_and_no_classmates_or_budget(pool: Pool) {
    let st = state(pool.clone());
    let site = team::create(&st.db, SYSTEM, None, &"Shanghai".into(), TeamKind::Site).await.unwrap();
    let other = team::create(&st.db, SYSTEM, None, &"Beijing".into(), TeamKind::Site).await.unwrap();
    let t1 = user(&st, "T1", "trainer", None).await;
    let e1 = user(&st, "E1", "trainee", Some(site)).await;
    let e2 = user(&st, "E2", "trainee", Some(site)).await;
    user(&st, "E3", "trainee", Some(other)).await;
    let m1 = user(&st, "M1", "manager", None).await;
    let input = user::UserInput {
        email: "m1@example.com".into(),
        employee_no: "M1".into(),
        display_name: "User M1".into(),
        roles: vec!["manager".into()],
        ..Default::default()
    };
    user::update(&st.db, SYSTEM, m1, &input, None, &[site]).await.unwrap();
    let id = plan::create(&st.db, SYSTEM, t1, &plan_fields()).await.unwrap();
    let s = plan::add_session(&st.db, id, &session("2026-12-01", "09:00", "10:00", "T1")).await.unwrap();
    plan::enroll_numbers(&st.db, SYSTEM, id, "E1 E2 E3").await.unwrap();
    plan::mark(&st.db, SYSTEM, s, e1, Attendance::Present).await.unwrap();
    plan::mark(&st.db, SYSTEM, s, e2, Attendance::Absent).await.unwrap();

    let mine = plan::detail(&st.db, &current(&st, "E1").await, id).await.unwrap();
    assert_eq!(mine.members.iter().map(|m| m.employee_no.as_str()).collect::<Vec<_>>(), ["E1"]);
    assert_eq!(mine.attendance_percent, Some(100), "the rate shown is their own");
    assert_eq!((mine.fields.budget_planned_cents, mine.sees_records), (0, false));
    let e1_user = current(&st, "E1").await;
    assert_eq!(export::record_rows(&st.db, &e1_user, id).await.unwrap_err(), AppError::Forbidden);

    // The manager of Shanghai sees its two members, not Beijing's.
    let manager = plan::detail(&st.db, &current(&st, "M1").await, id).await.unwrap();
    assert_eq!(manager.members.len(), 2);
    assert!(manager.sees_records && manager.fields.budget_planned_cents == 500_000);
    let rows = export::record_rows(&st.db, &current(&st, "M1").await, id).await.unwrap();
    assert!(rows.iter().all(|r| r.employee_no != "E3"), "another site's member");
    let trainer = plan::detail(&st.db, &current(&st, "T1").await, id).await.unwrap();
    assert_eq!(trainer.members.len(), 3);

    // Through the real routes: the page's data and the downloads.
    let cookie = sign_in(&st, "E1").await;
    for path in [format!("/plans/{id}/record.csv"), format!("/plans/{id}/record.xlsx")] {
        let res = send(&st, Request::get(&path).header(header::COOKIE, &cookie).body(Body::empty()).unwrap()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let res =
        send(&st, Request::get(format!("/plans/{id}")).header(header::COOKIE, &cookie).body(Body::empty()).unwrap())
            .await;
    let html = body_text(res).await;
    assert!(html.contains("User E1") && !html.contains("User E2") && !html.contains("User E3"), "{html}");
    assert!(html.contains("投诉处理") || html.contains("plans"), "the plan page rendered");
    assert!(!html.contains("5000.00"), "no budget on a trainee's page");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn record_form_exports_parse(pool: Pool) {
    let st = state(pool.clone());
    let t = user(&st, "T1", "trainer", None).await;
    let e1 = user(&st, "E1", "trainee", None).await;
    user(&st, "E2", "trainee", None).await;
    let id = plan::create(&st.db, SYSTEM, t, &plan_fields()).await.unwrap();
    let s1 = plan::add_session(&st.db, id, &session("2026-12-01", "09:00", "12:00", "T1")).await.unwrap();
    plan::add_session(&st.db, id, &session("2026-12-02", "13:30", "17:00", "")).await.unwrap();
    plan::enroll_numbers(&st.db, SYSTEM, id, "E1 E2").await.unwrap();
    plan::mark(&st.db, SYSTEM, s1, e1, Attendance::Late).await.unwrap();

    let rows = export::record_rows(&st.db, &current(&st, "T1").await, id).await.unwrap();
    assert_eq!(rows.len(), 4, "2 sessions × 2 trainees");

    let csv = export::csv(Locale::ZhCn, &rows).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    assert_eq!(reader.headers().unwrap().get(0), Some("培训计划"));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 4);
    assert_eq!(
        (&records[0][2], &records[0][3], &records[0][5], &records[0][7]),
        ("2026-12-01", "09:00-12:00", "E1", "迟到")
    );

    let letterhead = Letterhead { name: "Huaxin & Sons".into(), ..Default::default() };
    let xlsx = export::xlsx(Locale::En, &rows, &letterhead).unwrap();
    // The organisation heads every printed page (an "&" in the name is written twice).
    let mut zipped = zip::ZipArchive::new(Cursor::new(xlsx.clone())).unwrap();
    let mut sheet_xml = String::new();
    std::io::Read::read_to_string(&mut zipped.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet_xml).unwrap();
    assert!(sheet_xml.contains("<oddHeader>&amp;C&amp;\"-,Bold\"Huaxin &amp;&amp; Sons</oddHeader>"), "{sheet_xml}");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range("Training record").unwrap();
    assert_eq!(sheet.height(), 5);
    assert_eq!(sheet.get((0, 7)).unwrap().to_string(), "Attendance");
    assert_eq!(sheet.get((1, 7)).unwrap().to_string(), "Late");
    assert_eq!(sheet.get((1, 6)).unwrap().to_string(), "User E1");

    let ics = export::ics(&st.db, id).await.unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
    // On the plan's clock, named, so a calendar elsewhere moves it to the right hour.
    assert!(ics.contains("DTSTART;TZID=Asia/Shanghai:20261202T133000"), "{ics}");
    assert!(ics.contains("SUMMARY:2026 年 12 月新员工岗前培训: 投诉处理"));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn attendance_is_one_count_marked_only_once_a_session_has_started_and_kept(pool: Pool) {
    let st = state(pool.clone());
    let t = user(&st, "T1", "trainer", None).await;
    user(&st, "E1", "trainee", None).await;
    let e1 = user::find_id(&st.db, "E1").await.unwrap();
    let id = plan::create(&st.db, SYSTEM, t, &plan_fields()).await.unwrap();
    let past = plan::add_session(&st.db, id, &session("2026-01-05", "09:00", "12:00", "T1")).await.unwrap();
    let _unmarked = plan::add_session(&st.db, id, &session("2026-01-06", "09:00", "12:00", "T1")).await.unwrap();
    let future = plan::add_session(&st.db, id, &session("2099-01-05", "09:00", "12:00", "T1")).await.unwrap();
    plan::enroll_numbers(&st.db, SYSTEM, id, "E1").await.unwrap();

    // A session that has not started takes no attendance.
    assert_eq!(
        plan::mark(&st.db, SYSTEM, future, e1, Attendance::Present).await.unwrap_err(),
        AppError::validation("session", "error.session_not_started")
    );
    assert!(!plan::attendance_sheet(&st.db, future).await.unwrap().started);
    plan::mark(&st.db, SYSTEM, past, e1, Attendance::Present).await.unwrap();

    // One of three: the unmarked past session is missed, the future one is still to come; the plan
    // page and the certification check count the same.
    let me = current(&st, "T1").await;
    let d = plan::detail(&st.db, &me, id).await.unwrap();
    assert_eq!((d.members[0].attendance_percent, d.attendance_percent), (Some(33), Some(33)));
    let mut conn = pool.acquire().await.unwrap();
    let rate = floorready::server::cert::evidence::attendance_rate(&mut conn, id, e1).await.unwrap();
    assert_eq!((rate.attended, rate.counted), (1, 3));

    // A session holding attendance is evidence: it is not deleted; an empty one is.
    assert_eq!(
        plan::delete_session(&st.db, id, past).await.unwrap_err(),
        AppError::validation("session", "error.session_has_attendance")
    );
    plan::delete_session(&st.db, id, future).await.unwrap();
    assert_eq!(count(&pool, "select count(*) from plan_sessions").await, 2);

    // Only a trainer instructs.
    assert_eq!(
        plan::add_session(&st.db, id, &session("2026-01-07", "09:00", "12:00", "E1")).await.unwrap_err(),
        AppError::validation("instructor", "error.not_a_trainer")
    );
}
