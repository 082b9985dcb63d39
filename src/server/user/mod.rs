//! User accounts: create, edit, disable, reset passwords (admin services). The fields and their
//! validation are in `fields`, bulk CSV import in `import`.

mod fields;
mod import;

pub use fields::{UserFields, UserInput};
pub use import::{import_csv, IMPORT_COLUMNS};

use chrono::NaiveDate;

use crate::error::{AppError, AppResult, RowError};
use crate::i18n::Locale;
use crate::model::user::{Role, UserDetail, UserList, UserQuery, UserSummary, USERS_PER_PAGE};
use crate::model::Names;
use crate::server::analytics::summary;
use crate::server::audit::{self, Actor, Event};
use crate::server::auth::password::{check_policy, Passwords};
use crate::server::auth::session;
use crate::server::cert::{self, Change};
use crate::server::db::{is_unique_violation, Conn, Db};
use crate::server::now;
use crate::server::position;

use fields::{first_error, role_list};

fn conflict_of(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e, crate::server::db::Unique::UserEmail) {
        AppError::Conflict { field: "email".into() }
    } else if is_unique_violation(&e, crate::server::db::Unique::UserEmployeeNo) {
        AppError::Conflict { field: "employee_no".into() }
    } else {
        e.into()
    }
}

async fn insert(conn: &mut Conn, f: &UserFields, password_hash: &str) -> Result<i64, sqlx::Error> {
    let now = now();
    let hire = f.hire_date.map(|d| d.to_string());
    let locale = f.locale.code();
    let id = sqlx::query_scalar!(
        r#"insert into users (email, employee_no, display_name, position_id, hire_date, locale, team_id,
                              password_hash, password_changed_at, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id as "id!: i64""#,
        f.email,
        f.employee_no,
        f.display_name,
        f.position_id,
        hire,
        locale,
        f.team_id,
        password_hash,
        now,
        now
    )
    .fetch_one(&mut *conn)
    .await?;
    set_roles(conn, id, &f.roles).await?;
    Ok(id)
}

