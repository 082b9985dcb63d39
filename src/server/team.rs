//! The team tree (sites, departments, teams).

use crate::error::{AppError, AppResult};
use crate::i18n::Zone;
use crate::model::team::{TeamKind, TeamNode};
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::db::{is_unique_violation, Conn, Db};
use crate::server::now;

/// All teams, depth-first, each with its depth and full path.
#[tracing::instrument(skip_all)]
pub async fn tree(db: &Db) -> AppResult<Vec<TeamNode>> {
    let rows = sqlx::query!(
        r#"select t.id as "id!", t.parent_id, t.name, t.name_en, t.kind, t.time_zone,
                  (select count(*) from users u where u.team_id = t.id and u.active = 1) as "members!: i64"
           from teams t order by t.name, t.name_en"#
    )
    .fetch_all(&db.read)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    // Iterative depth-first walk; roots first, children in name order.
    let mut stack: Vec<(i64, u32, Vec<Names>)> =
        rows.iter().filter(|r| r.parent_id.is_none()).rev().map(|r| (r.id, 0, Vec::new())).collect();
    while let Some((id, depth, mut segments)) = stack.pop() {
        let Some(r) = rows.iter().find(|r| r.id == id) else { continue };
        let name = Names::new(&r.name, &r.name_en);
        segments.push(name.clone());
        for child in rows.iter().filter(|c| c.parent_id == Some(id)).rev() {
            stack.push((child.id, depth + 1, segments.clone()));
        }
        let path = Names::path(&segments);
        out.push(TeamNode {
            id,
            parent_id: r.parent_id,
            name,
            kind: TeamKind::parse(&r.kind).unwrap_or(TeamKind::Team),
            depth,
            path,
            member_count: r.members,
            time_zone: r.time_zone.as_deref().and_then(Zone::parse),
        });
    }
    Ok(out)
}

/// The time zone of a person's site (the top of their team's tree). Without one (no team, a
/// site with no zone set, nobody signed in) it is the zone every site shares, else UTC.
#[tracing::instrument(skip_all)]
pub async fn zone_of(db: &Db, user_id: Option<i64>) -> AppResult<Zone> {
    let name = sqlx::query_scalar!(
        r#"select coalesce(
               (with recursive up(parent_id, time_zone) as (
                    select t.parent_id, t.time_zone from users u join teams t on t.id = u.team_id where u.id = $1
                    union all
                    select t.parent_id, t.time_zone from teams t join up on t.id = up.parent_id
                )
                select time_zone from up where parent_id is null),
               (select case when count(distinct time_zone) = 1 then max(time_zone) end
                from teams where parent_id is null)
           ) as "zone?: String""#,
        user_id
    )
    .fetch_one(&db.read)
    .await?;
    Ok(name.as_deref().and_then(Zone::parse).unwrap_or(Zone::UTC))
}

/// A site's time zone as typed by an admin: an IANA name, or none yet when left empty (times are
/// then shown in UTC, and the admin's home page lists the site as a gap).
pub fn site_zone(name: &str) -> AppResult<Option<Zone>> {
    if name.trim().is_empty() {
        return Ok(None);
    }
    Zone::parse(name).map(Some).ok_or(AppError::validation("time_zone", "error.time_zone_unknown"))
}

/// Active users with the trainee role in `team_id` and every team below it.
#[tracing::instrument(skip_all, fields(team_id))]
pub async fn active_trainees(conn: &mut Conn, team_id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"with recursive sub(id) as (
               select id from teams where id = $1
               union select t.id from teams t join sub on t.parent_id = sub.id
           )
           select u.id as "id!: i64" from users u join user_roles r on r.user_id = u.id and r.role = 'trainee'
           where u.active = 1 and u.team_id in (select id from sub) order by u.id"#,
        team_id
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// A team and every team below it.
#[tracing::instrument(skip_all, fields(team_id))]
pub async fn subtree_ids(db: &Db, team_id: i64) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        r#"with recursive below(id) as (select id from teams where id = $1
                                          union select t.id from teams t join below b on t.parent_id = b.id)
           select id as "id!: i64" from below"#,
        team_id
    )
    .fetch_all(&db.read)
    .await?)
}

/// Finds a team by its full path ("Site / Department / Team", in either language) or, if
/// unambiguous, its name.
pub fn find_by_path(tree: &[TeamNode], path: &str) -> Option<i64> {
    let wanted: Vec<&str> = path.split('/').map(str::trim).collect();
    let normalized = wanted.join(" / ");
    if let Some(t) = tree.iter().find(|t| t.path.answers_to(&normalized)) {
        return Some(t.id);
    }
    let mut by_name = tree.iter().filter(|t| t.name.answers_to(&normalized));
    match (by_name.next(), by_name.next()) {
        (Some(t), None) => Some(t.id),
        _ => None,
    }
}

