//! Certification against a real database and through the real router: every requirement kind,
//! the renewal window and cycles, expiry by the scheduled check (twice, and after downtime),
//! manual decisions and their reasons, the audit chain, API tokens, and who may see what.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use floorready::api::cert::{DecideCertification, GetRoster, PersonCertification, VerifyCertificate};
use floorready::error::AppError;
use floorready::model::cert::{CertStatus, Decision, Phase, ProgramFields, ReqKind};
use floorready::model::course::{CourseFields, TrainingType};
use floorready::model::plan::Attendance;
use floorready::model::quiz::{QuizFields, QuizKind, ReviewPolicy};
use floorready::model::roleplay::{Channel, CriterionInput, Mode, ScenarioFields, ScoreInput, SecondRaterRule};
use floorready::model::team::TeamKind;
use floorready::model::Names;
use floorready::server::audit::{self, Chain};
use floorready::server::auth::guard::CurrentUser;
use floorready::server::cert::{self, certificate, clearance, evidence, recompute, status};
use floorready::server::config::Config;
use floorready::server::course::{self, enroll, learn};
use floorready::server::db::Pool;
use floorready::server::quiz::{self, attempt, authoring};
use floorready::server::roleplay as rp;
use floorready::server::state::AppState;
use floorready::server::{now, plan, team, user as users};
use leptos::server_fn::ServerFn;

const DAY: i64 = 86_400;
const POSITION: &str = "Service specialist";

struct World {
    position: i64,
    program: i64,
    course: i64,
    lessons: Vec<i64>,
    post: i64,
    refresher: i64,
    scenario: i64,
    sessions: Vec<i64>,
    trainer: CurrentUser,
}

fn quiz_fields(title: &str, kind: QuizKind) -> QuizFields {
    QuizFields {
        title: title.into(),
        kind,
        pass_percent: 50,
        time_limit_minutes: None,
        opens_at: None,
        closes_at: None,
        attempts_allowed: None,
        cooloff_minutes: 0,
        review_policy: ReviewPolicy::ScoreOnly,
        shuffle_questions: false,
        shuffle_options: false,
        pre_test_id: None,
    }
}

/// Team "Floor" (manager M1) with trainees E1, E2; team "Other" (manager M2) with E3; trainer T1,
/// admin AD. A program for the position asks for a course, a post-test of at least 80% (the quiz
/// itself passes at 50%), a role-play with a critical criterion, and 75% attendance of a plan of
/// four sessions; renewal asks for a refresher quiz.
async fn world(st: &AppState) -> World {
    let floor = team::create(&st.db, SYSTEM, None, &"Floor".into(), TeamKind::Team).await.unwrap();
    let other = team::create(&st.db, SYSTEM, None, &"Other".into(), TeamKind::Team).await.unwrap();
    let t1 = user(st, "T1", "trainer", None).await;
    user(st, "AD", "admin", None).await;
    for (no, team) in [("E1", floor), ("E2", floor), ("E3", other)] {
        user(st, no, "trainee", Some(team)).await;
    }
    for (no, team) in [("M1", floor), ("M2", other)] {
        let id = user(st, no, "manager", Some(team)).await;
        let input = users::UserInput {
            email: format!("{}@example.com", no.to_lowercase()),
            employee_no: no.into(),
            display_name: format!("User {no}"),
            roles: vec!["manager".into()],
            ..Default::default()
        };
        users::update(&st.db, SYSTEM, id, &input, Some(team), &[team]).await.unwrap();
    }
    let position =
        floorready::server::position::add(&st.db, SYSTEM, POSITION, "Service specialist (en)").await.unwrap();
    sqlx::query("update users set position_id = $1 where employee_no like 'E%'")
        .bind(position)
        .execute(&st.db.write)
        .await
        .unwrap();

    let fields = CourseFields {
        title: "Onboarding".into(),
        summary: String::new(),
        category_id: 2,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 60,
    };
    let course = course::create(&st.db, SYSTEM, t1, &fields).await.unwrap();
    let m = course::add_module(&st.db, course, &"M".into()).await.unwrap();
    let lessons = vec![
        course::add_lesson(&st.db, course, m, &"L1".into(), "one").await.unwrap(),
        course::add_lesson(&st.db, course, m, &"L2".into(), "two").await.unwrap(),
    ];
    course::publish(&st.db, SYSTEM, course).await.unwrap();
    let trainer = current(st, "T1").await;
    let bank = quiz::create_bank(&st.db, SYSTEM, &trainer, Some(course), "Bank").await.unwrap();
    // Five true/false questions, all true: answering k of them "true" scores k × 20%.
    let gift: String = (1..=5).map(|i| format!("::Q{i}:: Statement {i} is true. {{T}}\n\n")).collect();
    quiz::import_gift(&st.db, SYSTEM, bank, &gift).await.unwrap();
    let mut quizzes = Vec::new();
    for (title, kind) in [("Post-test", QuizKind::PostTest), ("Refresher", QuizKind::Refresher)] {
        let q = authoring::create(&st.db, SYSTEM, &trainer, course, &quiz_fields(title, kind)).await.unwrap();
        authoring::add_draw(&st.db, q, bank, "", "", 5).await.unwrap();
        authoring::set_published(&st.db, SYSTEM, q, true).await.unwrap();
        quizzes.push(q);
    }
    let rows = vec![
        CriterionInput {
            name_en: "manner".into(),
            weight: "1".into(),
            levels: "poor\nok\ngood".into(),
            ..Default::default()
        },
        CriterionInput {
            name_en: "warranty facts".into(),
            weight: "1".into(),
            critical: Some("on".into()),
            pass_level: "1".into(),
            levels: "wrong\nright\nexact".into(),
            ..Default::default()
        },
    ];
    let rubric = rp::save_rubric(&st.db, SYSTEM, None, "Rubric", &rows).await.unwrap();
    let scenario = rp::save_scenario(
        &st.db,
        SYSTEM,
        None,
        ScenarioFields {
            title: "Late repair".into(),
            channel: Channel::Phone,
            product: String::new(),
            situation: "Two weeks late.".into(),
            persona: String::new(),
            mood: String::new(),
            objective: String::new(),
            cues: String::new(),
            facts: String::new(),
            customer_turns: String::new(),
            time_box_minutes: 10,
            rubric_id: rubric,
            pass_percent: 50,
            rule: SecondRaterRule::Average,
            course_ids: vec![course],
        },
    )
    .await
    .unwrap();
    // Through the plan service, as a trainer would: joining the plan is what recomputes members.
    let plan_fields = floorready::model::plan::PlanFields { title: "Plan".into(), ..Default::default() };
    let plan = plan::create(&st.db, SYSTEM, t1, &plan_fields).await.unwrap();
    let mut sessions = Vec::new();
    for day in ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"] {
        let input = plan::SessionInput {
            topic: "Onboarding".into(),
            day: day.into(),
            start_time: "09:00".into(),
            end_time: "12:00".into(),
            ..Default::default()
        };
        sessions.push(plan::add_session(&st.db, plan, &input).await.unwrap());
    }
    assert_eq!(plan::enroll_numbers(&st.db, SYSTEM, plan, "E1\nE2").await.unwrap(), 2);

    let program = cert::save_program(
        &st.db,
        SYSTEM,
        None,
        ProgramFields {
            name: "Specialist junior".into(),
            position_id: position,
            level_id: 1,
            requires_program_id: None,
            validity_days: 365,
            window_days: 60,
            veteran_cycle_days: Some(90),
            manager_cycle_days: Some(180),
        },
    )
    .await
    .unwrap();
    for (phase, kind, target, min) in [
        (Phase::Initial, ReqKind::Course, course, None),
        (Phase::Initial, ReqKind::Quiz, quizzes[0], Some(80)),
        (Phase::Initial, ReqKind::Roleplay, scenario, None),
        (Phase::Initial, ReqKind::Attendance, plan, Some(75)),
        (Phase::Recert, ReqKind::Quiz, quizzes[1], None),
    ] {
        cert::add_requirement(&st.db, SYSTEM, program, phase, kind, target, min).await.unwrap();
    }
    World { position, program, course, lessons, post: quizzes[0], refresher: quizzes[1], scenario, sessions, trainer }
}