async fn set_roles(conn: &mut Conn, user_id: i64, roles: &[Role]) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from user_roles where user_id = $1", user_id).execute(&mut *conn).await?;
    for role in roles {
        let r = role.as_str();
        sqlx::query!("insert into user_roles (user_id, role) values ($1, $2)", user_id, r).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The position a form picked (by id) or a row named (in either language): unknown or archived
/// ones are refused, except an archived one the user already holds (`current`).
async fn position_of(conn: &mut Conn, input: &UserInput, current: Option<i64>) -> AppResult<Option<i64>> {
    match (input.position_id, input.position.trim()) {
        (Some(id), _) => position::check_pick(conn, id, current).await.map(|()| Some(id)),
        (None, "") => Ok(None),
        (None, name) => position::find_by_name(conn, name)
            .await?
            .map(Some)
            .ok_or_else(|| AppError::validation("position", "error.position_unknown")),
    }
}

async fn ensure_team_exists(conn: &mut Conn, team_id: Option<i64>) -> AppResult<()> {
    if let Some(id) = team_id {
        let found =
            sqlx::query_scalar!("select count(*) as \"n!\" from teams where id = $1", id).fetch_one(&mut *conn).await?;
        if found == 0 {
            return Err(AppError::validation("team_id", "error.team_unknown"));
        }
    }
    Ok(())
}

/// Creates one user with an initial password.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, team_id = ?team_id))]
pub async fn create(
    db: &Db,
    passwords: &Passwords,
    actor: Actor<'_>,
    input: &UserInput,
    team_id: Option<i64>,
    password: &str,
) -> AppResult<i64> {
    let mut fields = UserFields::parse(input, team_id).map_err(first_error)?;
    check_policy(password, &[&fields.email, &fields.display_name, &fields.employee_no])?;
    // Hash before taking the write lock: argon2 is slow on purpose.
    let hash = passwords.hash(password).await?;
    let mut tx = db.begin().await?;
    ensure_team_exists(&mut tx, fields.team_id).await?;
    fields.position_id = position_of(&mut tx, input, None).await?;
    let id = insert(&mut tx, &fields, &hash).await.map_err(conflict_of)?;
    summary::person(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Event::by(actor, "user_created", "user", id).detail(format!("roles={}", role_list(&fields.roles))),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Admin edit of a user's fields, roles and managed teams.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id, team_id = ?team_id))]
pub async fn update(
    db: &Db,
    actor: Actor<'_>,
    id: i64,
    input: &UserInput,
    team_id: Option<i64>,
    managed_team_ids: &[i64],
) -> AppResult<()> {
    let mut fields = UserFields::parse(input, team_id).map_err(first_error)?;
    let before = get(db, id).await?;
    if actor.id == Some(id) && before.roles.contains(&Role::Admin) && !fields.roles.contains(&Role::Admin) {
        // An admin removing their own admin role could leave nobody able to undo it.
        return Err(AppError::validation("roles", "error.cannot_demote_self"));
    }
    let mut tx = db.begin().await?;
    ensure_team_exists(&mut tx, fields.team_id).await?;
    fields.position_id = position_of(&mut tx, input, before.position_id).await?;
    // The team their quiz outcomes are counted under, read in the transaction that moves them.
    let was = sqlx::query_scalar!("select team_id from users where id = $1", id).fetch_one(&mut *tx).await?;
    let hire = fields.hire_date.map(|d| d.to_string());
    let locale = fields.locale.code();
    sqlx::query!(
        "update users set email = $1, employee_no = $2, display_name = $3, position_id = $4, hire_date = $5,
                          locale = $6, team_id = $7 where id = $8",
        fields.email,
        fields.employee_no,
        fields.display_name,
        fields.position_id,
        hire,
        locale,
        fields.team_id,
        id
    )
    .execute(&mut *tx)
    .await
    .map_err(conflict_of)?;
    set_roles(&mut tx, id, &fields.roles).await?;
    summary::person_moved(&mut tx, id, was, fields.team_id).await?;
    sqlx::query!("delete from team_managers where user_id = $1", id).execute(&mut *tx).await?;
    if fields.roles.contains(&Role::Manager) {
        for team in managed_team_ids {
            ensure_team_exists(&mut tx, Some(*team)).await?;
            sqlx::query!(
                "insert into team_managers (team_id, user_id) values ($1, $2) on conflict do nothing",
                team,
                id
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    audit::record(&mut tx, Event::by(actor, "user_updated", "user", id)).await?;
    // A new position or role can change which programs apply and how long certificates last.
    cert::person_changed(&mut tx, id, Change::UserEdited, actor, crate::server::now()).await?;
    if before.roles != fields.roles {
        audit::record(
            &mut tx,
            Event::by(actor, "roles_changed", "user", id).detail(format!(
                "{} -> {}",
                role_list(&before.roles),
                role_list(&fields.roles)
            )),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Replaces a user's roles (the CLI's `user set-role`).
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id))]
pub async fn set_user_roles(db: &Db, actor: Actor<'_>, id: i64, roles: &[Role]) -> AppResult<()> {
    if roles.is_empty() {
        return Err(AppError::validation("roles", "error.roles_empty"));
    }
    let before = get(db, id).await?;
    let mut tx = db.begin().await?;
    set_roles(&mut tx, id, roles).await?;
    // A trainee without a program counts as needing one; other roles do not.
    summary::person(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Event::by(actor, "roles_changed", "user", id).detail(format!(
            "{} -> {}",
            role_list(&before.roles),
            role_list(roles)
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disabling ends every session of the user at once.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id))]
pub async fn set_active(db: &Db, actor: Actor<'_>, id: i64, active: bool) -> AppResult<()> {
    if actor.id == Some(id) && !active {
        return Err(AppError::validation("active", "error.cannot_disable_self"));
    }
    let active_flag = i64::from(active);
    let mut tx = db.begin().await?;
    let changed = sqlx::query!("update users set active = $1 where id = $2", active_flag, id).execute(&mut *tx).await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    if !active {
        session::end_all(&mut tx, id, None).await?;
    }
    summary::person(&mut tx, id).await?;
    let action = if active { "user_enabled" } else { "user_disabled" };
    audit::record(&mut tx, Event::by(actor, action, "user", id)).await?;
    tx.commit().await?;
    Ok(())
}

/// An admin sets a new password; the user's sessions end.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id))]
pub async fn reset_password(
    db: &Db,
    passwords: &Passwords,
    actor: Actor<'_>,
    id: i64,
    password: &str,
) -> AppResult<()> {
    let user = get(db, id).await?;
    check_policy(password, &[&user.email, &user.display_name, &user.employee_no])?;
    let hash = passwords.hash(password).await?;
    let now = now();
    let mut tx = db.begin().await?;
    sqlx::query!("update users set password_hash = $1, password_changed_at = $2 where id = $3", hash, now, id)
        .execute(&mut *tx)
        .await?;
    session::end_all(&mut tx, id, None).await?;
    crate::server::auth::device::forget_all(&mut tx, id).await?;
    audit::record(&mut tx, Event::by(actor, "password_reset", "user", id)).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn set_locale(db: &Db, id: i64, locale: Locale) -> AppResult<()> {
    let code = locale.code();
    sqlx::query!("update users set locale = $1 where id = $2", code, id).execute(&db.write).await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn get(db: &Db, id: i64) -> AppResult<UserDetail> {
    let u = sqlx::query!(
        r#"select u.id as "id!", u.display_name, u.email, u.employee_no, u.position_id, p.name_zh as "position_zh?",
                  p.name_en as "position_en?", u.hire_date, u.locale, u.team_id, (u.active = 1) as "active!: bool"
           from users u left join positions p on p.id = u.position_id where u.id = $1"#,
        id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    let roles = crate::server::auth::guard::roles_of(&db.read, id).await?;
    let managed_team_ids =
        sqlx::query_scalar!("select team_id from team_managers where user_id = $1 order by team_id", id)
            .fetch_all(&db.read)
            .await?;
    Ok(UserDetail {
        id: u.id,
        display_name: u.display_name,
        email: u.email,
        employee_no: u.employee_no,
        position_id: u.position_id,
        position: Names::new(u.position_zh.unwrap_or_default(), u.position_en.unwrap_or_default()),
        hire_date: u.hire_date,
        locale: Locale::parse(&u.locale).unwrap_or_default(),
        team_id: u.team_id,
        roles,
        managed_team_ids,
        active: u.active,
    })
}

#[tracing::instrument(skip_all)]
pub async fn find_id(db: &Db, login: &str) -> AppResult<i64> {
    let lowered = login.trim().to_lowercase();
    let trimmed = login.trim();
    sqlx::query_scalar!(
        r#"select id as "id!" from users where email = $1 or lower(employee_no) = lower($2)"#,
        lowered,
        trimmed
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)
}

/// One page of the people matching `query`: name, email or employee number containing its text,
/// in a team (or below it), holding a role, active or disabled, without a team or position.
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, query: &UserQuery) -> AppResult<UserList> {
    // A long pattern makes SQLite's LIKE fail ("pattern too complex"): no name is that long.
    let text = crate::server::text::line("q", &query.q, crate::server::text::SEARCH)?;
    let pattern = format!("%{}%", crate::server::text::like_literal(&text));
    let tree = crate::server::team::tree(db).await?;
    let teams: Vec<i64> = match query.team.trim() {
        "" => Vec::new(),
        t => {
            let id: i64 = t.parse().map_err(|_| AppError::validation("team", "error.team_unknown"))?;
            crate::server::team::subtree_ids(db, id).await?
        }
    };
    let teams = serde_json::to_string(&teams).map_err(crate::error::internal)?;
    let pick = |value: &str, allowed: &[&str], field: &str| match value.trim() {
        "" => Ok(String::new()),
        v if allowed.contains(&v) => Ok(v.to_string()),
        _ => Err(AppError::validation(field, "error.choice_unknown")),
    };
    let role = pick(&query.role, &["admin", "manager", "trainer", "trainee"], "role")?;
    let status = pick(&query.status, &["active", "disabled"], "status")?;
    let missing = pick(&query.missing, &["team", "position"], "missing")?;
    let page = query.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let offset = (page - 1) * USERS_PER_PAGE;
    let rows = sqlx::query!(
        r#"select u.id as "id!", u.display_name, u.email, u.employee_no, p.name_zh as "position_zh?",
                  p.name_en as "position_en?", u.hire_date, u.team_id, (u.active = 1) as "active!: bool",
                  (select string_agg(role, ',') from user_roles r where r.user_id = u.id) as "roles: String",
                  count(*) over () as "total!: i64"
           from users u left join positions p on p.id = u.position_id
           where (lower(u.display_name) like lower($1) escape '\' or lower(u.email) like lower($1) escape '\'
                  or lower(u.employee_no) like lower($1) escape '\')
             and ($2 = '[]' or u.team_id in (select value from json_each($2)))
             and ($3 = '' or exists (select 1 from user_roles r where r.user_id = u.id and r.role = $3))
             and ($4 = '' or ($4 = 'active') = (u.active = 1))
             and ($5 = '' or ($5 = 'team' and u.team_id is null) or ($5 = 'position' and u.position_id is null))
           order by u.active desc, u.display_name
           limit $6 offset $7"#,
        pattern,
        teams,
        role,
        status,
        missing,
        USERS_PER_PAGE,
        offset
    )
    .fetch_all(&db.read)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    let users = rows
        .into_iter()
        .map(|r| {
            let mut roles: Vec<Role> = r.roles.unwrap_or_default().split(',').filter_map(|s| s.parse().ok()).collect();
            roles.sort();
            UserSummary {
                id: r.id,
                display_name: r.display_name,
                email: r.email,
                employee_no: r.employee_no,
                position: Names::new(r.position_zh.unwrap_or_default(), r.position_en.unwrap_or_default()),
                hire_date: r.hire_date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                team_path: r.team_id.and_then(|id| tree.iter().find(|t| t.id == id)).map(|t| t.path.clone()),
                roles,
                active: r.active,
            }
        })
        .collect();
    Ok(UserList { users, total, page, pages: (total + USERS_PER_PAGE - 1) / USERS_PER_PAGE })
}

/// Splits a pasted list of employee numbers (spaces, commas, semicolons or new lines).
pub fn split_employee_numbers(list: &str) -> Vec<(u32, &str)> {
    list.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '，')
        .filter(|s| !s.is_empty())
        .enumerate()
        .map(|(i, s)| (i as u32 + 1, s))
        .collect()
}

/// The ids of active users with these employee numbers; any unknown or disabled number fails the
/// whole list with a row error each (numbered as given), so callers store all or nothing.
#[tracing::instrument(skip_all)]
pub async fn active_ids_by_employee_no(conn: &mut Conn, numbers: &[(u32, &str)]) -> AppResult<Vec<i64>> {
    if numbers.is_empty() {
        return Err(AppError::validation("employee_numbers", "error.list_empty"));
    }
    let mut ids = Vec::with_capacity(numbers.len());
    let mut errors = Vec::new();
    for (line, no) in numbers {
        let found = sqlx::query!(
            r#"select id as "id!", (active = 1) as "active!: bool" from users where lower(employee_no) = lower($1)"#,
            no
        )
        .fetch_optional(&mut *conn)
        .await?;
        match found {
            Some(u) if u.active => ids.push(u.id),
            Some(_) => errors.push(RowError {
                line: *line,
                field: "employee_no".into(),
                key: "error.user_disabled".into(),
                value: no.to_string(),
            }),
            None => errors.push(RowError {
                line: *line,
                field: "employee_no".into(),
                key: "error.employee_no_unknown".into(),
                value: no.to_string(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
