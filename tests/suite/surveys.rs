//! Evaluation forms and reaction surveys against a real database and through the real router:
//! form versions, the survey sent when a course is completed (once) and its one reminder,
//! answers checked item by item, anonymity, results only from K responses, and who may do what.

use std::collections::BTreeMap;

use crate::common::*;
use axum::body::Body;
use axum::http::{header, StatusCode};
use floorready::error::AppError;
use floorready::model::course::{CourseFields, TrainingType};
use floorready::model::plan::Attendance;
use floorready::model::survey::{FormItemInput, ItemKind, SurveyOf};
use floorready::model::Names;
use floorready::server::course::{self, enroll, learn};
use floorready::server::db::Pool;
use floorready::server::state::AppState;
use floorready::server::{plan, survey};
use leptos::server_fn::ServerFn;

const DAY: i64 = 86_400;

fn row(kind: &str, zh: &str, en: &str, options: &str, required: bool) -> FormItemInput {
    FormItemInput {
        kind: kind.into(),
        text_zh: zh.into(),
        text_en: en.into(),
        options: options.into(),
        required: required.then(|| "on".into()),
    }
}

/// A reaction form: a section, a required 1-5 scale, NPS, yes/no and a comment.
fn reaction() -> Vec<FormItemInput> {
    vec![
        row("section", "课程", "The course", "", false),
        row(
            "scale",
            "内容实用",
            "The content was useful",
            "很差 | Poor\n差 | Fair\n一般 | OK\n好 | Good\n很好 | Very good",
            true,
        ),
        row("nps", "推荐意愿", "Would you recommend it?", "", false),
        row("yes_no", "讲师准备充分", "The instructor was prepared", "", false),
        row("long_text", "建议", "Suggestions", "", false),
        // A spare row of the editor, left empty.
        row("scale", "", "", "", false),
    ]
}

struct World {
    course: i64,
    lessons: Vec<i64>,
    form: i64,
}

async fn world(st: &AppState) -> World {
    let t1 = user(st, "T1", "trainer", None).await;
    user(st, "T2", "trainer", None).await;
    user(st, "AD", "admin", None).await;
    for i in 1..=6 {
        user(st, &format!("E{i}"), "trainee", None).await;
    }
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
    let t1_actor = floorready::server::audit::Actor { id: Some(t1), ip: "test" };
    let form = survey::save_form(&st.db, t1_actor, None, &Names::new("课后反馈", "Course feedback"), &reaction())
        .await
        .unwrap();
    World { course, lessons, form }
}

async fn complete(st: &AppState, w: &World, no: &str) -> i64 {
    let who = current(st, no).await;
    enroll::by_employee_numbers(&st.db, SYSTEM, w.course, no).await.unwrap();
    for l in &w.lessons {
        learn::complete(&st.db, who.id, *l).await.unwrap();
    }
    who.id
}