async fn status_of(st: &AppState, no: &str, program: i64) -> CertStatus {
    let s: String = sqlx::query_scalar(
        "select c.status from certifications c join users u on u.id = c.user_id where u.employee_no = $1 and c.program_id = $2",
    )
    .bind(no)
    .bind(program)
    .fetch_optional(&st.db.read)
    .await
    .unwrap()
    .unwrap_or_else(|| "not_started".into());
    CertStatus::parse(&s).unwrap()
}

/// Takes a quiz answering `right` of the five questions "true".
async fn take_quiz(st: &AppState, who: &CurrentUser, quiz: i64, right: usize) {
    let a = attempt::start(&st.db, SYSTEM, who, quiz).await.unwrap();
    let v = attempt::view(&st.db, who, a, 0).await.unwrap().unwrap();
    let mut seq = 0;
    for page in 0..v.pages {
        let p = attempt::view(&st.db, who, a, page).await.unwrap().unwrap();
        let form = p
            .items
            .iter()
            .map(|i| (format!("p{}", i.position), if i.position < right { "true" } else { "false" }.to_string()))
            .collect();
        seq += 1;
        attempt::save(&st.db, who, a, seq, page, &form).await.unwrap();
    }
    attempt::submit(&st.db, SYSTEM, who, a).await.unwrap();
}

async fn role_play(st: &AppState, w: &World, no: &str, levels: [u8; 2]) {
    let id = rp::attempt::open(&st.db, SYSTEM, &w.trainer, w.scenario, no, Mode::Live, rp::attempt::Raters::opener())
        .await
        .unwrap();
    let scores: Vec<ScoreInput> =
        levels.iter().map(|l| ScoreInput { level: Some(l.to_string()), comment: String::new() }).collect();
    rp::attempt::rate(&st.db, SYSTEM, &w.trainer, id, &scores, "").await.unwrap();
}

/// Everything but the role-play, for E1.
async fn almost_qualify(st: &AppState, w: &World, no: &str) -> CurrentUser {
    let who = current(st, no).await;
    enroll::by_employee_numbers(&st.db, SYSTEM, w.course, no).await.unwrap();
    for l in &w.lessons {
        learn::complete(&st.db, who.id, *l).await.unwrap();
    }
    take_quiz(st, &who, w.post, 5).await;
    for s in &w.sessions[..3] {
        plan::mark(&st.db, SYSTEM, *s, who.id, Attendance::Present).await.unwrap();
    }
    who
}

