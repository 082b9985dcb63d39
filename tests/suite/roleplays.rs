//! Role-plays against a real database and through the real router: rubric versions, scoring with
//! critical criteria and the second-rater rules, blind rating, written mode, self-assessment,
//! permissions, calibration and that no key or other rater's score reaches anyone early.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use floorready::api::roleplay::{
    GetCalibration, GetRoleplay, GetRubric, GetScenarioEditor, ListRoleplays, ListScenarios, RateRoleplay, SaveRubric,
    SelfAssessRoleplay,
};
use floorready::error::AppError;
use floorready::model::roleplay::{
    Channel, CriterionInput, Mode, ScenarioFields, ScoreInput, SecondRaterRule, Status, Viewer,
};
use floorready::model::team::TeamKind;
use floorready::model::Names;
use floorready::server::auth::guard::CurrentUser;
use floorready::server::db::Pool;
use floorready::server::roleplay::{self as rp, attempt, calibration};
use floorready::server::state::AppState;
use floorready::server::{team, user as users};
use leptos::server_fn::ServerFn;

const SECRETS: &[&str] = &["CUESECRET", "FACTSECRET", "RATERSECRET", "\"weight\"", "\"critical\"", "pass_level"];

fn row(name: &str, weight: &str, critical: bool, pass: &str, levels: usize) -> CriterionInput {
    CriterionInput {
        name_en: name.into(),
        weight: weight.into(),
        critical: critical.then(|| "on".into()),
        pass_level: pass.into(),
        levels: (0..levels).map(|i| format!("level {i}")).collect::<Vec<_>>().join("\n"),
        ..Default::default()
    }
}

/// Greeting ×1, empathy ×2, policy facts ×3 (critical, pass level 3), closing ×2 on 0–2.
fn rubric_rows() -> Vec<CriterionInput> {
    vec![
        row("greeting", "1", false, "", 5),
        row("empathy", "2", false, "", 5),
        row("policy facts", "3", true, "3", 5),
        row("closing", "2", false, "", 3),
        CriterionInput::default(), // a spare empty row of the form
    ]
}

fn scenario(rubric_id: i64, rule: SecondRaterRule) -> ScenarioFields {
    ScenarioFields {
        title: "Overdue repair 维修超期".into(),
        channel: Channel::Phone,
        product: "Dining table".into(),
        situation: "The repair visit is two weeks late.".into(),
        persona: "Retired teacher".into(),
        mood: "Angry".into(),
        objective: "Commit to a visit time.".into(),
        cues: "CUESECRET ask for the manager".into(),
        facts: "FACTSECRET 12 hours on site".into(),
        customer_turns: "Where is your technician?\nWhen will he come?".into(),
        time_box_minutes: 10,
        rubric_id,
        pass_percent: 75,
        rule,
        course_ids: vec![],
    }
}

fn scores(levels: &[u8], comment: &str) -> Vec<ScoreInput> {
    levels.iter().map(|l| ScoreInput { level: Some(l.to_string()), comment: comment.into() }).collect()
}

struct Setup {
    scenario: i64,
    t1: CurrentUser,
    t2: CurrentUser,
    e1: CurrentUser,
}

/// Trainers T1, T2, T3; trainee E1 in team "Floor 1" managed by M1; M2 manages another team.
async fn setup(st: &AppState, rule: SecondRaterRule) -> Setup {
    let floor = team::create(&st.db, SYSTEM, None, &"Floor 1".into(), TeamKind::Team).await.unwrap();
    let other = team::create(&st.db, SYSTEM, None, &"Floor 2".into(), TeamKind::Team).await.unwrap();
    for (no, roles, team) in [
        ("T1", "trainer", None),
        ("T2", "trainer", None),
        ("T3", "trainer", None),
        ("E1", "trainee", Some(floor)),
        ("AD", "admin", None),
    ] {
        user(st, no, roles, team).await;
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
    let rubric = rp::save_rubric(&st.db, SYSTEM, None, "After-sales", &rubric_rows()).await.unwrap();
    let scenario = rp::save_scenario(&st.db, SYSTEM, None, scenario(rubric, rule)).await.unwrap();
    Setup { scenario, t1: current(st, "T1").await, t2: current(st, "T2").await, e1: current(st, "E1").await }
}

async fn call(st: &AppState, path: &str, cookie: &str, body: String) -> (StatusCode, String) {
    let res = send(st, form(path).header(header::COOKIE, cookie).body(Body::from(body)).unwrap()).await;
    (res.status(), body_text(res).await)
}

fn assert_no_secrets(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} reveals {secret}: {text}");
    }
}

