//! Taking a quiz, one file per verb: `start` (the intro page and drawing an attempt), `answer`
//! (the attempt page and saving answers), `submit` (the deadline, submitting exactly once and
//! grading), `review` (what the trainee may see afterwards) and `grading` (essays and regrading).
//! This file holds the rows they all read.
//!
//! Everything that decides a grade happens here on the server. The trainee's browser receives
//! option texts in a shuffled order and its own answers in that order; option indices as
//! authored, weights, accepted answers and feedback stay here until the review policy allows.

use crate::error::{AppError, AppResult};
use crate::model::quiz::{Answer, AttemptStatus, QuestionBody, QuizKind, ReviewPolicy};
use crate::model::Names;
use crate::server::auth::guard::CurrentUser;
use crate::server::db::Conn;
use crate::server::quiz::parse_body;

mod answer;
mod grading;
mod review;
mod start;
mod submit;

pub use answer::{save, view, Saved};
pub use grading::{attempt_course, grade_item, grading_queue, regrade_question};
pub use review::result;
pub use start::{intro, my_quizzes, start};
pub use submit::{close_overdue, save_and_submit, settle, submit};

/// Answers arriving this long after the deadline are still taken (network, a slow submit).
pub const GRACE_SECS: i64 = 30;

pub use crate::model::quiz::PER_PAGE;

struct QuizRow {
    course_id: i64,
    title: Names,
    kind: QuizKind,
    pass_percent: i64,
    time_limit_secs: Option<i64>,
    opens_at: Option<i64>,
    closes_at: Option<i64>,
    attempts_allowed: Option<i64>,
    cooloff_secs: i64,
    review_policy: ReviewPolicy,
    shuffle_questions: bool,
    shuffle_options: bool,
    published: bool,
}

async fn quiz_row(conn: &mut Conn, quiz_id: i64) -> AppResult<QuizRow> {
    let r = sqlx::query!(
        r#"select course_id, title, title_en, kind, pass_percent, time_limit_secs, opens_at, closes_at, attempts_allowed,
                  cooloff_secs, review_policy, (shuffle_questions = 1) as "shuffle_questions!: bool",
                  (shuffle_options = 1) as "shuffle_options!: bool", published_at
           from quizzes where id = $1"#,
        quiz_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(QuizRow {
        course_id: r.course_id,
        title: Names::new(r.title, r.title_en),
        kind: QuizKind::parse(&r.kind).unwrap_or(QuizKind::Practice),
        pass_percent: r.pass_percent,
        time_limit_secs: r.time_limit_secs,
        opens_at: r.opens_at,
        closes_at: r.closes_at,
        attempts_allowed: r.attempts_allowed,
        cooloff_secs: r.cooloff_secs,
        review_policy: ReviewPolicy::parse(&r.review_policy).unwrap_or(ReviewPolicy::ScoreOnly),
        shuffle_questions: r.shuffle_questions,
        shuffle_options: r.shuffle_options,
        published: r.published_at.is_some(),
    })
}

/// A published quiz of a course the user is enrolled in; anything else is "not found".
async fn takeable(conn: &mut Conn, user: &CurrentUser, quiz_id: i64) -> AppResult<QuizRow> {
    let quiz = quiz_row(conn, quiz_id).await?;
    let enrolled = sqlx::query_scalar!(
        "select count(*) as \"n!\" from enrollments where user_id = $1 and course_id = $2",
        user.id,
        quiz.course_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if !quiz.published || enrolled == 0 {
        return Err(AppError::NotFound);
    }
    Ok(quiz)
}

struct AttemptRow {
    id: i64,
    quiz_id: i64,
    user_id: i64,
    attempt_no: i64,
    status: AttemptStatus,
    deadline_at: Option<i64>,
    save_seq: i64,
    closed_by: Option<String>,
    score: Option<f64>,
    max_score: f64,
    percent: Option<f64>,
    passed: Option<bool>,
}

async fn attempt_row(conn: &mut Conn, attempt_id: i64) -> AppResult<AttemptRow> {
    let r = sqlx::query!(
        r#"select id as "id!", quiz_id, user_id, attempt_no, status, deadline_at, save_seq, closed_by, score,
                  max_score, percent, (passed = 1) as "passed?: bool"
           from attempts where id = $1"#,
        attempt_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(AttemptRow {
        id: r.id,
        quiz_id: r.quiz_id,
        user_id: r.user_id,
        attempt_no: r.attempt_no,
        status: AttemptStatus::parse(&r.status).unwrap_or(AttemptStatus::InProgress),
        deadline_at: r.deadline_at,
        save_seq: r.save_seq,
        closed_by: r.closed_by,
        score: r.score,
        max_score: r.max_score,
        percent: r.percent,
        passed: r.passed,
    })
}

/// The caller's own attempt; someone else's is "not found".
async fn own_attempt(conn: &mut Conn, user: &CurrentUser, attempt_id: i64) -> AppResult<AttemptRow> {
    let a = attempt_row(conn, attempt_id).await?;
    if a.user_id != user.id {
        tracing::warn!(user_id = user.id, attempt_id, "denied: not the attempt's owner");
        return Err(AppError::NotFound);
    }
    Ok(a)
}

fn overdue(a: &AttemptRow, at: i64) -> bool {
    a.status == AttemptStatus::InProgress && a.deadline_at.is_some_and(|d| at > d + GRACE_SECS)
}

struct Item {
    position: usize,
    points: i64,
    stem: String,
    feedback: String,
    body: QuestionBody,
    option_order: Vec<usize>,
    extra_order: Vec<usize>,
    answer: Option<Answer>,
    fraction: Option<f64>,
    comment: String,
}

async fn items(conn: &mut Conn, attempt_id: i64) -> AppResult<Vec<Item>> {
    items_from(conn, attempt_id, 0, i64::MAX).await
}

/// The items at positions `from..to` (one page when saving).
async fn items_from(conn: &mut Conn, attempt_id: i64, from: i64, to: i64) -> AppResult<Vec<Item>> {
    let rows = sqlx::query!(
        r#"select i.position, i.points, i.option_order, i.extra_order, i.answer, i.fraction,
                  i.grader_comment, v.stem, v.feedback, v.body
           from attempt_items i join question_versions v on v.id = i.question_version_id
           where i.attempt_id = $1 and i.position >= $2 and i.position < $3 order by i.position"#,
        attempt_id,
        from,
        to
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Item {
                position: r.position as usize,
                points: r.points,
                stem: r.stem,
                feedback: r.feedback,
                body: parse_body(&r.body)?,
                option_order: serde_json::from_str(&r.option_order).map_err(crate::error::internal)?,
                extra_order: serde_json::from_str(&r.extra_order).map_err(crate::error::internal)?,
                answer: r.answer.as_deref().map(serde_json::from_str).transpose().map_err(crate::error::internal)?,
                fraction: r.fraction,
                comment: r.grader_comment,
            })
        })
        .collect()
}

fn json<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(crate::error::internal)
}
