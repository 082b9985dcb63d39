//! The benchmarks' quiz: a published post-test of 20 questions of four kinds, drawn from a bank
//! in a course every listed trainee is enrolled in, and form fields answering any of its pages.
//! (A true/false question takes "true" where the others take "0", so it is written as a choice of
//! two: one field value then answers every question, wherever the shuffle puts it.)

use floorready::model::course::{CourseFields, TrainingType};
use floorready::model::quiz::{QuizFields, QuizKind, ReviewPolicy};
use floorready::server::audit::Actor;
use floorready::server::auth::guard::acting_as;
use floorready::server::course::{self, enroll};
use floorready::server::db::Db;
use floorready::server::quiz::{self, authoring};

pub const SYSTEM: Actor<'static> = Actor { id: None, ip: "bench" };
pub const QUESTIONS: usize = 20;

pub fn gift() -> String {
    let mut g = String::from("$CATEGORY: $course$/bench\n\n");
    for i in 0..QUESTIONS {
        let q = match i % 5 {
            0 => format!("::Q{i}::单选 {i}? {{=right ~wrong one ~wrong two ~wrong three}}"),
            1 => format!("::Q{i}::多选 {i}? {{~%50%a ~%50%b ~%-100%c ~%-100%d}}"),
            2 => format!("::Q{i}::判断 {i}. {{=对 ~错}}"),
            3 => format!("::Q{i}::填空 {i}? {{=答案 =answer}}"),
            _ => format!("::Q{i}::数值 {i}? {{#48:1}}"),
        };
        g.push_str(&q);
        g.push_str("\n\n");
    }
    g
}

/// Form fields answering the first `upto` questions of a page whatever their type (each type
/// reads its own field), as `answers[...]` pairs.
pub fn page_answers(page: usize, upto: usize) -> Vec<(String, String)> {
    let mut a = Vec::new();
    for pos in page * 5..page * 5 + upto.min(5) {
        a.push((format!("answers[p{pos}]"), "0".to_string()));
        a.push((format!("answers[p{pos}_0]"), "on".to_string()));
    }
    a
}

/// The body of a `save_attempt` post: the attempt, sequence, page, where to go, and answers.
pub fn save_form(attempt_id: i64, seq: i64, page: usize, go: &str, answers: &[(String, String)]) -> String {
    let mut f = form_urlencoded::Serializer::new(String::new());
    f.append_pair("attempt_id", &attempt_id.to_string())
        .append_pair("seq", &seq.to_string())
        .append_pair("page", &page.to_string())
        .append_pair("go", go);
    for (k, v) in answers {
        f.append_pair(k, v);
    }
    f.finish()
}

/// A server-function form post as the page's script sends it, with the session cookie.
pub fn form_post(client: &reqwest::Client, url: &str, cookie: &str, body: String) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body)
}

/// Creates the course, bank and quiz as `trainer_id`, enrols `numbers` and returns the quiz id.
/// `attempts_allowed` None lets the same trainees take it again in each round.
pub async fn seed_quiz(db: &Db, trainer_id: i64, numbers: &[&str]) -> i64 {
    let trainer = acting_as(db, trainer_id).await.unwrap();
    let fields = CourseFields {
        title: "Bench course".into(),
        summary: String::new(),
        category_id: 1,
        level_id: 1,
        training_type: TrainingType::PreJob,
        duration_minutes: 10,
    };
    let course_id = course::create(db, SYSTEM, trainer.id, &fields).await.unwrap();
    let m = course::add_module(db, course_id, &"M".into()).await.unwrap();
    course::add_lesson(db, course_id, m, &"L".into(), "text").await.unwrap();
    course::publish(db, SYSTEM, course_id).await.unwrap();
    for chunk in numbers.chunks(500) {
        enroll::by_employee_numbers(db, SYSTEM, course_id, &chunk.join(" ")).await.unwrap();
    }
    let bank = quiz::create_bank(db, SYSTEM, &trainer, Some(course_id), "bench").await.unwrap();
    quiz::import_gift(db, SYSTEM, bank, &gift()).await.unwrap();
    let quiz_id = authoring::create(
        db,
        SYSTEM,
        &trainer,
        course_id,
        &QuizFields {
            title: "Bench".into(),
            kind: QuizKind::PostTest,
            pass_percent: 80,
            time_limit_minutes: Some(60),
            opens_at: None,
            closes_at: None,
            attempts_allowed: None,
            cooloff_minutes: 0,
            review_policy: ReviewPolicy::ScoreOnly,
            shuffle_questions: true,
            shuffle_options: true,
            pre_test_id: None,
        },
    )
    .await
    .unwrap();
    authoring::add_draw(db, quiz_id, bank, "bench", "", QUESTIONS as i64).await.unwrap();
    authoring::set_published(db, SYSTEM, quiz_id, true).await.unwrap();
    quiz_id
}
