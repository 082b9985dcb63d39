//! Question banks, quizzes and attempts against a real database and through the real router:
//! the attempt state machine, grading once, essays and regrading, permissions, and that nothing
//! revealing an answer reaches a trainee.

use floorready::model::Names;
use std::collections::BTreeMap;

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use floorready::api::quiz::{
    GetAttempt, GetAttemptResult, GetBank, GetQuizIntro, GetQuizResults, ImportGift, MyQuizzes, SaveAttempt,
    StartAttempt,
};
use floorready::error::AppError;
use floorready::model::course::{CourseFields, TrainingType};
use floorready::model::quiz::{AttemptStatus, QuestionKind, QuizFields, QuizKind, ReviewPolicy};
use floorready::server::course::{self, enroll};
use floorready::server::db::Pool;
use floorready::server::quiz::{self, attempt, authoring};
use floorready::server::state::AppState;
use leptos::server_fn::ServerFn;

/// Every secret below must stay on the server until the review policy allows it.
const GIFT: &str = "\
$CATEGORY: $course$/售后/三包

// [tag:warranty]
::Fill::Within how many hours must a complaint be answered? {=ZQXSECRET48#FEEDBACKSECRET1 =%50%two days}

::Num::How many days is the return window? {#31415.9:0.1}

// [tag:warranty]
::Pick::Which is covered by the warranty? {=RIGHTOPTION#FEEDBACKSECRET2 ~Damage by misuse ~Lost parts}

::Essay::Describe how you apologise to an angry customer. {}

::TF::The warranty covers damage by misuse. {F}
";

const SECRETS: &[&str] =
    &["ZQXSECRET48", "31415", "FEEDBACKSECRET", "\"weight\"", "tolerance", "\"correct\"", "fraction", "two days"];

fn course_fields() -> CourseFields {
    CourseFields {
        title: "售后服务 After-sales".into(),
        summary: String::new(),
        category_id: 2,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 60,
    }
}

fn quiz_fields(kind: QuizKind) -> QuizFields {
    QuizFields {
        title: Names::written(&format!("{kind:?} quiz")),
        kind,
        pass_percent: 60,
        time_limit_minutes: Some(30),
        opens_at: None,
        closes_at: None,
        attempts_allowed: Some(2),
        cooloff_minutes: 0,
        review_policy: ReviewPolicy::ScoreOnly,
        shuffle_questions: true,
        shuffle_options: true,
        pre_test_id: None,
    }
}

struct Setup {
    course: i64,
    bank: i64,
    quiz: i64,
}

/// T1 owns a course with E1 enrolled, a bank with the five questions above and a published quiz
/// holding all of them.
async fn setup(st: &AppState, fields: QuizFields) -> Setup {
    let t1 = user(st, "T1", "trainer", None).await;
    user(st, "T2", "trainer", None).await;
    user(st, "E1", "trainee", None).await;
    user(st, "E2", "trainee", None).await;
    let course = course::create(&st.db, SYSTEM, t1, &course_fields()).await.unwrap();
    let m = course::add_module(&st.db, course, &"M".into()).await.unwrap();
    course::add_lesson(&st.db, course, m, &"L".into(), "text").await.unwrap();
    course::publish(&st.db, SYSTEM, course).await.unwrap();
    enroll::by_employee_numbers(&st.db, SYSTEM, course, "E1").await.unwrap();
    let trainer = current(st, "T1").await;
    let bank = quiz::create_bank(&st.db, SYSTEM, &trainer, Some(course), "三包题库").await.unwrap();
    assert_eq!(quiz::import_gift(&st.db, SYSTEM, bank, GIFT).await.unwrap(), 5);
    let quiz = authoring::create(&st.db, SYSTEM, &trainer, course, &fields).await.unwrap();
    authoring::add_draw(&st.db, quiz, bank, "", "", 5).await.unwrap();
    authoring::set_published(&st.db, SYSTEM, quiz, true).await.unwrap();
    Setup { course, bank, quiz }
}

/// The form fields that answer every question right (or as given), found by reading the
/// attempt as the trainee sees it.
async fn answers(
    st: &AppState,
    attempt_id: i64,
    e1: &floorready::server::auth::guard::CurrentUser,
    right: bool,
) -> Vec<(usize, BTreeMap<String, String>)> {
    let first = attempt::view(&st.db, e1, attempt_id, 0).await.unwrap().unwrap();
    let mut pages = Vec::new();
    for page in 0..first.pages {
        let v = attempt::view(&st.db, e1, attempt_id, page).await.unwrap().unwrap();
        let mut form = BTreeMap::new();
        for item in &v.items {
            let key = format!("p{}", item.position);
            let value = match item.kind {
                floorready::model::quiz::QuestionKind::FillBlank => {
                    (if right { "  zqxsecret48 " } else { "no" }).to_string()
                }
                floorready::model::quiz::QuestionKind::Numeric => (if right { "31415.95" } else { "1" }).to_string(),
                floorready::model::quiz::QuestionKind::Single => {
                    let want = if right { "RIGHTOPTION" } else { "Lost parts" };
                    item.options.iter().position(|o| o == want).unwrap().to_string()
                }
                floorready::model::quiz::QuestionKind::TrueFalse => (if right { "false" } else { "true" }).to_string(),
                floorready::model::quiz::QuestionKind::Essay => "I listen, apologise and fix it.".to_string(),
                _ => unreachable!(),
            };
            form.insert(key, value);
        }
        pages.push((page, form));
    }
    pages
}

async fn answer_all(st: &AppState, attempt_id: i64, who: &floorready::server::auth::guard::CurrentUser, right: bool) {
    let mut seq = 0;
    for (page, form) in answers(st, attempt_id, who, right).await {
        seq += 1;
        assert_eq!(
            attempt::save(&st.db, who, attempt_id, seq, page, &form).await.unwrap(),
            attempt::Saved::Stored(seq)
        );
    }
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn parallel_submits_yield_exactly_one_grade(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::PostTest)).await;
    let e1 = current(&st, "E1").await;
    let id = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    assert_eq!(attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap(), id, "a second start resumes");
    answer_all(&st, id, &e1, true).await;

    let (a, b, c) = tokio::join!(
        attempt::submit(&st.db, SYSTEM, &e1, id),
        attempt::submit(&st.db, SYSTEM, &e1, id),
        attempt::submit(&st.db, SYSTEM, &e1, id)
    );
    assert!(a.is_ok() && b.is_ok() && c.is_ok());
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'attempt_submitted'").await, 1);
    assert_eq!(count(&pool, "select count(*) from attempts").await, 1);
    // Four automatic questions right, the essay waits for a trainer.
    let r = attempt::result(&st.db, &e1, id).await.unwrap();
    assert_eq!(r.status, AttemptStatus::AwaitingGrading);
    assert_eq!((r.score, r.max_score), (None, 5.0));
    let err = attempt::save(&st.db, &e1, id, 99, 0, &BTreeMap::new()).await.unwrap_err();
    assert_eq!(err, AppError::validation("attempt", "error.attempt_closed"), "no answers after submitting");

    // The submit button posts the last page too: two tabs doing so at once still make one grade.
    let id2 = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    let page = answers(&st, id2, &e1, true).await.remove(0).1;
    let (a, b) = tokio::join!(
        attempt::save_and_submit(&st.db, SYSTEM, &e1, id2, 1, 0, &page),
        attempt::save_and_submit(&st.db, SYSTEM, &e1, id2, 1, 0, &page)
    );
    assert!(a.is_ok() && b.is_ok());
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'attempt_submitted'").await, 2);
    let r = attempt::result(&st.db, &e1, id2).await.unwrap();
    assert_eq!(r.status, AttemptStatus::AwaitingGrading, "the page's answers were stored before grading");
}

/// Starts draw outside the write and commit in a group: two tabs starting at the same moment
/// share a batch, and the second write finds the first's attempt and resumes it.
#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn parallel_starts_make_one_attempt(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::PostTest)).await;
    let e1 = current(&st, "E1").await;
    let (a, b, c) = tokio::join!(
        attempt::start(&st.db, SYSTEM, &e1, s.quiz),
        attempt::start(&st.db, SYSTEM, &e1, s.quiz),
        attempt::start(&st.db, SYSTEM, &e1, s.quiz)
    );
    let id = a.unwrap();
    assert_eq!((b.unwrap(), c.unwrap()), (id, id));
    assert_eq!(count(&pool, "select count(*) from attempts").await, 1);
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'attempt_started'").await, 1);
    let items = count(&pool, &format!("select count(*) from attempt_items where attempt_id = {id}")).await;
    assert!(items > 0, "the drawn questions are stored with the attempt");
    assert_eq!(count(&pool, "select count(*) from attempt_items").await, items, "and no others");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn stale_and_repeated_saves_cannot_overwrite_newer_answers(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::Practice)).await;
    let e1 = current(&st, "E1").await;
    let id = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    // The fill-in question is wherever the shuffle put it: look on every page.
    let pages = attempt::view(&st.db, &e1, id, 0).await.unwrap().unwrap().pages;
    let mut found = None;
    for page in 0..pages {
        let v = attempt::view(&st.db, &e1, id, page).await.unwrap().unwrap();
        if let Some(i) = v.items.iter().find(|i| i.kind == floorready::model::quiz::QuestionKind::FillBlank) {
            found = Some((page, i.clone()));
        }
    }
    let (page, fill) = found.expect("the attempt holds the fill-in question");
    let key = format!("p{}", fill.position);
    let form = |v: &str| BTreeMap::from([(key.clone(), v.to_string())]);

    assert_eq!(attempt::save(&st.db, &e1, id, 1, page, &form("first")).await.unwrap(), attempt::Saved::Stored(1));
    assert_eq!(attempt::save(&st.db, &e1, id, 3, page, &form("newest")).await.unwrap(), attempt::Saved::Stored(3));
    assert_eq!(attempt::save(&st.db, &e1, id, 2, page, &form("delayed")).await.unwrap(), attempt::Saved::Stale(3));
    assert_eq!(attempt::save(&st.db, &e1, id, 3, page, &form("repeat")).await.unwrap(), attempt::Saved::Stale(3));
    let v = attempt::view(&st.db, &e1, id, page).await.unwrap().unwrap();
    let shown = v.items.iter().find(|i| i.position == fill.position).unwrap();
    assert_eq!(shown.answer, Some(floorready::model::quiz::ShownAnswer::Text("newest".into())));
    assert_eq!(v.seq, 3, "the page carries the sequence to continue from");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_deadline_closes_the_attempt_and_refuses_late_answers(pool: Pool) {
    let st = state(pool.clone());
    let mut f = quiz_fields(QuizKind::PostTest);
    f.attempts_allowed = None;
    let s = setup(&st, f).await;
    let e1 = current(&st, "E1").await;
    let id = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    answer_all(&st, id, &e1, true).await;
    // Time passes: the deadline was a little over the grace period ago.
    let past = floorready::server::now() - attempt::GRACE_SECS - 1;
    sqlx::query("update attempts set deadline_at = $1 where id = $2").bind(past).bind(id).execute(&pool).await.unwrap();

    let err = attempt::save(&st.db, &e1, id, 50, 0, &BTreeMap::from([("p0".into(), "late".into())])).await.unwrap_err();
    assert_eq!(err, AppError::validation("attempt", "error.attempt_deadline"));
    let r = attempt::result(&st.db, &e1, id).await.unwrap();
    assert!(r.closed_by_deadline);
    assert_eq!(attempt::close_overdue(&st.db).await.unwrap(), 0, "closed once only");
    assert_eq!(r.status, AttemptStatus::AwaitingGrading, "what was saved in time is graded");
    assert!(attempt::view(&st.db, &e1, id, 0).await.unwrap().is_none());
    // An abandoned attempt is closed by the sweep, once, even after downtime.
    let abandoned = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    sqlx::query("update attempts set deadline_at = $1 where id = $2")
        .bind(past - 86400)
        .bind(abandoned)
        .execute(&pool)
        .await
        .unwrap();
    // A trainer reading the results page writes nothing: the sweep is what closes it.
    authoring::results(&st.db, s.quiz, 0).await.unwrap();
    assert_eq!(attempt::close_overdue(&st.db).await.unwrap(), 1, "still open after the results page");
    assert_eq!(attempt::close_overdue(&st.db).await.unwrap(), 0);
    assert!(attempt::result(&st.db, &e1, abandoned).await.unwrap().closed_by_deadline);
    // Within the grace period answers are still taken.
    let id2 = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    let just = floorready::server::now() - attempt::GRACE_SECS + 5;
    sqlx::query("update attempts set deadline_at = $1 where id = $2")
        .bind(just)
        .bind(id2)
        .execute(&pool)
        .await
        .unwrap();
    assert!(matches!(attempt::save(&st.db, &e1, id2, 1, 0, &BTreeMap::new()).await, Ok(attempt::Saved::Stored(1))));
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn start_rules_attempts_cooloff_window_and_enrollment(pool: Pool) {
    let st = state(pool.clone());
    let mut f = quiz_fields(QuizKind::PostTest);
    f.attempts_allowed = Some(2);
    f.cooloff_minutes = 10;
    let s = setup(&st, f.clone()).await;
    let (e1, e2) = (current(&st, "E1").await, current(&st, "E2").await);
    assert_eq!(attempt::start(&st.db, SYSTEM, &e2, s.quiz).await.unwrap_err(), AppError::NotFound, "not enrolled");
    let id = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    attempt::submit(&st.db, SYSTEM, &e1, id).await.unwrap();
    assert_eq!(
        attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap_err(),
        AppError::validation("quiz", "error.quiz_cooloff")
    );
    let intro = attempt::intro(&st.db, &e1, s.quiz).await.unwrap();
    assert_eq!(intro.blocked.as_deref(), Some("error.quiz_cooloff"));
    assert!(intro.next_start_at.is_some());
    sqlx::query("update attempts set submitted_at = submitted_at - 601").execute(&pool).await.unwrap();
    let id2 = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    attempt::submit(&st.db, SYSTEM, &e1, id2).await.unwrap();
    sqlx::query("update attempts set submitted_at = submitted_at - 601").execute(&pool).await.unwrap();
    assert_eq!(
        attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap_err(),
        AppError::validation("quiz", "error.quiz_no_attempts_left")
    );
    // A closed window, and an unpublished quiz, take no attempts.
    let mut closed = f.clone();
    closed.attempts_allowed = None;
    closed.opens_at = Some(floorready::server::now() - 7200);
    closed.closes_at = Some(floorready::server::now() - 3600);
    authoring::update(&st.db, s.quiz, &closed).await.unwrap();
    assert_eq!(
        attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap_err(),
        AppError::validation("quiz", "error.quiz_closed")
    );
    authoring::set_published(&st.db, SYSTEM, s.quiz, false).await.unwrap();
    assert_eq!(attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap_err(), AppError::NotFound);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_failed_attempt_needs_the_remediation_lesson_before_a_retake(pool: Pool) {
    let st = state(pool.clone());
    let mut f = quiz_fields(QuizKind::PostTest);
    f.attempts_allowed = None;
    let s = setup(&st, f).await;
    let lesson: i64 = count(&pool, "select id from lessons limit 1").await;
    assert!(matches!(
        authoring::set_remediation(&st.db, SYSTEM, s.quiz, Some(lesson + 1000)).await,
        Err(AppError::Validation { .. })
    ));
    authoring::set_remediation(&st.db, SYSTEM, s.quiz, Some(lesson)).await.unwrap();
    let (e1, t1) = (current(&st, "E1").await, current(&st, "T1").await);
    let id = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    attempt::submit(&st.db, SYSTEM, &e1, id).await.unwrap();
    // The essay graded 0 completes a failed attempt.
    let essay = attempt::grading_queue(&st.db, &t1).await.unwrap().into_iter().find(|i| i.attempt_id == id).unwrap();
    attempt::grade_item(&st.db, SYSTEM, &t1, id, essay.position as i64, 0.0, "").await.unwrap();
    assert_eq!(
        attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap_err(),
        AppError::validation("quiz", "error.remediation_required")
    );
    let intro = attempt::intro(&st.db, &e1, s.quiz).await.unwrap();
    assert_eq!(intro.blocked.as_deref(), Some("error.remediation_required"));
    assert_eq!(intro.remediation, Some((lesson, "L".into())));
    floorready::server::course::learn::complete(&st.db, e1.id, lesson).await.unwrap();
    assert!(attempt::intro(&st.db, &e1, s.quiz).await.unwrap().remediation.is_none());
    assert!(attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.is_ok(), "read again: the retake opens");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn essays_are_graded_by_a_trainer_and_a_fixed_key_regrades(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::PostTest)).await;
    let e1 = current(&st, "E1").await;
    let (t1, t2) = (current(&st, "T1").await, current(&st, "T2").await);
    let id = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    answer_all(&st, id, &e1, true).await;
    attempt::submit(&st.db, SYSTEM, &e1, id).await.unwrap();

    let queue = attempt::grading_queue(&st.db, &t1).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].answer, "I listen, apologise and fix it.");
    assert!(attempt::grading_queue(&st.db, &t2).await.unwrap().is_empty(), "another trainer's course");
    let pos = queue[0].position as i64;
    assert_eq!(
        attempt::grade_item(&st.db, SYSTEM, &t1, id, pos, 1.5, "").await.unwrap_err(),
        AppError::validation("awarded", "error.points_out_of_range")
    );
    attempt::grade_item(&st.db, SYSTEM, &t1, id, pos, 0.5, "Also offer a follow-up call.").await.unwrap();
    let r = attempt::result(&st.db, &e1, id).await.unwrap();
    assert_eq!(
        (r.status, r.score, r.score_percent, r.passed),
        (AttemptStatus::Graded, Some(4.5), Some(90.0), Some(true))
    );

    // The key of "Pick" was wrong: "Lost parts" is the covered case. Editing makes a new version;
    // the past grade stays until a regrade, which is audited.
    let bank = quiz::bank_detail(&st.db, s.bank).await.unwrap();
    let pick = bank.questions.iter().find(|q| q.draft.title == "Pick").unwrap();
    let fixed = pick.gift.replace("=RIGHTOPTION", "~RIGHTOPTION").replace("~Lost parts", "=Lost parts");
    quiz::save_question(&st.db, SYSTEM, s.bank, Some(pick.id), &fixed).await.unwrap();
    assert_eq!(attempt::result(&st.db, &e1, id).await.unwrap().score, Some(4.5), "an edit alone changes nothing");
    assert_eq!(attempt::regrade_question(&st.db, SYSTEM, pick.id).await.unwrap(), 1);
    let r = attempt::result(&st.db, &e1, id).await.unwrap();
    assert_eq!((r.score, r.score_percent), (Some(3.5), Some(70.0)));
    assert_eq!(count(&pool, "select count(*) from audit_log where action = 'attempt_regraded'").await, 1);
    assert_eq!(attempt::regrade_question(&st.db, SYSTEM, pick.id).await.unwrap(), 0, "regrading again changes nothing");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn pre_and_post_test_gain(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::PreTest)).await;
    let t1 = current(&st, "T1").await;
    let mut post = quiz_fields(QuizKind::PostTest);
    post.pre_test_id = Some(s.quiz);
    let post_id = authoring::create(&st.db, SYSTEM, &t1, s.course, &post).await.unwrap();
    authoring::add_draw(&st.db, post_id, s.bank, "售后", "warranty", 2).await.unwrap();
    authoring::set_published(&st.db, SYSTEM, post_id, true).await.unwrap();
    let e1 = current(&st, "E1").await;

    let pre = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    answer_all(&st, pre, &e1, false).await;
    attempt::submit(&st.db, SYSTEM, &e1, pre).await.unwrap();
    let queue = attempt::grading_queue(&st.db, &t1).await.unwrap();
    attempt::grade_item(&st.db, SYSTEM, &t1, pre, queue[0].position as i64, 0.0, "").await.unwrap();
    let post_attempt = attempt::start(&st.db, SYSTEM, &e1, post_id).await.unwrap();
    answer_all(&st, post_attempt, &e1, true).await;
    attempt::submit(&st.db, SYSTEM, &e1, post_attempt).await.unwrap();

    let gains = floorready::server::analytics::gain::gain_report(&st.db, post_id, None).await.unwrap().unwrap();
    assert_eq!(gains.people.len(), 1);
    let p = &gains.people[0];
    assert_eq!((p.pre, p.post, p.change), (Some(0.0), Some(100.0), Some(1.0)));
    assert_eq!(
        floorready::server::analytics::gain::gain_report(&st.db, s.quiz, None).await.unwrap(),
        None,
        "a pre-test has no pair"
    );
    let results = authoring::results(&st.db, post_id, 0).await.unwrap();
    assert_eq!(results.pass_rate, Some(100.0));
}

