//! Taking a quiz: starting an attempt, saving answers, the deadline, submitting exactly once,
//! essay grading, regrading and what the trainee may see afterwards.
//!
//! Everything that decides a grade happens here on the server. The trainee's browser receives
//! option texts in a shuffled order and its own answers in that order; option indices as
//! authored, weights, accepted answers and feedback stay here until the review policy allows.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use sqlx::SqliteConnection;

use super::grade::grade;
use super::parse_body;
use crate::error::{AppError, AppResult};
use crate::model::quiz::{
    Answer, AttemptResult, AttemptStatus, AttemptSummary, AttemptView, GradingItem, ItemReview, ItemView, MyQuiz,
    QuestionBody, QuizIntro, QuizKind, ReviewPolicy, ShownAnswer,
};
use crate::model::user::Role;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::course::markdown;
use crate::server::db::Db;
use crate::server::now;

/// Answers arriving this long after the deadline are still taken (network, a slow submit).
pub const GRACE_SECS: i64 = 30;
pub use crate::model::quiz::PER_PAGE;

struct QuizRow {
    course_id: i64,
    title: String,
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

async fn quiz_row(conn: &mut SqliteConnection, quiz_id: i64) -> AppResult<QuizRow> {
    let r = sqlx::query!(
        r#"select course_id, title, kind, pass_percent, time_limit_secs, opens_at, closes_at, attempts_allowed,
                  cooloff_secs, review_policy, shuffle_questions as "shuffle_questions: bool",
                  shuffle_options as "shuffle_options: bool", published_at
           from quizzes where id = ?"#,
        quiz_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(QuizRow {
        course_id: r.course_id,
        title: r.title,
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
async fn takeable(conn: &mut SqliteConnection, user: &CurrentUser, quiz_id: i64) -> AppResult<QuizRow> {
    let quiz = quiz_row(conn, quiz_id).await?;
    let enrolled = sqlx::query_scalar!(
        "select count(*) from enrollments where user_id = ? and course_id = ?",
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

async fn attempt_row(conn: &mut SqliteConnection, attempt_id: i64) -> AppResult<AttemptRow> {
    let r = sqlx::query!(
        r#"select id as "id!", quiz_id, user_id, attempt_no, status, deadline_at, save_seq, closed_by, score,
                  max_score, percent, passed as "passed: bool"
           from attempts where id = ?"#,
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
async fn own_attempt(conn: &mut SqliteConnection, user: &CurrentUser, attempt_id: i64) -> AppResult<AttemptRow> {
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

/// Why a new attempt cannot start now, and when the cool-off ends if that is the reason.
/// Whether `user` can read the answer key of this quiz: an admin, an author of its course, or an
/// editor of a shared bank its questions come from. Such a person previews the quiz as its author
/// and never takes a graded attempt of it.
async fn reads_key(conn: &mut SqliteConnection, user: &CurrentUser, quiz: &QuizRow, quiz_id: i64) -> AppResult<bool> {
    if user.has(Role::Admin) {
        return Ok(true);
    }
    Ok(sqlx::query_scalar!(
        r#"select (exists (select 1 from course_owners where course_id = ?1 and user_id = ?2)
               or exists (select 1 from quiz_slots s
                          left join questions q on q.id = s.question_id
                          join bank_editors e on e.bank_id = coalesce(s.bank_id, q.bank_id)
                          where s.quiz_id = ?3 and e.user_id = ?2)) as "reads!: bool""#,
        quiz.course_id,
        user.id,
        quiz_id
    )
    .fetch_one(&mut *conn)
    .await?)
}

async fn start_blocker(
    conn: &mut SqliteConnection,
    quiz: &QuizRow,
    quiz_id: i64,
    user: &CurrentUser,
    at: i64,
) -> AppResult<(Option<&'static str>, Option<i64>)> {
    let user_id = user.id;
    if reads_key(conn, user, quiz, quiz_id).await? {
        return Ok((Some("error.quiz_key_reader"), None));
    }
    if quiz.opens_at.is_some_and(|o| at < o) {
        return Ok((Some("error.quiz_not_open"), None));
    }
    if quiz.closes_at.is_some_and(|c| at >= c) {
        return Ok((Some("error.quiz_closed"), None));
    }
    let r = sqlx::query!(
        r#"select count(*) as "used!: i64", max(submitted_at) as "last: i64" from attempts
           where quiz_id = ? and user_id = ? and status <> 'in_progress'"#,
        quiz_id,
        user_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if quiz.attempts_allowed.is_some_and(|n| r.used >= n) {
        return Ok((Some("error.quiz_no_attempts_left"), None));
    }
    if let Some(last) = r.last {
        let next = last + quiz.cooloff_secs;
        if quiz.cooloff_secs > 0 && at < next {
            return Ok((Some("error.quiz_cooloff"), Some(next)));
        }
    }
    if pending_remediation(conn, quiz_id, user_id).await?.is_some() {
        return Ok((Some("error.remediation_required"), None));
    }
    Ok((None, None))
}

/// The lesson still to re-read after a failed attempt, if any: (id, title).
async fn pending_remediation(
    conn: &mut SqliteConnection,
    quiz_id: i64,
    user_id: i64,
) -> AppResult<Option<(i64, String)>> {
    Ok(sqlx::query!(
        r#"select l.id as "id!: i64", l.title from remediations r
           join attempts a on a.id = r.attempt_id join lessons l on l.id = r.lesson_id
           where a.quiz_id = ? and a.user_id = ? and r.done_at is null limit 1"#,
        quiz_id,
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| (r.id, r.title)))
}

pub async fn intro(db: &Db, user: &CurrentUser, quiz_id: i64) -> AppResult<QuizIntro> {
    let mut conn = db.read.acquire().await?;
    let quiz = takeable(&mut conn, user, quiz_id).await?;
    let at = now();
    let (blocked, next_start_at) = start_blocker(&mut conn, &quiz, quiz_id, user, at).await?;
    let history: Vec<AttemptSummary> = sqlx::query!(
        r#"select id as "id!", attempt_no, status, started_at, submitted_at, percent, passed as "passed: bool"
           from attempts where quiz_id = ? and user_id = ? order by attempt_no"#,
        quiz_id,
        user.id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| AttemptSummary {
        id: r.id,
        attempt_no: r.attempt_no,
        status: AttemptStatus::parse(&r.status).unwrap_or(AttemptStatus::InProgress),
        started_at: r.started_at,
        submitted_at: r.submitted_at,
        score_percent: r.percent,
        passed: r.passed,
    })
    .collect();
    let open_attempt = history.iter().find(|a| a.status == AttemptStatus::InProgress).map(|a| a.id);
    let course_title = sqlx::query_scalar!(
        "select v.title from enrollments e join course_versions v on v.id = e.version_id
         where e.user_id = ? and e.course_id = ?",
        user.id,
        quiz.course_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let question_count = sqlx::query_scalar!(
        r#"select coalesce(sum(draw_count), 0) as "n!: i64" from quiz_slots where quiz_id = ?"#,
        quiz_id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(QuizIntro {
        id: quiz_id,
        title: quiz.title,
        kind: quiz.kind,
        course_title,
        question_count,
        pass_percent: quiz.pass_percent,
        time_limit_minutes: quiz.time_limit_secs.map(|s| s / 60),
        opens_at: quiz.opens_at,
        closes_at: quiz.closes_at,
        attempts_allowed: quiz.attempts_allowed,
        attempts_used: history.iter().filter(|a| a.status != AttemptStatus::InProgress).count() as i64,
        open_attempt,
        blocked: if open_attempt.is_some() { None } else { blocked.map(str::to_string) },
        next_start_at,
        remediation: pending_remediation(&mut conn, quiz_id, user.id).await?,
        history,
    })
}

/// One question drawn for an attempt, with the orders it will be shown in.
struct Drawn {
    version_id: i64,
    points: i64,
    option_order: Vec<usize>,
    extra_order: Vec<usize>,
}

/// Orders for showing a question: options (or matching's left items), and matching's right items.
fn shown_orders(body: &QuestionBody, shuffle: bool, rng: &mut impl rand::RngCore) -> (Vec<usize>, Vec<usize>) {
    let shuffled = |n: usize, always: bool, rng: &mut dyn rand::RngCore| {
        let mut v: Vec<usize> = (0..n).collect();
        if shuffle || always {
            v.shuffle(rng);
            // An ordering shown in the right order would give the answer away.
            if always && n > 1 && v.iter().enumerate().all(|(i, x)| i == *x) {
                v.rotate_left(1);
            }
        }
        v
    };
    match body {
        QuestionBody::Single { options } | QuestionBody::Multiple { options, .. } => {
            (shuffled(options.len(), false, rng), vec![])
        }
        QuestionBody::Matching { pairs } => {
            let lefts = pairs.iter().filter(|p| !p.left.is_empty()).count();
            // One entry per distinct right-hand text, so duplicates do not hint at pairs.
            let mut rights: Vec<usize> = Vec::new();
            for (i, p) in pairs.iter().enumerate() {
                if !rights.iter().any(|r| pairs[*r].right == p.right) {
                    rights.push(i);
                }
            }
            rights.shuffle(rng);
            (shuffled(lefts, false, rng), rights)
        }
        QuestionBody::Ordering { items } => (shuffled(items.len(), true, rng), vec![]),
        _ => (vec![], vec![]),
    }
}

/// Picks the questions of a new attempt: fixed ones as they are now, draws at random.
async fn draw(conn: &mut SqliteConnection, quiz_id: i64, quiz: &QuizRow) -> AppResult<Vec<Drawn>> {
    let slots = sqlx::query!(
        "select question_id, bank_id, category, tag, draw_count from quiz_slots where quiz_id = ? order by position",
        quiz_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut picked: Vec<i64> = Vec::new();
    for s in &slots {
        if let Some(q) = s.question_id {
            if !picked.contains(&q) {
                picked.push(q);
            }
        }
    }
    // A Send generator: the draw awaits the database between picks.
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
    for s in &slots {
        let Some(bank_id) = s.bank_id else { continue };
        let mut pool: Vec<i64> = super::draw_pool(conn, bank_id, &s.category, &s.tag)
            .await?
            .into_iter()
            .filter(|q| !picked.contains(q))
            .collect();
        if (pool.len() as i64) < s.draw_count {
            return Err(AppError::validation("quiz", "error.quiz_not_enough_questions"));
        }
        pool.shuffle(&mut rng);
        picked.extend(pool.into_iter().take(s.draw_count as usize));
    }
    if quiz.shuffle_questions {
        picked.shuffle(&mut rng);
    }
    let mut out = Vec::with_capacity(picked.len());
    for q in picked {
        let v = sqlx::query!(
            r#"select v.id as "id!", v.points, v.body from questions q join question_versions v on v.id = q.current_version_id
               where q.id = ?"#,
            q
        )
        .fetch_one(&mut *conn)
        .await?;
        let body = parse_body(&v.body)?;
        let (option_order, extra_order) = shown_orders(&body, quiz.shuffle_options, &mut rng);
        out.push(Drawn { version_id: v.id, points: v.points, option_order, extra_order });
    }
    // Nothing drawn, or descriptions alone (the only items worth no points), is not a test.
    if out.iter().all(|d| d.points == 0) {
        return Err(AppError::validation("quiz", "error.quiz_empty"));
    }
    Ok(out)
}

fn json<T: serde::Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(crate::error::internal)
}

/// Starts an attempt, or returns the one already open (a second tab or a double click resumes it).
pub async fn start(db: &Db, actor: Actor<'_>, user: &CurrentUser, quiz_id: i64) -> AppResult<i64> {
    let at = now();
    let mut tx = db.begin().await?;
    let quiz = takeable(&mut tx, user, quiz_id).await?;
    let open = sqlx::query_scalar!(
        r#"select id as "id!" from attempts where quiz_id = ? and user_id = ? and status = 'in_progress'"#,
        quiz_id,
        user.id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = open {
        let a = attempt_row(&mut tx, id).await?;
        if !overdue(&a, at) {
            tx.commit().await?;
            return Ok(id);
        }
        finalize(&mut tx, &a, "deadline", at).await?;
    }
    if let (Some(key), _) = start_blocker(&mut tx, &quiz, quiz_id, user, at).await? {
        return Err(AppError::validation("quiz", key));
    }
    let items = draw(&mut tx, quiz_id, &quiz).await?;
    let attempt_no = sqlx::query_scalar!(
        r#"select coalesce(max(attempt_no), 0) + 1 as "n!: i64" from attempts where quiz_id = ? and user_id = ?"#,
        quiz_id,
        user.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let deadline = match (quiz.time_limit_secs.map(|l| at + l), quiz.closes_at) {
        (Some(d), Some(c)) => Some(d.min(c)),
        (d, c) => d.or(c),
    };
    let max_score = items.iter().map(|i| i.points).sum::<i64>() as f64;
    let id = sqlx::query_scalar!(
        r#"insert into attempts (quiz_id, user_id, attempt_no, status, started_at, deadline_at, max_score)
           values (?, ?, ?, 'in_progress', ?, ?, ?) returning id as "id!""#,
        quiz_id,
        user.id,
        attempt_no,
        at,
        deadline,
        max_score
    )
    .fetch_one(&mut *tx)
    .await?;
    for (pos, item) in items.iter().enumerate() {
        let pos = pos as i64;
        let (order, extra) = (json(&item.option_order)?, json(&item.extra_order)?);
        sqlx::query!(
            "insert into attempt_items (attempt_id, position, question_version_id, points, option_order, extra_order)
             values (?, ?, ?, ?, ?, ?)",
            id,
            pos,
            item.version_id,
            item.points,
            order,
            extra
        )
        .execute(&mut *tx)
        .await?;
    }
    audit::record(&mut tx, Event::by(actor, "attempt_started", "attempt", id).detail(format!("quiz {quiz_id}")))
        .await?;
    tx.commit().await?;
    Ok(id)
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

async fn items(conn: &mut SqliteConnection, attempt_id: i64) -> AppResult<Vec<Item>> {
    let rows = sqlx::query!(
        r#"select i.position, i.points, i.option_order, i.extra_order, i.answer, i.fraction,
                  i.grader_comment, v.stem, v.feedback, v.body
           from attempt_items i join question_versions v on v.id = i.question_version_id
           where i.attempt_id = ? order by i.position"#,
        attempt_id
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

/// Grades what can be graded automatically and closes the attempt. Safe to call once only: the
/// caller holds the write transaction and has checked the attempt is still in progress.
async fn finalize(conn: &mut SqliteConnection, a: &AttemptRow, closed_by: &str, at: i64) -> AppResult<()> {
    let all = items(conn, a.id).await?;
    finalize_items(conn, a, &all, closed_by, at).await
}

/// `finalize` with the attempt's items already loaded (and current).
async fn finalize_items(
    conn: &mut SqliteConnection,
    a: &AttemptRow,
    all: &[Item],
    closed_by: &str,
    at: i64,
) -> AppResult<()> {
    for item in all {
        let fraction = grade(&item.body, item.answer.as_ref());
        let pos = item.position as i64;
        sqlx::query!(
            "update attempt_items set fraction = ? where attempt_id = ? and position = ?",
            fraction,
            a.id,
            pos
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!(
        "update attempts set status = 'awaiting_grading', submitted_at = ?, closed_by = ? where id = ?",
        at,
        closed_by,
        a.id
    )
    .execute(&mut *conn)
    .await?;
    settle(conn, a.id, at).await
}

/// Once every item has a fraction, the attempt gets its score and pass/fail.
async fn settle(conn: &mut SqliteConnection, attempt_id: i64, at: i64) -> AppResult<()> {
    let r = sqlx::query!(
        r#"select count(*) filter (where fraction is null) as "open!: i64",
                  coalesce(sum(fraction * points), 0.0) as "score!: f64"
           from attempt_items where attempt_id = ?"#,
        attempt_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if r.open > 0 {
        return Ok(());
    }
    let a = attempt_row(conn, attempt_id).await?;
    let pass_percent =
        sqlx::query_scalar!("select pass_percent from quizzes where id = ?", a.quiz_id).fetch_one(&mut *conn).await?;
    let score = (r.score * 100.0).round() / 100.0;
    let percent = if a.max_score > 0.0 { (score * 10000.0 / a.max_score).round() / 100.0 } else { 0.0 };
    let passed = percent + 1e-9 >= pass_percent as f64;
    sqlx::query!(
        "update attempts set status = 'graded', graded_at = ?, score = ?, percent = ?, passed = ? where id = ?",
        at,
        score,
        percent,
        passed,
        attempt_id
    )
    .execute(&mut *conn)
    .await?;
    if !passed {
        // A failed attempt of a quiz with a remediation lesson: that lesson before the retake.
        sqlx::query!(
            "insert into remediations (attempt_id, lesson_id)
             select ?1, remediation_lesson_id from quizzes where id = ?2 and remediation_lesson_id is not null
             on conflict (attempt_id) do nothing",
            attempt_id,
            a.quiz_id
        )
        .execute(&mut *conn)
        .await?;
    }
    let cause = crate::server::cert::engine::Cause { actor: None, ip: "", why: "quiz attempt graded", reason: None };
    crate::server::cert::engine::recompute_user(conn, a.user_id, at, cause).await?;
    Ok(())
}

fn stem_html(stem: &str) -> String {
    markdown::render(stem)
}

fn option_texts(body: &QuestionBody) -> (Vec<String>, Vec<String>) {
    match body {
        QuestionBody::Single { options } | QuestionBody::Multiple { options, .. } => {
            (options.iter().map(|o| o.text.clone()).collect(), vec![])
        }
        QuestionBody::Matching { pairs } => (
            pairs.iter().filter(|p| !p.left.is_empty()).map(|p| p.left.clone()).collect(),
            pairs.iter().map(|p| p.right.clone()).collect(),
        ),
        QuestionBody::Ordering { items } => (items.clone(), vec![]),
        _ => (vec![], vec![]),
    }
}

/// The trainee's answer in shown positions.
fn shown_answer(item: &Item) -> Option<ShownAnswer> {
    let shown_of = |authored: usize| item.option_order.iter().position(|o| *o == authored);
    Some(match item.answer.as_ref()? {
        Answer::Choices(c) => ShownAnswer::Choices(c.iter().filter_map(|a| shown_of(*a)).collect()),
        Answer::Bool(b) => ShownAnswer::Bool(*b),
        Answer::Text(t) => ShownAnswer::Text(t.clone()),
        Answer::Matches(m) => ShownAnswer::Matches(
            item.option_order
                .iter()
                .map(|left| m.get(*left).copied().flatten().and_then(|r| item.extra_order.iter().position(|e| *e == r)))
                .collect(),
        ),
        Answer::Order(order) => ShownAnswer::Order(
            // Rank (1-based) of each shown item.
            item.option_order
                .iter()
                .map(|authored| order.iter().position(|o| o == authored).map_or(0, |p| p + 1))
                .collect(),
        ),
    })
}

/// Question numbers as the trainee sees them: descriptions are not numbered.
fn numbers(items: &[Item]) -> Vec<Option<usize>> {
    let mut n = 0;
    items
        .iter()
        .map(|i| {
            (i.body != QuestionBody::Description).then(|| {
                n += 1;
                n
            })
        })
        .collect()
}

fn item_view(item: &Item, number: Option<usize>) -> ItemView {
    let (options, rights) = option_texts(&item.body);
    ItemView {
        position: item.position,
        number,
        kind: item.body.kind(),
        stem_html: stem_html(&item.stem),
        points: item.points,
        options: item.option_order.iter().filter_map(|i| options.get(*i).cloned()).collect(),
        rights: item.extra_order.iter().filter_map(|i| rights.get(*i).cloned()).collect(),
        answer: shown_answer(item),
    }
}

fn pages_of(n: usize) -> usize {
    n.div_ceil(PER_PAGE).max(1)
}

/// The attempt page: its questions, the trainee's answers, the time left. An attempt past its
/// deadline is closed here (and shown as finished), whoever notices first.
pub async fn view(db: &Db, user: &CurrentUser, attempt_id: i64, page: usize) -> AppResult<Option<AttemptView>> {
    let at = now();
    let mut conn = db.read.acquire().await?;
    let a = own_attempt(&mut conn, user, attempt_id).await?;
    if overdue(&a, at) {
        // Closing is a write: take the write lock and look again, another request may have closed it.
        drop(conn);
        let mut tx = db.begin().await?;
        let a = own_attempt(&mut tx, user, attempt_id).await?;
        if overdue(&a, at) {
            finalize(&mut tx, &a, "deadline", at).await?;
        }
        tx.commit().await?;
        return Ok(None);
    }
    if a.status != AttemptStatus::InProgress {
        return Ok(None);
    }
    let all = items(&mut conn, attempt_id).await?;
    let quiz_title =
        sqlx::query_scalar!("select title from quizzes where id = ?", a.quiz_id).fetch_one(&mut *conn).await?;
    let pages = pages_of(all.len());
    let page = page.min(pages - 1);
    Ok(Some(AttemptView {
        id: a.id,
        quiz_id: a.quiz_id,
        quiz_title,
        attempt_no: a.attempt_no,
        seq: a.save_seq,
        deadline_at: a.deadline_at,
        remaining_secs: a.deadline_at.map(|d| (d - at).max(0)),
        page,
        pages,
        // A description has nothing to answer: it counts as done.
        answered: all.iter().map(|i| i.answer.is_some() || i.body == QuestionBody::Description).collect(),
        items: all
            .iter()
            .zip(numbers(&all))
            .skip(page * PER_PAGE)
            .take(PER_PAGE)
            .map(|(i, n)| item_view(i, n))
            .collect(),
    }))
}

/// Closes every attempt past its deadline (plus grace) that nobody has looked at since, grading
/// what was saved in time. Run by a timer in the server and before results are listed; running
/// it twice, or after downtime, closes each attempt once.
pub async fn close_overdue(db: &Db) -> AppResult<u32> {
    let at = now();
    let cutoff = at - GRACE_SECS;
    let ids = sqlx::query_scalar!(
        r#"select id as "id!" from attempts where status = 'in_progress' and deadline_at < ?"#,
        cutoff
    )
    .fetch_all(&db.read)
    .await?;
    let mut closed = 0;
    for id in ids {
        let mut tx = db.begin().await?;
        let a = attempt_row(&mut tx, id).await?;
        if overdue(&a, at) {
            finalize(&mut tx, &a, "deadline", at).await?;
            closed += 1;
        }
        tx.commit().await?;
    }
    Ok(closed)
}

/// Reads one item's answer from the form fields (`p{pos}` and `p{pos}_{i}`), in authored terms.
fn read_answer(item: &Item, form: &BTreeMap<String, String>) -> Option<Answer> {
    let key = format!("p{}", item.position);
    let field = |i: usize| form.get(&format!("{key}_{i}")).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let n = item.option_order.len();
    match &item.body {
        QuestionBody::Single { .. } => {
            let shown: usize = form.get(&key)?.trim().parse().ok()?;
            Some(Answer::Choices(vec![*item.option_order.get(shown)?]))
        }
        QuestionBody::Multiple { .. } => {
            let picked: Vec<usize> = (0..n).filter(|i| field(*i).is_some()).map(|i| item.option_order[i]).collect();
            Some(Answer::Choices(picked))
        }
        QuestionBody::TrueFalse { .. } => match form.get(&key)?.as_str() {
            "true" => Some(Answer::Bool(true)),
            "false" => Some(Answer::Bool(false)),
            _ => None,
        },
        QuestionBody::Description => None,
        QuestionBody::FillBlank { .. } | QuestionBody::Numeric { .. } | QuestionBody::Essay => {
            let text = form.get(&key)?;
            let limit: String = text.chars().take(10_000).collect();
            (!limit.trim().is_empty()).then_some(Answer::Text(limit))
        }
        QuestionBody::Matching { pairs } => {
            let lefts = pairs.iter().filter(|p| !p.left.is_empty()).count();
            let mut m = vec![None; lefts];
            for (shown, left) in item.option_order.iter().enumerate() {
                let right =
                    field(shown).and_then(|v| v.parse::<usize>().ok()).and_then(|j| item.extra_order.get(j).copied());
                if let Some(slot) = m.get_mut(*left) {
                    *slot = right;
                }
            }
            m.iter().any(Option::is_some).then_some(Answer::Matches(m))
        }
        QuestionBody::Ordering { .. } => {
            let mut ranked: Vec<(i64, usize, usize)> = (0..n)
                .map(|shown| {
                    (field(shown).and_then(|v| v.parse().ok()).unwrap_or(i64::MAX), shown, item.option_order[shown])
                })
                .collect();
            if ranked.iter().all(|r| r.0 == i64::MAX) {
                return None;
            }
            ranked.sort();
            Some(Answer::Order(ranked.into_iter().map(|r| r.2).collect()))
        }
    }
}

/// What a save did: stored, or refused because a newer save already arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Stored(i64),
    Stale(i64),
}

/// Stores the answers of one page. `seq` must be higher than the last accepted save's, so a
/// delayed or repeated request cannot overwrite newer answers. After the deadline (plus grace)
/// nothing is stored and the attempt is closed.
pub async fn save(
    db: &Db,
    user: &CurrentUser,
    attempt_id: i64,
    seq: i64,
    page: usize,
    form: &BTreeMap<String, String>,
) -> AppResult<Saved> {
    let at = now();
    let mut tx = db.begin().await?;
    let a = own_attempt(&mut tx, user, attempt_id).await?;
    if overdue(&a, at) {
        finalize(&mut tx, &a, "deadline", at).await?;
        tx.commit().await?;
        return Err(AppError::validation("attempt", "error.attempt_deadline"));
    }
    if a.status != AttemptStatus::InProgress {
        return Err(AppError::validation("attempt", "error.attempt_closed"));
    }
    let mut all = items(&mut tx, attempt_id).await?;
    let saved = store_page(&mut tx, &a, &mut all, seq, page, form).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Writes one page's answers of an open attempt, unless a newer save came first.
async fn store_page(
    conn: &mut SqliteConnection,
    a: &AttemptRow,
    all: &mut [Item],
    seq: i64,
    page: usize,
    form: &BTreeMap<String, String>,
) -> AppResult<Saved> {
    if seq <= a.save_seq {
        return Ok(Saved::Stale(a.save_seq));
    }
    for item in all.iter_mut().skip(page * PER_PAGE).take(PER_PAGE) {
        item.answer = read_answer(item, form);
        let answer = item.answer.as_ref().map(json).transpose()?;
        let pos = item.position as i64;
        sqlx::query!("update attempt_items set answer = ? where attempt_id = ? and position = ?", answer, a.id, pos)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query!("update attempts set save_seq = ? where id = ?", seq, a.id).execute(&mut *conn).await?;
    Ok(Saved::Stored(seq))
}

/// The last page's answers and the submission in one transaction: both happen or neither.
/// Like `submit`, a second call changes nothing; a stale page (a newer save exists) is not
/// written but the attempt is still submitted; after the deadline only what was saved counts.
pub async fn save_and_submit(
    db: &Db,
    actor: Actor<'_>,
    user: &CurrentUser,
    attempt_id: i64,
    seq: i64,
    page: usize,
    form: &BTreeMap<String, String>,
) -> AppResult<()> {
    let at = now();
    let mut tx = db.begin().await?;
    let a = own_attempt(&mut tx, user, attempt_id).await?;
    if a.status != AttemptStatus::InProgress {
        return Ok(());
    }
    let mut all = items(&mut tx, attempt_id).await?;
    let closed_by = if overdue(&a, at) {
        "deadline"
    } else {
        store_page(&mut tx, &a, &mut all, seq, page, form).await?;
        "trainee"
    };
    finalize_items(&mut tx, &a, &all, closed_by, at).await?;
    audit::record(&mut tx, Event::by(actor, "attempt_submitted", "attempt", attempt_id).detail(closed_by)).await?;
    tx.commit().await?;
    Ok(())
}

/// Submits and grades. Submitting an attempt that is already closed changes nothing, so a double
/// click, a second tab or a retried request yields the one grade there is.
pub async fn submit(db: &Db, actor: Actor<'_>, user: &CurrentUser, attempt_id: i64) -> AppResult<()> {
    let at = now();
    let mut tx = db.begin().await?;
    let a = own_attempt(&mut tx, user, attempt_id).await?;
    if a.status != AttemptStatus::InProgress {
        return Ok(());
    }
    let closed_by = if overdue(&a, at) { "deadline" } else { "trainee" };
    finalize(&mut tx, &a, closed_by, at).await?;
    audit::record(&mut tx, Event::by(actor, "attempt_submitted", "attempt", attempt_id).detail(closed_by)).await?;
    tx.commit().await?;
    Ok(())
}

fn describe_answer(body: &QuestionBody, answer: Option<&Answer>) -> String {
    let Some(answer) = answer else { return String::new() };
    let (options, rights) = option_texts(body);
    match answer {
        Answer::Choices(c) => c.iter().filter_map(|i| options.get(*i).cloned()).collect::<Vec<_>>().join("; "),
        Answer::Bool(b) => if *b { "✓" } else { "✗" }.to_string(),
        Answer::Text(t) => t.clone(),
        Answer::Matches(m) => options
            .iter()
            .zip(m)
            .map(|(l, r)| format!("{l} → {}", r.and_then(|r| rights.get(r).cloned()).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("; "),
        Answer::Order(o) => o.iter().filter_map(|i| options.get(*i).cloned()).collect::<Vec<_>>().join(" → "),
    }
}

fn describe_key(body: &QuestionBody) -> String {
    match body {
        QuestionBody::Single { options } | QuestionBody::Multiple { options, .. } => {
            options.iter().filter(|o| o.weight > 0.0).map(|o| o.text.clone()).collect::<Vec<_>>().join("; ")
        }
        QuestionBody::TrueFalse { answer, .. } => if *answer { "✓" } else { "✗" }.to_string(),
        QuestionBody::FillBlank { answers } => {
            answers.iter().filter(|a| a.weight == 100.0).map(|a| a.text.clone()).collect::<Vec<_>>().join(" / ")
        }
        QuestionBody::Numeric { answers } => answers
            .iter()
            .filter(|a| a.weight == 100.0)
            .map(|a| if a.tolerance > 0.0 { format!("{} ± {}", a.value, a.tolerance) } else { a.value.to_string() })
            .collect::<Vec<_>>()
            .join(" / "),
        QuestionBody::Matching { pairs } => pairs
            .iter()
            .filter(|p| !p.left.is_empty())
            .map(|p| format!("{} → {}", p.left, p.right))
            .collect::<Vec<_>>()
            .join("; "),
        QuestionBody::Ordering { items } => items.join(" → "),
        QuestionBody::Essay | QuestionBody::Description => String::new(),
    }
}

/// What the trainee may see after submitting, as the quiz's review policy allows.
pub async fn result(db: &Db, user: &CurrentUser, attempt_id: i64) -> AppResult<AttemptResult> {
    let mut conn = db.read.acquire().await?;
    let a = own_attempt(&mut conn, user, attempt_id).await?;
    if a.status == AttemptStatus::InProgress {
        return Err(AppError::validation("attempt", "error.attempt_open"));
    }
    let quiz = quiz_row(&mut conn, a.quiz_id).await?;
    let at = now();
    let full = quiz.review_policy == ReviewPolicy::FullAfterClose && quiz.closes_at.is_some_and(|c| at >= c);
    let per_item = quiz.review_policy == ReviewPolicy::ScoreAndWrong || full;
    let items = if per_item {
        items(&mut conn, attempt_id)
            .await?
            .iter()
            .filter(|i| i.body != QuestionBody::Description)
            .map(|i| ItemReview {
                position: i.position,
                stem_html: stem_html(&i.stem),
                your_answer: describe_answer(&i.body, i.answer.as_ref()),
                correct: i.fraction.map(|f| f >= 1.0 - 1e-9),
                right_answer: full.then(|| describe_key(&i.body)),
                feedback: (full && !i.feedback.is_empty()).then(|| i.feedback.clone()),
                comment: (!i.comment.is_empty()).then(|| i.comment.clone()),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(AttemptResult {
        id: a.id,
        quiz_id: a.quiz_id,
        quiz_title: quiz.title,
        status: a.status,
        closed_by_deadline: a.closed_by.as_deref() == Some("deadline"),
        score: a.score,
        max_score: a.max_score,
        score_percent: a.percent,
        passed: a.passed,
        pass_percent: quiz.pass_percent,
        items,
    })
}

/// Essay answers waiting in quizzes of courses the trainer authors (all for admins).
pub async fn grading_queue(db: &Db, user: &CurrentUser) -> AppResult<Vec<GradingItem>> {
    let all = user.has(Role::Admin);
    let rows = sqlx::query!(
        r#"select i.attempt_id, i.position, i.points, i.answer, v.stem, z.title, u.display_name, u.employee_no
           from attempt_items i
           join attempts a on a.id = i.attempt_id
           join quizzes z on z.id = a.quiz_id
           join users u on u.id = a.user_id
           join question_versions v on v.id = i.question_version_id
           where a.status = 'awaiting_grading' and i.fraction is null
             and (?1 or z.course_id in (select course_id from course_owners where user_id = ?2))
           order by a.submitted_at, i.position"#,
        all,
        user.id
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| GradingItem {
            attempt_id: r.attempt_id,
            position: r.position as usize,
            quiz_title: r.title,
            display_name: r.display_name,
            employee_no: r.employee_no,
            stem_html: stem_html(&r.stem),
            answer: r
                .answer
                .as_deref()
                .and_then(|a| serde_json::from_str::<Answer>(a).ok())
                .map(|a| match a {
                    Answer::Text(t) => t,
                    _ => String::new(),
                })
                .unwrap_or_default(),
            points: r.points,
        })
        .collect())
}

/// The course of an attempt, for checking that a trainer may grade it.
pub async fn attempt_course(db: &Db, attempt_id: i64) -> AppResult<i64> {
    sqlx::query_scalar!(
        "select z.course_id from attempts a join quizzes z on z.id = a.quiz_id where a.id = ?",
        attempt_id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)
}

/// A trainer's grade for one essay. A trainer may not grade their own attempt.
pub async fn grade_item(
    db: &Db,
    actor: Actor<'_>,
    grader: &CurrentUser,
    attempt_id: i64,
    position: i64,
    awarded: f64,
    comment: &str,
) -> AppResult<()> {
    let at = now();
    let mut tx = db.begin().await?;
    let a = attempt_row(&mut tx, attempt_id).await?;
    if a.user_id == grader.id {
        return Err(AppError::Forbidden);
    }
    if a.status == AttemptStatus::InProgress {
        return Err(AppError::validation("attempt", "error.attempt_open"));
    }
    let points = sqlx::query_scalar!(
        "select points from attempt_items where attempt_id = ? and position = ?",
        attempt_id,
        position
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    if !awarded.is_finite() || awarded < 0.0 || awarded > points as f64 {
        return Err(AppError::validation("awarded", "error.points_out_of_range"));
    }
    let fraction = awarded / points as f64;
    let comment = comment.trim();
    sqlx::query!(
        "update attempt_items set fraction = ?, grader_comment = ?, graded_by = ?, graded_at = ?
         where attempt_id = ? and position = ?",
        fraction,
        comment,
        grader.id,
        at,
        attempt_id,
        position
    )
    .execute(&mut *tx)
    .await?;
    if a.status == AttemptStatus::Graded {
        // A later change to a graded essay: the grade is recomputed.
        sqlx::query!("update attempts set status = 'awaiting_grading' where id = ?", attempt_id)
            .execute(&mut *tx)
            .await?;
    }
    settle(&mut tx, attempt_id, at).await?;
    audit::record(
        &mut tx,
        Event::by(actor, "essay_graded", "attempt", attempt_id).detail(format!("item {position}: {awarded}/{points}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Re-grades every finished attempt of a question with its current key (after a wrong key was
/// fixed). Items whose version cannot be compared (another type, options added or removed)
/// are left as graded. Returns how many attempts changed; each change is audited.
pub async fn regrade_question(db: &Db, actor: Actor<'_>, question_id: i64) -> AppResult<u32> {
    let at = now();
    let mut tx = db.begin().await?;
    let current = sqlx::query!(
        r#"select v.id as "id!", v.body from questions q join question_versions v on v.id = q.current_version_id
           where q.id = ?"#,
        question_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let key = parse_body(&current.body)?;
    let affected = sqlx::query!(
        r#"select i.attempt_id, i.position, i.answer, i.fraction, v.body
           from attempt_items i join question_versions v on v.id = i.question_version_id
           join attempts a on a.id = i.attempt_id
           where v.question_id = ? and a.status <> 'in_progress'"#,
        question_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut changed = Vec::new();
    for r in affected {
        let old = parse_body(&r.body)?;
        if !comparable(&old, &key) {
            continue;
        }
        let answer: Option<Answer> = r.answer.as_deref().and_then(|a| serde_json::from_str(a).ok());
        let Some(fraction) = grade(&key, answer.as_ref()) else { continue };
        if r.fraction.is_some_and(|f| (f - fraction).abs() < 1e-9) {
            continue;
        }
        sqlx::query!(
            "update attempt_items set fraction = ?, question_version_id = ? where attempt_id = ? and position = ?",
            fraction,
            current.id,
            r.attempt_id,
            r.position
        )
        .execute(&mut *tx)
        .await?;
        let before =
            sqlx::query_scalar!("select percent from attempts where id = ?", r.attempt_id).fetch_one(&mut *tx).await?;
        sqlx::query!(
            "update attempts set status = 'awaiting_grading' where id = ? and status = 'graded'",
            r.attempt_id
        )
        .execute(&mut *tx)
        .await?;
        settle(&mut tx, r.attempt_id, at).await?;
        let after =
            sqlx::query_scalar!("select percent from attempts where id = ?", r.attempt_id).fetch_one(&mut *tx).await?;
        audit::record(
            &mut tx,
            Event::by(actor, "attempt_regraded", "attempt", r.attempt_id)
                .detail(format!("question {question_id}: {before:?}% -> {after:?}%")),
        )
        .await?;
        changed.push(r.attempt_id);
    }
    changed.sort_unstable();
    changed.dedup();
    tx.commit().await?;
    Ok(changed.len() as u32)
}

/// Answers stored against `old` mean the same against `new`: same type and option count.
fn comparable(old: &QuestionBody, new: &QuestionBody) -> bool {
    let (a, _) = option_texts(old);
    let (b, _) = option_texts(new);
    old.kind() == new.kind() && a.len() == b.len()
}

/// The published quizzes of the courses a person is enrolled in, with their best result.
pub async fn my_quizzes(db: &Db, user: &CurrentUser) -> AppResult<Vec<MyQuiz>> {
    let rows = sqlx::query!(
        r#"select z.id as "id!", z.title, z.kind, v.title as course_title,
                  (select max(a.percent) from attempts a where a.quiz_id = z.id and a.user_id = e.user_id
                     and a.status = 'graded') as "best: f64",
                  (select count(*) from attempts a where a.quiz_id = z.id and a.user_id = e.user_id
                     and a.passed = 1) as "passed!: i64",
                  (select a.id from attempts a where a.quiz_id = z.id and a.user_id = e.user_id
                     and a.status = 'in_progress') as "open: i64",
                  (select count(*) from attempts a where a.quiz_id = z.id and a.user_id = e.user_id
                     and a.status = 'awaiting_grading') as "waiting!: i64"
           from enrollments e
           join quizzes z on z.course_id = e.course_id and z.published_at is not null
           join course_versions v on v.id = e.version_id
           where e.user_id = ?
           order by e.enrolled_at, case z.kind when 'pre_test' then 0 when 'practice' then 1
                    when 'post_test' then 2 else 3 end, z.id"#,
        user.id
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MyQuiz {
            id: r.id,
            title: r.title,
            kind: QuizKind::parse(&r.kind).unwrap_or(QuizKind::Practice),
            course_title: r.course_title,
            best_percent: r.best,
            passed: r.passed > 0,
            open_attempt: r.open,
            awaiting_grading: r.waiting > 0,
        })
        .collect())
}
