//! Positions: the jobs the admin keeps, named in both languages. A person holds one and a
//! certification program is for one, so a program applies to exactly the people in its position.

use crate::error::{AppError, AppResult};
use crate::model::position::Position;
use crate::model::Names;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::{is_unique_violation, Conn, Db};
use crate::server::now;

/// Every position, the live ones first, each with how many people and programs hold it.
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db) -> AppResult<Vec<Position>> {
    let rows = sqlx::query!(
        r#"select p.id as "id!", p.name_zh, p.name_en, p.archived_at is not null as "archived!: bool",
                  (select count(*) from users u where u.position_id = p.id and u.active = 1) as "people!: i64",
                  (select count(*) from programs g where g.position_id = p.id and g.archived_at is null) as "programs!: i64"
           from positions p order by p.archived_at is not null, p.name_zh"#
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Position {
            id: r.id,
            name: Names::new(r.name_zh, r.name_en),
            archived: r.archived,
            people: r.people,
            programs: r.programs,
        })
        .collect())
}

fn clean(name_zh: &str, name_en: &str) -> AppResult<(String, String)> {
    crate::server::text::names(name_zh, name_en, 100)
}

fn conflict_of(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e, crate::server::db::Unique::PositionNameZh) {
        AppError::Conflict { field: "name_zh".into() }
    } else if is_unique_violation(&e, crate::server::db::Unique::PositionNameEn) {
        AppError::Conflict { field: "name_en".into() }
    } else {
        e.into()
    }
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id))]
pub async fn add(db: &Db, actor: Actor<'_>, name_zh: &str, name_en: &str) -> AppResult<i64> {
    let (zh, en) = clean(name_zh, name_en)?;
    let at = now();
    let mut tx = db.begin().await?;
    let id = sqlx::query_scalar!(
        r#"insert into positions (name_zh, name_en, created_at) values ($1, $2, $3) returning id as "id!: i64""#,
        zh,
        en,
        at
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_of)?;
    audit::record(&mut tx, Event::by(actor, "position_added", "position", id).detail(format!("{zh} / {en}"))).await?;
    tx.commit().await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, id))]
pub async fn rename(db: &Db, actor: Actor<'_>, id: i64, name_zh: &str, name_en: &str) -> AppResult<()> {
    let (zh, en) = clean(name_zh, name_en)?;
    let mut tx = db.begin().await?;
    let changed = sqlx::query!("update positions set name_zh = $1, name_en = $2 where id = $3", zh, en, id)
        .execute(&mut *tx)
        .await
        .map_err(conflict_of)?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, Event::by(actor, "position_renamed", "position", id).detail(format!("{zh} / {en}"))).await?;
    tx.commit().await?;
    Ok(())
}

/// Archived positions are no longer offered for new people and programs; those holding one keep it.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id, archived))]
pub async fn set_archived(db: &Db, actor: Actor<'_>, id: i64, archived: bool) -> AppResult<()> {
    let at = archived.then(now);
    let mut tx = db.begin().await?;
    let changed = sqlx::query!("update positions set archived_at = $1 where id = $2", at, id).execute(&mut *tx).await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let action = if archived { "position_archived" } else { "position_restored" };
    audit::record(&mut tx, Event::by(actor, action, "position", id)).await?;
    tx.commit().await?;
    Ok(())
}

/// The position named `name` in either language, any case; archived ones are not found.
pub async fn find_by_name(conn: &mut Conn, name: &str) -> AppResult<Option<i64>> {
    let name = name.trim();
    Ok(sqlx::query_scalar!(
        r#"select id as "id!: i64" from positions
           where archived_at is null and (lower(name_zh) = lower($1) or lower(name_en) = lower($1))"#,
        name
    )
    .fetch_optional(&mut *conn)
    .await?)
}

/// Checks a position picked on a form: it must exist, and be live unless the object already
/// held it (`current`), so an archived position is never newly given but is kept on an edit.
pub async fn check_pick(conn: &mut Conn, id: i64, current: Option<i64>) -> AppResult<()> {
    let archived =
        sqlx::query_scalar!(r#"select archived_at is not null as "a!: bool" from positions where id = $1"#, id)
            .fetch_optional(&mut *conn)
            .await?;
    match archived {
        Some(false) => Ok(()),
        Some(true) if current == Some(id) => Ok(()),
        _ => Err(AppError::validation("position_id", "error.position_unknown")),
    }
}