async fn request_of(pool: &Pool, user_id: i64) -> i64 {
    sqlx::query_scalar("select id from survey_requests where user_id = $1").bind(user_id).fetch_one(pool).await.unwrap()
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn forms_change_in_place_until_answered_then_as_a_new_version(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    let f = survey::form(&st.db, w.form).await.unwrap();
    assert_eq!(f.version_no, 1);
    let kinds: Vec<ItemKind> = f.items.iter().map(|i| i.kind).collect();
    assert_eq!(kinds, vec![ItemKind::Section, ItemKind::Scale, ItemKind::Nps, ItemKind::YesNo, ItemKind::LongText]);
    assert_eq!(f.items[1].options[4], Names::new("很好", "Very good"));
    assert!(f.items[1].required && !f.items[0].required);

    // Unanswered: saved in place.
    let mut rows = reaction();
    rows[4].text_en = "What would you change?".into();
    survey::save_form(&st.db, SYSTEM, Some(w.form), &Names::new("课后反馈", "Course feedback"), &rows).await.unwrap();
    assert_eq!(survey::form(&st.db, w.form).await.unwrap().version_no, 1);
    assert_eq!(count(&pool, "select count(*) from eval_form_versions").await, 1);

    // Answered: the next save is version 2, and the response stays with version 1.
    survey::save_settings(&st.db, SYSTEM, SurveyOf::Course(w.course), Some(w.form), false, 7).await.unwrap();
    let e1 = complete(&st, &w, "E1").await;
    survey::submit(&st.db, e1, request_of(&pool, e1).await, &answers(&[("a1", "3")])).await.unwrap();
    rows[1].options = "1\n2\n3".into();
    survey::save_form(&st.db, SYSTEM, Some(w.form), &Names::new("课后反馈", "Course feedback"), &rows).await.unwrap();
    let f = survey::form(&st.db, w.form).await.unwrap();
    assert_eq!((f.version_no, f.items[1].options.len(), f.answered), (2, 3, 0));
    let answered: i64 = sqlx::query_scalar(
        "select v.version_no from survey_responses r join eval_form_versions v on v.id = r.form_version_id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(answered, 1);

    // Bad rows are named, and nothing is saved.
    let bad = |rows: Vec<FormItemInput>| {
        let st = st.clone();
        async move { survey::save_form(&st.db, SYSTEM, Some(w.form), &Names::new("x", "x"), &rows).await.unwrap_err() }
    };
    assert_eq!(
        bad(vec![row("scale", "好", "Good", "only one point", false)]).await,
        AppError::validation("items[0]", "error.survey_scale_points")
    );
    assert_eq!(
        bad(vec![row("nps", "a", "a", "", false), row("colour", "b", "b", "", false)]).await,
        AppError::validation("items[1]", "error.choice_unknown")
    );
    assert_eq!(
        bad(vec![row("section", "只有标题", "Only a heading", "", false)]).await,
        AppError::validation("items", "error.survey_items_missing")
    );
    assert_eq!(survey::form(&st.db, w.form).await.unwrap().title.en, "Course feedback");
    assert_eq!(count(&pool, "select count(*) from eval_form_versions").await, 2);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn completing_a_course_asks_its_survey_once_and_reminds_once(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    // No survey yet: completing asks nothing.
    let e1 = complete(&st, &w, "E1").await;
    assert_eq!(count(&pool, "select count(*) from survey_requests").await, 0);

    survey::save_settings(&st.db, SYSTEM, SurveyOf::Course(w.course), Some(w.form), true, 3).await.unwrap();
    let e2 = complete(&st, &w, "E2").await;
    // Completing the last lesson again asks nothing more.
    learn::complete(&st.db, e2, w.lessons[1]).await.unwrap();
    let waiting = survey::waiting(&st.db, e2).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].subject.en, "Onboarding");
    assert!(survey::waiting(&st.db, e1).await.unwrap().is_empty());
    let notices: Vec<(String, String)> = sqlx::query_as("select kind, link from notifications where user_id = $1")
        .bind(e2)
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(notices, vec![("survey".into(), format!("/surveys/{}", waiting[0].request_id))]);

    // The reminder: not while more than two days are left; then once, however often the sweep runs.
    let due = waiting[0].due_at;
    assert_eq!(survey::remind(&st.db, due - 3 * DAY).await.unwrap(), 0);
    assert_eq!(survey::remind(&st.db, due - DAY).await.unwrap(), 1);
    assert_eq!(survey::remind(&st.db, due - DAY + 60).await.unwrap(), 0);
    assert_eq!(count(&pool, "select count(*) from notifications where kind = 'survey_reminder'").await, 1);

    // The notices list carries the course and the due date.
    let listed = floorready::server::cert::notify::list(&st.db, e2).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|n| n.program.en == "Onboarding" && n.expires_at == due), "{listed:?}");

    // Once answered, nothing is waiting, nothing more is sent, and a second answer is refused.
    let request = waiting[0].request_id;
    survey::submit(&st.db, e2, request, &answers(&[("a1", "4")])).await.unwrap();
    assert!(survey::waiting(&st.db, e2).await.unwrap().is_empty());
    assert_eq!(
        survey::submit(&st.db, e2, request, &answers(&[("a1", "4")])).await.unwrap_err(),
        AppError::validation("survey", "error.survey_answered")
    );
    assert_eq!(count(&pool, "select count(*) from survey_responses").await, 1);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn answers_are_checked_item_by_item_and_nothing_is_kept_of_a_bad_one(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    survey::save_settings(&st.db, SYSTEM, SurveyOf::Course(w.course), Some(w.form), false, 7).await.unwrap();
    let e1 = complete(&st, &w, "E1").await;
    let request = request_of(&pool, e1).await;
    for (form, field, key) in [
        (answers(&[("a2", "9")]), "a1", "error.survey_answer_required"),
        (answers(&[("a1", "5")]), "a1", "error.survey_answer_invalid"),
        (answers(&[("a1", "x")]), "a1", "error.survey_answer_invalid"),
        (answers(&[("a1", "2"), ("a2", "11")]), "a2", "error.survey_answer_invalid"),
        (answers(&[("a1", "2"), ("a3", "maybe")]), "a3", "error.survey_answer_invalid"),
    ] {
        assert_eq!(survey::submit(&st.db, e1, request, &form).await.unwrap_err(), AppError::validation(field, key));
    }
    assert_eq!(count(&pool, "select count(*) from survey_responses").await, 0);
    assert_eq!(count(&pool, "select count(*) from survey_requests where answered = 1").await, 0);
    // Someone else's request does not exist for them.
    let e2 = current(&st, "E2").await;
    assert_eq!(survey::to_answer(&st.db, e2.id, request).await.unwrap_err(), AppError::NotFound);
    assert_eq!(survey::submit(&st.db, e2.id, request, &answers(&[("a1", "2")])).await.unwrap_err(), AppError::NotFound);
    // A named survey keeps who answered.
    survey::submit(&st.db, e1, request, &answers(&[("a1", "2"), ("a4", "  Slower, please. ")])).await.unwrap();
    let (who, stored): (Option<i64>, String) =
        sqlx::query_as("select user_id, answers from survey_responses").fetch_one(&pool).await.unwrap();
    assert_eq!(who, Some(e1));
    assert_eq!(stored, r#"[{"item":1,"choices":[2]},{"item":4,"text":"Slower, please."}]"#);
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn anonymous_results_name_nobody_and_wait_for_k_responses(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    survey::save_settings(&st.db, SYSTEM, SurveyOf::Course(w.course), Some(w.form), true, 7).await.unwrap();
    let survey_id: i64 = sqlx::query_scalar("select id from surveys").fetch_one(&pool).await.unwrap();
    // Scale points (1-5), NPS, yes/no and a comment from five of six people.
    let given = [
        ("E1", "4", "10", "yes", "User E1 says: more role-play"),
        ("E2", "3", "9", "yes", ""),
        ("E3", "2", "7", "no", "shorter videos"),
        ("E4", "4", "3", "yes", ""),
        ("E5", "1", "", "", ""),
    ];
    let mut ids = Vec::new();
    for (i, (no, scale, nps, yes, text)) in given.iter().enumerate() {
        let id = complete(&st, &w, no).await;
        ids.push(id);
        let form = answers(&[("a1", scale), ("a2", nps), ("a3", yes), ("a4", text)]);
        if i < 4 {
            survey::submit(&st.db, id, request_of(&pool, id).await, &form).await.unwrap();
        }
        // Below K (5), nothing item by item.
        let r = survey::results(&st.db, &survey::ResultsScope::Everyone, survey_id, None, None).await.unwrap();
        assert!(r.items.is_empty() && !r.shown(), "{i}");
    }
    complete(&st, &w, "E6").await;
    survey::submit(&st.db, ids[4], request_of(&pool, ids[4]).await, &answers(&[("a1", "0")])).await.unwrap();

    // Stored without the person, the day only; the notices about it are gone.
    assert_eq!(count(&pool, "select count(*) from survey_responses where user_id is not null").await, 0);
    assert_eq!(count(&pool, "select count(*) from survey_responses where length(day) <> 10").await, 0);
    assert_eq!(count(&pool, "select count(*) from notifications where kind like 'survey%'").await, 1, "E6's only");

    let r = survey::results(&st.db, &survey::ResultsScope::Everyone, survey_id, None, None).await.unwrap();
    assert_eq!((r.asked, r.responses, r.min_responses), (6, 5, 5));
    assert!((r.response_rate().unwrap() - 500.0 / 6.0).abs() < 1e-9);
    let scale = &r.items[1];
    // Points 5, 4, 3, 5, 1: mean 3.6.
    assert_eq!(scale.counts.iter().map(|(_, n)| *n).collect::<Vec<_>>(), vec![1, 0, 1, 1, 2]);
    assert!((scale.mean.unwrap() - 3.6).abs() < 1e-9);
    // NPS from 10, 9, 7, 3: two promoters, one detractor of four = 25.
    let nps = &r.items[2];
    assert_eq!((nps.answered, nps.nps), (4, Some(25.0)));
    assert!((nps.mean.unwrap() - 7.25).abs() < 1e-9);
    assert_eq!(r.items[3].counts.iter().map(|(_, n)| *n).collect::<Vec<_>>(), vec![3, 1]);
    let mut texts = r.items[4].texts.clone();
    texts.sort();
    assert_eq!(texts, vec!["User E1 says: more role-play".to_string(), "shorter videos".into()]);

    // Through the server function: the course's trainer gets the figures and no one's name or
    // number; another trainer and a trainee are refused.
    let body = format!("survey_id={survey_id}");
    let path = floorready::api::survey::GetSurveyResults::PATH;
    let t1 = sign_in(&st, "T1").await;
    let (status, json) = call(&st, path, &t1, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    for no in ["E2", "E3", "E4", "E5", "E6"] {
        assert!(!json.contains(&format!("User {no}")) && !json.contains(&format!("\"{no}\"")), "{no} in {json}");
    }
    assert_eq!(call(&st, path, &sign_in(&st, "T2").await, body.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(&st, path, &sign_in(&st, "E1").await, body.clone()).await.0, StatusCode::FORBIDDEN);
    // K is an admin's setting: at 6, five responses show nothing item by item again.
    floorready::server::organisation::save_survey_threshold(&st.db, SYSTEM, 6).await.unwrap();
    let r = survey::results(&st.db, &survey::ResultsScope::Everyone, survey_id, None, None).await.unwrap();
    assert!(r.items.is_empty() && (r.responses, r.min_responses) == (5, 6));
    assert_eq!(
        floorready::server::organisation::save_survey_threshold(&st.db, SYSTEM, 0).await.unwrap_err(),
        AppError::validation("survey_min_responses", "error.survey_k_invalid")
    );
    let ad = sign_in(&st, "AD").await;
    let k = floorready::api::organisation::SaveSurveyThreshold::PATH;
    assert_eq!(call(&st, k, &t1, "survey_min_responses=1".into()).await.0, StatusCode::FORBIDDEN);
    let status = call(&st, k, &ad, "survey_min_responses=5".into()).await.0;
    assert!(status.is_success() || status.is_redirection(), "{status}");
    assert!(survey::results(&st.db, &survey::ResultsScope::Everyone, survey_id, None, None).await.unwrap().shown());
    // Anonymity is fixed once answered.
    assert_eq!(
        survey::save_settings(&st.db, SYSTEM, SurveyOf::Course(w.course), Some(w.form), false, 7).await.unwrap_err(),
        AppError::validation("anonymous", "error.survey_anonymity_fixed")
    );
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn forms_and_course_surveys_are_changed_by_their_owners_only(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    let t2 = sign_in(&st, "T2").await;
    let e1 = sign_in(&st, "E1").await;
    let save = floorready::api::survey::SaveForm::PATH;
    let body = format!("id={}&title_zh=x&title_en=x&items[0][kind]=nps&items[0][text_en]=Why", w.form);
    assert_eq!(call(&st, save, &t2, body.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(&st, save, &e1, body).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(&st, floorready::api::survey::ListForms::PATH, &e1, String::new()).await.0, StatusCode::FORBIDDEN);
    // A new form through the server function, as the editor posts it (a plain form).
    let t1 = sign_in(&st, "T1").await;
    let body =
        "id=0&title_zh=&title_en=Session&items[0][kind]=scale&items[0][text_en]=Worth it&items[0][options]=No%0AYes\
                &items[0][required]=on&items[1][kind]=scale&items[1][text_zh]=&items[1][text_en]=&items[1][options]=";
    let (status, text) = call(&st, save, &t1, body.into()).await;
    assert!(status.is_success() || status.is_redirection(), "{status} {text}");
    assert_eq!(count(&pool, "select count(*) from eval_forms where title_en = 'Session'").await, 1);
    let set = floorready::api::survey::SaveSurveySettings::PATH;
    let body = format!("course_id={}&form_id={}&due_days=7", w.course, w.form);
    assert_eq!(call(&st, set, &t2, body.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(count(&pool, "select count(*) from surveys").await, 0);
    let (status, text) = call(&st, set, &t1, body).await;
    assert!(status.is_success() || status.is_redirection(), "{status} {text}");
    assert_eq!(count(&pool, "select count(*) from surveys where anonymous = 0 and due_days = 7").await, 1);
    let (status, _) = call(&st, set, &t1, format!("course_id={}&form_id={}&due_days=0", w.course, w.form)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn call(st: &AppState, path: &str, cookie: &str, body: String) -> (StatusCode, String) {
    let res = send(st, form(path).header(header::COOKIE, cookie).body(Body::from(body)).unwrap()).await;
    (res.status(), body_text(res).await)
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_plan_asks_after_each_attended_session_about_it_and_its_instructor(pool: Pool) {
    let st = state(pool.clone());
    let w = world(&st).await;
    let t1 = current(&st, "T1").await;
    user(&st, "T3", "trainer", None).await;
    let fields = floorready::model::plan::PlanFields { title: "Plan".into(), ..Default::default() };
    let p = plan::create(&st.db, SYSTEM, t1.id, &fields).await.unwrap();
    let mut sessions = Vec::new();
    for (day, by) in [("2026-01-05", "T1"), ("2026-01-06", "T3")] {
        let input = plan::SessionInput {
            topic: "Warranty".into(),
            day: day.into(),
            start_time: "09:00".into(),
            end_time: "12:00".into(),
            instructor_employee_no: by.into(),
            ..Default::default()
        };
        sessions.push(plan::add_session(&st.db, p, &input).await.unwrap());
    }
    let numbers: String = (1..=6).map(|i| format!("E{i}\n")).collect();
    assert_eq!(plan::enroll_numbers(&st.db, SYSTEM, p, &numbers).await.unwrap(), 6);
    // Marking before the survey exists asks nothing.
    let e6 = current(&st, "E6").await.id;
    plan::mark(&st.db, SYSTEM, sessions[0], e6, Attendance::Present).await.unwrap();
    survey::save_settings(&st.db, SYSTEM, SurveyOf::Plan(p), Some(w.form), true, 5).await.unwrap();
    assert_eq!(count(&pool, "select count(*) from survey_requests").await, 0);

    // Present and late are asked, once per session however often they are marked; absent and
    // excused are not.
    let mut people = Vec::new();
    for i in 1..=5 {
        people.push(current(&st, &format!("E{i}")).await.id);
    }
    for (who, status) in people.iter().zip([
        Attendance::Present,
        Attendance::Late,
        Attendance::Present,
        Attendance::Absent,
        Attendance::Excused,
    ]) {
        plan::mark(&st.db, SYSTEM, sessions[0], *who, status).await.unwrap();
    }
    plan::mark(&st.db, SYSTEM, sessions[0], people[0], Attendance::Late).await.unwrap();
    for who in &people[..3] {
        plan::mark(&st.db, SYSTEM, sessions[1], *who, Attendance::Present).await.unwrap();
    }
    assert_eq!(count(&pool, "select count(*) from survey_requests").await, 3 + 3);
    let waiting = survey::waiting(&st.db, people[0]).await.unwrap();
    assert_eq!(waiting.len(), 2);
    assert_eq!(waiting[0].subject.en, "Plan");
    assert_eq!(waiting[0].session.as_deref(), Some("2026-01-05 Warranty"));
    let asked = survey::to_answer(&st.db, people[0], waiting[1].request_id).await.unwrap();
    assert_eq!(asked.instructor.as_deref(), Some("User T3"));

    // Each answers both sessions: the responses keep the session and its instructor, not the person.
    for (i, who) in people[..3].iter().enumerate() {
        for todo in survey::waiting(&st.db, *who).await.unwrap() {
            let point = (i + 2).to_string();
            survey::submit(&st.db, *who, todo.request_id, &answers(&[("a1", &point)])).await.unwrap();
        }
    }
    let stored: Vec<(Option<i64>, i64, i64)> =
        sqlx::query_as("select user_id, session_id, instructor_id from survey_responses order by session_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 6);
    assert!(stored.iter().all(|(who, _, _)| who.is_none()));
    let t3 = current(&st, "T3").await.id;
    assert_eq!(stored.iter().filter(|(_, s, i)| *s == sessions[1] && *i == t3).count(), 3);

    // K (5) applies to each view: six responses in all, three per session or instructor.
    let survey_id: i64 =
        sqlx::query_scalar("select id from surveys where plan_id = $1").bind(p).fetch_one(&pool).await.unwrap();
    let all = survey::results(&st.db, &survey::ResultsScope::Everyone, survey_id, None, None).await.unwrap();
    assert_eq!((all.asked, all.responses), (6, 6));
    assert!((all.items[1].mean.unwrap() - 4.0).abs() < 1e-9, "points 3, 4, 5 twice");
    assert_eq!(all.sessions.len(), 2);
    assert_eq!(all.instructors.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(), vec!["User T1", "User T3"]);
    let one =
        survey::results(&st.db, &survey::ResultsScope::Everyone, survey_id, Some(sessions[1]), None).await.unwrap();
    assert_eq!((one.asked, one.responses, one.items.len()), (3, 3, 0));
    let by = survey::results(&st.db, &survey::ResultsScope::Everyone, survey_id, None, Some(t3)).await.unwrap();
    assert_eq!((by.responses, by.items.len()), (3, 0));
    floorready::server::organisation::save_survey_threshold(&st.db, SYSTEM, 3).await.unwrap();
    let by = survey::results(&st.db, &survey::ResultsScope::Everyone, survey_id, None, Some(t3)).await.unwrap();
    assert!((by.items[1].mean.unwrap() - 4.0).abs() < 1e-9);

    // The plan's creator and admins read them; another trainer does not.
    let path = floorready::api::survey::GetSurveyResults::PATH;
    let body = format!("survey_id={survey_id}&session={}", sessions[0]);
    assert_eq!(call(&st, path, &sign_in(&st, "T1").await, body.clone()).await.0, StatusCode::OK);
    assert_eq!(call(&st, path, &sign_in(&st, "AD").await, body.clone()).await.0, StatusCode::OK);
    assert_eq!(call(&st, path, &sign_in(&st, "T2").await, body).await.0, StatusCode::FORBIDDEN);
    let set = floorready::api::survey::SaveSurveySettings::PATH;
    let body = format!("plan_id={p}&form_id=&due_days=5");
    assert_eq!(call(&st, set, &sign_in(&st, "T2").await, body).await.0, StatusCode::FORBIDDEN);
}

/// Managers read their teams' responses: the demo's anonymous course survey, answered by five
/// people of two Shanghai teams.
#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn managers_read_their_teams_responses_from_k_on(pool: Pool) {
    use floorready::server::survey::ResultsScope;
    let st = state(pool.clone());
    floorready::server::demo::seed(&st.db, &st.passwords).await.unwrap();
    let demo = floorready::server::demo::DEMO_PASSWORD;
    let course_survey: i64 =
        sqlx::query_scalar("select id from surveys where course_id is not null").fetch_one(&pool).await.unwrap();
    // The Shanghai manager: both teams, five responses, shown.
    let wang = current_with(&st, "M1001", demo).await;
    let scope = survey::require_results(&st.db, &wang, course_survey).await.unwrap();
    assert!(matches!(scope, ResultsScope::Teams(_)));
    let r = survey::results(&st.db, &scope, course_survey, None, None).await.unwrap();
    assert_eq!(r.responses, 5);
    assert!(r.shown() && !r.items.is_empty());
    let listed = survey::list_results(&st.db, &wang).await.unwrap();
    let line = listed.iter().find(|s| s.survey_id == course_survey).expect("his people were asked");
    assert_eq!(line.responses, 5);
    // One team only (two of the five): below K, nothing item by item.
    let team1: i64 =
        sqlx::query_scalar("select id from teams where name_en = 'Service Team 1'").fetch_one(&pool).await.unwrap();
    let one = survey::results(&st.db, &ResultsScope::Teams(vec![team1]), course_survey, None, None).await.unwrap();
    assert_eq!(one.responses, 2);
    assert!(!one.shown() && one.items.is_empty());
    // Beijing's manager: none of his people answered; a trainee may not read results at all.
    let zhao = current_with(&st, "M2001", demo).await;
    let scope = survey::require_results(&st.db, &zhao, course_survey).await.unwrap();
    let r = survey::results(&st.db, &scope, course_survey, None, None).await.unwrap();
    assert_eq!(r.responses, 0);
    assert!(r.items.is_empty());
    let li = current_with(&st, "E1001", demo).await;
    assert_eq!(survey::require_results(&st.db, &li, course_survey).await, Err(AppError::Forbidden));
    // Still anonymous: the responses keep a team, never a person.
    assert_eq!(
        count(
            &pool,
            &format!("select count(*) from survey_responses where survey_id = {course_survey} and user_id is not null")
        )
        .await,
        0
    );
}
