//! Bulk import of users from CSV: every row is checked before anything is stored, and the import
//! is one transaction (all rows or none).

use std::collections::HashSet;

use serde::Deserialize;

use crate::error::{AppError, AppResult, RowError};
use crate::model::user::ImportReport;
use crate::server::audit::{self, Actor, Event};
use crate::server::auth::password::{check_policy, Passwords};
use crate::server::db::Db;
use crate::server::{position, team};

use super::{conflict_of, insert, UserFields, UserInput};

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
                value: String::new(),
            }]));
        }
    }
    let teams = team::tree(db).await?;
    let positions = position::list(db).await?;
    let existing = sqlx::query!("select email, employee_no from users").fetch_all(&db.read).await?;
    let mut emails: HashSet<String> = existing.iter().map(|r| r.email.clone()).collect();
    // Employee numbers are one number whatever their case (the unique index is on lower()).
    let mut numbers: HashSet<String> = existing.into_iter().map(|r| r.employee_no.to_lowercase()).collect();

    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (i, record) in reader.deserialize::<ImportRow>().enumerate() {
        let line = i as u32 + 2;
        let mut bad = |field: &str, key: &str, value: &str| {
            errors.push(RowError { line, field: field.into(), key: key.into(), value: value.into() })
        };
        let row = match record {
            Ok(row) => row,
            Err(_) => {
                bad("row", "error.csv_row_malformed", "");
                continue;
            }
        };
        let team_id = match row.team.trim() {
            "" => None,
            path => match team::find_by_path(&teams, path) {
                Some(id) => Some(id),
                None => {
                    bad("team", "error.team_unknown", path);
                    None
                }
            },
        };
        // A position the list does not hold is refused with its line: a person whose position
        // matches no program would silently have no path to the floor.
        let position_id = match row.position.trim() {
            "" => None,
            name => {
                let found = positions.iter().find(|p| !p.archived && p.answers_to(name));
                if found.is_none() {
                    bad("position", "error.position_unknown", name);
                }
                found.map(|p| p.id)
            }
        };
        let input = UserInput {
            email: row.email,
            employee_no: row.employee_no,
            display_name: row.display_name,
            position_id,
            position: String::new(),
            hire_date: row.hire_date,
            locale: String::new(),
            roles: row.roles.split([';', '|']).map(str::to_string).collect(),
        };
        let parsed = UserFields::parse(&input, team_id);
        if let Err(problems) = &parsed {
            problems.iter().for_each(|(f, k)| bad(f, k, ""));
        }
        if let Err(AppError::Validation { field, key }) =
            check_policy(&row.password, &[&input.email, &input.display_name, &input.employee_no])
        {
            bad(&field, &key, "");
        }
        if let Ok(fields) = parsed {
            if !emails.insert(fields.email.clone()) {
                bad("email", "error.email_taken", &fields.email);
            }
            if !numbers.insert(fields.employee_no.to_lowercase()) {
                bad("employee_no", "error.employee_no_taken", &fields.employee_no);
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
        crate::server::analytics::summary::person(&mut tx, id).await?;
        audit::record(&mut tx, Event::by(actor, "user_created", "user", id).detail("import")).await?;
    }
    tx.commit().await?;
    Ok(ImportReport { created: hashed.len() as u32 })
}
