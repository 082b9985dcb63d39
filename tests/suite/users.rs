//! Admin user management and the CSV import against a real database.

use crate::common::*;
use floorready::error::{AppError, RowError};
use floorready::model::team::TeamKind;
use floorready::model::user::{Role, UserQuery};
use floorready::server::db::Pool;
use floorready::server::{demo, team, user};
use leptos::server_fn::ServerFn;

const HEADER: &str = "employee_no,display_name,email,position,hire_date,team,roles,password\n";

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_bad_row_rejects_the_whole_import_and_changes_nothing(pool: Pool) {
    let st = state(pool.clone());
    let site = team::create(&st.db, SYSTEM, None, &"上海 Shanghai".into(), TeamKind::Site).await.unwrap();
    team::create(&st.db, SYSTEM, Some(site), &"客服一组".into(), TeamKind::Team).await.unwrap();
    user(&st, "E1", "trainee", None).await;
    let before_users = count(&pool, "select count(*) from users").await;
    let before_audit = count(&pool, "select count(*) from audit_log").await;

    let csv = format!(
        "{HEADER}\
         E2,王芳,wang.fang@example.com,专员,2026-11-01,上海 Shanghai / 客服一组,trainee,lantern-orbit-maple\n\
         E3,Bad Date,bad.date@example.com,,2026-02-30,,trainee,lantern-orbit-maple\n\
         E1,Dup,dup@example.com,,,,trainee,lantern-orbit-maple\n\
         E4,No Team,no.team@example.com,,,Nowhere,boss,12345678\n"
    );
    let err = user::import_csv(&st.db, &st.passwords, SYSTEM, csv.as_bytes()).await.unwrap_err();
    let AppError::Rows(rows) = err else { panic!("expected row errors, got {err:?}") };
    let got: Vec<(u32, &str)> = rows.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(
        got,
        vec![(2, "position"), (3, "hire_date"), (4, "employee_no"), (5, "team"), (5, "roles"), (5, "password")]
    );
    // A position the admin's list does not hold is named, so the admin sees which one.
    assert_eq!((rows[0].key.as_str(), rows[0].value.as_str()), ("error.position_unknown", "专员"));
    assert_eq!(rows[3].value, "Nowhere");
    assert_eq!(count(&pool, "select count(*) from users").await, before_users);
    assert_eq!(count(&pool, "select count(*) from audit_log").await, before_audit);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_good_import_creates_every_row(pool: Pool) {
    let st = state(pool.clone());
    let site = team::create(&st.db, SYSTEM, None, &"Shanghai".into(), TeamKind::Site).await.unwrap();
    let t1 = team::create(&st.db, SYSTEM, Some(site), &"Team 1".into(), TeamKind::Team).await.unwrap();
    let specialist = floorready::server::position::add(&st.db, SYSTEM, "专员", "Specialist").await.unwrap();
    // Excel writes a BOM and CRLF line ends; a position is named in either language, any case.
    let csv = format!(
        "\u{feff}{}E10,王芳,Wang.Fang@Example.com,专员,2026-11-01,Shanghai / Team 1,trainee,lantern-orbit-maple\r\n\
         E11,Liu Yang,liu.yang@example.com,specialist,,,trainer;manager,river-candle-sketch\r\n",
        HEADER.replace('\n', "\r\n")
    );
    let report = user::import_csv(&st.db, &st.passwords, SYSTEM, csv.as_bytes()).await.unwrap();
    assert_eq!(report.created, 2);
    let id = user::find_id(&st.db, "wang.fang@example.com").await.unwrap();
    let u = user::get(&st.db, id).await.unwrap();
    assert_eq!(
        (u.team_id, u.roles.clone(), u.hire_date.as_deref(), u.position_id),
        (Some(t1), vec![Role::Trainee], Some("2026-11-01"), Some(specialist))
    );
    let liu = user::get(&st.db, user::find_id(&st.db, "E11").await.unwrap()).await.unwrap();
    assert_eq!((liu.roles, liu.position_id), (vec![Role::Manager, Role::Trainer], Some(specialist)));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_file_without_required_columns_names_them(pool: Pool) {
    let st = state(pool.clone());
    let err = user::import_csv(&st.db, &st.passwords, SYSTEM, b"name,email\nA,a@example.com\n").await.unwrap_err();
    assert_eq!(
        err,
        AppError::Rows(vec![RowError {
            line: 1,
            field: "employee_no".into(),
            key: "error.csv_missing_column".into(),
            value: String::new()
        }])
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn duplicate_email_is_a_conflict_naming_the_field(pool: Pool) {
    let st = state(pool.clone());
    let a = user(&st, "E20", "trainee", None).await;
    user(&st, "E21", "trainee", None).await;
    let input = user::UserInput {
        email: "e21@example.com".into(),
        employee_no: "E20".into(),
        display_name: "Renamed".into(),
        roles: vec!["trainee".into()],
        ..Default::default()
    };
    let err = user::update(&st.db, SYSTEM, a, &input, None, &[]).await.unwrap_err();
    assert_eq!(err, AppError::Conflict { field: "email".into() });
    assert_eq!(user::get(&st.db, a).await.unwrap().display_name, "User E20", "nothing half-written");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn role_changes_are_audited(pool: Pool) {
    let st = state(pool.clone());
    let id = user(&st, "E30", "trainee", None).await;
    user::set_user_roles(&st.db, SYSTEM, id, &[Role::Trainer, Role::Trainee]).await.unwrap();
    let detail: String = sqlx::query_scalar("select detail from audit_log where action = 'roles_changed'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(detail, "trainee -> trainer,trainee");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn team_tree_refuses_cycles_and_non_empty_deletes(pool: Pool) {
    let st = state(pool.clone());
    let site = team::create(&st.db, SYSTEM, None, &"Site".into(), TeamKind::Site).await.unwrap();
    let dept = team::create(&st.db, SYSTEM, Some(site), &"Dept".into(), TeamKind::Department).await.unwrap();
    let err = team::update(&st.db, SYSTEM, site, Some(dept), &"Site".into(), TeamKind::Site, None).await.unwrap_err();
    assert_eq!(err, AppError::validation("parent_id", "error.team_cycle"));
    assert_eq!(
        team::delete(&st.db, SYSTEM, site).await.unwrap_err(),
        AppError::validation("team", "error.team_not_empty")
    );
    let dup = team::create(&st.db, SYSTEM, Some(site), &"Dept".into(), TeamKind::Team).await.unwrap_err();
    assert_eq!(dup, AppError::Conflict { field: "name_en".into() });
    let paths: Vec<String> = team::tree(&st.db).await.unwrap().into_iter().map(|t| t.path.en).collect();
    assert_eq!(paths, vec!["Site", "Site / Dept"]);
    team::delete(&st.db, SYSTEM, dept).await.unwrap();
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_demo_seeds_every_role(pool: Pool) {
    let st = state(pool.clone());
    assert!(demo::is_empty(&st.db).await.unwrap());
    demo::seed(&st.db, &st.passwords).await.unwrap();
    // Every login the README promises works with the README's password, by email and by employee
    // number, and has the README's role (the README is what a buyer tries first).
    let readme = include_str!("../../README.md");
    let logins: Vec<(&str, &str, &str, &str)> = readme
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("@demo.floorready") && !l.contains('…'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1], cells[2], cells[3], cells[4])
        })
        .collect();
    assert_eq!(logins.len(), 10, "the README's demo table");
    let password = readme.split("password **`").nth(1).and_then(|r| r.split('`').next()).unwrap();
    let teams = team::tree(&st.db).await.unwrap();
    // The README is in English: the English path.
    let path = |id: i64| teams.iter().find(|t| t.id == id).map(|t| t.path.en.clone()).unwrap();
    for (email, no, role, place) in logins {
        for login in [email, no] {
            let body = format!("login={login}&password={password}");
            let res =
                send(&st, form(floorready::api::auth::Login::PATH).body(axum::body::Body::from(body)).unwrap()).await;
            assert!(res.headers().get(axum::http::header::SET_COOKIE).is_some(), "{login} signs in: {}", res.status());
        }
        let id: i64 = sqlx::query_scalar("select id from users where email = $1 and employee_no = $2")
            .bind(email)
            .bind(no)
            .fetch_one(&pool)
            .await
            .unwrap();
        let u = user::get(&st.db, id).await.unwrap();
        assert_eq!(u.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(), vec![role], "{email}");
        // The team column: where they sit ("—" for nowhere), and the team a manager manages.
        let (place, manages) = match place.split_once(" (manages") {
            Some((p, _)) => (p, true),
            None => (place, false),
        };
        // A manager's cell names the team they manage; they sit somewhere inside it.
        match u.team_id {
            None => assert_eq!(place, "—", "{email} has no team"),
            Some(t) if manages => assert!(path(t).starts_with(place), "{email}: {} is not in {place}", path(t)),
            Some(t) => assert!(path(t).ends_with(place), "{email}: {} is not {place}", path(t)),
        }
        let managed: Vec<String> = u.managed_team_ids.iter().map(|t| path(*t)).collect();
        assert_eq!(managed.iter().any(|m| m.ends_with(place)), manages, "{email} manages {managed:?}");
    }
    // What the demo trainer finds waiting: 孙丽 E1003's post-test essay.
    let trainer = current_with(&st, "T1001", password).await;
    let queue = floorready::server::quiz::attempt::grading_queue(&st.db, &trainer).await.unwrap();
    assert_eq!(queue.iter().map(|q| q.employee_no.as_str()).collect::<Vec<_>>(), vec!["E1003"]);
    // The calibration page's pair of demo raters, over every double-rated criterion.
    let pairs = floorready::server::roleplay::calibration::report(&st.db, 0.6).await.unwrap();
    assert_eq!(pairs.iter().filter(|r| r.criterion.is_none()).count(), 1, "one pair of demo raters");
    assert_eq!(pairs.iter().find(|r| r.criterion.is_none()).unwrap().n, 24, "4 role-plays × 6 criteria");
    assert_eq!(count(&pool, "select count(*) from programs").await, 2);
    let status = |no: &str, level: i64| {
        let pool = pool.clone();
        let no = no.to_string();
        async move {
            sqlx::query_scalar::<_, String>(
                "select coalesce((select c.status from certifications c join programs p on p.id = c.program_id
                                  where c.user_id = u.id and p.level_id = $1), 'none')
                 from users u where u.employee_no = $2",
            )
            .bind(level)
            .bind(no)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    for (no, expected) in [
        ("E1001", "certified"),
        ("E1002", "in_training"),
        ("E1004", "in_training"),
        ("E1005", "expiring"),
        ("E1006", "expired"),
        ("E1007", "revoked"),
        ("E1008", "suspended"),
        ("E1009", "in_training"),
        ("E2001", "not_started"),
        ("E2002", "certified"),
    ] {
        assert_eq!(status(no, 1).await, expected, "{no} junior");
    }
    assert_eq!(status("E1001", 2).await, "in_training", "intermediate needs more role-plays");
    assert_eq!(status("E1003", 1).await, "in_training");
    assert_eq!(status("E1010", 1).await, "in_training");
    // The reasons the README gives, as the person page shows them.
    let admin = current_with(&st, "A0001", password).await;
    let junior = |no: &'static str| {
        let (st, admin) = (st.clone(), admin.clone());
        async move {
            let id = user::list(&st.db, &UserQuery { q: no.into(), ..Default::default() })
                .await
                .unwrap()
                .users
                .into_iter()
                .find(|u| u.employee_no == no)
                .unwrap()
                .id;
            let person = floorready::server::cert::status::person(&st.db, &admin, id).await.unwrap();
            person.programs.into_iter().min_by_key(|p| p.program_id).unwrap()
        }
    };
    let e1004 = junior("E1004").await;
    let failed: Vec<&str> = e1004.checks.iter().filter(|c| !c.met).map(|c| c.detail_key.as_str()).collect();
    assert_eq!(failed, vec!["cert.detail.roleplay_critical"], "E1004: only the role-play, on a critical criterion");
    assert!(e1004.checks.iter().any(|c| c.met && c.kind == floorready::model::cert::ReqKind::Quiz), "post-test passed");
    assert!(junior("E1007").await.hold_reason.chars().count() >= 3, "E1007 revoked with a reason");
    for no in ["E1009", "E1010"] {
        let p = junior(no).await;
        let missing: Vec<_> = p.checks.iter().filter(|c| !c.met).collect();
        assert_eq!(missing.len(), 1, "{no}: one requirement left");
        let args: std::collections::HashMap<_, _> = missing[0].detail_args.iter().cloned().collect();
        let (done, total): (i64, i64) = (args["done"].parse().unwrap(), args["total"].parse().unwrap());
        assert_eq!((missing[0].detail_key.as_str(), total - done), ("cert.detail.lessons", 1), "{no}: one lesson");
    }
    let e2002 = junior("E2002").await;
    assert!(e2002.certificate.is_some_and(|c| c.exempted), "E2002 certified by exemption");
    assert_eq!(
        floorready::server::audit::verify(&st.db).await.unwrap(),
        floorready::server::audit::Chain::Intact(count(&pool, "select count(*) from audit_log").await as u64)
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_user_list_filters_by_team_below_role_status_and_what_is_missing_and_pages(pool: Pool) {
    let st = state(pool);
    let site = team::create(&st.db, SYSTEM, None, &"Shanghai".into(), TeamKind::Site).await.unwrap();
    let group = team::create(&st.db, SYSTEM, Some(site), &"After-sales".into(), TeamKind::Team).await.unwrap();
    let other = team::create(&st.db, SYSTEM, None, &"Beijing".into(), TeamKind::Site).await.unwrap();
    // A team of the same name elsewhere: the list tells them apart by path.
    let twin = team::create(&st.db, SYSTEM, Some(other), &"After-sales".into(), TeamKind::Team).await.unwrap();
    for i in 0..55 {
        user(&st, &format!("E{i:02}"), "trainee", Some(group)).await;
    }
    user(&st, "B1", "trainee", Some(twin)).await;
    user(&st, "T1", "trainer", Some(site)).await;
    user(&st, "NT", "trainee", None).await;
    let list = |q: UserQuery| {
        let st = st.clone();
        async move { user::list(&st.db, &q).await.unwrap() }
    };

    let shanghai = list(UserQuery { team: site.to_string(), ..Default::default() }).await;
    assert_eq!((shanghai.total, shanghai.pages, shanghai.users.len()), (56, 2, 50), "the site and the team below it");
    let second = list(UserQuery { team: site.to_string(), page: "2".into(), ..Default::default() }).await;
    assert_eq!(second.users.len(), 6);
    let beijing = list(UserQuery { team: other.to_string(), ..Default::default() }).await;
    assert_eq!(beijing.users[0].team_path.as_ref().map(|p| p.en.as_str()), Some("Beijing / After-sales"));
    let trainers = list(UserQuery { role: "trainer".into(), ..Default::default() }).await;
    assert_eq!(trainers.users.iter().map(|u| u.employee_no.as_str()).collect::<Vec<_>>(), ["T1"]);
    let no_team = list(UserQuery { missing: "team".into(), ..Default::default() }).await;
    assert_eq!(no_team.users.iter().map(|u| u.employee_no.as_str()).collect::<Vec<_>>(), ["NT"]);
    let disabled = list(UserQuery { status: "disabled".into(), ..Default::default() }).await;
    assert_eq!(disabled.total, 0);
    let bad = user::list(&st.db, &UserQuery { role: "owner".into(), ..Default::default() }).await;
    assert!(matches!(bad, Err(AppError::Validation { ref field, .. }) if field == "role"));
}
