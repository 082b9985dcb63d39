//! What people hit when they first tried Floorready in the field (issue 13), through the router.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use floorready::error::AppError;
use floorready::server::auth::login::{self, LoginRequest};
use floorready::server::db::Pool;
use floorready::server::user::{self, UserInput};

use crate::common::*;

async fn get(st: &floorready::server::state::AppState, path: &str, cookie: Option<&str>) -> axum::response::Response {
    let mut req = Request::get(path).header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(st, req.body(Body::empty()).unwrap()).await
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn an_unknown_address_is_the_apps_404_page_in_the_readers_language(pool: Pool) {
    let st = state(pool);
    let res = get(&st, "/no/such/page", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = body_text(res).await;
    assert!(html.contains("<html lang=\"zh-CN\""), "a whole page, not a bare text answer");
    assert!(html.contains("页面不存在") && html.contains("返回我的首页"), "{html}");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_page_for_another_role_is_403_with_nothing_of_the_page(pool: Pool) {
    let st = state(pool);
    user(&st, "E1", "trainee", None).await;
    let cookie = sign_in(&st, "E1").await;
    for path in ["/admin/users", "/admin/users/new", "/trainer/quizzes", "/team/roster"] {
        let res = get(&st, path, Some(&cookie)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        let html = body_text(res).await;
        assert!(html.contains("您无权查看此页面"), "{path}");
        let main = &html[html.find("<main").unwrap()..];
        assert!(!main.contains("<form"), "{path} renders a form under the refusal");
    }
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_trainers_page_about_an_object_that_is_not_there_is_404(pool: Pool) {
    let st = state(pool);
    user(&st, "T1", "trainer", None).await;
    let cookie = sign_in(&st, "T1").await;
    let res = get(&st, "/trainer/quizzes/999999", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = body_text(res).await;
    assert!(html.contains("页面不存在"));
    assert!(!html[html.find("<main").unwrap()..].contains("<form"));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn attempt_pages_are_never_stored_by_the_browser(pool: Pool) {
    let st = state(pool);
    user(&st, "E1", "trainee", None).await;
    let cookie = sign_in(&st, "E1").await;
    // Even the refusal of an attempt that is not theirs: nothing about attempts is cached.
    let res = get(&st, "/attempt/12345", Some(&cookie)).await;
    assert_eq!(res.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()), Some("no-store"));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn employee_numbers_are_one_number_whatever_their_case(pool: Pool) {
    let st = state(pool.clone());
    let id = user(&st, "E1001", "trainee", None).await;
    let signed_in = login::login(
        &st,
        LoginRequest {
            login: "e1001",
            password: PASSWORD,
            ip: "t",
            user_agent: "t",
            previous_session: None,
            device: None,
        },
    )
    .await
    .expect("a lowercase employee number signs in");
    let me = floorready::server::auth::session::resolve(&st.db, &st.config, &signed_in.session).await.unwrap().unwrap();
    assert_eq!(me.id, id);

    // Nobody else can hold the same number in another case.
    let twin = UserInput {
        email: "twin@example.com".into(),
        employee_no: "e1001".into(),
        display_name: "Twin".into(),
        roles: vec!["trainee".into()],
        ..Default::default()
    };
    let err = user::create(&st.db, &st.passwords, SYSTEM, &twin, None, PASSWORD).await.unwrap_err();
    assert!(matches!(&err, AppError::Conflict { field } if field == "employee_no"), "{err:?}");

    // Lists of numbers (enrolments, rosters) find them too; an unknown one is named, not only its line.
    let mut conn = pool.acquire().await.unwrap();
    let ids = user::active_ids_by_employee_no(&mut conn, &[(1, "e1001")]).await.unwrap();
    assert_eq!(ids, vec![id]);
    let AppError::Rows(rows) =
        user::active_ids_by_employee_no(&mut conn, &[(1, "E1001"), (2, "E9999")]).await.unwrap_err()
    else {
        panic!("row errors")
    };
    assert_eq!((rows[0].line, rows[0].key.as_str(), rows[0].value.as_str()), (2, "error.employee_no_unknown", "E9999"));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_refused_import_without_javascript_is_rendered_in_the_response_with_the_paste_kept(pool: Pool) {
    use floorready::api::user::ImportUsers;
    use leptos::server_fn::ServerFn;
    let st = state(pool.clone());
    user(&st, "AD", "admin", None).await;
    let cookie = sign_in(&st, "AD").await;
    // 400 rows, each with a position the list does not hold.
    let mut csv = String::from("employee_no,display_name,email,position,hire_date,team,roles,password\n");
    for i in 0..400 {
        csv.push_str(&format!("N{i},Name {i},n{i}@example.com,Nowhere,,,trainee,lantern-orbit-maple\n"));
    }
    let body = form_urlencoded::Serializer::new(String::new()).append_pair("csv", &csv).finish();
    let req = Request::post(ImportUsers::PATH)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, "http://127.0.0.1:3000/admin/users")
        .header(header::COOKIE, &cookie)
        .body(Body::from(body))
        .unwrap();
    let res = send(&st, req).await;
    let location =
        res.headers().get(header::LOCATION).map(|l| l.to_str().unwrap_or_default()[..120.min(l.len())].to_string());
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the page itself, not a redirect to {location:?}");
    assert!(res.headers().get(header::LOCATION).is_none());
    let html = body_text(res).await;
    assert!(html.contains("<h1>") && html.contains("name=\"csv\""), "the users page, rendered");
    assert!(html.matches("Nowhere").count() >= 400, "every row's error and the paste are on the page");
    assert!(html.contains("N399,Name 399,n399@example.com"), "the paste is kept in the text box");
    assert_eq!(count(&pool, "select count(*) from users").await, 1, "nothing was stored");
    // What the browser needs to hydrate this page as the users page: its address and the refusal.
    let html_tag = &html[html.find("<html").unwrap()..html.find("<head").unwrap()];
    assert!(html_tag.contains("data-page=\"/admin/users\""), "{html_tag:.300}");
    assert!(html_tag.contains(&format!("data-refused-fn=\"{}\"", ImportUsers::PATH)), "{html_tag:.300}");
    assert!(html_tag.contains("data-posted=\"csv=employee_no"), "the paste, for the box after hydration");
}

/// The same for a refused sign-in: the page's address and the refusal, but never the password.
#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_refused_sign_in_without_javascript_never_writes_the_password_into_the_page(pool: Pool) {
    use floorready::api::auth::Login;
    use leptos::server_fn::ServerFn;
    let st = state(pool);
    user(&st, "T1", "trainer", None).await;
    let req = Request::post(Login::PATH)
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://127.0.0.1:3000/login")
        .body(Body::from("login=T1&password=hunter2-secret-pw"))
        .unwrap();
    let res = send(&st, req).await;
    assert!(res.status().is_client_error(), "{}", res.status());
    let html = body_text(res).await;
    assert!(html.contains("data-page=\"/login\""), "the login page, at its own address after hydration");
    assert!(!html.contains("hunter2-secret-pw"), "the password is nowhere in the page");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn quiz_windows_are_typed_and_shown_on_the_sites_clock(pool: Pool) {
    use floorready::api::quiz::CreateQuiz;
    use floorready::i18n::Zone;
    use floorready::model::course::{CourseFields, TrainingType};
    use floorready::model::team::TeamKind;
    use floorready::server::{audit::Actor, course, team};
    use leptos::server_fn::ServerFn;
    let st = state(pool.clone());
    let system = Actor { id: None, ip: "" };
    let site = team::create(&st.db, system, None, &"上海".into(), TeamKind::Site).await.unwrap();
    team::set_zone(&st.db, system, site, Zone::parse("Asia/Shanghai").unwrap()).await.unwrap();
    let group = team::create(&st.db, system, Some(site), &"一组".into(), TeamKind::Team).await.unwrap();
    let trainer = user(&st, "T1", "trainer", Some(group)).await;
    let fields = CourseFields {
        title: "售后服务".into(),
        summary: String::new(),
        category_id: 2,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 60,
    };
    let course_id = course::create(&st.db, system, trainer, &fields).await.unwrap();
    let cookie = sign_in(&st, "T1").await;

    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("course_id", &course_id.to_string())
        .append_pair("title_zh", "岗前测试")
        .append_pair("kind", "post_test")
        .append_pair("review_policy", "score_only")
        .append_pair("opens_at", "2030-01-05T08:00")
        .finish();
    let res = send(&st, form(CreateQuiz::PATH).header(header::COOKIE, &cookie).body(Body::from(body)).unwrap()).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
    let (id, opens): (i64, i64) = sqlx::query_as("select id, opens_at from quizzes").fetch_one(&pool).await.unwrap();
    // 08:00 in Shanghai is midnight UTC.
    let midnight_utc = chrono::NaiveDate::from_ymd_opt(2030, 1, 5).unwrap().and_hms_opt(0, 0, 0).unwrap();
    assert_eq!(opens, midnight_utc.and_utc().timestamp());

    let html = body_text(get(&st, &format!("/trainer/quizzes/{id}"), Some(&cookie)).await).await;
    assert!(html.contains(r#"data-tz="Asia/Shanghai""#), "the page carries the viewer's zone for hydration");
    assert!(html.contains(r#"value="2030-01-05T08:00""#), "the window is shown as typed");
    assert!(html.contains("开放时间 (Asia/Shanghai)"), "the zone is named beside the field");

    // Someone without a team (an admin) sees the one zone every site keeps.
    user(&st, "AD", "admin", None).await;
    let admin = sign_in(&st, "AD").await;
    let html = body_text(get(&st, "/", Some(&admin)).await).await;
    assert!(html.contains(r#"data-tz="Asia/Shanghai""#));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_organisations_logo_is_a_checked_picture_an_admin_sets(pool: Pool) {
    use floorready::server::organisation;
    let st = state(pool);
    user(&st, "AD", "admin", None).await;
    user(&st, "T1", "trainer", None).await;
    let admin = sign_in(&st, "AD").await;
    let trainer = sign_in(&st, "T1").await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    // Only an admin may set it.
    let res = send(&st, multipart_post("/admin/organisation/logo", &trainer, "logo.png", png)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // An SVG (which could carry script) is refused by its content, whatever its name says.
    let res = send(&st, multipart_post("/admin/organisation/logo", &admin, "logo.png", b"<svg onload=alert(1)>")).await;
    assert_eq!(res.headers()[header::LOCATION], "/admin/organisation?file_error=error.image_type");
    assert!(!organisation::get(&st.db).await.unwrap().has_logo);

    let res = send(&st, multipart_post("/admin/organisation/logo", &admin, "logo.png", png)).await;
    assert_eq!(res.headers()[header::LOCATION], "/admin/organisation?uploaded=logo");
    let org = organisation::get(&st.db).await.unwrap();
    assert!(org.has_logo && !org.has_seal);

    // Anyone may fetch it (the sign-in page shows it), as a picture that cannot run.
    let res = get(&st, "/org/logo", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
    assert!(res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("sandbox"));
    assert_eq!(body_bytes(res).await, png.to_vec());
    assert_eq!(get(&st, "/org/seal", None).await.status(), StatusCode::NOT_FOUND);

    // The header carries it and the organisation's name in the reader's language.
    organisation::save_name(&st.db, SYSTEM, "华信售后", "Huaxin After-sales").await.unwrap();
    let html = body_text(get(&st, "/login", None).await).await;
    assert!(html.contains(&format!(r#"src="/org/logo?v={}""#, organisation::get(&st.db).await.unwrap().updated_at)));
    assert!(html.contains("华信售后"), "zh-CN reader");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_csv_file_of_people_imports_like_pasted_text_and_a_refusal_keeps_its_text(pool: Pool) {
    let st = state(pool.clone());
    user(&st, "AD", "admin", None).await;
    let admin = sign_in(&st, "AD").await;
    floorready::server::position::add(&st.db, SYSTEM, "售后服务专员", "After-sales specialist").await.unwrap();
    let header = "employee_no,display_name,email,position,hire_date,team,roles,password\n";
    // Saved by Excel on a Chinese Windows: GB18030, not UTF-8.
    let csv =
        format!("{header}E3001,王芳,wang.fang@example.com,售后服务专员,2026-11-01,,trainee,lantern-orbit-maple\n");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&csv);
    let res = send(&st, multipart_post("/admin/users/import", &admin, "people.csv", &gbk)).await;
    assert_eq!(res.headers()[header::LOCATION], "/admin/users?imported=1");
    let name: String = sqlx::query_scalar("select display_name from users where employee_no = 'E3001'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(name, "王芳");

    // A bad row: the users page itself, with the row's problem and the file's text in the box.
    let bad = format!("{header}E3002,李雷,li.lei@example.com,Nowhere,,,trainee,lantern-orbit-maple\n");
    let mut req = multipart_post("/admin/users/import", &admin, "people.csv", bad.as_bytes());
    req.headers_mut().insert(header::ACCEPT_LANGUAGE, "en".parse().unwrap());
    let res = send(&st, req).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = body_text(res).await;
    assert!(html.contains("<h1>") && html.contains("name=\"csv\""), "the users page");
    assert!(html.contains("Nowhere"), "the row's bad value is named");
    assert!(html.contains("E3002,李雷,li.lei@example.com"), "the file's text is in the paste box");
    assert_eq!(count(&pool, "select count(*) from users where employee_no = 'E3002'").await, 0);
    // Only an admin may import.
    user(&st, "T1", "trainer", None).await;
    let trainer = sign_in(&st, "T1").await;
    let res = send(&st, multipart_post("/admin/users/import", &trainer, "people.csv", csv.as_bytes())).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

/// Authored names are written once per language and each reader sees theirs: the course list, the
/// course editor's module and the trainee's course page, in Chinese for one trainer and English
/// for the other; a name written in one language only shows to both.
#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn each_reader_sees_authored_names_in_their_own_language(pool: Pool) {
    use floorready::model::course::{CourseFields, TrainingType};
    use floorready::model::Names;
    use floorready::server::course;
    let st = state(pool.clone());
    let zh_trainer = user(&st, "T1", "trainer", None).await;
    user(&st, "T2", "trainer", None).await;
    sqlx::query("update users set locale = 'en' where employee_no = 'T2'").execute(&pool).await.unwrap();
    let fields = CourseFields {
        title: Names::new("售后入门", "After-sales basics"),
        summary: String::new(),
        category_id: 2,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 30,
    };
    let course_id = course::create(&st.db, SYSTEM, zh_trainer, &fields).await.unwrap();
    course::add_module(&st.db, course_id, &Names::new("服务承诺", "Commitments")).await.unwrap();
    course::add_module(&st.db, course_id, &Names::new("", "Only English")).await.unwrap();
    sqlx::query("insert into course_owners (course_id, user_id) select $1, id from users where employee_no = 'T2'")
        .bind(course_id)
        .execute(&pool)
        .await
        .unwrap();

    for (who, mine, other) in [
        ("T1", ["售后入门", "服务承诺"], ["After-sales basics", "Commitments"]),
        ("T2", ["After-sales basics", "Commitments"], ["售后入门", "服务承诺"]),
    ] {
        let cookie = sign_in(&st, who).await;
        for path in ["/trainer/courses".to_string(), format!("/trainer/courses/{course_id}")] {
            let res = get(&st, &path, Some(&cookie)).await;
            assert_eq!(res.status(), StatusCode::OK, "{who} {path}");
            let html = body_text(res).await;
            let main = &html[html.find("<main").expect("a page")..];
            assert!(main.contains(mine[0]), "{who} reads the course title in their language on {path}");
            assert!(
                !main.contains(&format!(">{}<", other[0])),
                "{who} does not get the other language's title on {path}"
            );
            if path.ends_with(&course_id.to_string()) {
                assert!(
                    main.contains(&format!(">{}<", mine[1])) && !main.contains(&format!(">{}<", other[1])),
                    "{who}: the module"
                );
                assert!(main.contains(">Only English<"), "{who}: a name in one language shows to everyone");
                // The form keeps each language in its own field.
                assert!(
                    main.contains("name=\"title_zh\"") && main.contains("value=\"售后入门\""),
                    "{who}: the Chinese field"
                );
                assert!(
                    main.contains("name=\"title_en\"") && main.contains("value=\"After-sales basics\""),
                    "{who}: the English field"
                );
            }
        }
    }

    // Both left empty is refused, naming the first field; one language alone is a name.
    let both_empty = CourseFields { title: Names::new(" ", ""), ..fields.clone() };
    assert_eq!(
        course::create(&st.db, SYSTEM, zh_trainer, &both_empty).await.unwrap_err(),
        AppError::validation("title_zh", "error.names_both_empty")
    );
    let stored: (String, String) = sqlx::query_as("select title, title_en from course_versions where course_id = $1")
        .bind(course_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, ("售后入门".to_string(), "After-sales basics".to_string()));
}

/// Migration 0015 on a database written before it: a name with no Chinese in it moves to the
/// English column, a Chinese or mixed one stays, and "not both empty" is what the table checks.
// Replays SQLite's own migrations around the one that moved the names.
#[cfg(not(feature = "postgres"))]
#[sqlx::test(migrations = false)]
async fn names_written_before_two_languages_move_to_their_column(pool: Pool) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let (before, after): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|f| f.file_name().unwrap().to_str().unwrap() < "0015");
    let mut conn = pool.acquire().await.unwrap();
    for f in &before {
        sqlx::raw_sql(&std::fs::read_to_string(f).unwrap()).execute(&mut *conn).await.unwrap();
    }
    sqlx::raw_sql(
        "insert into teams (name, kind, created_at) values ('Shanghai', 'site', 0), ('上海二店', 'site', 0);
         insert into programs (name, level_id, created_at) values ('Specialist', 1, 0), ('专员 Specialist', 1, 0);",
    )
    .execute(&mut *conn)
    .await
    .unwrap();
    // This test is about 0015; the migrations after it are not run.
    let m0015 = after.iter().find(|f| f.file_name().unwrap().to_str().unwrap().starts_with("0015")).unwrap();
    sqlx::raw_sql(&std::fs::read_to_string(m0015).unwrap()).execute(&mut *conn).await.unwrap();
    let teams: Vec<(String, String)> =
        sqlx::query_as("select name, name_en from teams order by id").fetch_all(&mut *conn).await.unwrap();
    assert_eq!(teams, [("".into(), "Shanghai".into()), ("上海二店".into(), "".into())]);
    let programs: Vec<(String, String)> =
        sqlx::query_as("select name, name_en from programs order by id").fetch_all(&mut *conn).await.unwrap();
    assert_eq!(programs, [("".into(), "Specialist".into()), ("专员 Specialist".into(), "".into())]);
    let refused = sqlx::query("insert into teams (name, name_en, kind, created_at) values ('', ' ', 'site', 0)")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("CHECK constraint failed"), "{refused}");
    sqlx::query("insert into teams (name, name_en, kind, created_at) values ('', 'Beijing', 'site', 0)")
        .execute(&mut *conn)
        .await
        .unwrap();
}

/// The audit log page: admins only; filtered by person, action and day; the chain's state shown,
/// and a tampered entry named.
#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn admins_read_the_audit_log_by_person_action_and_day_with_the_chains_state(pool: Pool) {
    use floorready::i18n::Zone;
    use floorready::model::audit::{AuditQuery, ChainState};
    use floorready::server::audit;
    let st = state(pool.clone());
    user(&st, "AD", "admin", None).await;
    user(&st, "E1", "trainee", None).await;
    user(&st, "E2", "trainee", None).await;
    let admin = sign_in(&st, "AD").await;
    sign_in(&st, "E1").await;
    sign_in(&st, "E2").await;
    let zone = Zone::parse("Asia/Shanghai").unwrap();
    let read = |q: AuditQuery| {
        let db = st.db.clone();
        async move { audit::list(&db, &q, zone).await }
    };

    let all = read(AuditQuery::default()).await.unwrap();
    assert!(all.total >= 6, "three accounts created, three sign-ins: {}", all.total);
    assert_eq!(all.chain, ChainState::Intact { checked: all.total as u64 });
    let e1 = read(AuditQuery { person: "e1".into(), ..Default::default() }).await.unwrap();
    assert!(!e1.entries.is_empty());
    assert!(
        e1.entries.iter().all(|e| e.actor.as_deref().is_some_and(|a| a.contains("E1"))
            || e.subject_person.as_deref().is_some_and(|s| s.contains("E1"))),
        "only what E1 did or what was done to E1: {:?}",
        e1.entries
    );
    let logins = read(AuditQuery { action: "login".into(), ..Default::default() }).await.unwrap();
    assert_eq!(logins.total, 3);
    assert!(logins.actions.contains(&"user_created".to_string()));
    // Today on the reader's clock holds everything; a day long gone holds nothing.
    let today = zone.today(floorready::server::now()).unwrap().to_string();
    assert_eq!(
        read(AuditQuery { from: today.clone(), to: today, ..Default::default() }).await.unwrap().total,
        all.total
    );
    assert_eq!(read(AuditQuery { to: "2020-01-01".into(), ..Default::default() }).await.unwrap().total, 0);
    assert_eq!(
        read(AuditQuery { from: "yesterday".into(), ..Default::default() }).await.unwrap_err(),
        AppError::validation("from", "error.date_invalid")
    );

    // The page, for an admin, in their language; a trainee is refused.
    let res = get(&st, "/admin/audit?action=login", Some(&admin)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = body_text(res).await;
    assert!(html.contains("日志完整") && html.contains("<table class=\"list audit\""), "the chain and the table");
    // Leptos marks where dynamic text ends (`<!>`); the cell's text is what is compared.
    let cells = html.replace("<!>", "");
    assert_eq!(cells.matches("<td data-label=\"操作\">登录</td>").count(), 3, "three sign-ins, named in Chinese");
    let e1_cookie = sign_in(&st, "E1").await;
    assert_eq!(get(&st, "/admin/audit", Some(&e1_cookie)).await.status(), StatusCode::FORBIDDEN);

    // Someone edits an entry in the database: the page names where the chain breaks.
    let victim: i64 =
        sqlx::query_scalar("select min(id) from audit_log where action = 'login'").fetch_one(&pool).await.unwrap();
    // (The triggers refuse edits; someone with the file drops them first.)
    drop_audit_trigger(&pool, "audit_log_no_update").await;
    sqlx::query("update audit_log set ip = '10.0.0.9' where id = $1").bind(victim).execute(&pool).await.unwrap();
    assert_eq!(read(AuditQuery::default()).await.unwrap().chain, ChainState::BrokenAt { id: victim });
    let html = body_text(get(&st, "/admin/audit", Some(&admin)).await).await;
    assert!(html.contains(&format!("第 {victim} 条记录")), "the broken entry is named");
}

/// A trainer who does not author a course or its bank gets the refusal and nothing of the page:
/// no upload form, no learners, no questions (the course page rendered its files and learners below it).
#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn another_trainers_course_and_bank_are_403_with_nothing_below(pool: Pool) {
    use floorready::model::course::{CourseFields, TrainingType};
    use floorready::model::Names;
    use floorready::server::{course, quiz};
    let st = state(pool);
    let t1 = user(&st, "T1", "trainer", None).await;
    user(&st, "T2", "trainer", None).await;
    let fields = CourseFields {
        title: Names::new("", "Mine"),
        summary: String::new(),
        category_id: 2,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 30,
    };
    let course_id = course::create(&st.db, SYSTEM, t1, &fields).await.unwrap();
    let owner = current(&st, "T1").await;
    let bank = quiz::create_bank(&st.db, SYSTEM, &owner, Some(course_id), "Mine").await.unwrap();
    let cookie = sign_in(&st, "T2").await;
    for path in [format!("/trainer/courses/{course_id}"), format!("/trainer/banks/{bank}")] {
        let res = get(&st, &path, Some(&cookie)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        let html = body_text(res).await;
        let main = &html[html.find("<main").unwrap()..];
        assert!(main.contains("您无权查看此页面"), "{path}");
        assert!(!main.contains("<form") && !main.contains("<table"), "{path} renders its sections under the refusal");
    }
}
