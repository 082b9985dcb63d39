//! On-the-job metrics against a real database and through the real router: an upload with a bad
//! row storing nothing and naming its lines, a re-upload replacing, the same rules for XLSX, a
//! manager's entry sheet for their teams only, the API's scope, team and idempotency, and the
//! before/after figures against a hand-computed case.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use floorready::error::{AppError, RowError};
use floorready::model::metric::MetricPeriod;
use floorready::model::team::TeamKind;
use floorready::model::Names;
use floorready::server::cert::clearance;
use floorready::server::db::Pool;
use floorready::server::metric::{self, MetricFields};
use floorready::server::state::AppState;
use floorready::server::{team, user as users};

const DAY: i64 = 86_400;

struct World {
    floor: i64,
    csat: i64,
    complaints: i64,
}

/// Floor (E1, E2, manager M1) and Other (E3); CSAT monthly, complaints daily.
async fn world(st: &AppState) -> World {
    let floor = team::create(&st.db, SYSTEM, None, &"Floor".into(), TeamKind::Team).await.unwrap();
    let other = team::create(&st.db, SYSTEM, None, &"Other".into(), TeamKind::Team).await.unwrap();
    user(st, "AD", "admin", None).await;
    for (no, t) in [("E1", floor), ("E2", floor), ("E3", other)] {
        user(st, no, "trainee", Some(t)).await;
    }
    let m1 = user(st, "M1", "manager", Some(floor)).await;
    let input = users::UserInput {
        email: "m1@example.com".into(),
        employee_no: "M1".into(),
        display_name: "User M1".into(),
        roles: vec!["manager".into()],
        ..Default::default()
    };
    users::update(&st.db, SYSTEM, m1, &input, Some(floor), &[floor]).await.unwrap();
    let define = |code: &str, zh: &str, en: &str, unit: &str, higher: bool, period| MetricFields {
        code: code.into(),
        name: Names::new(zh, en),
        unit: unit.into(),
        higher_is_better: higher,
        period: Some(period),
    };
    let csat = metric::save(&st.db, SYSTEM, None, define("csat", "客户满意度", "CSAT", "%", true, MetricPeriod::Month))
        .await
        .unwrap();
    let complaints = metric::save(
        &st.db,
        SYSTEM,
        None,
        define("complaints", "投诉", "Complaints", "per 100 tickets", false, MetricPeriod::Day),
    )
    .await
    .unwrap();
    World { floor, csat, complaints }
}

