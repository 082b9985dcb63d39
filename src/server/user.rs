//! User accounts: create, edit, disable, reset passwords and bulk import (admin services).

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::Deserialize;
use sqlx::SqliteConnection;

use crate::error::{AppError, AppResult, RowError};
use crate::i18n::Locale;
use crate::model::user::{ImportReport, Role, UserDetail, UserSummary};
use crate::server::audit::{self, Actor, Event};
use crate::server::auth::password::{check_policy, Passwords};
use crate::server::auth::session;
use crate::server::cert::{self, Change};
use crate::server::db::{is_unique_violation, Db};
use crate::server::now;
use crate::server::team;

/// The editable fields of a user, validated by [`UserFields::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct UserFields {
    pub email: String,
    pub employee_no: String,
    pub display_name: String,
    pub position: String,
    pub hire_date: Option<NaiveDate>,
    pub locale: Locale,
    pub team_id: Option<i64>,
    pub roles: Vec<Role>,
}

/// Raw text input as it comes from a form or a CSV row.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInput {
    pub email: String,
    pub employee_no: String,
    pub display_name: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub hire_date: String,
    #[serde(default)]
    pub locale: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
        && email.len() <= 254
}

impl UserFields {
    /// Validates every field and returns all problems, not just the first.
    pub fn parse(input: &UserInput, team_id: Option<i64>) -> Result<UserFields, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, key: &str| errors.push((field.to_string(), key.to_string()));
        let email = input.email.trim().to_lowercase();
        if !valid_email(&email) {
            bad("email", "error.email_invalid");
        }
        let employee_no = input.employee_no.trim().to_string();
        if employee_no.is_empty() || employee_no.len() > 32 || employee_no.chars().any(char::is_whitespace) {
            bad("employee_no", "error.employee_no_invalid");
        }
        let display_name = input.display_name.trim().to_string();
        if display_name.is_empty() || display_name.chars().count() > 100 || display_name.chars().any(char::is_control) {
            bad("display_name", "error.name_invalid");
        }
        let position = match crate::server::text::line("position", &input.position, 100) {
            Ok(p) => p,
            Err(e) => {
                bad("position", e.message_key());
                String::new()
            }
        };
        let hire_date = match input.hire_date.trim() {
            "" => None,
            d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    bad("hire_date", "error.date_invalid");
                    None
                }
            },
        };
        let locale = match input.locale.trim() {
            "" => Locale::ZhCn,
            l => Locale::parse(l).unwrap_or_else(|| {
                bad("locale", "error.locale_invalid");
                Locale::ZhCn
            }),
        };
        let mut roles = Vec::new();
        for r in input.roles.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
            match r.parse::<Role>() {
                Ok(role) if !roles.contains(&role) => roles.push(role),
                Ok(_) => {}
                Err(()) => bad("roles", "error.role_invalid"),
            }
        }
        if roles.is_empty() && input.roles.iter().all(|r| r.trim().is_empty()) {
            bad("roles", "error.roles_empty");
        }
        roles.sort();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(UserFields { email, employee_no, display_name, position, hire_date, locale, team_id, roles })
    }
}

/// "admin,trainer", as the audit log records roles.
fn role_list(roles: &[Role]) -> String {
    roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

fn first_error(errors: Vec<(String, String)>) -> AppError {
    let (field, key) = errors.into_iter().next().unwrap_or_default();
    AppError::Validation { field, key }
}

fn conflict_of(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e, "email") {
        AppError::Conflict { field: "email".into() }
    } else if is_unique_violation(&e, "employee_no") {
        AppError::Conflict { field: "employee_no".into() }
    } else {
        e.into()
    }
}