async fn checks(st: &AppState, who: &CurrentUser, w: &World) -> Vec<(ReqKind, bool, String)> {
    let p = status::person(&st.db, who, who.id).await.unwrap();
    let v = p.programs.into_iter().find(|v| v.program_id == w.program).unwrap();
    v.checks.into_iter().map(|c| (c.kind, c.met, c.detail_key)).collect()
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn each_requirement_kind_is_evaluated_with_evidence(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    let e1 = current(&st, "E1").await;
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::InTraining, "a plan member is in training");
    assert_eq!(status_of(&st, "E3", w.program).await, CertStatus::NotStarted);

    // Course: enrolled, half done, then complete.
    enroll::by_employee_numbers(&st.db, SYSTEM, w.course, "E1").await.unwrap();
    learn::complete(&st.db, e1.id, w.lessons[0]).await.unwrap();
    let c = checks(&st, &e1, &w).await;
    assert_eq!(c[0], (ReqKind::Course, false, "cert.detail.lessons".into()));
    learn::complete(&st.db, e1.id, w.lessons[1]).await.unwrap();
    assert!(checks(&st, &e1, &w).await[0].1, "the course is complete");

    // Quiz: 60% passes the quiz (50%) but not the program's 80%; 80% meets it.
    take_quiz(&st, &e1, w.post, 3).await;
    let c = checks(&st, &e1, &w).await;
    assert_eq!((c[1].0, c[1].1), (ReqKind::Quiz, false));
    take_quiz(&st, &e1, w.post, 4).await;
    assert!(checks(&st, &e1, &w).await[1].1, "the best attempt (80%) counts");

    // Attendance: 2 of 4 = 50% < 75%; an excused session leaves 2 of 3 = 66%; a third: 3 of 3.
    plan::mark(&st.db, SYSTEM, w.sessions[0], e1.id, Attendance::Present).await.unwrap();
    plan::mark(&st.db, SYSTEM, w.sessions[1], e1.id, Attendance::Late).await.unwrap();
    assert!(!checks(&st, &e1, &w).await[3].1);
    plan::mark(&st.db, SYSTEM, w.sessions[2], e1.id, Attendance::Excused).await.unwrap();
    assert!(!checks(&st, &e1, &w).await[3].1);
    plan::mark(&st.db, SYSTEM, w.sessions[3], e1.id, Attendance::Present).await.unwrap();
    assert!(checks(&st, &e1, &w).await[3].1);
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::InTraining, "the role-play is still missing");

    // Role-play: a high total with the critical criterion failed does not count; a pass does.
    role_play(&st, &w, "E1", [2, 0]).await;
    let c = checks(&st, &e1, &w).await;
    assert_eq!(c[2], (ReqKind::Roleplay, false, "cert.detail.roleplay_critical".into()));
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::InTraining);
    role_play(&st, &w, "E1", [1, 1]).await;
    // The rating's transaction certified E1 and issued a certificate.
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Certified);
    let (issued, expires): (i64, i64) =
        sqlx::query_as("select issued_at, expires_at from certificates").fetch_one(&pool).await.unwrap();
    assert_eq!(expires - issued, 365 * DAY, "a first certificate lasts the validity");
    let p = status::person(&st.db, &e1, e1.id).await.unwrap();
    let v = &p.programs[0];
    assert!(v.checks.iter().all(|c| c.met && c.link.is_some()), "each requirement links to its evidence");
    assert!(p.history.iter().any(|h| h.after == CertStatus::Certified && h.why == "role-play result final"));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_renewal_window_cycles_and_the_scheduled_check(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    let e1 = almost_qualify(&st, &w, "E1").await;
    role_play(&st, &w, "E1", [2, 2]).await;
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Certified);
    let expires: i64 = sqlx::query_scalar("select expires_at from certificates").fetch_one(&pool).await.unwrap();

    // The scheduled check at a given time: before the window nothing changes; inside it (60 days
    // before expiry) the person is expiring; a second run changes nothing.
    assert_eq!(recompute::sweep(&st.db, expires - 61 * DAY).await.unwrap(), 0);
    let t = now();
    // Move the certificate so that its window is open today (55 days left), as time would.
    let shift = expires - (t + 55 * DAY);
    sqlx::query("update certificates set issued_at = issued_at - $1, expires_at = expires_at - $1")
        .bind(shift)
        .execute(&pool)
        .await
        .unwrap();
    let expires = expires - shift;
    assert_eq!(recompute::sweep(&st.db, t).await.unwrap(), 1);
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Expiring);
    assert_eq!(recompute::sweep(&st.db, t).await.unwrap(), 0, "a second run changes nothing");
    let p = status::person(&st.db, &e1, e1.id).await.unwrap();
    assert_eq!(p.programs[0].phase, Phase::Recert, "the checklist shows what renewal needs");
    assert_eq!(p.programs[0].checks.iter().map(|c| c.kind).collect::<Vec<_>>(), vec![ReqKind::Quiz]);
    // The holder and their manager were told once.
    assert_eq!(count(&pool, "select count(*) from notifications where kind = 'expiring'").await, 2);
    // Without SMTP they stay in the app: sending is not attempted and is not an error.
    assert_eq!(cert::notify::send_email(&st.db, &st.config, t).await.unwrap(), 0);
    assert_eq!(count(&pool, "select count(*) from notifications where emailed_at is not null").await, 0);
    // A mail server that does not answer: nothing is marked sent, and it is not an error.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let down = Config { smtp_url: Some(format!("smtp://127.0.0.1:{closed}")), ..(*st.config).clone() };
    assert_eq!(cert::notify::send_email(&st.db, &down, t).await.unwrap(), 0);
    assert_eq!(count(&pool, "select count(*) from notifications where emailed_at is not null").await, 0);
    // A real SMTP exchange: each notice goes once, to its recipient, and is marked sent.
    let (port, got) = smtp_sink().await;
    let smtp = Config { smtp_url: Some(format!("smtp://127.0.0.1:{port}")), ..(*st.config).clone() };
    assert_eq!(cert::notify::send_email(&st.db, &smtp, t).await.unwrap(), 2);
    assert_eq!(cert::notify::send_email(&st.db, &smtp, t).await.unwrap(), 0, "sent once");
    let mails = got.lock().unwrap().clone();
    assert_eq!(mails.len(), 2);
    for to in ["e1@example.com", "m1@example.com"] {
        assert!(mails.iter().any(|m| m.contains(&format!("<{to}>"))), "a notice to {to}: {mails:?}");
    }
    assert!(mails.iter().all(|m| m.contains("Subject: ")), "{mails:?}");
    assert_eq!(count(&pool, "select count(*) from notifications where emailed_at is not null").await, 2);

    // Taking the refresher inside the window renews on the veteran cycle, counted from the old expiry.
    take_quiz(&st, &e1, w.refresher, 5).await;
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Certified);
    let latest: i64 = sqlx::query_scalar("select max(expires_at) from certificates").fetch_one(&pool).await.unwrap();
    assert_eq!(latest, expires + 90 * DAY);

    // After downtime the check catches up in one run: the renewed certificate ran out.
    assert_eq!(recompute::sweep(&st.db, latest + 10 * DAY).await.unwrap(), 1);
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Expired);
    assert_eq!(recompute::sweep(&st.db, latest + 10 * DAY).await.unwrap(), 0);
    let changes = count(&pool, "select count(*) from audit_log where action = 'certification_status'").await;
    recompute::sweep(&st.db, latest + 11 * DAY).await.unwrap();
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'certification_status'").await, changes);
    // Old evidence does not certify again after expiry.
    let p = evidence::program(&mut st.db.write.acquire().await.unwrap(), w.program).await.unwrap();
    let e = evidence::evaluate(&mut st.db.read.acquire().await.unwrap(), e1.id, &p, latest + 12 * DAY).await.unwrap();
    assert!(!e.facts.initial_met);

    // A manager renews on the manager cycle: E2 holds the manager role too.
    let e2 = almost_qualify(&st, &w, "E2").await;
    sqlx::query("insert into user_roles (user_id, role) values ($1, 'manager')")
        .bind(e2.id)
        .execute(&pool)
        .await
        .unwrap();
    role_play(&st, &w, "E2", [2, 2]).await;
    let (issued, expires): (i64, i64) =
        sqlx::query_as("select issued_at, expires_at from certificates where user_id = $1 order by id desc limit 1")
            .bind(e2.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(expires - issued, 180 * DAY);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_higher_level_waits_for_the_lower_one(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    let senior = cert::save_program(
        &st.db,
        SYSTEM,
        None,
        ProgramFields {
            name: "Specialist intermediate".into(),
            position_id: w.position,
            level_id: 2,
            requires_program_id: Some(w.program),
            validity_days: 365,
            window_days: 30,
            veteran_cycle_days: None,
            manager_cycle_days: None,
        },
    )
    .await
    .unwrap();
    cert::add_requirement(&st.db, SYSTEM, senior, Phase::Initial, ReqKind::Quiz, w.refresher, None).await.unwrap();
    let e1 = almost_qualify(&st, &w, "E1").await;
    take_quiz(&st, &e1, w.refresher, 5).await;
    assert_eq!(
        status_of(&st, "E1", senior).await,
        CertStatus::InTraining,
        "its own requirements are met, the junior is not"
    );
    role_play(&st, &w, "E1", [2, 2]).await;
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Certified);
    assert_eq!(status_of(&st, "E1", senior).await, CertStatus::Certified, "in the same transaction");

    // The roster names what someone who has not started lacks, the lower program first.
    let admin = current(&st, "AD").await;
    let rows = status::roster_rows(&st.db, &admin, &status::RosterFilter::default()).await.unwrap();
    let e3: Vec<(Names, Vec<Names>)> =
        rows.iter().filter(|r| r.employee_no == "E3").map(|r| (r.program.clone(), r.missing.clone())).collect();
    assert_eq!(
        e3,
        vec![
            (
                "Specialist junior".into(),
                vec!["Onboarding".into(), "Post-test".into(), "Late repair".into(), "Plan".into()]
            ),
            ("Specialist intermediate".into(), vec!["Specialist junior".into(), "Refresher".into()]),
        ]
    );

    // A program cannot end up requiring itself, and the level must exist.
    let looped = ProgramFields {
        name: "Specialist junior".into(),
        position_id: w.position,
        level_id: 1,
        requires_program_id: Some(senior),
        validity_days: 365,
        window_days: 60,
        veteran_cycle_days: Some(90),
        manager_cycle_days: Some(180),
    };
    assert!(matches!(
        cert::save_program(&st.db, SYSTEM, Some(w.program), looped.clone()).await,
        Err(AppError::Validation { field, .. }) if field == "requires_program_id"
    ));
    let bad_level = ProgramFields { level_id: 99, requires_program_id: None, ..looped };
    assert!(matches!(
        cert::save_program(&st.db, SYSTEM, Some(w.program), bad_level).await,
        Err(AppError::Validation { field, .. }) if field == "level_id"
    ));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn manual_decisions_need_a_reason_and_the_right_person(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    almost_qualify(&st, &w, "E1").await;
    role_play(&st, &w, "E1", [2, 2]).await;
    let e1 = current(&st, "E1").await;
    let (m1, m2) = (current(&st, "M1").await, current(&st, "M2").await);

    let revoke = |who: &CurrentUser, reason: &str| {
        let (db, who, reason) = (st.db.clone(), who.clone(), reason.to_string());
        async move { status::decide(&db, SYSTEM, &who, e1.id, w.program, Decision::Revoke, &reason).await }
    };
    assert!(matches!(revoke(&m1, "  ").await, Err(AppError::Validation { key, .. }) if key == "error.reason_required"));
    assert_eq!(revoke(&m2, "not my team").await, Err(AppError::Forbidden), "another team's manager");
    assert_eq!(revoke(&e1, "myself").await, Err(AppError::Forbidden), "the holder");
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Certified, "nothing changed");

    // Through the router the trainee is refused outright.
    let cookie = sign_in(&st, "E1").await;
    let body = format!("user_id={}&program_id={}&decision=revoke&reason=because", e1.id, w.program);
    let res =
        send(&st, form(DecideCertification::PATH).header(header::COOKIE, &cookie).body(Body::from(body)).unwrap())
            .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    assert_eq!(revoke(&m1, "Complaint confirmed").await.unwrap(), CertStatus::Revoked);
    let number: String = sqlx::query_scalar("select number from certificates").fetch_one(&pool).await.unwrap();
    assert_eq!(certificate::verify(&st.db, &number, now()).await.unwrap().status, CertStatus::Revoked);
    let entry: String = sqlx::query_scalar(
        "select detail from audit_log where action = 'certification_status' order by id desc limit 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(entry.contains("\"before\":\"certified\"") && entry.contains("\"after\":\"revoked\""), "{entry}");
    assert!(entry.contains("Complaint confirmed"), "the reason is in the audit entry");
    // Revoked stays revoked whatever the evidence; reinstating restores the certificate.
    recompute::sweep(&st.db, now()).await.unwrap();
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Revoked);
    let reinstated = status::decide(&st.db, SYSTEM, &m1, e1.id, w.program, Decision::Reinstate, "Appeal upheld").await;
    assert_eq!(reinstated.unwrap(), CertStatus::Certified);
    assert_eq!(certificate::verify(&st.db, &number, now()).await.unwrap().status, CertStatus::Certified);

    // Suspension, and exemption for someone who has not qualified.
    let sus = status::decide(&st.db, SYSTEM, &m1, e1.id, w.program, Decision::Suspend, "Investigation").await;
    assert_eq!(sus.unwrap(), CertStatus::Suspended);
    // The holder is told of the revocation and of the suspension, in the app.
    let kinds: Vec<String> = sqlx::query_scalar(
        "select kind from notifications where user_id = $1 and kind in ('revoked', 'suspended') order by id",
    )
    .bind(e1.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(kinds, vec!["revoked".to_string(), "suspended".to_string()]);
    // The certificate page marks it as not valid, on screen and in print.
    let e1_cookie = sign_in(&st, "E1").await;
    let page = body_text(
        send(
            &st,
            Request::get(format!("/certificates/{number}"))
                .header(header::COOKIE, e1_cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await,
    )
    .await;
    assert!(page.contains("void-stamp") && page.contains("暂停 SUSPENDED"), "{page}");
    let e2 = current(&st, "E2").await;
    let ex =
        status::decide(&st.db, SYSTEM, &m1, e2.id, w.program, Decision::Exempt, "Transferred with a certificate").await;
    assert_eq!(ex.unwrap(), CertStatus::Certified);
    let exempt: (i64, String) = sqlx::query_as("select exempted, reason from certificates where user_id = $1")
        .bind(e2.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(exempt, (1, "Transferred with a certificate".to_string()));
    assert!(matches!(
        status::decide(&st.db, SYSTEM, &m1, e2.id, w.program, Decision::Exempt, "again").await,
        Err(AppError::Validation { key, .. }) if key == "error.decision_not_applicable"
    ));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_audit_chain_catches_an_edited_row(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    almost_qualify(&st, &w, "E1").await;
    role_play(&st, &w, "E1", [2, 2]).await;
    let n = count(&pool, "select count(*) from audit_log").await;
    assert_eq!(audit::verify(&st.db).await.unwrap(), Chain::Intact(n as u64));
    // The application cannot edit the log...
    assert!(sqlx::query("update audit_log set detail = 'x' where id = 3").execute(&pool).await.is_err());
    assert!(sqlx::query("delete from audit_log where id = 3").execute(&pool).await.is_err());
    let original: String =
        sqlx::query_scalar("select detail from audit_log where action = 'certification_status' order by id limit 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    // ...and someone with direct access who drops the guard and edits a row is found out.
    let target: i64 =
        sqlx::query_scalar("select id from audit_log where action = 'certification_status' order by id limit 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    drop_audit_trigger(&pool, "audit_log_no_update").await;
    sqlx::query("update audit_log set detail = replace(detail, '\"after\":\"', '\"after\":\"certified') where id = $1")
        .bind(target)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(audit::verify(&st.db).await.unwrap(), Chain::BrokenAt(target));
    // Deleting a row breaks the chain at the next one.
    drop_audit_trigger(&pool, "audit_log_no_delete").await;
    sqlx::query("update audit_log set detail = $1 where id = $2")
        .bind(&original)
        .bind(target)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(audit::verify(&st.db).await.unwrap(), Chain::Intact(n as u64), "restored exactly");
    sqlx::query("delete from audit_log where id = $1").bind(target).execute(&pool).await.unwrap();
    assert_eq!(audit::verify(&st.db).await.unwrap(), Chain::BrokenAt(target + 1));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn api_tokens_are_scoped_and_revocable(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    almost_qualify(&st, &w, "E1").await;
    role_play(&st, &w, "E1", [2, 2]).await;
    let floor: i64 = sqlx::query_scalar("select id from teams where name_en = 'Floor'").fetch_one(&pool).await.unwrap();
    let all = clearance::create(&st.db, SYSTEM, "Rostering", None, 365).await.unwrap();
    let floor_only = clearance::create(&st.db, SYSTEM, "Floor tickets", Some(floor), 365).await.unwrap();
    let stored: String =
        sqlx::query_scalar("select string_agg(token_hash, ',') from api_tokens").fetch_one(&pool).await.unwrap();
    assert!(!stored.contains(&all) && !stored.contains(&all[4..]), "only hashes are stored");

    let get = |path: &str, bearer: Option<&str>| {
        let mut req = Request::get(path);
        if let Some(b) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {b}"));
        }
        req.body(Body::empty()).unwrap()
    };
    let res = send(&st, get("/api/v1/clearance/E1", Some(&all))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
    // Positions come in both languages, as the admin named them.
    assert_eq!(json["cleared_positions"], serde_json::json!([{ "zh": POSITION, "en": "Service specialist (en)" }]));
    assert_eq!(json["programs"][0]["status"], "certified");
    assert!(json["programs"][0]["certificate"].as_str().unwrap().starts_with("FR-"));
    let res = send(&st, get("/api/v1/clearance/E2", Some(&all))).await;
    let json: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
    assert_eq!(
        (json["cleared_positions"].as_array().unwrap().len(), json["programs"][0]["cleared"].as_bool()),
        (0, Some(false))
    );

    // The team-limited token sees Floor, not Other; unknown and out-of-scope look the same.
    assert_eq!(send(&st, get("/api/v1/clearance/E1", Some(&floor_only))).await.status(), StatusCode::OK);
    assert_eq!(send(&st, get("/api/v1/clearance/E3", Some(&floor_only))).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(send(&st, get("/api/v1/clearance/NOPE", Some(&floor_only))).await.status(), StatusCode::NOT_FOUND);
    // Bulk.
    let bulk = Request::post("/api/v1/clearance")
        .header(header::AUTHORIZATION, format!("Bearer {floor_only}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"employee_nos": ["E1", "E2", "E3"]}"#))
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&body_text(send(&st, bulk).await).await).unwrap();
    assert_eq!(json["people"].as_array().unwrap().len(), 2);
    assert_eq!(json["not_found"], serde_json::json!(["E3"]));
    // A body that is not the JSON asked for, or over 500 numbers, is a 400 that says so.
    let post = |body: String| {
        Request::post("/api/v1/clearance")
            .header(header::AUTHORIZATION, format!("Bearer {floor_only}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    for (body, key) in [
        (r#"{"employee_nos": "E1"}"#.to_string(), "error.json_invalid"),
        ("not json".to_string(), "error.json_invalid"),
        (serde_json::json!({ "employee_nos": vec!["E1"; 501] }).to_string(), "error.too_many"),
    ] {
        let res = send(&st, post(body)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let json: serde_json::Value = serde_json::from_str(&body_text(res).await).unwrap();
        assert!(json["error"].as_str().unwrap().contains(key), "{json}");
    }
    let res = send(&st, post(serde_json::json!({ "employee_nos": vec!["E1"; 500] }).to_string())).await;
    assert_eq!(res.status(), StatusCode::OK, "500 is within the limit");

    // No token, a wrong one, a session cookie instead: 401.
    assert_eq!(send(&st, get("/api/v1/clearance/E1", None)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(send(&st, get("/api/v1/clearance/E1", Some("frt_wrong"))).await.status(), StatusCode::UNAUTHORIZED);
    // A scope the token was not given is refused; a revoked token stops at once.
    assert!(matches!(clearance::authenticate(&st.db, &all, "roster:write").await, Err(AppError::Forbidden)));
    let id: i64 =
        sqlx::query_scalar("select id from api_tokens where name = 'Rostering'").fetch_one(&pool).await.unwrap();
    clearance::revoke(&st.db, SYSTEM, id).await.unwrap();
    assert_eq!(send(&st, get("/api/v1/clearance/E1", Some(&all))).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        send(&st, get("/api/v1/clearance/E1", Some(&floor_only))).await.status(),
        StatusCode::OK,
        "others keep working"
    );

    // Tokens expire: a life of 1 to 730 days; past it the token is refused like a revoked one,
    // and the admin's home page lists it, as it does one that expires within 30 days.
    for days in [0, 731] {
        assert_eq!(
            clearance::create(&st.db, SYSTEM, "Too long", None, days).await.unwrap_err(),
            AppError::validation("valid_days", "error.valid_days_invalid")
        );
    }
    let soon = clearance::create(&st.db, SYSTEM, "Ticketing", None, 10).await.unwrap();
    assert_eq!(send(&st, get("/api/v1/clearance/E1", Some(&soon))).await.status(), StatusCode::OK);
    sqlx::query("update api_tokens set expires_at = $1 where name = 'Floor tickets'")
        .bind(floorready::server::now() - 1)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(send(&st, get("/api/v1/clearance/E1", Some(&floor_only))).await.status(), StatusCode::UNAUTHORIZED);
    let gaps = floorready::server::todo::admin(&st.db).await.unwrap();
    let listed: Vec<(&str, bool)> = gaps.expiring_tokens.iter().map(|k| (k.name.as_str(), k.expired)).collect();
    assert_eq!(listed, [("Floor tickets", true), ("Ticketing", false)], "the revoked and the year-long ones are not");
    let views = clearance::list(&st.db).await.unwrap();
    assert!(views.iter().any(|t| t.name == "Floor tickets" && t.expired));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn people_see_only_what_they_may(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    almost_qualify(&st, &w, "E1").await;
    role_play(&st, &w, "E1", [2, 2]).await;
    let e1 = current(&st, "E1").await;
    let (e2, m1, m2) = (current(&st, "E2").await, current(&st, "M1").await, current(&st, "M2").await);
    assert_eq!(status::person(&st.db, &e2, e1.id).await, Err(AppError::Forbidden), "another trainee");
    assert_eq!(status::person(&st.db, &m2, e1.id).await, Err(AppError::Forbidden), "another team's manager");
    assert!(status::person(&st.db, &m1, e1.id).await.unwrap().can_decide);
    assert!(!status::person(&st.db, &e1, e1.id).await.unwrap().can_decide);

    let number: String = sqlx::query_scalar("select number from certificates").fetch_one(&pool).await.unwrap();
    assert!(certificate::view(&st.db, &e1, &number, "https://floor.example", now())
        .await
        .unwrap()
        .qr_svg
        .starts_with("<svg"));
    assert_eq!(certificate::view(&st.db, &e2, &number, "", now()).await.map(|_| ()), Err(AppError::NotFound));

    // The public check needs no sign-in and tells only what is needed.
    let res = send(&st, form(VerifyCertificate::PATH).body(Body::from(format!("number={number}"))).unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = body_text(res).await;
    assert!(text.contains("Certified") && text.contains("User E1"), "{text}");
    assert!(!text.contains("e1@example.com") && !text.contains("\"E1\"") && !text.contains(POSITION), "{text}");
    let page = body_text(send(&st, Request::get(format!("/verify/{number}")).body(Body::empty()).unwrap()).await).await;
    assert!(page.contains(&number) && page.contains("User E1"));

    // The roster: M1 sees Floor only; a trainee may not; CSV for the same rows.
    let everyone = status::RosterFilter::default();
    let r = status::roster(&st.db, &m1, &everyone).await.unwrap();
    assert_eq!(r.people.iter().map(|p| p.employee_no.as_str()).collect::<Vec<_>>(), vec!["E1", "E2"]);
    assert_eq!((r.total, r.cleared), (2, 1));
    assert!(r.people[0].cleared() && !r.people[1].cleared());
    let missing = &r.people[1].programs[0].missing;
    assert!(missing.contains(&"Late repair".into()), "why E2 is not cleared: {missing:?}");
    let soon = status::RosterFilter { status: Some(status::RosterStatus::Expiring), within_days: 30, ..everyone };
    assert_eq!(status::roster(&st.db, &m1, &soon).await.unwrap().total, 0, "nobody expires within 30 days");
    let e1_cookie = sign_in(&st, "E1").await;
    let res =
        send(&st, form(GetRoster::PATH).header(header::COOKIE, &e1_cookie).body(Body::from("within=")).unwrap()).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let m1_cookie = sign_in(&st, "M1").await;
    let csv = body_text(
        send(&st, Request::get("/team/roster.csv").header(header::COOKIE, &m1_cookie).body(Body::empty()).unwrap())
            .await,
    )
    .await;
    assert!(
        csv.contains("E1,User E1,Floor,Service specialist / Service specialist (en),Specialist junior")
            && csv.contains(",certified,yes,"),
        "{csv}"
    );
    let res = send(
        &st,
        form(PersonCertification::PATH)
            .header(header::COOKIE, &e1_cookie)
            .body(Body::from(format!("user_id={}", e2.id)))
            .unwrap(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn only_owners_and_admins_change_what_certification_requires(pool: Pool) {
    use floorready::api::cert::{AddRequirement, RemoveRequirement, SaveProgram};
    use floorready::api::owners::AddOwner;
    use floorready::api::roleplay::{ArchiveScenario, SaveRubric, SaveScenario};
    let st = state(pool.clone());
    let w = world(&st).await;
    user(&st, "T2", "trainer", None).await;
    let post = |path: &'static str, cookie: String, body: String| {
        let st = st.clone();
        async move {
            let req = form(path).header(header::COOKIE, cookie).body(Body::from(body)).unwrap();
            let res = send(&st, req).await;
            let status = res.status();
            (status, body_text(res).await)
        }
    };
    let (t1, t2, ad) = (sign_in(&st, "T1").await, sign_in(&st, "T2").await, sign_in(&st, "AD").await);
    let fields = |id: i64, name: &str| {
        format!("id={id}&name_en={name}&position_id={}&level_id=1&validity_days=365&window_days=60", w.position)
    };

    // T1 makes a program and owns it.
    let (status, text) = post(SaveProgram::PATH, t1.clone(), fields(0, "Mine")).await;
    assert!(status.is_success(), "{status} {text}");
    let mine: i64 = sqlx::query_scalar("select max(id) from programs").fetch_one(&pool).await.unwrap();
    // Another trainer may neither change it nor lower what it asks for.
    assert_eq!(post(SaveProgram::PATH, t2.clone(), fields(mine, "Lowered")).await.0, StatusCode::FORBIDDEN);
    let add = format!("program_id={mine}&phase=initial&target=course:{}", w.course);
    assert_eq!(post(AddRequirement::PATH, t2.clone(), add.clone()).await.0, StatusCode::FORBIDDEN);
    assert!(post(AddRequirement::PATH, t1.clone(), add).await.0.is_success());
    let req: i64 = sqlx::query_scalar("select max(id) from program_requirements").fetch_one(&pool).await.unwrap();
    let remove = format!("program_id={mine}&requirement_id={req}");
    assert_eq!(post(RemoveRequirement::PATH, t2.clone(), remove.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(post(SaveProgram::PATH, t2.clone(), fields(w.program, "Lowered")).await.0, StatusCode::FORBIDDEN);
    let add_owner = format!("what=program&id={mine}&employee_no=T2");
    assert_eq!(post(AddOwner::PATH, t2.clone(), add_owner.clone()).await.0, StatusCode::FORBIDDEN);
    // An admin may; the owner names T2 a co-owner, who then may.
    assert!(post(SaveProgram::PATH, ad.clone(), fields(mine, "Renamed")).await.0.is_success());
    assert!(post(AddOwner::PATH, t1.clone(), add_owner).await.0.is_success());
    assert!(post(SaveProgram::PATH, t2.clone(), fields(mine, "Shared")).await.0.is_success());
    assert!(post(RemoveRequirement::PATH, t2.clone(), remove).await.0.is_success());
    let name: String =
        sqlx::query_scalar("select name_en from programs where id = $1").bind(mine).fetch_one(&pool).await.unwrap();
    assert_eq!(name, "Shared");

    // Every change is in the audit chain with what it was and what it became.
    let details: Vec<String> = sqlx::query_scalar(
        "select detail from audit_log where subject_type = 'program' and subject_id = $1 order by id",
    )
    .bind(mine)
    .fetch_all(&pool)
    .await
    .unwrap();
    let saved: Vec<serde_json::Value> = details
        .iter()
        .filter_map(|d| serde_json::from_str(d).ok())
        .filter(|v: &serde_json::Value| v["after"]["name"]["en"].is_string())
        .collect();
    assert_eq!(saved.len(), 3, "{details:?}");
    assert_eq!(
        (saved[1]["before"]["name"]["en"].as_str(), saved[1]["after"]["name"]["en"].as_str()),
        (Some("Mine"), Some("Renamed"))
    );
    let removed: serde_json::Value = serde_json::from_str(details.last().unwrap()).unwrap();
    assert_eq!((removed["before"].as_array().unwrap().len(), removed["after"].as_array().unwrap().len()), (1, 0));
    assert!(matches!(audit::verify(&st.db).await.unwrap(), Chain::Intact(_)));

    // Rubrics and scenarios: their owners (here T1) and admins only.
    let t1_id = users::find_id(&st.db, "T1").await.unwrap();
    let as_t1 = floorready::server::audit::Actor { id: Some(t1_id), ip: "t" };
    let rows = vec![CriterionInput {
        name_en: "manner".into(),
        weight: "1".into(),
        levels: "poor\ngood".into(),
        ..Default::default()
    }];
    let rubric = rp::save_rubric(&st.db, as_t1, None, "T1's rubric", &rows).await.unwrap();
    let scenario = rp::save_scenario(
        &st.db,
        as_t1,
        None,
        rp::scenario_fields(&st.db, w.scenario)
            .await
            .map(|mut f| {
                f.rubric_id = rubric;
                f
            })
            .unwrap(),
    )
    .await
    .unwrap();
    let rubric_form = format!("id={rubric}&name=Lowered&criteria[0][name_en]=manner&criteria[0][weight]=1&criteria[0][levels]=a%0Ab&criteria[0][pass_level]=0");
    assert_eq!(post(SaveRubric::PATH, t2.clone(), rubric_form.clone()).await.0, StatusCode::FORBIDDEN);
    assert!(post(SaveRubric::PATH, t1.clone(), rubric_form).await.0.is_success());
    let scenario_form = format!(
        "id={scenario}&title_en=Lowered&channel=phone&situation=S&time_box_minutes=10&rubric_id={rubric}&pass_percent=0&rule=average"
    );
    assert_eq!(post(SaveScenario::PATH, t2.clone(), scenario_form.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(post(ArchiveScenario::PATH, t2.clone(), format!("id={scenario}")).await.0, StatusCode::FORBIDDEN);
    assert!(post(SaveScenario::PATH, ad.clone(), scenario_form).await.0.is_success());

    // The editors say who owns each and show it read-only, without save buttons, to anyone else.
    let page = |path: String, cookie: String| {
        let st = st.clone();
        async move {
            let res = send(&st, Request::get(&path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            body_text(res).await
        }
    };
    let form_tag = |html: &str| {
        let tags = html.split("<fieldset").skip(1).map(|t| t[..t.find('>').unwrap()].to_string());
        tags.into_iter().find(|t| t.contains("class=\"bare\"")).expect("the editor's form")
    };
    for path in [format!("/trainer/rubrics/{rubric}"), format!("/trainer/scenarios/{scenario}")] {
        let (owner, other) = (page(path.clone(), t1.clone()).await, page(path.clone(), t2.clone()).await);
        assert!(!form_tag(&owner).contains("disabled"), "{path}: {}", form_tag(&owner));
        assert!(form_tag(&other).contains("disabled"), "{path}: {}", form_tag(&other));
        assert!(other.contains("User T1") && other.contains("role=\"note\""), "{path}");
        assert!(!owner.contains("role=\"note\""), "{path}");
        let save_form = |html: &str| {
            let at = html.find("action=\"/api/save_").expect("the save form");
            html[at..at + html[at..].find("</form>").unwrap()].to_string()
        };
        assert!(
            save_form(&owner).contains("type=\"submit\"") && !save_form(&other).contains("type=\"submit\""),
            "{path}"
        );
    }
    let program = page(format!("/trainer/programs/{}", w.program), t2.clone()).await;
    assert!(form_tag(&program).contains("disabled"), "{}", form_tag(&program));
    assert!(
        !form_tag(&page(format!("/trainer/programs/{mine}"), t2.clone()).await).contains("disabled"),
        "T2 co-owns it"
    );
}

/// A minimal SMTP server on loopback that accepts every message and keeps what it was sent.
async fn smtp_sink() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = tcp.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            kept.lock().unwrap().push(std::mem::take(body));
                            data = None;
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, got)
}