async fn call(st: &AppState, path: &str, cookie: &str, body: String) -> (StatusCode, String) {
    let res = send(st, form(path).header(header::COOKIE, cookie).body(Body::from(body)).unwrap()).await;
    (res.status(), body_text(res).await)
}

fn assert_no_secrets(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} reveals {secret}: {text}");
    }
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn nothing_that_reveals_an_answer_reaches_the_trainee(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::PostTest)).await;
    let e1 = sign_in(&st, "E1").await;

    let (status, text) = call(&st, MyQuizzes::PATH, &e1, String::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert_no_secrets("my_quizzes", &text);
    let (status, text) = call(&st, GetQuizIntro::PATH, &e1, format!("id={}", s.quiz)).await;
    assert_eq!(status, StatusCode::OK);
    assert_no_secrets("get_quiz_intro", &text);
    let (status, text) = call(&st, StartAttempt::PATH, &e1, format!("quiz_id={}", s.quiz)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_no_secrets("start_attempt", &text);
    let attempt_id = count(&pool, "select max(id) from attempts").await;
    let mut options_seen = 0;
    let pages = attempt::view(&st.db, &current(&st, "E1").await, attempt_id, 0).await.unwrap().unwrap().pages;
    for page in 0..pages {
        let (status, text) = call(&st, GetAttempt::PATH, &e1, format!("id={attempt_id}&page={page}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_no_secrets("get_attempt", &text);
        assert!(text.matches("RIGHTOPTION").count() <= 1, "an option is shown once, without its weight");
        options_seen += text.matches("RIGHTOPTION").count();
        let html = body_text(
            send(
                &st,
                Request::get(format!("/attempt/{attempt_id}?page={page}"))
                    .header(header::COOKIE, &e1)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await,
        )
        .await;
        assert!(html.contains("<form"), "the attempt page renders its form");
        assert_no_secrets("the attempt page (HTML and hydration data)", &html);
    }
    assert_eq!(options_seen, 1, "the choice question was shown, once");
    let (status, text) =
        call(&st, SaveAttempt::PATH, &e1, format!("attempt_id={attempt_id}&seq=1&page=0&go=stay&answers[p0]=x")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_no_secrets("save_attempt", &text);
    let (status, text) =
        call(&st, SaveAttempt::PATH, &e1, format!("attempt_id={attempt_id}&seq=2&page=0&go=submit")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, text) = call(&st, GetAttemptResult::PATH, &e1, format!("id={attempt_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_no_secrets("get_attempt_result (score only)", &text);
    let html = body_text(
        send(
            &st,
            Request::get(format!("/attempt/{attempt_id}/result"))
                .header(header::COOKIE, &e1)
                .body(Body::empty())
                .unwrap(),
        )
        .await,
    )
    .await;
    assert_no_secrets("the result page", &html);

    // Authoring functions refuse a trainee outright.
    let (status, text) = call(&st, GetBank::PATH, &e1, format!("id={}", s.bank)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_no_secrets("a refused get_bank", &text);
    let (status, _) = call(&st, ImportGift::PATH, &e1, format!("bank_id={}&gift=x", s.bank)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn people_reach_only_their_own_attempts_and_banks(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::PostTest)).await;
    let e1 = current(&st, "E1").await;
    let id = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    enroll::by_employee_numbers(&st.db, SYSTEM, s.course, "E2").await.unwrap();
    let e2 = current(&st, "E2").await;
    assert_eq!(attempt::view(&st.db, &e2, id, 0).await.unwrap_err(), AppError::NotFound);
    assert_eq!(attempt::save(&st.db, &e2, id, 1, 0, &BTreeMap::new()).await.unwrap_err(), AppError::NotFound);
    assert_eq!(attempt::submit(&st.db, SYSTEM, &e2, id).await.unwrap_err(), AppError::NotFound);
    assert_eq!(attempt::result(&st.db, &e2, id).await.unwrap_err(), AppError::NotFound);

    let t2 = current(&st, "T2").await;
    assert_eq!(
        quiz::require_bank(&st.db, &t2, s.bank).await.unwrap_err(),
        AppError::Forbidden,
        "another trainer's course bank"
    );
    assert_eq!(authoring::require_quiz_author(&st.db, &t2, s.quiz).await.unwrap_err(), AppError::Forbidden);
    let t2_cookie = sign_in(&st, "T2").await;
    let (status, _) = call(&st, GetBank::PATH, &t2_cookie, format!("id={}", s.bank)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A trainer cannot grade their own attempt.
    let t1 = current(&st, "T1").await;
    assert_eq!(
        attempt::grade_item(&st.db, SYSTEM, &t1, id, 0, 1.0, "").await.unwrap_err(),
        AppError::validation("attempt", "error.attempt_open")
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_broken_gift_file_imports_nothing(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::Practice)).await;
    let before = count(&pool, "select count(*) from question_versions").await;
    let broken = format!("{GIFT}\n\n::Bad:: A stray brace here}}\n");
    let AppError::Rows(rows) = quiz::import_gift(&st.db, SYSTEM, s.bank, &broken).await.unwrap_err() else { panic!() };
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].line, rows[0].key.as_str()), (16, "error.gift_unopened"));
    assert_eq!(count(&pool, "select count(*) from question_versions").await, before);
    let moodle = include_str!("../fixtures/gift/moodle-questions.gift.txt");
    assert_eq!(quiz::import_gift(&st.db, SYSTEM, s.bank, moodle).await.unwrap(), 9);
    let (text, skipped) = quiz::export_gift(&st.db, s.bank).await.unwrap();
    assert_eq!(skipped, 0);
    let again = floorready::server::quiz::gift::parse(&text).unwrap();
    assert_eq!(again.len(), 14, "export holds every question");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn spreadsheets_and_gift_files_upload_whole_or_not_at_all(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::Practice)).await;
    let t1 = sign_in(&st, "T1").await;
    let path = format!("/banks/{}/import", s.bank);
    let location = |res: &axum::response::Response| {
        res.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
    };
    let before = count(&pool, "select count(*) from questions").await;

    let xlsx = floorready::server::quiz::question_sheet::template_xlsx().unwrap();
    let res = send(&st, multipart_post(&path, &t1, "题目.xlsx", &xlsx)).await;
    assert_eq!(location(&res), format!("/trainer/banks/{}?imported=4", s.bank));
    let res = send(
        &st,
        multipart_post(
            &path,
            &t1,
            "moodle.gift",
            include_bytes!("../fixtures/gift/moodle-questions_in_category.gift.txt"),
        ),
    )
    .await;
    assert_eq!(location(&res), format!("/trainer/banks/{}?imported=4", s.bank));
    assert_eq!(count(&pool, "select count(*) from questions").await, before + 8);

    let bad = "type,question,options,answer\nsingle,Q?,a|b,1\nsingle,Q2?,a|b,9\n";
    let res = send(&st, multipart_post(&path, &t1, "bad.csv", bad.as_bytes())).await;
    assert_eq!(
        location(&res),
        format!("/trainer/banks/{}?import_errors=3%3Aanswer%3Aerror%2Esheet%5Fanswer%5Fnumbers", s.bank)
    );
    assert_eq!(
        count(&pool, "select count(*) from questions").await,
        before + 8,
        "the good row was not imported either"
    );

    let e1 = sign_in(&st, "E1").await;
    assert_eq!(send(&st, multipart_post(&path, &e1, "x.csv", bad.as_bytes())).await.status(), StatusCode::FORBIDDEN);
    let template = send(&st, Request::get("/banks/template.csv").body(Body::empty()).unwrap()).await;
    assert_eq!(template.status(), StatusCode::OK);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_plan_shows_its_members_post_test_results(pool: Pool) {
    use floorready::i18n::Locale;
    use floorready::model::plan::PlanFields;
    use floorready::server::plan::{self, export, SessionInput};
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::PostTest)).await;
    let t1 = current(&st, "T1").await;
    let fields = PlanFields { title: "岗前培训".into(), ..Default::default() };
    let p = plan::create(&st.db, SYSTEM, t1.id, &fields).await.unwrap();
    plan::set_teams_and_courses(&st.db, p, &[], &[s.course]).await.unwrap();
    let day = SessionInput {
        topic: "考试".into(),
        day: "2026-12-01".into(),
        start_time: "09:00".into(),
        end_time: "10:00".into(),
        ..Default::default()
    };
    plan::add_session(&st.db, p, &day).await.unwrap();
    plan::enroll_numbers(&st.db, SYSTEM, p, "E1").await.unwrap();

    let e1 = current(&st, "E1").await;
    let id = attempt::start(&st.db, SYSTEM, &e1, s.quiz).await.unwrap();
    answer_all(&st, id, &e1, true).await;
    attempt::submit(&st.db, SYSTEM, &e1, id).await.unwrap();
    let detail = plan::detail(&st.db, &t1, p).await.unwrap();
    assert_eq!(detail.members[0].post_test_percent, None, "not graded yet: the essay waits");
    let queue = attempt::grading_queue(&st.db, &t1).await.unwrap();
    attempt::grade_item(&st.db, SYSTEM, &t1, id, queue[0].position as i64, 1.0, "").await.unwrap();

    let detail = plan::detail(&st.db, &t1, p).await.unwrap();
    assert_eq!((detail.members[0].post_test_percent, detail.members[0].post_test_passed), (Some(100), Some(true)));
    let rows = export::record_rows(&st.db, &t1, p).await.unwrap();
    let csv = String::from_utf8(export::csv(Locale::En, &rows).unwrap()).unwrap();
    assert!(csv.contains("Courses 0/1; Post-test 100% Passed"), "{csv}");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn nobody_takes_a_graded_attempt_of_a_quiz_whose_key_they_can_read(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::PostTest)).await;
    // A shared bank made by T2: T2 edits it; T1 (another trainer) does not.
    user(&st, "TE", "trainer,trainee", None).await;
    let t2 = current(&st, "T2").await;
    let shared = quiz::create_bank(&st.db, SYSTEM, &t2, None, "共享题库").await.unwrap();
    quiz::import_gift(&st.db, SYSTEM, shared, "::S1:: Shared statement. {T}\n").await.unwrap();
    let t1 = current(&st, "T1").await;
    assert_eq!(quiz::require_bank(&st.db, &t1, shared).await.unwrap_err(), AppError::Forbidden, "not an editor");
    assert!(quiz::require_bank(&st.db, &t2, shared).await.is_ok());
    let trainer = current(&st, "T1").await;
    let q = authoring::create(&st.db, SYSTEM, &trainer, s.course, &quiz_fields(QuizKind::Practice)).await.unwrap();
    authoring::add_draw(&st.db, q, shared, "", "", 1).await.unwrap();
    authoring::set_published(&st.db, SYSTEM, q, true).await.unwrap();
    enroll::by_employee_numbers(&st.db, SYSTEM, s.course, "TE").await.unwrap();
    let te = current(&st, "TE").await;

    // TE, a trainer in training, starts the quiz while not an editor of its bank...
    let attempt_id = attempt::start(&st.db, SYSTEM, &te, q).await.unwrap();
    // ...and is made an editor mid-attempt: the bank stays closed to them until the attempt ends.
    floorready::server::owners::add(&st.db, SYSTEM, floorready::model::owners::Owned::SharedBank, shared, "TE")
        .await
        .unwrap();
    assert_eq!(quiz::require_bank(&st.db, &te, shared).await.unwrap_err(), AppError::Forbidden);
    let te_cookie = sign_in(&st, "TE").await;
    let (status, _) = call(&st, GetBank::PATH, &te_cookie, format!("id={shared}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let export = Request::get(format!("/banks/{shared}/export.gift")).header(header::COOKIE, &te_cookie);
    assert_eq!(send(&st, export.body(Body::empty()).unwrap()).await.status(), StatusCode::FORBIDDEN);
    attempt::submit(&st.db, SYSTEM, &te, attempt_id).await.unwrap();
    // Now an editor who can read the key: no further graded attempt, and the intro says why.
    assert!(quiz::require_bank(&st.db, &te, shared).await.is_ok());
    assert_eq!(
        attempt::start(&st.db, SYSTEM, &te, q).await.unwrap_err(),
        AppError::validation("quiz", "error.quiz_key_reader")
    );
    assert_eq!(attempt::intro(&st.db, &te, q).await.unwrap().blocked.as_deref(), Some("error.quiz_key_reader"));
    // The course's own authors read every key of its quizzes.
    enroll::by_employee_numbers(&st.db, SYSTEM, s.course, "T1").await.unwrap();
    assert_eq!(
        attempt::start(&st.db, SYSTEM, &t1, s.quiz).await.unwrap_err(),
        AppError::validation("quiz", "error.quiz_key_reader")
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_description_item_is_shown_unnumbered_and_never_graded(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::Practice)).await;
    let trainer = current(&st, "T1").await;
    // A Moodle export with a description item: it imports, and a random draw never picks it.
    let gift = "::DESC::[html]<p>Read this first.</p>\n\n::Extra::Is a receipt needed? {T}\n";
    assert_eq!(quiz::import_gift(&st.db, SYSTEM, s.bank, gift).await.unwrap(), 2);
    let bank = quiz::bank_detail(&st.db, s.bank).await.unwrap();
    let desc = bank.questions.iter().find(|q| q.draft.title == "DESC").unwrap().id;
    let extra = bank.questions.iter().find(|q| q.draft.title == "Extra").unwrap().id;
    let fields = QuizFields { shuffle_questions: false, ..quiz_fields(QuizKind::PostTest) };
    let quiz = authoring::create(&st.db, SYSTEM, &trainer, s.course, &fields).await.unwrap();
    authoring::add_question(&st.db, quiz, desc).await.unwrap();
    authoring::add_question(&st.db, quiz, extra).await.unwrap();
    authoring::set_published(&st.db, SYSTEM, quiz, true).await.unwrap();

    let e1 = current(&st, "E1").await;
    let id = attempt::start(&st.db, SYSTEM, &e1, quiz).await.unwrap();
    let v = attempt::view(&st.db, &e1, id, 0).await.unwrap().unwrap();
    let shown: Vec<(QuestionKind, Option<usize>, i64)> = v.items.iter().map(|i| (i.kind, i.number, i.points)).collect();
    assert_eq!(shown, vec![(QuestionKind::Description, None, 0), (QuestionKind::TrueFalse, Some(1), 1)]);
    assert!(v.items[0].stem_html.contains("<p>Read this first.</p>"), "{}", v.items[0].stem_html);
    assert_eq!(v.answered, vec![true, false], "a description has nothing to answer");
    let form = BTreeMap::from([("p1".to_string(), "true".to_string())]);
    attempt::save(&st.db, &e1, id, 1, 0, &form).await.unwrap();
    attempt::submit(&st.db, SYSTEM, &e1, id).await.unwrap();
    let r = attempt::result(&st.db, &e1, id).await.unwrap();
    assert_eq!((r.status, r.score, r.max_score, r.score_percent), (AttemptStatus::Graded, Some(1.0), 1.0, Some(100.0)));

    // The draw of five from the bank still finds exactly the five questions, never the description.
    let pool_ids = quiz::draw_pool(&mut pool.acquire().await.unwrap(), s.bank, "", "").await.unwrap();
    assert!(!pool_ids.contains(&desc) && pool_ids.contains(&extra), "{pool_ids:?}");

    // A quiz of descriptions alone is not a test.
    let only = authoring::create(&st.db, SYSTEM, &trainer, s.course, &fields).await.unwrap();
    authoring::add_question(&st.db, only, desc).await.unwrap();
    authoring::set_published(&st.db, SYSTEM, only, true).await.unwrap();
    assert_eq!(
        attempt::start(&st.db, SYSTEM, &e1, only).await.unwrap_err(),
        AppError::validation("quiz", "error.quiz_empty")
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn an_import_is_capped_and_checked_before_it_takes_the_writer(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::Practice)).await;
    let one = |i: usize| format!("::Q{i}::Is {i} even? {{{}}}\n\n", if i.is_multiple_of(2) { "T" } else { "F" });
    let max: String = (0..quiz::MAX_IMPORT_QUESTIONS).map(one).collect();
    assert!(max.len() < quiz::MAX_IMPORT_BYTES);

    // One question over the cap, or one byte over the size limit, is refused whole, naming the limit.
    let over = format!("{max}{}", one(quiz::MAX_IMPORT_QUESTIONS));
    assert_eq!(
        quiz::import_gift(&st.db, SYSTEM, s.bank, &over).await.unwrap_err(),
        AppError::validation("file", "error.import_too_many")
    );
    let big = format!("{max}// {}\n", "x".repeat(quiz::MAX_IMPORT_BYTES - max.len()));
    assert_eq!(
        quiz::import_gift(&st.db, SYSTEM, s.bank, &big).await.unwrap_err(),
        AppError::validation("file", "error.import_too_large")
    );

    // A maximal file with one broken question is parsed and refused while another request holds
    // the single writer: checking never waits for the writer, so it never holds it either.
    let held = st.db.begin().await.unwrap();
    let broken = format!("{max}::bad::X {{~%abc%a =b}}\n");
    let refused =
        tokio::time::timeout(std::time::Duration::from_secs(60), quiz::import_gift(&st.db, SYSTEM, s.bank, &broken))
            .await
            .expect("checked without waiting for the writer");
    assert!(matches!(refused, Err(AppError::Rows(ref rows)) if rows.len() == 1), "{refused:?}");
    held.rollback().await.unwrap();

    // A maximal import and another trainer's save side by side: both land, whole.
    let (imported, saved) = tokio::join!(
        quiz::import_gift(&st.db, SYSTEM, s.bank, &max),
        quiz::save_question(&st.db, SYSTEM, s.bank, None, "::Other::Saved meanwhile? {T}")
    );
    assert_eq!(imported.unwrap() as usize, quiz::MAX_IMPORT_QUESTIONS);
    saved.unwrap();
    assert_eq!(count(&pool, "select count(*) from questions").await, 5 + 2_000 + 1);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn quiz_results_come_a_page_at_a_time_with_figures_over_all(pool: Pool) {
    let st = state(pool.clone());
    let s = setup(&st, quiz_fields(QuizKind::Practice)).await;
    let e1 = current(&st, "E1").await;
    // 205 graded attempts, the last 55 failed: the figures are over all of them, not one page.
    for n in 1..=205i64 {
        sqlx::query(
            "insert into attempts (quiz_id, user_id, attempt_no, status, started_at, submitted_at, max_score, percent, passed)
             values ($1, $2, $3, 'graded', 0, 0, 10, 50, $4)",
        )
        .bind(s.quiz)
        .bind(e1.id)
        .bind(n)
        .bind(i64::from(n <= 150))
        .execute(&pool)
        .await
        .unwrap();
    }
    let mut seen = std::collections::BTreeSet::new();
    for (page, rows) in [(0, 100), (1, 100), (2, 5)] {
        let r = authoring::results(&st.db, s.quiz, page).await.unwrap();
        assert_eq!((r.total, r.page, r.pages, r.attempts.len()), (205, page, 3, rows));
        assert_eq!(r.pass_rate, Some(150.0 * 100.0 / 205.0));
        seen.extend(r.attempts.iter().map(|a| a.attempt_no));
    }
    assert_eq!(seen.len(), 205, "every attempt on exactly one page");
    let past = authoring::results(&st.db, s.quiz, 9).await.unwrap();
    assert_eq!((past.page, past.attempts.len()), (2, 5), "a page past the end shows the last");
    // Through the server function a trainer reads one page too.
    let t1 = sign_in(&st, "T1").await;
    let (status, body) = call(&st, GetQuizResults::PATH, &t1, format!("id={}&page=1", s.quiz)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.matches("\"attempt_no\"").count(), 100);
}