async fn insert(conn: &mut SqliteConnection, f: &UserFields, password_hash: &str) -> Result<i64, sqlx::Error> {
    let now = now();
    let hire = f.hire_date.map(|d| d.to_string());
    let locale = f.locale.code();
    let id = sqlx::query_scalar!(
        r#"insert into users (email, employee_no, display_name, position, hire_date, locale, team_id,
                              password_hash, password_changed_at, created_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id as "id!: i64""#,
        f.email,
        f.employee_no,
        f.display_name,
        f.position,
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

async fn set_roles(conn: &mut SqliteConnection, user_id: i64, roles: &[Role]) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from user_roles where user_id = ?", user_id).execute(&mut *conn).await?;
    for role in roles {
        let r = role.as_str();
        sqlx::query!("insert into user_roles (user_id, role) values (?, ?)", user_id, r).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn ensure_team_exists(conn: &mut SqliteConnection, team_id: Option<i64>) -> AppResult<()> {
    if let Some(id) = team_id {
        let found = sqlx::query_scalar!("select count(*) from teams where id = ?", id).fetch_one(&mut *conn).await?;
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
    let fields = UserFields::parse(input, team_id).map_err(first_error)?;
    check_policy(password, &[&fields.email, &fields.display_name, &fields.employee_no])?;
    // Hash before taking the write lock: argon2 is slow on purpose.
    let hash = passwords.hash(password).await?;
    let mut tx = db.begin().await?;
    ensure_team_exists(&mut tx, fields.team_id).await?;
    let id = insert(&mut tx, &fields, &hash).await.map_err(conflict_of)?;
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
    let fields = UserFields::parse(input, team_id).map_err(first_error)?;
    let before = get(db, id).await?;
    if actor.id == Some(id) && before.roles.contains(&Role::Admin) && !fields.roles.contains(&Role::Admin) {
        // An admin removing their own admin role could leave nobody able to undo it.
        return Err(AppError::validation("roles", "error.cannot_demote_self"));
    }
    let mut tx = db.begin().await?;
    ensure_team_exists(&mut tx, fields.team_id).await?;
    let hire = fields.hire_date.map(|d| d.to_string());
    let locale = fields.locale.code();
    sqlx::query!(
        "update users set email = ?, employee_no = ?, display_name = ?, position = ?, hire_date = ?,
                          locale = ?, team_id = ? where id = ?",
        fields.email,
        fields.employee_no,
        fields.display_name,
        fields.position,
        hire,
        locale,
        fields.team_id,
        id
    )
    .execute(&mut *tx)
    .await
    .map_err(conflict_of)?;
    set_roles(&mut tx, id, &fields.roles).await?;
    sqlx::query!("delete from team_managers where user_id = ?", id).execute(&mut *tx).await?;
    if fields.roles.contains(&Role::Manager) {
        for team in managed_team_ids {
            ensure_team_exists(&mut tx, Some(*team)).await?;
            sqlx::query!("insert or ignore into team_managers (team_id, user_id) values (?, ?)", team, id)
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
    let mut tx = db.begin().await?;
    let changed = sqlx::query!("update users set active = ? where id = ?", active, id).execute(&mut *tx).await?;
    if changed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    if !active {
        session::end_all(&mut tx, id, None).await?;
    }
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
    sqlx::query!("update users set password_hash = ?, password_changed_at = ? where id = ?", hash, now, id)
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
    sqlx::query!("update users set locale = ? where id = ?", code, id).execute(&db.write).await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn get(db: &Db, id: i64) -> AppResult<UserDetail> {
    let u = sqlx::query!(
        r#"select id as "id!", display_name, email, employee_no, position, hire_date, locale, team_id,
                  active as "active: bool"
           from users where id = ?"#,
        id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    let roles = crate::server::auth::guard::roles_of(&db.read, id).await?;
    let managed_team_ids =
        sqlx::query_scalar!("select team_id from team_managers where user_id = ? order by team_id", id)
            .fetch_all(&db.read)
            .await?;
    Ok(UserDetail {
        id: u.id,
        display_name: u.display_name,
        email: u.email,
        employee_no: u.employee_no,
        position: u.position,
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
    sqlx::query_scalar!(r#"select id as "id!" from users where email = ? or employee_no = ?"#, lowered, trimmed)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)
}

/// Users whose name, email or employee number contains `query`, at most 200.
#[tracing::instrument(skip_all)]
pub async fn list(db: &Db, query: &str) -> AppResult<Vec<UserSummary>> {
    // A long pattern makes SQLite's LIKE fail ("pattern too complex"): no name is that long.
    let query = crate::server::text::line("q", query, crate::server::text::SEARCH)?;
    let pattern = format!("%{}%", crate::server::text::like_literal(&query));
    let rows = sqlx::query!(
        r#"select u.id as "id!", u.display_name, u.email, u.employee_no, u.position, u.hire_date,
                  t.name as "team_name?",
                  u.active as "active: bool",
                  (select group_concat(role, ',') from user_roles r where r.user_id = u.id) as "roles: String"
           from users u left join teams t on t.id = u.team_id
           where u.display_name like ?1 escape '\' or u.email like ?1 escape '\' or u.employee_no like ?1 escape '\'
           order by u.active desc, u.display_name
           limit 200"#,
        pattern
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut roles: Vec<Role> = r.roles.unwrap_or_default().split(',').filter_map(|s| s.parse().ok()).collect();
            roles.sort();
            UserSummary {
                id: r.id,
                display_name: r.display_name,
                email: r.email,
                employee_no: r.employee_no,
                position: r.position,
                hire_date: r.hire_date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                team_name: r.team_name,
                roles,
                active: r.active,
            }
        })
        .collect())
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
pub async fn active_ids_by_employee_no(conn: &mut SqliteConnection, numbers: &[(u32, &str)]) -> AppResult<Vec<i64>> {
    if numbers.is_empty() {
        return Err(AppError::validation("employee_numbers", "error.list_empty"));
    }
    let mut ids = Vec::with_capacity(numbers.len());
    let mut errors = Vec::new();
    for (line, no) in numbers {
        let found =
            sqlx::query!(r#"select id as "id!", active as "active: bool" from users where employee_no = ?"#, no)
                .fetch_optional(&mut *conn)
                .await?;
        match found {
            Some(u) if u.active => ids.push(u.id),
            Some(_) => {
                errors.push(RowError { line: *line, field: "employee_no".into(), key: "error.user_disabled".into() })
            }
            None => errors.push(RowError {
                line: *line,
                field: "employee_no".into(),
                key: "error.employee_no_unknown".into(),
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

/// The columns of a user import file, in any order; `roles` is separated by `;` or `|`.
pub const IMPORT_COLUMNS: [&str; 8] =
    ["employee_no", "display_name", "email", "position", "hire_date", "team", "roles", "password"];

#[derive(Debug, Deserialize)]
struct ImportRow {
    employee_no: String,
    display_name: String,
    email: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    hire_date: String,
    #[serde(default)]
    team: String,
    roles: String,
    password: String,
}

/// Imports users from CSV. Any bad row rejects the whole file with every row's problems, and
/// nothing is stored; otherwise every row is stored in one transaction.
#[tracing::instrument(skip_all, fields(actor = ?actor.id))]
pub async fn import_csv(db: &Db, passwords: &Passwords, actor: Actor<'_>, data: &[u8]) -> AppResult<ImportReport> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data); // Excel's UTF-8 BOM
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(data);
    let headers = reader.headers().map_err(|_| AppError::validation("file", "error.csv_unreadable"))?.clone();
    for required in ["employee_no", "display_name", "email", "roles", "password"] {
        if !headers.iter().any(|h| h == required) {
            return Err(AppError::Rows(vec![RowError {
                line: 1,
                field: required.into(),
                key: "error.csv_missing_column".into(),
            }]));
        }
    }
    let teams = team::tree(db).await?;
    let existing = sqlx::query!("select email, employee_no from users").fetch_all(&db.read).await?;
    let mut emails: HashSet<String> = existing.iter().map(|r| r.email.clone()).collect();
    let mut numbers: HashSet<String> = existing.into_iter().map(|r| r.employee_no).collect();

    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (i, record) in reader.deserialize::<ImportRow>().enumerate() {
        let line = i as u32 + 2;
        let mut bad = |field: &str, key: &str| errors.push(RowError { line, field: field.into(), key: key.into() });
        let row = match record {
            Ok(row) => row,
            Err(_) => {
                bad("row", "error.csv_row_malformed");
                continue;
            }
        };
        let team_id = match row.team.trim() {
            "" => None,
            path => match team::find_by_path(&teams, path) {
                Some(id) => Some(id),
                None => {
                    bad("team", "error.team_unknown");
                    None
                }
            },
        };
        let input = UserInput {
            email: row.email,
            employee_no: row.employee_no,
            display_name: row.display_name,
            position: row.position,
            hire_date: row.hire_date,
            locale: String::new(),
            roles: row.roles.split([';', '|']).map(str::to_string).collect(),
        };
        let parsed = UserFields::parse(&input, team_id);
        if let Err(problems) = &parsed {
            problems.iter().for_each(|(f, k)| bad(f, k));
        }
        if let Err(AppError::Validation { field, key }) =
            check_policy(&row.password, &[&input.email, &input.display_name, &input.employee_no])
        {
            bad(&field, &key);
        }
        if let Ok(fields) = parsed {
            if !emails.insert(fields.email.clone()) {
                bad("email", "error.email_taken");
            }
            if !numbers.insert(fields.employee_no.clone()) {
                bad("employee_no", "error.employee_no_taken");
            }
            rows.push((fields, row.password));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    if rows.is_empty() {
        return Err(AppError::validation("file", "error.csv_empty"));
    }
    let mut hashed = Vec::with_capacity(rows.len());
    for (fields, password) in rows {
        hashed.push((fields, passwords.hash(&password).await?));
    }
    let mut tx = db.begin().await?;
    for (fields, hash) in &hashed {
        let id = insert(&mut tx, fields, hash).await.map_err(conflict_of)?;
        audit::record(&mut tx, Event::by(actor, "user_created", "user", id).detail("import")).await?;
    }
    tx.commit().await?;
    Ok(ImportReport { created: hashed.len() as u32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> UserInput {
        UserInput {
            email: " Li.Na@Example.com ".into(),
            employee_no: "E1001".into(),
            display_name: "李娜".into(),
            roles: vec!["trainee".into()],
            ..Default::default()
        }
    }

    #[test]
    fn parse_normalizes_and_validates() {
        let f = UserFields::parse(&input(), None).unwrap();
        assert_eq!(f.email, "li.na@example.com");
        assert_eq!(f.roles, vec![Role::Trainee]);
        let mut bad = input();
        bad.email = "not-an-email".into();
        bad.hire_date = "2026-13-01".into();
        bad.roles = vec!["boss".into()];
        let errors = UserFields::parse(&bad, None).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, vec!["email", "hire_date", "roles"]);
    }
}