async fn page(st: &AppState, path: &str, cookie: &str) -> String {
    body_text(send(st, Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await).await
}

#[test]
fn rubric_rows_are_checked() {
    let key = |rows: &[CriterionInput]| match rp::parse_criteria(rows) {
        Err(AppError::Validation { key, .. }) => key,
        other => panic!("expected a validation error, got {other:?}"),
    };
    assert_eq!(key(&[CriterionInput::default()]), "error.criteria_missing");
    assert_eq!(key(&[row("a", "0", false, "", 3)]), "error.criterion_weight");
    assert_eq!(key(&[row("a", "heavy", false, "", 3)]), "error.criterion_weight");
    assert_eq!(key(&[row("a", "1", false, "", 1)]), "error.criterion_levels");
    assert_eq!(key(&[row("a", "1", false, "", 12)]), "error.criterion_levels");
    assert_eq!(key(&[row("a", "1", true, "", 3)]), "error.criterion_pass_level", "critical needs a pass level");
    assert_eq!(key(&[row("a", "1", true, "3", 3)]), "error.criterion_pass_level", "above the top level");
    assert_eq!(key(&[row("A", "1", false, "", 3), row("a", "1", false, "", 3)]), "error.criterion_duplicate");
    let ok = rp::parse_criteria(&rubric_rows()).unwrap();
    assert_eq!(ok.len(), 4, "the empty row is skipped");
    assert_eq!((ok[2].critical, ok[2].pass_level, ok[2].max_level()), (true, 3, 4));
    assert_eq!(ok[3].weight, 2.0);
    assert_eq!(
        rp::parse_criteria(&[row("a", "1,5", false, "2", 3)]).unwrap()[0].pass_level,
        0,
        "only critical rows keep a pass level"
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn one_rater_scores_with_weights_and_critical_criteria(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, SecondRaterRule::Average).await;
    // (4/4·1 + 2/4·2 + 3/4·3 + 2/2·2) / 8 = 78.125% ≥ 75, policy facts at its pass level.
    // T1 opens it and assigns T2 to rate it.
    let a = attempt::open(
        &st.db,
        SYSTEM,
        &s.t1,
        s.scenario,
        "E1",
        Mode::Live,
        attempt::Raters { first: Some("T2"), second: None },
    )
    .await
    .unwrap();
    let t3 = current(&st, "T3").await;
    assert_eq!(attempt::rate(&st.db, SYSTEM, &t3, a, &scores(&[4, 4, 4, 2], ""), "").await, Err(AppError::Forbidden));
    assert_eq!(
        attempt::rate(&st.db, SYSTEM, &s.t1, a, &scores(&[4, 4, 4, 2], ""), "").await,
        Err(AppError::Forbidden),
        "the opener assigned it to T2"
    );
    attempt::rate(&st.db, SYSTEM, &s.t2, a, &scores(&[4, 2, 3, 2], "ok"), "fine").await.unwrap();
    let v = attempt::view(&st.db, &s.e1, a).await.unwrap();
    assert_eq!(v.status, Status::Final);
    let r = v.result.unwrap();
    assert!((r.percent - 78.125).abs() < 1e-9 && r.passed, "{r:?}");

    // Everything perfect but policy facts at 2: 81.25% and still a fail.
    let b =
        attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Live, attempt::Raters::opener()).await.unwrap();
    attempt::rate(&st.db, SYSTEM, &s.t1, b, &scores(&[4, 4, 2, 2], ""), "").await.unwrap();
    let r = attempt::view(&st.db, &s.e1, b).await.unwrap().result.unwrap();
    assert!((r.percent - 81.25).abs() < 1e-9);
    assert!(!r.passed);
    assert_eq!(r.critical_failed, vec![Names::from("policy facts")]);
    let stored: (f64, i64) =
        sqlx::query_as("select percent, passed from roleplays where id = $1").bind(b).fetch_one(&pool).await.unwrap();
    assert_eq!(stored, (81.25, 0), "the result is stored with the role-play");

    // Bad ratings name the problem and store nothing.
    let c =
        attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Live, attempt::Raters::opener()).await.unwrap();
    let mut missing = scores(&[4, 4, 4, 2], "");
    missing[1].level = None;
    for (bad, key) in [
        (missing, "error.level_missing"),
        (scores(&[4, 4, 4], ""), "error.level_missing"),
        (scores(&[4, 4, 4, 3], ""), "error.level_invalid"),
    ] {
        match attempt::rate(&st.db, SYSTEM, &s.t1, c, &bad, "").await {
            Err(AppError::Validation { key: k, .. }) => assert_eq!(k, key),
            other => panic!("expected {key}, got {other:?}"),
        }
    }
    assert_eq!(count(&pool, &format!("select count(*) from roleplay_ratings where roleplay_id = {c}")).await, 0);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn two_raters_score_blind_and_the_rule_decides(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, SecondRaterRule::Average).await;
    let a = attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Live, attempt::Raters::with_second("T2"))
        .await
        .unwrap();
    attempt::self_assess(&st.db, SYSTEM, &s.e1, a, &scores(&[4, 4, 4, 2], ""), "").await.unwrap();
    attempt::rate(&st.db, SYSTEM, &s.t1, a, &scores(&[4, 4, 4, 2], "RATERSECRET"), "RATERSECRET").await.unwrap();

    // T1 sees only their own rating; T2 sees none of it; the trainee sees no result.
    let v1 = attempt::view(&st.db, &s.t1, a).await.unwrap();
    assert_eq!((v1.status, v1.ratings.len(), v1.can_rate), (Status::Open, 1, false));
    let v2 = attempt::view(&st.db, &s.t2, a).await.unwrap();
    assert!(v2.ratings.is_empty() && v2.can_rate && v2.result.is_none() && v2.self_rating.is_none());
    assert_eq!(v2.ratings_in, 1, "T2 may know one rating is in, not what it says");
    assert_no_secrets("the second rater's view", &serde_json::to_string(&v2).unwrap(), &["RATERSECRET"]);
    let ve = attempt::view(&st.db, &s.e1, a).await.unwrap();
    assert!(ve.result.is_none() && ve.ratings.is_empty());
    assert!(ve.self_rating.is_some(), "the trainee sees their own self-assessment");

    // T2 rates 50% with the critical criterion failed; the average is 75% with policy at 3.
    attempt::rate(&st.db, SYSTEM, &s.t2, a, &scores(&[2, 2, 2, 1], ""), "").await.unwrap();
    let v = attempt::view(&st.db, &s.e1, a).await.unwrap();
    let r = v.result.clone().unwrap();
    assert!((r.percent - 75.0).abs() < 1e-9 && r.passed, "{r:?}");
    assert_eq!(r.levels, vec![3.0, 3.0, 3.0, 1.5]);
    assert_eq!(v.ratings.len(), 2, "after both, everyone may see both");
    assert!(v.facts.is_some(), "the facts are shown once the result is final");
    assert!(!v.can_self_assess, "the self-assessment is done");

    // A third trainer is not a rater it names; a named rater finds it final; nobody rates twice.
    let t3 = current(&st, "T3").await;
    assert_eq!(attempt::rate(&st.db, SYSTEM, &t3, a, &scores(&[1, 1, 1, 1], ""), "").await, Err(AppError::Forbidden));
    assert_eq!(
        attempt::rate(&st.db, SYSTEM, &s.t2, a, &scores(&[1, 1, 1, 1], ""), "").await,
        Err(AppError::Conflict { field: "rating".into() })
    );
    let b = attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Live, attempt::Raters::with_second("T2"))
        .await
        .unwrap();
    attempt::rate(&st.db, SYSTEM, &s.t1, b, &scores(&[1, 1, 1, 1], ""), "").await.unwrap();
    assert_eq!(
        attempt::rate(&st.db, SYSTEM, &s.t1, b, &scores(&[4, 4, 4, 2], ""), "").await,
        Err(AppError::Conflict { field: "rating".into() })
    );

    // The lower-score rule takes the failing rater's result.
    sqlx::query("update scenarios set second_rater_rule = 'lower'").execute(&pool).await.unwrap();
    let c = attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Live, attempt::Raters::with_second("T2"))
        .await
        .unwrap();
    attempt::rate(&st.db, SYSTEM, &s.t1, c, &scores(&[4, 4, 4, 2], ""), "").await.unwrap();
    attempt::rate(&st.db, SYSTEM, &s.t2, c, &scores(&[2, 2, 2, 1], ""), "").await.unwrap();
    let r = attempt::view(&st.db, &s.t1, c).await.unwrap().result.unwrap();
    assert!((r.percent - 50.0).abs() < 1e-9 && !r.passed);
    assert_eq!(r.levels, vec![2.0, 2.0, 2.0, 1.0]);
    // Self-assessment comes before the result, not after.
    assert!(matches!(
        attempt::self_assess(&st.db, SYSTEM, &s.e1, c, &scores(&[1, 1, 1, 1], ""), "").await,
        Err(AppError::Validation { .. })
    ));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn rubric_edits_make_versions_and_leave_opened_role_plays_alone(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, SecondRaterRule::Average).await;
    let a =
        attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Live, attempt::Raters::opener()).await.unwrap();
    let rubric: i64 = count(&pool, "select id from rubrics").await;
    let mut rows = rubric_rows();
    rows.push(row("follow-up", "1", false, "", 3));
    rp::save_rubric(&st.db, SYSTEM, Some(rubric), "After-sales v2", &rows).await.unwrap();
    let d = rp::rubric(&st.db, rubric).await.unwrap();
    assert_eq!((d.version_no, d.criteria.len(), d.name.as_str()), (2, 5, "After-sales v2"));
    // The role-play opened before still scores on four criteria.
    assert_eq!(attempt::view(&st.db, &s.t2, a).await.unwrap().criteria.len(), 4);
    attempt::rate(&st.db, SYSTEM, &s.t1, a, &scores(&[4, 4, 4, 2], ""), "").await.unwrap();
    let b =
        attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Live, attempt::Raters::opener()).await.unwrap();
    assert_eq!(attempt::view(&st.db, &s.t2, b).await.unwrap().criteria.len(), 5);
    assert_eq!(count(&pool, "select count(*) from rubric_versions").await, 2);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn written_mode_needs_the_replies_before_rating(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, SecondRaterRule::Average).await;
    let a =
        attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Written, attempt::Raters::opener()).await.unwrap();
    let v = attempt::view(&st.db, &s.e1, a).await.unwrap();
    assert_eq!((v.status, v.can_reply, v.customer_turns.len()), (Status::AwaitingTranscript, true, 2));
    assert!(matches!(
        attempt::rate(&st.db, SYSTEM, &s.t1, a, &scores(&[4, 4, 4, 2], ""), "").await,
        Err(AppError::Validation { key, .. }) if key == "error.roleplay_no_transcript"
    ));
    assert!(matches!(
        attempt::reply(&st.db, SYSTEM, &s.e1, a, &["Only one".into()]).await,
        Err(AppError::Validation { key, .. }) if key == "error.replies_missing"
    ));
    assert_eq!(attempt::reply(&st.db, SYSTEM, &s.t1, a, &["x".into(), "y".into()]).await, Err(AppError::Forbidden));
    attempt::reply(&st.db, SYSTEM, &s.e1, a, &["I am sorry.".into(), " Before 6 pm today. ".into()]).await.unwrap();
    assert_eq!(
        attempt::reply(&st.db, SYSTEM, &s.e1, a, &["again".into(), "again".into()]).await,
        Err(AppError::Conflict { field: "replies".into() }),
        "the replies are sent once"
    );
    let v = attempt::view(&st.db, &s.t1, a).await.unwrap();
    assert_eq!(v.replies, vec!["I am sorry.".to_string(), "Before 6 pm today.".to_string()]);
    assert!(v.can_rate);
    attempt::rate(&st.db, SYSTEM, &s.t1, a, &scores(&[4, 4, 4, 2], ""), "").await.unwrap();
    assert_eq!(attempt::view(&st.db, &s.e1, a).await.unwrap().status, Status::Final);

    // A scenario without customer turns cannot run in writing.
    sqlx::query("update scenarios set customer_turns = ''").execute(&pool).await.unwrap();
    assert!(matches!(
        attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Written, attempt::Raters::opener()).await,
        Err(AppError::Validation { key, .. }) if key == "error.roleplay_no_turns"
    ));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn only_trainers_rate_and_people_see_what_they_may(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, SecondRaterRule::Average).await;
    user(&st, "TE", "trainer,trainee", None).await;
    let te = current(&st, "TE").await;
    let a = attempt::open(
        &st.db,
        SYSTEM,
        &s.t1,
        s.scenario,
        "E1",
        Mode::Live,
        attempt::Raters { first: Some("T2"), second: None },
    )
    .await
    .unwrap();
    let mine =
        attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "TE", Mode::Live, attempt::Raters::opener()).await.unwrap();
    let rating = format!("id={a}&scores[0][level]=4&scores[1][level]=4&scores[2][level]=4&scores[3][level]=2");

    // Through the router: the trainee, a manager, an admin and a trainer it does not name may not rate.
    for who in ["E1", "M1", "AD", "T3", "T1"] {
        let cookie = sign_in(&st, who).await;
        let (status, _) = call(&st, RateRoleplay::PATH, &cookie, rating.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who} may not rate");
    }
    // A trainer may not rate their own role-play as trainee, nor open one for themselves.
    assert_eq!(
        attempt::rate(&st.db, SYSTEM, &te, mine, &scores(&[4, 4, 4, 2], ""), "").await,
        Err(AppError::Forbidden)
    );
    assert!(matches!(
        attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "T1", Mode::Live, attempt::Raters::opener()).await,
        Err(AppError::Validation { key, .. }) if key == "error.roleplay_own"
    ));
    // Nobody assesses themselves on another's role-play.
    assert_eq!(
        attempt::self_assess(&st.db, SYSTEM, &te, a, &scores(&[4, 4, 4, 2], ""), "").await,
        Err(AppError::Forbidden)
    );

    let t2 = sign_in(&st, "T2").await;
    let (status, body) = call(&st, RateRoleplay::PATH, &t2, rating).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(attempt::view(&st.db, &s.e1, a).await.unwrap().status, Status::Final);

    // The trainee's manager sees the result; a manager of another team does not.
    let m1 = current(&st, "M1").await;
    let v = attempt::view(&st.db, &m1, a).await.unwrap();
    assert_eq!(v.viewer, Viewer::Observer);
    assert!(v.result.is_some() && !v.can_rate);
    let m2 = current(&st, "M2").await;
    assert_eq!(attempt::view(&st.db, &m2, a).await, Err(AppError::Forbidden));
    let m2_cookie = sign_in(&st, "M2").await;
    assert_eq!(call(&st, GetRoleplay::PATH, &m2_cookie, format!("id={a}")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(attempt::list(&st.db, &m1).await.unwrap().len(), 1, "M1's team has one role-play");
    assert!(attempt::list(&st.db, &m2).await.unwrap().is_empty());
    assert_eq!(attempt::list(&st.db, &s.e1).await.unwrap().len(), 1, "a trainee lists their own");

    // Authoring and calibration are for trainers and admins.
    let e1 = sign_in(&st, "E1").await;
    for (path, body) in [
        (ListScenarios::PATH, String::new()),
        (GetScenarioEditor::PATH, format!("id={}", s.scenario)),
        (GetRubric::PATH, "id=1".to_string()),
        (GetCalibration::PATH, String::new()),
    ] {
        assert_eq!(call(&st, path, &e1, body).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(call(&st, ListRoleplays::PATH, "", String::new()).await.0, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn no_key_or_other_rating_reaches_the_trainee_early(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, SecondRaterRule::Average).await;
    let a = attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Live, attempt::Raters::with_second("T2"))
        .await
        .unwrap();
    attempt::rate(&st.db, SYSTEM, &s.t1, a, &scores(&[4, 4, 4, 2], "RATERSECRET"), "RATERSECRET").await.unwrap();

    let e1 = sign_in(&st, "E1").await;
    for (path, body) in [(GetRoleplay::PATH, format!("id={a}")), (ListRoleplays::PATH, String::new())] {
        let (status, text) = call(&st, path, &e1, body).await;
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        assert_no_secrets(path, &text, SECRETS);
    }
    let html = page(&st, &format!("/roleplay/{a}"), &e1).await;
    assert!(html.contains("scores[3][level]"), "the self-assessment form renders");
    assert!(html.contains("The repair visit is two weeks late."), "the situation is shown");
    assert_no_secrets("the role-play page (HTML and hydration data)", &html, SECRETS);
    let list = page(&st, "/roleplays", &e1).await;
    assert_no_secrets("the list page", &list, SECRETS);

    // A self-assessment shows levels only until the result is final: a total would reveal the weights.
    attempt::self_assess(&st.db, SYSTEM, &s.e1, a, &scores(&[2, 2, 2, 1], ""), "").await.unwrap();
    let (_, text) = call(&st, GetRoleplay::PATH, &e1, format!("id={a}")).await;
    let view: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(view["self_rating"]["levels"].is_array(), "{text}");
    assert!(view["self_rating"].get("percent").is_none(), "no weighted total before the result: {text}");

    // The second rater's page, before they rate, shows the key but not the first rating.
    let t2 = sign_in(&st, "T2").await;
    let html = page(&st, &format!("/roleplay/{a}"), &t2).await;
    assert!(html.contains("FACTSECRET") && html.contains("CUESECRET"), "raters get the key");
    assert_no_secrets("the second rater's page", &html, &["RATERSECRET"]);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn forms_post_criteria_and_scores_as_rows(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, SecondRaterRule::Average).await;
    let t1 = sign_in(&st, "T1").await;
    // The rubric form: indexed rows, the checkbox only when ticked, spare rows empty.
    let body = "id=0&name=Phone%20rubric\
        &criteria%5B0%5D%5Bname_en%5D=Greeting&criteria%5B0%5D%5Bweight%5D=1&criteria%5B0%5D%5Bpass_level%5D=0\
        &criteria%5B0%5D%5Blevels%5D=poor%0D%0Agood\
        &criteria%5B1%5D%5Bname_en%5D=Facts&criteria%5B1%5D%5Bweight%5D=2&criteria%5B1%5D%5Bcritical%5D=on\
        &criteria%5B1%5D%5Bpass_level%5D=1&criteria%5B1%5D%5Blevels%5D=wrong%0D%0Aright\
        &criteria%5B2%5D%5Bname_en%5D=&criteria%5B2%5D%5Bweight%5D=1&criteria%5B2%5D%5Bpass_level%5D=0&criteria%5B2%5D%5Blevels%5D=";
    let (status, text) = call(&st, SaveRubric::PATH, &t1, body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let id: i64 = count(&pool, "select max(id) from rubrics").await;
    let d = rp::rubric(&st.db, id).await.unwrap();
    assert_eq!(d.criteria.len(), 2);
    assert_eq!(
        (d.criteria[1].critical, d.criteria[1].pass_level, d.criteria[1].levels.clone()),
        (true, 1, vec!["wrong".into(), "right".into()])
    );

    // The self-assessment form from the trainee, with comments per criterion.
    let a =
        attempt::open(&st.db, SYSTEM, &s.t1, s.scenario, "E1", Mode::Live, attempt::Raters::opener()).await.unwrap();
    let e1 = sign_in(&st, "E1").await;
    let body = format!(
        "id={a}&scores[0][level]=3&scores[0][comment]=ok&scores[1][level]=2&scores[1][comment]=\
         &scores[2][level]=4&scores[2][comment]=&scores[3][level]=1&scores[3][comment]=&overall=Went%20well"
    );
    let (status, text) = call(&st, SelfAssessRoleplay::PATH, &e1, body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let own = attempt::view(&st.db, &s.e1, a).await.unwrap().self_rating.unwrap();
    assert_eq!((own.levels, own.comments[0].as_str(), own.overall.as_str()), (vec![3, 2, 4, 1], "ok", "Went well"));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn calibration_reports_kappa_per_pair_and_criterion(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, SecondRaterRule::Average).await;
    // One criterion on three levels; the pairs of the hand-computed example in `kappa`:
    // (0,0) (0,1) (1,1) (2,2) → kappa 0.8, exact 75%, adjacent 100%.
    let rubric =
        rp::save_rubric(&st.db, SYSTEM, None, "Three levels", &[row("facts", "1", false, "", 3)]).await.unwrap();
    let scenario = rp::save_scenario(&st.db, SYSTEM, None, scenario(rubric, SecondRaterRule::Average)).await.unwrap();
    let rate_pairs = || async {
        for (x, y) in [(0u8, 0u8), (0, 1), (1, 1), (2, 2)] {
            let id =
                attempt::open(&st.db, SYSTEM, &s.t1, scenario, "E1", Mode::Live, attempt::Raters::with_second("T2"))
                    .await
                    .unwrap();
            // T2 rates first sometimes: the pair is the same whoever was first.
            attempt::rate(&st.db, SYSTEM, &s.t2, id, &scores(&[y], ""), "").await.unwrap();
            attempt::rate(&st.db, SYSTEM, &s.t1, id, &scores(&[x], ""), "").await.unwrap();
        }
    };
    rate_pairs().await;
    // A single-rated role-play and a half-rated one do not count.
    let one =
        attempt::open(&st.db, SYSTEM, &s.t1, scenario, "E1", Mode::Live, attempt::Raters::opener()).await.unwrap();
    attempt::rate(&st.db, SYSTEM, &s.t1, one, &scores(&[2], ""), "").await.unwrap();
    let half = attempt::open(&st.db, SYSTEM, &s.t1, scenario, "E1", Mode::Live, attempt::Raters::with_second("T2"))
        .await
        .unwrap();
    attempt::rate(&st.db, SYSTEM, &s.t1, half, &scores(&[0], ""), "").await.unwrap();

    let rows = calibration::report(&st.db, 0.6).await.unwrap();
    assert_eq!(rows.len(), 2, "overall and the one criterion: {rows:?}");
    for r in &rows {
        assert_eq!((r.rater_a.as_str(), r.rater_b.as_str(), r.n), ("User T1", "User T2", 4));
        assert!((r.kappa.unwrap() - 0.8).abs() < 1e-9);
        assert_eq!((r.exact_percent, r.adjacent_percent, r.flagged), (75.0, 100.0, false));
    }
    // Four scores are too few to judge: 0.8 < 0.9, yet not flagged.
    let few = calibration::report(&st.db, 0.9).await.unwrap();
    assert!(few.iter().all(|r| !r.flagged && r.too_few), "{few:?}");
    // Twelve (the same pattern three times, so the same kappa) are enough.
    rate_pairs().await;
    rate_pairs().await;
    let enough = calibration::report(&st.db, 0.9).await.unwrap();
    assert!(enough.iter().all(|r| r.n == 12 && r.flagged && !r.too_few), "0.8 < 0.9 is flagged: {enough:?}");

    let t1 = sign_in(&st, "T1").await;
    let (status, text) = call(&st, GetCalibration::PATH, &t1, "threshold=0.9".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("\"flagged\":true"), "{text}");
    let (status, _) = call(&st, GetCalibration::PATH, &t1, "threshold=high".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let html = page(&st, "/trainer/calibration", &t1).await;
    assert!(html.contains("User T1 · User T2") && html.contains("0.80"), "the page shows the pair");
    // One month only: no trend is drawn yet.
    assert_eq!(calibration::trend(&st.db).await.unwrap().len(), 1);
    assert!(!html.contains("agreement-trend"));

    // Agreement over time: those twelve move to six weeks ago; this month the pair agrees on all
    // four. The trend has the older month at 0.8 and this one at 1.0, oldest first.
    sqlx::query("update roleplays set finalized_at = finalized_at - 42 * 86400 where status = 'final'")
        .execute(&pool)
        .await
        .unwrap();
    for level in [0u8, 1, 2, 2] {
        let id = attempt::open(&st.db, SYSTEM, &s.t1, scenario, "E1", Mode::Live, attempt::Raters::with_second("T2"))
            .await
            .unwrap();
        attempt::rate(&st.db, SYSTEM, &s.t1, id, &scores(&[level], ""), "").await.unwrap();
        attempt::rate(&st.db, SYSTEM, &s.t2, id, &scores(&[level], ""), "").await.unwrap();
    }
    let trend = calibration::trend(&st.db).await.unwrap();
    let points: Vec<(usize, f64)> = trend.iter().map(|p| (p.n, p.exact_percent)).collect();
    assert_eq!(points, vec![(12, 75.0), (4, 100.0)], "{trend:?}");
    assert!((trend[0].kappa.unwrap() - 0.8).abs() < 1e-9 && (trend[1].kappa.unwrap() - 1.0).abs() < 1e-9);
    assert!(trend[0].month < trend[1].month);
    let html = page(&st, "/trainer/calibration", &t1).await;
    assert!(html.contains("agreement-trend") && html.contains(&trend[1].month), "the page draws the trend");
    let e1 = sign_in(&st, "E1").await;
    let (status, _) = call(&st, floorready::api::roleplay::GetAgreementTrend::PATH, &e1, String::new()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "trainees do not read raters' agreement");
}
