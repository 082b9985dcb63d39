//! On-the-job follow-ups against a real database and through the real router: the sweep making
//! and moving follow-ups (twice in a row, and after downtime), escalation to the next manager up,
//! scoring through the rubric code, a failed follow-up sending the person back (or not, per
//! program), the "follow-up passed" renewal requirement and the new cycle a renewal starts, and
//! who may fill in, see and waive.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, StatusCode};
use floorready::error::AppError;
use floorready::model::cert::{CertStatus, Phase, ProgramFields, ReqKind};
use floorready::model::followup::{FollowupState, Observer, OnFail};
use floorready::model::roleplay::{Channel, CriterionInput, Mode, ScenarioFields, ScoreInput, SecondRaterRule};
use floorready::model::team::TeamKind;
use floorready::server::auth::guard::CurrentUser;
use floorready::server::cert::{self, recompute};
use floorready::server::db::Pool;
use floorready::server::followup::{self, Observation, StepInput};
use floorready::server::roleplay as rp;
use floorready::server::state::AppState;
use floorready::server::{now, team, user as users};
use leptos::server_fn::ServerFn;

const DAY: i64 = 86_400;

struct World {
    program: i64,
    rubric: i64,
    scenario: i64,
    trainer: CurrentUser,
}

async fn manager(st: &AppState, no: &str, team: i64) {
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

/// A site with a floor team under it (M1 manages the floor, M2 the site), another team (M3), a
/// trainer, and a program that certifies by one role-play: two criteria, the second critical.
async fn world(st: &AppState) -> World {
    let site = team::create(&st.db, SYSTEM, None, &"Site".into(), TeamKind::Site).await.unwrap();
    let floor = team::create(&st.db, SYSTEM, Some(site), &"Floor".into(), TeamKind::Team).await.unwrap();
    let other = team::create(&st.db, SYSTEM, None, &"Other".into(), TeamKind::Team).await.unwrap();
    user(st, "T1", "trainer", None).await;
    user(st, "AD", "admin", None).await;
    for (no, t) in [("E1", floor), ("E2", floor), ("E3", other)] {
        user(st, no, "trainee", Some(t)).await;
    }
    manager(st, "M1", floor).await;
    manager(st, "M2", site).await;
    manager(st, "M3", other).await;
    let position = floorready::server::position::add(&st.db, SYSTEM, "专员", "Specialist").await.unwrap();
    sqlx::query("update users set position_id = $1 where employee_no like 'E%'")
        .bind(position)
        .execute(&st.db.write)
        .await
        .unwrap();
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
    let rubric = rp::save_rubric(&st.db, SYSTEM, None, "Service rubric", &rows).await.unwrap();
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
            course_ids: vec![],
        },
    )
    .await
    .unwrap();
    let program = cert::save_program(
        &st.db,
        SYSTEM,
        None,
        ProgramFields {
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
    cert::add_requirement(&st.db, SYSTEM, program, Phase::Initial, ReqKind::Roleplay, scenario, None).await.unwrap();
    World { program, rubric, scenario, trainer: current(st, "T1").await }
}

/// The evaluation plan: supervisor follow-ups at 30, 60 and 90 days on the program's rubric.
async fn thirty_sixty_ninety(st: &AppState, w: &World) {
    for d in [30, 60, 90] {
        let s = StepInput {
            offset_days: d,
            observer: Observer::Supervisor,
            rubric_id: Some(w.rubric),
            form_id: None,
            pass_percent: 70,
        };
        followup::add_step(&st.db, SYSTEM, w.program, s).await.unwrap();
    }
}

async fn role_play(st: &AppState, w: &World, no: &str, levels: [u8; 2]) {
    let id = rp::attempt::open(&st.db, SYSTEM, &w.trainer, w.scenario, no, Mode::Live, rp::attempt::Raters::opener())
        .await
        .unwrap();
    rp::attempt::rate(&st.db, SYSTEM, &w.trainer, id, &scores(&levels), "").await.unwrap();
}

fn scores(levels: &[u8]) -> Vec<ScoreInput> {
    levels.iter().map(|l| ScoreInput { level: Some(l.to_string()), comment: format!("seen {l}") }).collect()
}

async fn status_of(st: &AppState, no: &str, program: i64) -> CertStatus {
    let s: String = sqlx::query_scalar(
        "select c.status from certifications c join users u on u.id = c.user_id where u.employee_no = $1 and c.program_id = $2",
    )
    .bind(no)
    .bind(program)
    .fetch_one(&st.db.read)
    .await
    .unwrap();
    CertStatus::parse(&s).unwrap()
}

/// Certified `days` ago: the certificate's issue date moves back (its expiry stays a year on).
async fn certified_days_ago(st: &AppState, w: &World, no: &str, days: i64) {
    role_play(st, w, no, [2, 2]).await;
    assert_eq!(status_of(st, no, w.program).await, CertStatus::Certified);
    sqlx::query(
        "update certificates set issued_at = issued_at - $1 where user_id = (select id from users where employee_no = $2)",
    )
    .bind(days * DAY)
    .bind(no)
    .execute(&st.db.write)
    .await
    .unwrap();
}

/// (offset, state, escalated to) of someone's follow-ups, by offset.
async fn states(st: &AppState, no: &str) -> Vec<(i64, String, Option<String>)> {
    sqlx::query_as(
        "select f.offset_days, f.state, e.employee_no from followups f join users u on u.id = f.user_id
         left join users e on e.id = f.escalated_to where u.employee_no = $1 order by f.certificate_id, f.offset_days",
    )
    .bind(no)
    .fetch_all(&st.db.read)
    .await
    .unwrap()
}

async fn followup_id(st: &AppState, no: &str, offset: i64) -> i64 {
    sqlx::query_scalar(
        "select f.id from followups f join users u on u.id = f.user_id where u.employee_no = $1 and f.offset_days = $2
         order by f.id desc limit 1",
    )
    .bind(no)
    .bind(offset)
    .fetch_one(&st.db.read)
    .await
    .unwrap()
}

async fn notices(st: &AppState, kind: &str) -> Vec<(String, i64)> {
    sqlx::query_as(
        "select u.employee_no, n.subject_id from notifications n join users u on u.id = n.user_id where n.kind = $1
         order by n.id",
    )
    .bind(kind)
    .fetch_all(&st.db.read)
    .await
    .unwrap()
}

fn s(state: &str) -> String {
    state.to_string()
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_sweep_makes_and_moves_follow_ups_twice_and_after_downtime(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    // A second manager of the floor: escalation goes up a level, not sideways to them.
    let floor: i64 =
        sqlx::query_scalar("select team_id from users where employee_no = 'M1'").fetch_one(&pool).await.unwrap();
    manager(&st, "M4", floor).await;
    thirty_sixty_ninety(&st, &w).await;
    role_play(&st, &w, "E1", [2, 2]).await;
    let issued: i64 = sqlx::query_scalar("select issued_at from certificates").fetch_one(&pool).await.unwrap();

    let first = followup::sweep(&st.db, issued).await.unwrap();
    assert_eq!(first.created, 3, "{first:?}");
    assert_eq!(
        states(&st, "E1").await,
        vec![(30, s("scheduled"), None), (60, s("scheduled"), None), (90, s("scheduled"), None)]
    );
    let m1: i64 = sqlx::query_scalar("select id from users where employee_no = 'M1'").fetch_one(&pool).await.unwrap();
    let asked: Vec<Option<i64>> =
        sqlx::query_scalar("select assignee_id from followups order by offset_days").fetch_all(&pool).await.unwrap();
    assert_eq!(asked, vec![Some(m1); 3], "the floor's own manager is asked, not the site's");
    assert_eq!(followup::sweep(&st.db, issued).await.unwrap(), Default::default(), "a second run does nothing");

    // Day 31: the 30-day follow-up is due and M1 hears of it, once.
    let day31 = issued + 31 * DAY;
    assert_eq!(followup::sweep(&st.db, day31).await.unwrap().moved, 1);
    assert_eq!(followup::sweep(&st.db, day31).await.unwrap(), Default::default());
    let thirty = followup_id(&st, "E1", 30).await;
    assert_eq!(notices(&st, "followup_due").await, vec![(s("M1"), thirty)]);
    let m1_notices = floorready::server::cert::notify::list(&st.db, m1).await.unwrap();
    let n = m1_notices.iter().find(|n| n.kind == "followup_due").expect("listed with the person and program");
    assert_eq!((n.holder.as_str(), n.program.en.as_str(), n.expires_at), ("User E1", "Specialist", issued + 30 * DAY));

    // Down from day 31 to day 100: one run brings everything to where it would be by then. The
    // 30-day one is overdue from day 37 and escalated from day 44 to the site's manager; the
    // 60-day one is overdue from day 67 and escalated from day 74; the 90-day one is overdue
    // from day 97 and not escalated before day 104.
    let day100 = issued + 100 * DAY;
    let late = followup::sweep(&st.db, day100).await.unwrap();
    assert_eq!((late.moved, late.escalated), (3, 2), "{late:?}");
    let expected = vec![(30, s("overdue"), Some(s("M2"))), (60, s("overdue"), Some(s("M2"))), (90, s("overdue"), None)];
    assert_eq!(states(&st, "E1").await, expected);
    assert_eq!(followup::sweep(&st.db, day100).await.unwrap(), Default::default(), "and again: nothing more");
    assert_eq!(states(&st, "E1").await, expected);
    assert_eq!(notices(&st, "followup_overdue").await.len(), 3, "one overdue notice each, to M1");
    assert!(notices(&st, "followup_overdue").await.iter().all(|(who, _)| who == "M1"));
    assert_eq!(
        notices(&st, "followup_escalated").await.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>(),
        ["M2", "M2"]
    );
    assert_eq!(notices(&st, "followup_due").await.len(), 1, "no due notice for what was already overdue");

    // A step added later applies only to follow-ups that fall due after it.
    let late_step = StepInput {
        offset_days: 7,
        observer: Observer::SelfAssessment,
        rubric_id: Some(w.rubric),
        form_id: None,
        pass_percent: 70,
    };
    sqlx::query("update certificates set issued_at = issued_at - 20 * 86400").execute(&pool).await.unwrap();
    followup::add_step(&st.db, SYSTEM, w.program, late_step).await.unwrap();
    assert_eq!(followup::sweep(&st.db, now()).await.unwrap().created, 0, "its day passed before it existed");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_failed_follow_up_sends_back_through_the_status_engine_when_the_program_says_so(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    thirty_sixty_ninety(&st, &w).await;
    certified_days_ago(&st, &w, "E1", 30).await;
    certified_days_ago(&st, &w, "E2", 30).await;
    followup::sweep(&st.db, now()).await.unwrap();
    let m1 = current(&st, "M1").await;
    let actor = floorready::server::audit::Actor { id: Some(m1.id), ip: "test" };

    // Record only (the default): E2's failure is kept and changes nothing.
    let e2 = followup_id(&st, "E2", 30).await;
    let fail = Observation { scores: scores(&[2, 0]), ..Default::default() };
    followup::submit(&st.db, actor, &m1, e2, &fail).await.unwrap();
    let (percent, passed, critical): (f64, bool, String) =
        sqlx::query_as("select percent, passed = 1, critical_failed from followups where id = $1")
            .bind(e2)
            .fetch_one(&pool)
            .await
            .unwrap();
    // The rubric code's score: (2/2 + 0/2) / 2 = 50%, and warranty facts (critical) below its level.
    assert!((percent - 50.0).abs() < 1e-9 && !passed, "{percent} {passed}");
    assert_eq!(critical, r#"[{"zh":"","en":"warranty facts"}]"#);
    assert_eq!(status_of(&st, "E2", w.program).await, CertStatus::Certified);
    assert_eq!(
        followup::submit(&st.db, actor, &m1, e2, &fail).await,
        Err(AppError::Conflict { field: "state".into() }),
        "once"
    );

    // Re-assessment: E1 fails a critical criterion with 100% on the other: not cleared.
    followup::save_settings(&st.db, SYSTEM, w.program, OnFail::Reassess, 7, 7).await.unwrap();
    let e1 = followup_id(&st, "E1", 30).await;
    let incomplete = Observation { scores: scores(&[2]), ..Default::default() };
    assert!(matches!(followup::submit(&st.db, actor, &m1, e1, &incomplete).await, Err(AppError::Validation { .. })));
    assert_eq!(
        count(&pool, &format!("select count(*) from followups where id = {e1} and state = 'completed'")).await,
        0
    );
    followup::submit(&st.db, actor, &m1, e1, &fail).await.unwrap();
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Reassess);
    let (detail, actor_id): (String, Option<i64>) = sqlx::query_as(
        "select detail, actor_id from audit_log where action = 'certification_status' order by id desc limit 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let d: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!((d["before"].as_str(), d["after"].as_str()), (Some("certified"), Some("reassess")));
    assert_eq!(d["why"], "follow-up failed");
    assert_eq!(d["reason"].as_str(), Some(format!("follow-up {e1} (30 days)").as_str()), "names the follow-up");
    assert_eq!(actor_id, Some(m1.id));
    let e1_user = current(&st, "E1").await;
    let mine = floorready::server::cert::status::person(&st.db, &e1_user, e1_user.id).await.unwrap();
    let v = &mine.programs[0];
    assert_eq!(v.reassess.map(|(f, _)| f), Some(e1));
    assert_eq!(v.checks.len(), 1, "what passes them again: the role-play");
    assert!(!v.checks[0].met);

    // A self-assessment failing never changes the status, whatever the program says.
    let own = StepInput {
        offset_days: 31,
        observer: Observer::SelfAssessment,
        rubric_id: Some(w.rubric),
        form_id: None,
        pass_percent: 70,
    };
    followup::add_step(&st.db, SYSTEM, w.program, own).await.unwrap();
    sqlx::query("update followup_steps set created_at = 0").execute(&pool).await.unwrap();
    followup::sweep(&st.db, now()).await.unwrap();
    let e2_self = followup_id(&st, "E2", 31).await;
    let e2_user = current(&st, "E2").await;
    let e2_actor = floorready::server::audit::Actor { id: Some(e2_user.id), ip: "test" };
    followup::submit(&st.db, e2_actor, &e2_user, e2_self, &fail).await.unwrap();
    assert_eq!(status_of(&st, "E2", w.program).await, CertStatus::Certified);

    // Passing the role-play again (a while later: times are in seconds) clears E1, with the
    // same certificate.
    sqlx::query("update certifications set reassess_since = reassess_since - 5").execute(&pool).await.unwrap();
    role_play(&st, &w, "E1", [2, 2]).await;
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Certified);
    assert_eq!(count(&pool, "select count(*) from certifications where reassess_since is not null").await, 0);
    assert_eq!(
        count(
            &pool,
            "select count(*) from certificates where user_id = (select id from users where employee_no = 'E1')"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn follow_up_passed_counts_at_renewal_and_a_renewal_starts_a_new_cycle(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    thirty_sixty_ninety(&st, &w).await;
    assert_eq!(
        cert::add_requirement(&st.db, SYSTEM, w.program, Phase::Initial, ReqKind::Followup, 30, None).await,
        Err(AppError::validation("phase", "error.followup_renewal_only"))
    );
    assert_eq!(
        cert::add_requirement(&st.db, SYSTEM, w.program, Phase::Recert, ReqKind::Followup, 45, None).await,
        Err(AppError::validation("target", "error.choice_unknown")),
        "no 45-day step"
    );
    cert::add_requirement(&st.db, SYSTEM, w.program, Phase::Recert, ReqKind::Followup, 30, Some(80)).await.unwrap();
    certified_days_ago(&st, &w, "E1", 30).await;
    followup::sweep(&st.db, now()).await.unwrap();
    let m1 = current(&st, "M1").await;
    let actor = floorready::server::audit::Actor { id: Some(m1.id), ip: "test" };
    // 75%: passes the step's 70% and not the requirement's 80%.
    let first = followup_id(&st, "E1", 30).await;
    followup::submit(&st.db, actor, &m1, first, &Observation { scores: scores(&[1, 2]), ..Default::default() })
        .await
        .unwrap();
    // Into the renewal window: the follow-up is below the requirement, so not renewed.
    sqlx::query("update certificates set expires_at = $1 ").bind(now() + 10 * DAY).execute(&pool).await.unwrap();
    let e1 = current(&st, "E1").await;
    let cause = recompute::Cause { actor: None, ip: "", why: "scheduled check", reason: None };
    let mut tx = st.db.begin().await.unwrap();
    recompute::recompute_user(&mut tx, e1.id, now(), cause).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Expiring);

    // Lower the requirement to 70%: the same follow-up now renews.
    sqlx::query("update program_requirements set min_percent = 70 where kind = 'followup'")
        .execute(&pool)
        .await
        .unwrap();
    let mut tx = st.db.begin().await.unwrap();
    recompute::recompute_user(&mut tx, e1.id, now(), cause).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(status_of(&st, "E1", w.program).await, CertStatus::Certified);
    assert_eq!(count(&pool, "select count(*) from certificates").await, 2, "renewed: a new certificate");

    // The old cycle's open follow-ups close, the completed one stays; the new certificate gets
    // its own three (its 30-day one counted from the new issue date).
    let swept = followup::sweep(&st.db, now()).await.unwrap();
    assert_eq!((swept.closed, swept.created), (2, 3), "{swept:?}");
    assert_eq!(
        states(&st, "E1").await,
        vec![
            (30, s("completed"), None),
            (60, s("waived"), None),
            (90, s("waived"), None),
            (30, s("scheduled"), None),
            (60, s("scheduled"), None),
            (90, s("scheduled"), None),
        ]
    );
    let history = followup::of_person(&st.db, &e1, e1.id).await.unwrap();
    assert_eq!(history.len(), 6, "the old ones stay in the person's history");
}

async fn call(st: &AppState, path: &str, cookie: &str, body: String) -> (StatusCode, String) {
    let res = send(st, form(path).header(header::COOKIE, cookie).body(Body::from(body)).unwrap()).await;
    (res.status(), body_text(res).await)
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn who_may_fill_in_see_and_waive(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    thirty_sixty_ninety(&st, &w).await;
    certified_days_ago(&st, &w, "E1", 30).await;
    followup::sweep(&st.db, now()).await.unwrap();
    let id = followup_id(&st, "E1", 30).await;
    let who = |no: &'static str| {
        let st = st.clone();
        async move { current(&st, no).await }
    };
    let (m1, m2, m3, e1, e2, t1, ad) = (
        who("M1").await,
        who("M2").await,
        who("M3").await,
        who("E1").await,
        who("E2").await,
        who("T1").await,
        who("AD").await,
    );
    let actor = |u: &CurrentUser| floorready::server::audit::Actor { id: Some(u.id), ip: "test" };

    // M1 keeps a draft with a comment nobody else may read.
    let draft = Observation {
        scores: vec![ScoreInput { level: Some("2".into()), comment: "draft-note-4711".into() }],
        draft: true,
        ..Default::default()
    };
    assert_eq!(followup::submit(&st.db, actor(&m1), &m1, id, &draft).await, Ok(FollowupState::Due));
    let mine = followup::view(&st.db, &m1, id).await.unwrap();
    assert!(mine.can_observe && mine.can_waive);
    assert_eq!(mine.draft.get("scores[0][comment]").map(String::as_str), Some("draft-note-4711"));
    assert_eq!(mine.criteria.len(), 2);
    assert_eq!(mine.criteria[1].critical, Some(true), "the observer sees the critical flag");

    // The person sees their follow-up, never the draft or the form.
    let theirs = followup::view(&st.db, &e1, id).await.unwrap();
    assert!(!theirs.can_observe && !theirs.can_waive && theirs.draft.is_empty() && theirs.criteria.is_empty());
    assert!(theirs.result.is_none());
    let (code, body) =
        call(&st, floorready::api::followup::GetFollowup::PATH, &sign_in(&st, "E1").await, format!("id={id}")).await;
    assert_eq!(code, StatusCode::OK);
    assert!(!body.contains("draft-note-4711") && !body.contains("warranty facts"), "{body}");
    assert_eq!(
        followup::submit(&st.db, actor(&e1), &e1, id, &Observation { scores: scores(&[2, 2]), ..Default::default() })
            .await,
        Err(AppError::Forbidden),
        "nobody observes themselves for a supervisor"
    );

    // Outsiders: another team's manager and a colleague get nothing; a trainer may read only.
    assert_eq!(followup::view(&st.db, &m3, id).await, Err(AppError::Forbidden));
    assert_eq!(followup::view(&st.db, &e2, id).await, Err(AppError::Forbidden));
    let filled = Observation { scores: scores(&[2, 2]), ..Default::default() };
    assert_eq!(followup::submit(&st.db, actor(&m3), &m3, id, &filled).await, Err(AppError::NotFound));
    assert_eq!(followup::submit(&st.db, actor(&t1), &t1, id, &filled).await, Err(AppError::Forbidden));
    let t1_view = followup::view(&st.db, &t1, id).await.unwrap();
    assert!(!t1_view.can_observe && t1_view.draft.is_empty());
    let (code, _) =
        call(&st, floorready::api::followup::GetFollowup::PATH, &sign_in(&st, "M3").await, format!("id={id}")).await;
    assert_eq!(code, StatusCode::FORBIDDEN);

    // Lists: M1 has it to do; M2 (the site) sees it in their teams once overdue; E1 not yet.
    assert_eq!(followup::mine(&st.db, &m1).await.unwrap().to_do.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
    assert!(followup::mine(&st.db, &m3).await.unwrap().to_do.is_empty());
    assert!(followup::mine(&st.db, &e1).await.unwrap().about_me.is_empty());
    sqlx::query("update followups set state = 'overdue' where id = $1").bind(id).execute(&pool).await.unwrap();
    let m2_lists = followup::mine(&st.db, &m2).await.unwrap();
    assert_eq!(m2_lists.overdue_in_teams.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
    assert!(followup::mine(&st.db, &m3).await.unwrap().overdue_in_teams.is_empty());

    // Waiving: never the person, never an outsider, always with a reason.
    assert_eq!(followup::waive(&st.db, actor(&e1), &e1, id, "on leave").await, Err(AppError::Forbidden));
    assert_eq!(followup::waive(&st.db, actor(&m3), &m3, id, "on leave").await, Err(AppError::NotFound));
    assert_eq!(followup::waive(&st.db, actor(&t1), &t1, id, "on leave").await, Err(AppError::Forbidden));
    assert_eq!(
        followup::waive(&st.db, actor(&m1), &m1, id, "  ").await,
        Err(AppError::validation("reason", "error.reason_required"))
    );
    assert_eq!(count(&pool, &format!("select count(*) from followups where id = {id} and state = 'overdue'")).await, 1);
    followup::waive(&st.db, actor(&m1), &m1, id, "Long leave until March").await.unwrap();
    let waived = followup::view(&st.db, &e1, id).await.unwrap();
    assert_eq!(waived.state, FollowupState::Waived);
    assert_eq!(waived.waiver.map(|w| w.reason), Some("Long leave until March".into()));
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'followup_waived'").await, 1);
    assert_eq!(count(&pool, &format!("select count(*) from followups where id = {id} and draft is not null")).await, 0);
    assert_eq!(
        followup::submit(&st.db, actor(&m1), &m1, id, &filled).await,
        Err(AppError::Conflict { field: "state".into() }),
        "a waived follow-up is closed"
    );

    // The 60-day one: an admin may fill it in and the person then sees the result, not the form.
    sqlx::query("update certificates set issued_at = issued_at - 30 * 86400").execute(&pool).await.unwrap();
    sqlx::query("update followups set due_at = due_at - 30 * 86400, overdue_at = overdue_at - 30 * 86400")
        .execute(&pool)
        .await
        .unwrap();
    let sixty = followup_id(&st, "E1", 60).await;
    followup::submit(&st.db, actor(&ad), &ad, sixty, &filled).await.unwrap();
    let seen = followup::view(&st.db, &e1, sixty).await.unwrap();
    let r = seen.result.expect("completed: the person sees the result");
    assert_eq!((r.percent, r.passed, r.criteria.len()), (Some(100.0), Some(true), 2));
    assert_eq!(followup::mine(&st.db, &e1).await.unwrap().about_me.iter().map(|r| r.id).collect::<Vec<_>>(), [sixty]);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn training_transfer_per_criterion_against_a_hand_computed_case(pool: Pool) {
    use floorready::model::followup::TransferGroup;
    use floorready::server::transfer;
    let st = state(pool.clone());
    let w = world(&st).await;
    thirty_sixty_ninety(&st, &w).await;
    // In the role-play: E1 at the top of both criteria; E2 at the middle of both (each met:
    // manner from its middle level 1 of 2, warranty facts from its pass level 1).
    for (no, levels) in [("E1", [2, 2]), ("E2", [1, 1])] {
        role_play(&st, &w, no, levels).await;
        sqlx::query("update certificates set issued_at = issued_at - 30 * 86400 where user_id = (select id from users where employee_no = $1)")
            .bind(no)
            .execute(&pool)
            .await
            .unwrap();
    }
    followup::sweep(&st.db, now()).await.unwrap();
    let m1 = current(&st, "M1").await;
    let actor = floorready::server::audit::Actor { id: Some(m1.id), ip: "test" };
    // On the job at 30 days: E1 manner 2, warranty 0 (met in training, missed on the floor); E2
    // manner 2, warranty 1.
    for (no, levels) in [("E1", [2, 0]), ("E2", [2, 1])] {
        let id = followup_id(&st, no, 30).await;
        followup::submit(&st.db, actor, &m1, id, &Observation { scores: scores(&levels), ..Default::default() })
            .await
            .unwrap();
    }
    let ad = current(&st, "AD").await;
    let r = transfer::report(&st.db, &ad, Some(w.program), None, TransferGroup::Everyone).await.unwrap();
    assert_eq!(r.offsets, [30]);
    let f30 = r.figures.iter().find(|f| f.offset_days == 30).unwrap();
    assert_eq!((f30.completed, f30.passed), (2, 1), "E1 failed the critical criterion");
    assert_eq!(r.figures.iter().find(|f| f.offset_days == 60).unwrap().scheduled, 2);
    let rows = &r.cohorts[0].rows;
    let (manner, warranty) = (&rows[0], &rows[1]);
    // Manner: training (100 + 50) / 2 = 75%, on the job (100 + 100) / 2 = 100%: holds.
    assert_eq!((manner.training.mean, manner.training.n), (Some(75.0), 2));
    assert_eq!((manner.floor[0].mean, manner.floor[0].n), (Some(100.0), 2));
    assert_eq!((manner.matched, manner.lost, manner.flagged), (2, 0, false));
    // Warranty facts: training 75%, on the job (0 + 50) / 2 = 25%; E1 met it and then missed it.
    assert_eq!(warranty.training.mean, Some(75.0));
    assert_eq!(warranty.floor[0].mean, Some(25.0));
    assert_eq!((warranty.matched, warranty.lost, warranty.flagged), (2, 1, true));
    let e1 = r.people.iter().find(|p| p.employee_no == "E1").unwrap();
    assert_eq!(e1.levels[1], (Some(2.0), vec![Some(0.0)]));

    // By team: one cohort, the floor, with both people. A manager of another team sees nobody; a
    // trainee may not read it.
    let by_team = transfer::report(&st.db, &ad, Some(w.program), None, TransferGroup::Team).await.unwrap();
    assert_eq!(by_team.cohorts.iter().map(|c| (c.label.en.as_str(), c.people)).collect::<Vec<_>>(), [("Floor", 2)]);
    let m3 = current(&st, "M3").await;
    assert!(transfer::report(&st.db, &m3, Some(w.program), None, TransferGroup::Everyone)
        .await
        .unwrap()
        .people
        .is_empty());
    let e1u = current(&st, "E1").await;
    assert_eq!(transfer::report(&st.db, &e1u, None, None, TransferGroup::Everyone).await, Err(AppError::Forbidden));
}