async fn values(pool: &Pool) -> Vec<(String, String, String, f64, String)> {
    sqlx::query_as(
        "select u.employee_no, m.code, v.period, v.value, v.source from metric_values v join users u on u.id = v.user_id
         join metrics m on m.id = v.metric_id order by u.employee_no, m.code, v.period",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn row(line: u32, field: &str, key: &str, value: &str) -> RowError {
    RowError { line, field: field.into(), key: key.into(), value: value.into() }
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn an_upload_with_a_bad_row_stores_nothing_and_a_reupload_replaces(pool: Pool) {
    let st = state(pool.clone());
    world(&st).await;
    let ad = current(&st, "AD").await;
    let actor = floorready::server::audit::Actor { id: Some(ad.id), ip: "test" };
    // Every kind of mistake, each on its own line (the header is line 1).
    let bad = "employee_no,metric,period,value\n\
               E1,csat,2026-09,91.5\n\
               E9,csat,2026-09,90\n\
               E2,NPS,2026-09,90\n\
               E2,csat,2026-09-15,90\n\
               E2,complaints,2026-09,1\n\
               E2,csat,2099-01,90\n\
               E2,csat,2026-08,lots\n\
               e1,CSAT,2026-09,92\n";
    let err = metric::import_file(&st.db, actor, &ad, "m.csv", bad.as_bytes()).await.unwrap_err();
    assert_eq!(
        err,
        AppError::Rows(vec![
            row(3, "employee_no", "error.employee_unknown", "E9"),
            row(4, "metric", "error.metric_unknown", "NPS"),
            row(5, "period", "error.period_month_invalid", "2026-09-15"),
            row(6, "period", "error.period_day_invalid", "2026-09"),
            row(7, "period", "error.period_future", "2099-01"),
            row(8, "value", "error.number_invalid", "lots"),
            row(9, "period", "error.metric_row_twice", "2026-09"),
        ])
    );
    assert!(values(&pool).await.is_empty(), "nothing stored from a file with a bad row");

    // Good: names in either language, the employee number in any case, Excel's date for a month.
    let good =
        "工号,指标,期间,数值\nE1,客户满意度,2026-09,91.5\ne2,CSAT,2026-09-01,88\nE2,complaints,2026-09-15,\"1,5\"\n";
    assert_eq!(metric::import_file(&st.db, actor, &ad, "m.csv", good.as_bytes()).await, Ok(3));
    let again =
        "employee_no,metric,period,value\nE1,csat,2026-09,93\nE2,csat,2026-09,88\nE2,complaints,2026-09-15,1.5\n";
    assert_eq!(metric::import_file(&st.db, actor, &ad, "m.csv", again.as_bytes()).await, Ok(3));
    assert_eq!(
        values(&pool).await,
        vec![
            ("E1".into(), "csat".into(), "2026-09".into(), 93.0, "upload".into()),
            ("E2".into(), "complaints".into(), "2026-09-15".into(), 1.5, "upload".into()),
            ("E2".into(), "csat".into(), "2026-09".into(), 88.0, "upload".into()),
        ],
        "the same period again replaces, never doubles"
    );

    // The same file as XLSX reads the same.
    let table = floorready::server::spreadsheet::Table {
        sheet: "Metrics".into(),
        header: ["employee_no", "metric", "period", "value"].map(String::from).to_vec(),
        rows: vec![["E1", "csat", "2026-10", "94"].map(String::from).to_vec()],
    };
    let xlsx = table.xlsx().unwrap();
    assert_eq!(metric::import_file(&st.db, actor, &ad, "m.xlsx", &xlsx).await, Ok(1));
    assert_eq!(values(&pool).await.len(), 4);
    let bad_xlsx = floorready::server::spreadsheet::Table {
        rows: vec![
            ["E1", "csat", "2026-10", "95"].map(String::from).to_vec(),
            ["E9", "csat", "2026-10", "1"].map(String::from).to_vec(),
        ],
        ..table
    };
    assert!(
        matches!(metric::import_file(&st.db, actor, &ad, "m.xlsx", &bad_xlsx.xlsx().unwrap()).await, Err(AppError::Rows(r)) if r.len() == 1 && r[0].line == 3)
    );
    assert_eq!(
        values(&pool).await.iter().find(|v| v.2 == "2026-10").unwrap().3,
        94.0,
        "unchanged by the rejected file"
    );

    // Only admins upload; the route answers with the lines in the address.
    let e1 = current(&st, "E1").await;
    assert_eq!(metric::import_file(&st.db, actor, &e1, "m.csv", good.as_bytes()).await, Err(AppError::Forbidden));
    let cookie = sign_in(&st, "AD").await;
    let res = send(&st, multipart_post("/admin/metrics/import", &cookie, "m.csv", bad.as_bytes())).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers().get(header::LOCATION).unwrap().to_str().unwrap().to_string();
    assert!(to.starts_with("/admin/metrics?import_errors=3%3Aemployee%5Fno%3Aerror%2Eemployee%5Funknown%3AE9"), "{to}");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_manager_types_values_for_their_teams_only(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    let m1 = current(&st, "M1").await;
    let actor = floorready::server::audit::Actor { id: Some(m1.id), ip: "test" };
    let id = |no: &'static str| {
        let pool = pool.clone();
        async move {
            let id: i64 = sqlx::query_scalar("select id from users where employee_no = $1")
                .bind(no)
                .fetch_one(&pool)
                .await
                .unwrap();
            format!("u{id}")
        }
    };
    let sheet = metric::entry_sheet(&st.db, &m1, Some(w.csat), "2026-11").await.unwrap();
    assert_eq!(
        sheet.people.iter().map(|p| p.employee_no.as_str()).collect::<Vec<_>>(),
        ["E1", "E2"],
        "his team's people"
    );
    let typed = [(id("E1").await, "90".to_string()), (id("E2").await, "".to_string())].into_iter().collect();
    assert_eq!(
        metric::save_entries(&st.db, actor, &m1, w.csat, "2026-11", &typed).await,
        Ok(1),
        "a blank is left alone"
    );
    let other = [(id("E3").await, "70".to_string())].into_iter().collect();
    assert!(matches!(
        metric::save_entries(&st.db, actor, &m1, w.csat, "2026-11", &other).await,
        Err(AppError::Rows(r)) if r[0].key == "error.employee_out_of_scope"
    ));
    let e1 = current(&st, "E1").await;
    assert_eq!(metric::entry_sheet(&st.db, &e1, Some(w.csat), "").await.unwrap_err(), AppError::Forbidden);
    assert_eq!(values(&pool).await, vec![("E1".into(), "csat".into(), "2026-11".into(), 90.0, "typed".into())]);
    // The sheet sends back what it showed: unchanged values are not entries of the manager's.
    let same = [(id("E1").await, "90.0".to_string())].into_iter().collect();
    assert_eq!(metric::save_entries(&st.db, actor, &m1, w.csat, "2026-11", &same).await, Ok(0));
    let nothing = [(id("E1").await, " ".to_string())].into_iter().collect();
    assert_eq!(
        metric::save_entries(&st.db, actor, &m1, w.csat, "2026-11", &nothing).await,
        Err(AppError::validation("values", "error.metric_nothing_typed"))
    );
    let _ = w.floor;
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_api_needs_its_scope_and_a_batch_twice_changes_nothing(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    let read_only = clearance::create(&st.db, SYSTEM, "Roster", None, 365).await.unwrap();
    let writer =
        clearance::create_with_scope(&st.db, SYSTEM, "CRM", clearance::SCOPE_METRICS, None, 365).await.unwrap();
    let floor_writer =
        clearance::create_with_scope(&st.db, SYSTEM, "Floor CRM", clearance::SCOPE_METRICS, Some(w.floor), 365)
            .await
            .unwrap();
    let post = |bearer: Option<&str>, body: serde_json::Value| {
        let mut req = Request::post("/api/v1/metrics").header(header::CONTENT_TYPE, "application/json");
        if let Some(b) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        req.body(Body::from(body.to_string())).unwrap()
    };
    let batch = serde_json::json!({ "values": [
        { "employee_no": "E1", "metric": "csat", "period": "2026-10", "value": 92.5 },
        { "employee_no": "E3", "metric": "complaints", "period": "2026-10-02", "value": 2 },
    ]});
    assert_eq!(send(&st, post(None, batch.clone())).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(send(&st, post(Some(&read_only), batch.clone())).await.status(), StatusCode::FORBIDDEN);
    for _ in 0..2 {
        let res = send(&st, post(Some(&writer), batch.clone())).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(body_text(res).await, r#"{"stored":2}"#);
    }
    assert_eq!(values(&pool).await.len(), 2, "the same batch twice: the same two values");
    assert!(values(&pool).await.iter().all(|v| v.4 == "api"));

    // A bad value names its place in the list and stores nothing, the good ones included.
    let bad = serde_json::json!({ "values": [
        { "employee_no": "E1", "metric": "csat", "period": "2026-11", "value": 90 },
        { "employee_no": "E2", "metric": "csat", "period": "2026-11", "value": "n/a" },
    ]});
    let res = send(&st, post(Some(&writer), bad)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let json: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
    assert_eq!(
        json["rows"],
        serde_json::json!([{ "index": 2, "field": "value", "error": "error.number_invalid", "value": "n/a" }])
    );
    assert_eq!(values(&pool).await.len(), 2);
    // A token for the floor may not write for another team's person.
    let res = send(&st, post(Some(&floor_writer), batch)).await;
    let json: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
    assert_eq!(json["rows"][0]["error"], "error.employee_out_of_scope");
    assert_eq!(
        send(&st, post(Some(&writer), serde_json::json!({ "rows": [] }))).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn before_and_after_certification_against_a_hand_computed_case(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    let position = floorready::server::position::add(&st.db, SYSTEM, "专员", "Specialist").await.unwrap();
    let program = floorready::server::cert::save_program(
        &st.db,
        SYSTEM,
        None,
        floorready::model::cert::ProgramFields {
            name: "Specialist".into(),
            position_id: position,
            level_id: 1,
            requires_program_id: None,
            validity_days: 365,
            window_days: 60,
            veteran_cycle_days: None,
            manager_cycle_days: None,
        },
    )
    .await
    .unwrap();
    // E1 and E2 were certified on 2026-06-15, E3 on 2026-07-10 (E1 again later: the first counts).
    let june15 =
        chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap().and_hms_opt(9, 0, 0).unwrap().and_utc().timestamp();
    for (no, issued) in [("E1", june15), ("E2", june15), ("E3", june15 + 25 * DAY), ("E1", june15 + 200 * DAY)] {
        sqlx::query(
            "insert into certificates (number, user_id, program_id, issued_at, expires_at)
             select 'FR-' || $1 || $2, id, $3, $2, $2 + 365 * 86400 from users where employee_no = $1",
        )
        .bind(no)
        .bind(issued)
        .bind(program)
        .execute(&pool)
        .await
        .unwrap();
    }
    // CSAT: E1 80 and 90 before, 95 after -> 85 / 95; E2 70 before, 80 and 90 after -> 70 / 85;
    // E2's June (the month of certification) counts on neither side; E3 has only after, and a
    // value from two years earlier counts for nobody.
    // Complaints (daily, lower is better): E1 4 the day before, 2 on the day -> 4 / 2.
    let csv = "employee_no,metric,period,value\n\
               E1,csat,2026-04,80\nE1,csat,2026-05,90\nE1,csat,2026-07,95\n\
               E2,csat,2026-05,70\nE2,csat,2026-06,10\nE2,csat,2026-07,80\nE2,csat,2026-08,90\n\
               E3,csat,2026-08,60\nE3,csat,2024-06,50\n\
               E1,complaints,2026-06-14,4\nE1,complaints,2026-06-15,2\n";
    let ad = current(&st, "AD").await;
    let actor = floorready::server::audit::Actor { id: Some(ad.id), ip: "test" };
    metric::import_file(&st.db, actor, &ad, "m.csv", csv.as_bytes()).await.unwrap();

    let all = metric::before_after(&st.db, &ad, Some(program), None).await.unwrap();
    let csat = all.iter().find(|b| b.metric.id == w.csat).unwrap();
    assert_eq!((csat.people, csat.one_sided), (2, 1));
    assert!((csat.before.unwrap() - 77.5).abs() < 1e-9 && (csat.after.unwrap() - 90.0).abs() < 1e-9, "{csat:?}");
    assert_eq!(csat.improved(), Some(true));
    let complaints = all.iter().find(|b| b.metric.id == w.complaints).unwrap();
    assert_eq!((complaints.people, complaints.before, complaints.after), (1, Some(4.0), Some(2.0)));
    assert_eq!(complaints.improved(), Some(true), "fewer complaints is better");

    // The floor's manager sees the floor's people only (E1, E2): the same CSAT figures; a
    // trainee sees none of it, and another team is not his to pick.
    let m1 = current(&st, "M1").await;
    let mine = metric::before_after(&st.db, &m1, Some(program), None).await.unwrap();
    let c = mine.iter().find(|b| b.metric.id == w.csat).unwrap();
    assert_eq!((c.people, c.one_sided, c.before, c.after), (2, 0, Some(77.5), Some(90.0)));
    let e1 = current(&st, "E1").await;
    assert_eq!(metric::before_after(&st.db, &e1, Some(program), None).await, Err(AppError::Forbidden));
    let other: i64 = sqlx::query_scalar("select id from teams where name_en = 'Other' or name = 'Other'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(metric::before_after(&st.db, &m1, Some(program), Some(other)).await, Err(AppError::Forbidden));

    // A person's own page: each metric's values, and the days certified.
    let series = metric::of_person(&st.db, &e1, e1.id).await.unwrap();
    assert_eq!(series.series.len(), 2);
    assert_eq!(series.certified.iter().map(|(d, _)| d.as_str()).collect::<Vec<_>>(), ["2026-06-15", "2027-01-01"]);
    let e2 = current(&st, "E2").await;
    assert_eq!(metric::of_person(&st.db, &e2, e1.id).await.unwrap_err(), AppError::Forbidden);
}
