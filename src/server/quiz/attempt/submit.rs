//! Closing an attempt: submitting exactly once, the deadline (closing overdue attempts), and
//! the automatic grading and settling of the score.

use std::collections::BTreeMap;

use crate::error::AppResult;
use crate::model::quiz::AttemptStatus;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::cert::{self, Change};
use crate::server::db::{Conn, Db};
use crate::server::now;
use crate::server::quiz::grade::grade;

use super::answer::store_page;
use super::{attempt_row, items, overdue, own_attempt, AttemptRow, Item, GRACE_SECS};

/// Closes the attempt and grades what can be graded automatically, in the caller's write
/// transaction. False when another transaction closed it first (PostgreSQL runs them side by
/// side): nothing is written then, and the caller should roll back what it did before.
pub(super) async fn finalize(conn: &mut Conn, a: &AttemptRow, closed_by: &str, at: i64) -> AppResult<bool> {
    let all = items(conn, a.id).await?;
    finalize_items(conn, a, &all, closed_by, at).await
}

/// `finalize` with the attempt's items already loaded (and current).
async fn finalize_items(conn: &mut Conn, a: &AttemptRow, all: &[Item], closed_by: &str, at: i64) -> AppResult<bool> {
    // Claimed first: a second submission waits on the row and then finds it closed.
    let claimed = sqlx::query!(
        "update attempts set status = 'awaiting_grading', submitted_at = $1, closed_by = $2
         where id = $3 and status = 'in_progress'",
        at,
        closed_by,
        a.id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        return Ok(false);
    }
    for item in all {
        let fraction = grade(&item.body, item.answer.as_ref());
        let pos = item.position as i64;
        sqlx::query!(
            "update attempt_items set fraction = $1 where attempt_id = $2 and position = $3",
            fraction,
            a.id,
            pos
        )
        .execute(&mut *conn)
        .await?;
    }
    settle(conn, a.id, at).await?;
    Ok(true)
}

/// Once every item has a fraction, the attempt gets its score and pass/fail (also how the
/// data generator grades the attempts it writes).
pub async fn settle(conn: &mut Conn, attempt_id: i64, at: i64) -> AppResult<()> {
    let r = sqlx::query!(
        r#"select count(*) filter (where fraction is null) as "open!: i64",
                  coalesce(sum(fraction * points), 0.0) as "score!: f64"
           from attempt_items where attempt_id = $1"#,
        attempt_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if r.open > 0 {
        return Ok(());
    }
    let a = attempt_row(conn, attempt_id).await?;
    let pass_percent =
        sqlx::query_scalar!("select pass_percent from quizzes where id = $1", a.quiz_id).fetch_one(&mut *conn).await?;
    let score = (r.score * 100.0).round() / 100.0;
    let percent = if a.max_score > 0.0 { (score * 10000.0 / a.max_score).round() / 100.0 } else { 0.0 };
    let passed = percent + 1e-9 >= pass_percent as f64;
    let passed_flag = i64::from(passed);
    sqlx::query!(
        "update attempts set status = 'graded', graded_at = $1, score = $2, percent = $3, passed = $4 where id = $5",
        at,
        score,
        percent,
        passed_flag,
        attempt_id
    )
    .execute(&mut *conn)
    .await?;
    crate::server::analytics::outcomes::refresh(conn, a.quiz_id, a.user_id).await?;
    if !passed {
        // A failed attempt of a quiz with a remediation lesson: that lesson before the retake.
        sqlx::query!(
            "insert into remediations (attempt_id, lesson_id)
             select $1, remediation_lesson_id from quizzes where id = $2 and remediation_lesson_id is not null
             on conflict (attempt_id) do nothing",
            attempt_id,
            a.quiz_id
        )
        .execute(&mut *conn)
        .await?;
    }
    cert::person_changed(conn, a.user_id, Change::AttemptGraded, Actor::SYSTEM, at).await?;
    Ok(())
}

/// Closes every attempt past its deadline (plus grace) that nobody has looked at since, grading
/// what was saved in time. Run by a timer in the server and before results are listed; running
/// it twice, or after downtime, closes each attempt once.
#[tracing::instrument(skip_all)]
pub async fn close_overdue(db: &Db) -> AppResult<u32> {
    let at = now();
    let cutoff = at - GRACE_SECS;
    let ids = sqlx::query_scalar!(
        r#"select id as "id!" from attempts where status = 'in_progress' and deadline_at < $1"#,
        cutoff
    )
    .fetch_all(&db.read)
    .await?;
    let mut closed = 0;
    for id in ids {
        let mut tx = db.begin().await?;
        let a = attempt_row(&mut tx, id).await?;
        if overdue(&a, at) && finalize(&mut tx, &a, "deadline", at).await? {
            closed += 1;
        }
        tx.commit().await?;
    }
    Ok(closed)
}

/// The last page's answers and the submission in one transaction: both happen or neither.
/// Like `submit`, a second call changes nothing; a stale page (a newer save exists) is not
/// written but the attempt is still submitted; after the deadline only what was saved counts.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = user.id, attempt_id, seq, page))]
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
    if !finalize_items(&mut tx, &a, &all, closed_by, at).await? {
        return Ok(());
    }
    audit::record(&mut tx, Event::by(actor, "attempt_submitted", "attempt", attempt_id).detail(closed_by)).await?;
    tx.commit().await?;
    Ok(())
}

/// Submits and grades. Submitting an attempt that is already closed changes nothing, so a double
/// click, a second tab or a retried request yields the one grade there is.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = user.id, attempt_id))]
pub async fn submit(db: &Db, actor: Actor<'_>, user: &CurrentUser, attempt_id: i64) -> AppResult<()> {
    let at = now();
    let mut tx = db.begin().await?;
    let a = own_attempt(&mut tx, user, attempt_id).await?;
    if a.status != AttemptStatus::InProgress {
        return Ok(());
    }
    let closed_by = if overdue(&a, at) { "deadline" } else { "trainee" };
    if !finalize(&mut tx, &a, closed_by, at).await? {
        return Ok(());
    }
    audit::record(&mut tx, Event::by(actor, "attempt_submitted", "attempt", attempt_id).detail(closed_by)).await?;
    tx.commit().await?;
    Ok(())
}
