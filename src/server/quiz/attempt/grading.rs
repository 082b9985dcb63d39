//! Trainers' grading: the essay queue, one essay's grade, and regrading a question whose key
//! was fixed.

use crate::error::{AppError, AppResult};
use crate::model::quiz::{Answer, AttemptStatus, GradingItem, QuestionBody};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::db::Db;
use crate::server::now;
use crate::server::quiz::grade::grade;
use crate::server::quiz::parse_body;

use super::answer::{option_texts, stem_html};
use super::attempt_row;
use super::submit::settle;

/// Essay answers waiting in quizzes of courses the trainer authors (all for admins).
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn grading_queue(db: &Db, user: &CurrentUser) -> AppResult<Vec<GradingItem>> {
    let all = user.has(Role::Admin);
    let rows = sqlx::query!(
        r#"select i.attempt_id, i.position, i.points, i.answer, v.stem, z.title, z.title_en, u.display_name, u.employee_no
           from attempt_items i
           join attempts a on a.id = i.attempt_id
           join quizzes z on z.id = a.quiz_id
           join users u on u.id = a.user_id
           join question_versions v on v.id = i.question_version_id
           where a.status = 'awaiting_grading' and i.fraction is null
             and ($1 or z.course_id in (select course_id from course_owners where user_id = $2))
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
            quiz_title: Names::new(r.title, r.title_en),
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
#[tracing::instrument(skip_all, fields(attempt_id))]
pub async fn attempt_course(db: &Db, attempt_id: i64) -> AppResult<i64> {
    sqlx::query_scalar!(
        "select z.course_id from attempts a join quizzes z on z.id = a.quiz_id where a.id = $1",
        attempt_id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)
}

/// A trainer's grade for one essay. A trainer may not grade their own attempt.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = grader.id, attempt_id))]
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
        "select points from attempt_items where attempt_id = $1 and position = $2",
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
        "update attempt_items set fraction = $1, grader_comment = $2, graded_by = $3, graded_at = $4
         where attempt_id = $5 and position = $6",
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
        sqlx::query!("update attempts set status = 'awaiting_grading' where id = $1", attempt_id)
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
#[tracing::instrument(skip_all, fields(actor = ?actor.id, question_id))]
pub async fn regrade_question(db: &Db, actor: Actor<'_>, question_id: i64) -> AppResult<u32> {
    let at = now();
    let mut tx = db.begin().await?;
    let current = sqlx::query!(
        r#"select v.id as "id!", v.body from questions q join question_versions v on v.id = q.current_version_id
           where q.id = $1"#,
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
           where v.question_id = $1 and a.status <> 'in_progress'"#,
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
            "update attempt_items set fraction = $1, question_version_id = $2 where attempt_id = $3 and position = $4",
            fraction,
            current.id,
            r.attempt_id,
            r.position
        )
        .execute(&mut *tx)
        .await?;
        let before =
            sqlx::query_scalar!("select percent from attempts where id = $1", r.attempt_id).fetch_one(&mut *tx).await?;
        sqlx::query!(
            "update attempts set status = 'awaiting_grading' where id = $1 and status = 'graded'",
            r.attempt_id
        )
        .execute(&mut *tx)
        .await?;
        settle(&mut tx, r.attempt_id, at).await?;
        let after =
            sqlx::query_scalar!("select percent from attempts where id = $1", r.attempt_id).fetch_one(&mut *tx).await?;
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