/// Each language's name (one may be empty): a path segment, so no `/`.
fn clean_name(name: &Names) -> AppResult<Names> {
    let name = name.cleaned().ok_or(AppError::validation("name_zh", "error.team_name_invalid"))?;
    for (field, text) in [("name_zh", &name.zh), ("name_en", &name.en)] {
        if !text.is_empty() && (!crate::server::text::is_name(text, 80) || text.contains('/')) {
            return Err(AppError::validation(field, "error.team_name_invalid"));
        }
    }
    Ok(name)
}

fn conflict_of(e: sqlx::Error) -> AppError {
    // The English index's name contains the Chinese one's: ask for it first.
    if is_unique_violation(&e, crate::server::db::Unique::TeamNameEn) {
        AppError::Conflict { field: "name_en".into() }
    } else if is_unique_violation(&e, crate::server::db::Unique::TeamName) {
        AppError::Conflict { field: "name_zh".into() }
    } else {
        e.into()
    }
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, parent_id = ?parent_id))]
pub async fn create(db: &Db, actor: Actor<'_>, parent_id: Option<i64>, name: &Names, kind: TeamKind) -> AppResult<i64> {
    let name = clean_name(name)?;
    let kind_s = kind.as_str();
    let now = now();
    let mut tx = db.begin().await?;
    if let Some(p) = parent_id {
        sqlx::query_scalar!("select id from teams where id = $1", p)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::validation("parent_id", "error.team_unknown"))?;
    }
    let id = sqlx::query_scalar!(
        r#"insert into teams (parent_id, name, name_en, kind, created_at) values ($1, $2, $3, $4, $5)
           returning id as "id!: i64""#,
        parent_id,
        name.zh,
        name.en,
        kind_s,
        now
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_of)?;
    audit::record(&mut tx, Event::by(actor, "team_created", "team", id).detail(name.both())).await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames a team and moves it under `parent_id`, refusing to move it inside itself.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id, parent_id = ?parent_id))]
pub async fn update(
    db: &Db,
    actor: Actor<'_>,
    id: i64,
    parent_id: Option<i64>,
    name: &Names,
    kind: TeamKind,
    time_zone: Option<Zone>,
) -> AppResult<()> {
    let name = clean_name(name)?;
    let kind_s = kind.as_str();
    // Only a site keeps a zone; the teams below it inherit it.
    let zone = time_zone.filter(|_| parent_id.is_none()).map(Zone::name);
    let mut tx = db.begin().await?;
    if let Some(p) = parent_id {
        // Walk up from the new parent: meeting `id` means a cycle.
        let inside = sqlx::query_scalar!(
            r#"with recursive up(id, parent_id) as (
                   select id, parent_id from teams where id = $1
                   union all
                   select t.id, t.parent_id from teams t join up on t.id = up.parent_id
               )
               select count(*) as "n!: i64" from up where id = $2"#,
            p,
            id
        )
        .fetch_one(&mut *tx)
        .await?;
        if inside > 0 {
            return Err(AppError::validation("parent_id", "error.team_cycle"));
        }
    }
    let was = sqlx::query_scalar!("select parent_id from teams where id = $1", id).fetch_optional(&mut *tx).await?;
    let changed = sqlx::query!(
        "update teams set parent_id = $1, name = $2, name_en = $3, kind = $4, time_zone = $5 where id = $6",
        parent_id,
        name.zh,
        name.en,
        kind_s,
        zone,
        id
    )
    .execute(&mut *tx)
    .await
    .map_err(conflict_of)?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    crate::server::analytics::summary::team_moved(&mut tx, id, was.flatten(), parent_id).await?;
    audit::record(&mut tx, Event::by(actor, "team_updated", "team", id).detail(name.both())).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a site's time zone (a team with a parent inherits its site's and keeps none).
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id))]
pub async fn set_zone(db: &Db, actor: Actor<'_>, id: i64, time_zone: Zone) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let zone = time_zone.name();
    let changed = sqlx::query!("update teams set time_zone = $1 where id = $2 and parent_id is null", zone, id)
        .execute(&mut *tx)
        .await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::validation("time_zone", "error.zone_not_a_site"));
    }
    audit::record(&mut tx, Event::by(actor, "team_updated", "team", id).detail(zone)).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes an empty team (no sub-teams, no members).
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id))]
pub async fn delete(db: &Db, actor: Actor<'_>, id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let children = sqlx::query_scalar!("select count(*) as \"n!\" from teams where parent_id = $1", id)
        .fetch_one(&mut *tx)
        .await?;
    let members =
        sqlx::query_scalar!("select count(*) as \"n!\" from users where team_id = $1", id).fetch_one(&mut *tx).await?;
    if children > 0 || members > 0 {
        return Err(AppError::validation("team", "error.team_not_empty"));
    }
    sqlx::query!("delete from team_managers where team_id = $1", id).execute(&mut *tx).await?;
    let gone = sqlx::query!("delete from teams where id = $1", id).execute(&mut *tx).await?;
    if gone.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, Event::by(actor, "team_deleted", "team", id)).await?;
    tx.commit().await?;
    Ok(())
}
