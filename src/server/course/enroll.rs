//! Putting trainees on a course: one by one, by team, or from a list of employee numbers.

use crate::error::{AppError, AppResult};
use crate::model::course::{Learner, TeamProgress};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::cert::{self, Change};
use crate::server::db::{Conn, Db};
use crate::server::now;
use crate::server::team;
use crate::server::user;

/// The version new enrollments take; a course that is archived or never published takes none.
pub(crate) async fn enrollable_version(conn: &mut Conn, course_id: i64) -> AppResult<i64> {
    let row = sqlx::query!(
        r#"select c.archived_at, v.id as "version_id?"
           from courses c left join course_versions v on v.course_id = c.id and v.status = 'published'
           where c.id = $1"#,
        course_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    match (row.archived_at, row.version_id) {
        (None, Some(v)) => Ok(v),
        _ => Err(AppError::validation("course", "error.course_not_enrollable")),
    }
}

/// Enrolls each user; someone already enrolled keeps their enrollment. Returns how many are new.
pub(crate) async fn enroll_users(
    conn: &mut Conn,
    actor: Actor<'_>,
    course_id: i64,
    user_ids: &[i64],
) -> AppResult<u32> {
    let version = enrollable_version(conn, course_id).await?;
    let now = now();
    let mut created = 0;
    for user_id in user_ids {
        let r = sqlx::query!(
            "insert into enrollments (user_id, course_id, version_id, enrolled_at, enrolled_by)
             values ($1, $2, $3, $4, $5) on conflict (user_id, course_id) do nothing",
            user_id,
            course_id,
            version,
            now,
            actor.id
        )
        .execute(&mut *conn)
        .await?;
        created += r.rows_affected() as u32;
        if r.rows_affected() > 0 {
            cert::person_changed(conn, *user_id, Change::EnrolledInCourse, actor, now).await?;
        }
    }
    audit::record(
        conn,
        Event::by(actor, "course_enrolled", "course", course_id).detail(format!("{created} new of {}", user_ids.len())),
    )
    .await?;
    Ok(created)
}

/// Enrolls the people named by employee number (separated by spaces, commas or new lines). An
/// unknown or disabled number rejects the whole list, with every problem named.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, course_id))]
pub async fn by_employee_numbers(db: &Db, actor: Actor<'_>, course_id: i64, list: &str) -> AppResult<u32> {
    let numbers = user::split_employee_numbers(list);
    let mut tx = db.begin().await?;
    let ids = user::active_ids_by_employee_no(&mut tx, &numbers).await?;
    let created = enroll_users(&mut tx, actor, course_id, &ids).await?;
    tx.commit().await?;
    Ok(created)
}

/// Enrolls every active trainee of a team and the teams below it.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, course_id, team_id))]
pub async fn by_team(db: &Db, actor: Actor<'_>, course_id: i64, team_id: i64) -> AppResult<u32> {
    let mut tx = db.begin().await?;
    let ids = team::active_trainees(&mut tx, team_id).await?;
    let created = enroll_users(&mut tx, actor, course_id, &ids).await?;
    tx.commit().await?;
    Ok(created)
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, course_id, user_id))]
pub async fn one(db: &Db, actor: Actor<'_>, course_id: i64, user_id: i64) -> AppResult<u32> {
    let mut tx = db.begin().await?;
    let created = enroll_users(&mut tx, actor, course_id, &[user_id]).await?;
    tx.commit().await?;
    Ok(created)
}

/// Who is enrolled and how far they are.
#[tracing::instrument(skip_all, fields(course_id))]
pub async fn learners(db: &Db, course_id: i64) -> AppResult<Vec<Learner>> {
    let rows = sqlx::query!(
        r#"select u.display_name, u.employee_no, v.version_no, e.completed_at,
                  (select count(*) from lesson_completions lc where lc.enrollment_id = e.id) as "done!: i64",
                  (select count(*) from lessons l join course_modules m on m.id = l.module_id
                    where m.version_id = e.version_id) as "total!: i64"
           from enrollments e join users u on u.id = e.user_id join course_versions v on v.id = e.version_id
           where e.course_id = $1 order by u.display_name"#,
        course_id
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Learner {
            display_name: r.display_name,
            employee_no: r.employee_no,
            version_no: r.version_no,
            done: r.done as u32,
            total: r.total as u32,
            completed_at: r.completed_at,
        })
        .collect())
}

/// Course progress of the active people in the teams `user` oversees (every team for admins),
/// in one query so a large site is one round trip.
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn team_progress(db: &Db, user: &CurrentUser) -> AppResult<Vec<TeamProgress>> {
    let all = user.has(Role::Admin);
    let rows = sqlx::query!(
        r#"with recursive scope(id) as (
               select team_id from team_managers where user_id = $1
               union
               select t.id from teams t join scope s on t.parent_id = s.id
           )
           select t.name as team, t.name_en as team_en, u.display_name, u.employee_no, e.course_id, v.title,
                  v.title_en, e.completed_at,
                  (select count(*) from lesson_completions lc where lc.enrollment_id = e.id) as "done!: i64",
                  (select count(*) from lessons l join course_modules m on m.id = l.module_id
                    where m.version_id = e.version_id) as "total!: i64"
           from enrollments e
           join users u on u.id = e.user_id
           join teams t on t.id = u.team_id
           join course_versions v on v.id = e.version_id
           where u.active = 1 and ($2 or u.team_id in (select id from scope))
           order by t.name, u.display_name, v.title"#,
        user.id,
        all
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TeamProgress {
            team: Names::new(r.team, r.team_en),
            display_name: r.display_name,
            employee_no: r.employee_no,
            course_id: r.course_id,
            course_title: Names::new(r.title, r.title_en),
            done: r.done as u32,
            total: r.total as u32,
            completed_at: r.completed_at,
        })
        .collect())
}
