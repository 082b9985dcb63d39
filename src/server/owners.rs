//! Who may change what decides certification. Lowering a program's requirements, a rubric's
//! levels or a scenario's facts, or editing the questions of a shared bank, changes who is cleared
//! for the floor: such objects are changed by admins and the trainers named as their owners (for
//! a shared bank, its editors), the way courses are. The creator is the first owner.

use crate::error::{AppError, AppResult};
use crate::model::owners::Owned;
use crate::model::user::Role;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::db::{Conn, Db};

async fn is_owner(db: &Db, what: Owned, id: i64, user_id: i64) -> AppResult<bool> {
    let n = match what {
        Owned::Program => {
            sqlx::query_scalar!(
                "select count(*) as \"n!\" from program_owners where program_id = $1 and user_id = $2",
                id,
                user_id
            )
            .fetch_one(&db.read)
            .await?
        }
        Owned::Rubric => {
            sqlx::query_scalar!(
                "select count(*) as \"n!\" from rubric_owners where rubric_id = $1 and user_id = $2",
                id,
                user_id
            )
            .fetch_one(&db.read)
            .await?
        }
        Owned::Scenario => {
            sqlx::query_scalar!(
                "select count(*) as \"n!\" from scenario_owners where scenario_id = $1 and user_id = $2",
                id,
                user_id
            )
            .fetch_one(&db.read)
            .await?
        }
        Owned::SharedBank => {
            sqlx::query_scalar!(
                "select count(*) as \"n!\" from bank_editors where bank_id = $1 and user_id = $2",
                id,
                user_id
            )
            .fetch_one(&db.read)
            .await?
        }
        Owned::Form => {
            sqlx::query_scalar!(
                "select count(*) as \"n!\" from form_owners where form_id = $1 and user_id = $2",
                id,
                user_id
            )
            .fetch_one(&db.read)
            .await?
        }
    };
    Ok(n > 0)
}

/// Whether the object is one that has owners: every program, rubric and scenario, and a bank only
/// when it is shared (a course's bank belongs to the course's authors).
#[tracing::instrument(skip_all, fields(id))]
pub async fn applies(db: &Db, what: Owned, id: i64) -> AppResult<bool> {
    Ok(match what {
        Owned::SharedBank => {
            sqlx::query_scalar!("select count(*) as \"n!\" from question_banks where id = $1 and course_id is null", id)
                .fetch_one(&db.read)
                .await?
                > 0
        }
        Owned::Program | Owned::Rubric | Owned::Scenario | Owned::Form => true,
    })
}

/// Admins, and trainers who own the object.
#[tracing::instrument(skip_all, fields(caller = user.id, id))]
pub async fn can_change(db: &Db, user: &CurrentUser, what: Owned, id: i64) -> AppResult<bool> {
    Ok(user.has(Role::Admin) || (user.has(Role::Trainer) && is_owner(db, what, id, user.id).await?))
}

#[tracing::instrument(skip_all, fields(caller = user.id, id))]
pub async fn require_change(db: &Db, user: &CurrentUser, what: Owned, id: i64) -> AppResult<()> {
    if can_change(db, user, what, id).await? {
        return Ok(());
    }
    tracing::warn!(user_id = user.id, subject = what.as_str(), id, "denied: not an owner");
    Err(AppError::Forbidden)
}

/// Names the creator of a new object as its first owner (inside the creating transaction).
#[tracing::instrument(skip_all, fields(id, user_id = ?user_id))]
pub async fn insert(conn: &mut Conn, what: Owned, id: i64, user_id: Option<i64>) -> AppResult<()> {
    let Some(user_id) = user_id else { return Ok(()) };
    match what {
        Owned::Program => {
            sqlx::query!(
                "insert into program_owners (program_id, user_id) values ($1, $2) on conflict do nothing",
                id,
                user_id
            )
            .execute(&mut *conn)
            .await?
        }
        Owned::Rubric => {
            sqlx::query!(
                "insert into rubric_owners (rubric_id, user_id) values ($1, $2) on conflict do nothing",
                id,
                user_id
            )
            .execute(&mut *conn)
            .await?
        }
        Owned::Scenario => {
            sqlx::query!(
                "insert into scenario_owners (scenario_id, user_id) values ($1, $2) on conflict do nothing",
                id,
                user_id
            )
            .execute(&mut *conn)
            .await?
        }
        Owned::SharedBank => {
            sqlx::query!(
                "insert into bank_editors (bank_id, user_id) values ($1, $2) on conflict do nothing",
                id,
                user_id
            )
            .execute(&mut *conn)
            .await?
        }
        Owned::Form => {
            sqlx::query!(
                "insert into form_owners (form_id, user_id) values ($1, $2) on conflict do nothing",
                id,
                user_id
            )
            .execute(&mut *conn)
            .await?
        }
    };
    Ok(())
}

/// Makes another trainer an owner, by employee number.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id))]
pub async fn add(db: &Db, actor: Actor<'_>, what: Owned, id: i64, employee_no: &str) -> AppResult<()> {
    let no = employee_no.trim();
    let mut tx = db.begin().await?;
    let trainer = sqlx::query_scalar!(
        r#"select u.id as "id!" from users u join user_roles r on r.user_id = u.id and r.role = 'trainer'
           where lower(u.employee_no) = lower($1) and u.active = 1"#,
        no
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::validation("employee_no", "error.not_a_trainer"))?;
    insert(&mut tx, what, id, Some(trainer)).await?;
    let action = format!("{}_owner_added", what.as_str());
    audit::record(&mut tx, Event::by(actor, &action, what.as_str(), id).detail(no)).await?;
    tx.commit().await?;
    Ok(())
}

/// The owners' names, for the editor page.
#[tracing::instrument(skip_all, fields(id))]
pub async fn names(db: &Db, what: Owned, id: i64) -> AppResult<Vec<String>> {
    let rows = match what {
        Owned::Program => {
            sqlx::query_scalar!(
                "select u.display_name || ' (' || u.employee_no || ')' as \"n!: String\" from program_owners o
                 join users u on u.id = o.user_id where o.program_id = $1 order by u.display_name",
                id
            )
            .fetch_all(&db.read)
            .await?
        }
        Owned::Rubric => {
            sqlx::query_scalar!(
                "select u.display_name || ' (' || u.employee_no || ')' as \"n!: String\" from rubric_owners o
                 join users u on u.id = o.user_id where o.rubric_id = $1 order by u.display_name",
                id
            )
            .fetch_all(&db.read)
            .await?
        }
        Owned::Scenario => {
            sqlx::query_scalar!(
                "select u.display_name || ' (' || u.employee_no || ')' as \"n!: String\" from scenario_owners o
                 join users u on u.id = o.user_id where o.scenario_id = $1 order by u.display_name",
                id
            )
            .fetch_all(&db.read)
            .await?
        }
        Owned::SharedBank => {
            sqlx::query_scalar!(
                "select u.display_name || ' (' || u.employee_no || ')' as \"n!: String\" from bank_editors o
                 join users u on u.id = o.user_id where o.bank_id = $1 order by u.display_name",
                id
            )
            .fetch_all(&db.read)
            .await?
        }
        Owned::Form => {
            sqlx::query_scalar!(
                "select u.display_name || ' (' || u.employee_no || ')' as \"n!: String\" from form_owners o
                 join users u on u.id = o.user_id where o.form_id = $1 order by u.display_name",
                id
            )
            .fetch_all(&db.read)
            .await?
        }
    };
    Ok(rows)
}
