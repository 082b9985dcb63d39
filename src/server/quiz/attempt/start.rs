//! Before an attempt: the quiz's intro page (what blocks a start, and why), drawing the
//! questions of a new attempt, and the trainee's list of quizzes.

use rand::seq::SliceRandom;

use crate::error::{AppError, AppResult};
use crate::model::quiz::{AttemptStatus, AttemptSummary, MyQuiz, QuestionBody, QuizIntro, QuizKind};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::db::batch::{Batched, BoxFuture};
use crate::server::db::{Conn, Db};
use crate::server::now;
use crate::server::quiz::parse_body;

use super::submit::finalize;
use super::{attempt_row, json, overdue, takeable, QuizRow};

/// Whether `user` can read the answer key of this quiz: an admin, an author of its course, or an
/// editor of a shared bank its questions come from. Such a person previews the quiz as its author
/// and never takes a graded attempt of it.
async fn reads_key(conn: &mut Conn, user: &CurrentUser, quiz: &QuizRow, quiz_id: i64) -> AppResult<bool> {
    if user.has(Role::Admin) {
        return Ok(true);
    }
    Ok(sqlx::query_scalar!(
        r#"select (exists (select 1 from course_owners where course_id = $1 and user_id = $2)
               or exists (select 1 from quiz_slots s
                          left join questions q on q.id = s.question_id
                          join bank_editors e on e.bank_id = coalesce(s.bank_id, q.bank_id)
                          where s.quiz_id = $3 and e.user_id = $2)) as "reads!: bool""#,
        quiz.course_id,
        user.id,
        quiz_id
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// Why a new attempt cannot start now, and when the cool-off ends if that is the reason.
async fn start_blocker(
    conn: &mut Conn,
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
           where quiz_id = $1 and user_id = $2 and status <> 'in_progress'"#,
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
async fn pending_remediation(conn: &mut Conn, quiz_id: i64, user_id: i64) -> AppResult<Option<(i64, Names)>> {
    Ok(sqlx::query!(
        r#"select l.id as "id!: i64", l.title, l.title_en from remediations r
           join attempts a on a.id = r.attempt_id join lessons l on l.id = r.lesson_id
           where a.quiz_id = $1 and a.user_id = $2 and r.done_at is null limit 1"#,
        quiz_id,
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| (r.id, Names::new(r.title, r.title_en))))
}

#[tracing::instrument(skip_all, fields(caller = user.id, quiz_id))]
pub async fn intro(db: &Db, user: &CurrentUser, quiz_id: i64) -> AppResult<QuizIntro> {
    let mut conn = db.read.acquire().await?;
    let quiz = takeable(&mut conn, user, quiz_id).await?;
    let at = now();
    let (blocked, next_start_at) = start_blocker(&mut conn, &quiz, quiz_id, user, at).await?;
    let history: Vec<AttemptSummary> = sqlx::query!(
        r#"select id as "id!", attempt_no, status, started_at, submitted_at, percent, (passed = 1) as "passed?: bool"
           from attempts where quiz_id = $1 and user_id = $2 order by attempt_no"#,
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
    let course_title = sqlx::query!(
        "select v.title, v.title_en from enrollments e join course_versions v on v.id = e.version_id
         where e.user_id = $1 and e.course_id = $2",
        user.id,
        quiz.course_id
    )
    .fetch_one(&mut *conn)
    .await
    .map(|r| Names::new(r.title, r.title_en))?;
    let question_count = sqlx::query_scalar!(
        r#"select cast(coalesce(sum(draw_count), 0) as bigint) as "n!: i64" from quiz_slots where quiz_id = $1"#,
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
    /// Its place as authored, before shuffling (fixed questions first, then each draw).
    slot_no: i64,
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
async fn draw(conn: &mut Conn, quiz_id: i64, quiz: &QuizRow) -> AppResult<Vec<Drawn>> {
    let slots = sqlx::query!(
        "select question_id, bank_id, category, tag, draw_count from quiz_slots where quiz_id = $1 order by position",
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
        let mut pool: Vec<i64> = crate::server::quiz::draw_pool(conn, bank_id, &s.category, &s.tag)
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
    let mut picked: Vec<(i64, i64)> = picked.into_iter().enumerate().map(|(slot, q)| (slot as i64, q)).collect();
    if quiz.shuffle_questions {
        picked.shuffle(&mut rng);
    }
    let mut out = Vec::with_capacity(picked.len());
    for (slot_no, q) in picked {
        let v = sqlx::query!(
            r#"select v.id as "id!", v.points, v.body from questions q join question_versions v on v.id = q.current_version_id
               where q.id = $1"#,
            q
        )
        .fetch_one(&mut *conn)
        .await?;
        let body = parse_body(&v.body)?;
        let (option_order, extra_order) = shown_orders(&body, quiz.shuffle_options, &mut rng);
        out.push(Drawn { slot_no, version_id: v.id, points: v.points, option_order, extra_order });
    }
    // Nothing drawn, or descriptions alone (the only items worth no points), is not a test.
    if out.iter().all(|d| d.points == 0) {
        return Err(AppError::validation("quiz", "error.quiz_empty"));
    }
    Ok(out)
}

/// Starts an attempt, or returns the one already open (a second tab or a double click resumes it).
///
/// The checks and the draw (the slow part: slots, pools, every drawn question) run first on a
/// read connection; the write then joins a group commit (`db::batch`), so a class starting
/// together shares a few fsyncs. The write checks again what it decides on: a start that lost a
/// race to another tab resumes that tab's attempt.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = user.id, quiz_id))]
pub async fn start(db: &Db, actor: Actor<'_>, user: &CurrentUser, quiz_id: i64) -> AppResult<i64> {
    let at = now();
    let mut conn = db.read.acquire().await?;
    let quiz = takeable(&mut conn, user, quiz_id).await?;
    if let Some(id) = open_attempt(&mut conn, quiz_id, user.id).await? {
        if !overdue(&attempt_row(&mut conn, id).await?, at) {
            return Ok(id);
        }
    }
    // Refused starts draw nothing (an overdue open attempt, closed by the write, counts the same
    // either way: it is in progress here and not yet a used attempt).
    if let (Some(key), _) = start_blocker(&mut conn, &quiz, quiz_id, user, at).await? {
        return Err(AppError::validation("quiz", key));
    }
    let items = draw(&mut conn, quiz_id, &quiz).await?;
    drop(conn);
    let op = StartAttempt { actor_id: actor.id, ip: actor.ip.to_string(), user: user.clone(), quiz_id, items, at };
    db.batched(op).await
}

async fn open_attempt(conn: &mut Conn, quiz_id: i64, user_id: i64) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        r#"select id as "id!" from attempts where quiz_id = $1 and user_id = $2 and status = 'in_progress'"#,
        quiz_id,
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?)
}

/// The write half of `start`, run in a group commit.
struct StartAttempt {
    actor_id: Option<i64>,
    ip: String,
    user: CurrentUser,
    quiz_id: i64,
    items: Vec<Drawn>,
    at: i64,
}

impl Batched for StartAttempt {
    type Out = i64;

    fn write<'a>(&'a mut self, conn: &'a mut Conn) -> BoxFuture<'a, AppResult<i64>> {
        Box::pin(async move {
            let (quiz_id, user, at) = (self.quiz_id, &self.user, self.at);
            let quiz = takeable(conn, user, quiz_id).await?;
            if let Some(id) = open_attempt(conn, quiz_id, user.id).await? {
                let a = attempt_row(conn, id).await?;
                if !overdue(&a, at) {
                    return Ok(id);
                }
                finalize(conn, &a, "deadline", at).await?;
            }
            if let (Some(key), _) = start_blocker(conn, &quiz, quiz_id, user, at).await? {
                return Err(AppError::validation("quiz", key));
            }
            let attempt_no = sqlx::query_scalar!(
                r#"select coalesce(max(attempt_no), 0) + 1 as "n!: i64" from attempts where quiz_id = $1 and user_id = $2"#,
                quiz_id,
                user.id
            )
            .fetch_one(&mut *conn)
            .await?;
            let deadline = match (quiz.time_limit_secs.map(|l| at + l), quiz.closes_at) {
                (Some(d), Some(c)) => Some(d.min(c)),
                (d, c) => d.or(c),
            };
            let max_score = self.items.iter().map(|i| i.points).sum::<i64>() as f64;
            let id = sqlx::query_scalar!(
                r#"insert into attempts (quiz_id, user_id, attempt_no, status, started_at, deadline_at, max_score)
                   values ($1, $2, $3, 'in_progress', $4, $5, $6) returning id as "id!""#,
                quiz_id,
                user.id,
                attempt_no,
                at,
                deadline,
                max_score
            )
            .fetch_one(&mut *conn)
            .await?;
            for (pos, item) in self.items.iter().enumerate() {
                let pos = pos as i64;
                let (order, extra) = (json(&item.option_order)?, json(&item.extra_order)?);
                sqlx::query!(
                    "insert into attempt_items (attempt_id, position, slot_no, question_version_id, points, option_order, extra_order)
                     values ($1, $2, $3, $4, $5, $6, $7)",
                    id,
                    pos,
                    item.slot_no,
                    item.version_id,
                    item.points,
                    order,
                    extra
                )
                .execute(&mut *conn)
                .await?;
            }
            let actor = Actor { id: self.actor_id, ip: &self.ip };
            audit::record(conn, Event::by(actor, "attempt_started", "attempt", id).detail(format!("quiz {quiz_id}")))
                .await?;
            Ok(id)
        })
    }
}

/// The published quizzes of the courses a person is enrolled in, with their best result.
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn my_quizzes(db: &Db, user: &CurrentUser) -> AppResult<Vec<MyQuiz>> {
    let rows = sqlx::query!(
        r#"select z.id as "id!", z.title, z.title_en, z.kind, v.title as course_title, v.title_en as course_title_en,
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
           where e.user_id = $1
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
            title: Names::new(r.title, r.title_en),
            kind: QuizKind::parse(&r.kind).unwrap_or(QuizKind::Practice),
            course_title: Names::new(r.course_title, r.course_title_en),
            best_percent: r.best,
            passed: r.passed > 0,
            open_attempt: r.open,
            awaiting_grading: r.waiting > 0,
        })
        .collect())
}
