//! API tokens for rostering and ticket-routing systems, and the read-only clearance answers they
//! get. Tokens are random, shown once, and stored only as SHA-256; each has a scope and may be
//! limited to one team and the teams below it.

use base64::Engine;
use rand::RngCore;
use serde::Serialize;

use crate::error::{AppError, AppResult};
use crate::model::cert::{CertStatus, TokenView};
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::db::Db;
use crate::server::now;

pub const SCOPE_CLEARANCE: &str = "clearance:read";
/// Sending on-the-job metrics (`POST /api/v1/metrics`).
pub const SCOPE_METRICS: &str = "metrics:write";
pub const SCOPES: [&str; 2] = [SCOPE_CLEARANCE, SCOPE_METRICS];
const PREFIX: &str = "frt_";

/// Stored like session tokens (`session::token_hash`), as hex text.
fn hash(token: &str) -> String {
    crate::server::auth::session::token_hash(token).iter().map(|b| format!("{b:02x}")).collect()
}

/// A token's life, in days: a year unless the admin says otherwise, at most two.
pub const DEFAULT_VALID_DAYS: i64 = 365;
const MAX_VALID_DAYS: i64 = 730;

/// Creates a token valid for `valid_days` and returns it; only its hash is kept.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, team_id = ?team_id))]
pub async fn create(db: &Db, actor: Actor<'_>, name: &str, team_id: Option<i64>, valid_days: i64) -> AppResult<String> {
    create_with_scope(db, actor, name, SCOPE_CLEARANCE, team_id, valid_days).await
}

/// Creates a token of one of the [`SCOPES`].
#[tracing::instrument(skip_all, fields(actor = ?actor.id, scope, team_id = ?team_id))]
pub async fn create_with_scope(
    db: &Db,
    actor: Actor<'_>,
    name: &str,
    scope: &str,
    team_id: Option<i64>,
    valid_days: i64,
) -> AppResult<String> {
    if !SCOPES.contains(&scope) {
        return Err(AppError::validation("scope", "error.choice_unknown"));
    }
    let name = name.trim();
    if !crate::server::text::is_name(name, 100) {
        return Err(AppError::validation("name", "error.name_invalid"));
    }
    if !(1..=MAX_VALID_DAYS).contains(&valid_days) {
        return Err(AppError::validation("valid_days", "error.valid_days_invalid"));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    let digest = hash(&token);
    let at = now();
    let expires_at = at + valid_days * 86_400;
    let mut tx = db.begin().await?;
    if let Some(t) = team_id {
        let ok =
            sqlx::query_scalar!("select count(*) as \"n!\" from teams where id = $1", t).fetch_one(&mut *tx).await?;
        if ok == 0 {
            return Err(AppError::validation("team_id", "error.team_unknown"));
        }
    }
    let id = sqlx::query_scalar!(
        r#"insert into api_tokens (name, token_hash, scope, team_id, created_by, created_at, expires_at)
           values ($1, $2, $3, $4, $5, $6, $7) returning id as "id!: i64""#,
        name,
        digest,
        scope,
        team_id,
        actor.id,
        at,
        expires_at
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, Event::by(actor, "api_token_created", "api_token", id).detail(name.to_string())).await?;
    tx.commit().await?;
    Ok(token)
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, id))]
pub async fn revoke(db: &Db, actor: Actor<'_>, id: i64) -> AppResult<()> {
    let at = now();
    let mut tx = db.begin().await?;
    let n = sqlx::query!("update api_tokens set revoked_at = $1 where id = $2 and revoked_at is null", at, id)
        .execute(&mut *tx)
        .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, Event::by(actor, "api_token_revoked", "api_token", id)).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn list(db: &Db) -> AppResult<Vec<TokenView>> {
    let rows = sqlx::query!(
        r#"select k.id, k.name, k.scope, t.name as "team?", t.name_en as "team_en?", k.created_at, k.revoked_at, k.last_used_at,
                  k.expires_at
           from api_tokens k left join teams t on t.id = k.team_id order by k.revoked_at is not null, k.id desc"#
    )
    .fetch_all(&db.read)
    .await?;
    let at = now();
    Ok(rows
        .into_iter()
        .map(|r| TokenView {
            id: r.id,
            name: r.name,
            scope: r.scope,
            team: r.team.map(|zh| Names::new(zh, r.team_en.unwrap_or_default())),
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            last_used_at: r.last_used_at,
            expires_at: r.expires_at,
            expired: r.expires_at.is_some_and(|e| at >= e),
        })
        .collect())
}

/// A valid token's grant: the teams it may see (`None`: every team).
#[derive(Debug, Clone)]
pub struct Grant {
    pub token_id: i64,
    pub teams: Option<Vec<i64>>,
}

/// Checks a bearer token for `scope`: unknown, revoked or expired tokens are `Unauthorized`, a
/// token without the scope `Forbidden`.
#[tracing::instrument(skip_all)]
pub async fn authenticate(db: &Db, bearer: &str, scope: &str) -> AppResult<Grant> {
    let token = bearer.trim();
    if !token.starts_with(PREFIX) {
        return Err(AppError::Unauthorized);
    }
    let digest = hash(token);
    let row = sqlx::query!(
        r#"select id as "id!: i64", scope, team_id, revoked_at, last_used_at, expires_at from api_tokens
           where token_hash = $1"#,
        digest
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::Unauthorized)?;
    let at = now();
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|e| at >= e) {
        return Err(AppError::Unauthorized);
    }
    if !row.scope.split(' ').any(|s| s == scope) {
        return Err(AppError::Forbidden);
    }
    // Recording use costs a write; once a minute per token is enough to see what is in use.
    if row.last_used_at.is_none_or(|t| at - t >= 60) {
        let mut tx = db.begin().await?;
        sqlx::query!("update api_tokens set last_used_at = $1 where id = $2", at, row.id).execute(&mut *tx).await?;
        tx.commit().await?;
    }
    let teams = match row.team_id {
        None => None,
        Some(t) => Some(
            sqlx::query_scalar!(
                r#"with recursive scope(id) as (select cast($1 as bigint) union select t.id from teams t join scope s on t.parent_id = s.id)
                   select id as "id!: i64" from scope"#,
                t
            )
            .fetch_all(&db.read)
            .await?,
        ),
    };
    Ok(Grant { token_id: row.id, teams })
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgramClearance {
    pub program: Names,
    pub level: Names,
    pub position: Names,
    pub status: &'static str,
    pub cleared: bool,
    pub certificate: Option<String>,
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Clearance {
    pub employee_no: String,
    pub name: String,
    pub team: Option<Names>,
    pub position: Option<Names>,
    /// Positions this person is cleared to work today.
    pub cleared_positions: Vec<Names>,
    pub programs: Vec<ProgramClearance>,
    pub as_of: String,
}

fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map(|t| t.to_rfc3339()).unwrap_or_default()
}

/// The clearance of each employee number the grant may see; numbers not found (or outside the
/// token's teams) are left out, so a caller cannot tell the two apart.
#[tracing::instrument(skip_all)]
pub async fn clearance(db: &Db, grant: &Grant, employee_nos: &[String]) -> AppResult<Vec<Clearance>> {
    let mut out = Vec::new();
    let at = now();
    for no in employee_nos {
        let Some(u) = sqlx::query!(
            r#"select u.id, u.display_name, u.position_id, x.name_zh as "position_zh?", x.name_en as "position_en?",
                      u.team_id, t.name as "team?", t.name_en as "team_en?"
               from users u left join teams t on t.id = u.team_id left join positions x on x.id = u.position_id
               where lower(u.employee_no) = lower($1) and u.active = 1"#,
            no
        )
        .fetch_optional(&db.read)
        .await?
        else {
            continue;
        };
        if let Some(teams) = &grant.teams {
            if !u.team_id.is_some_and(|t| teams.contains(&t)) {
                continue;
            }
        }
        let programs = sqlx::query!(
            r#"select p.name, p.name_en, coalesce(x.name_zh, '') as "position_zh!: String",
                      coalesce(x.name_en, '') as "position_en!: String", l.name_zh as level_zh, l.name_en as level_en, coalesce(c.status, 'not_started') as "status!: String",
                      k.number as "number?", k.expires_at as "expires_at?"
               from programs p
               join course_levels l on l.id = p.level_id
               left join positions x on x.id = p.position_id
               left join certifications c on c.program_id = p.id and c.user_id = $1
               left join certificates k on k.id = c.certificate_id
               where p.archived_at is null and (p.position_id = $2 or c.id is not null)
               order by p.level_id"#,
            u.id,
            u.position_id
        )
        .fetch_all(&db.read)
        .await?
        .into_iter()
        .map(|p| {
            let status = CertStatus::parse(&p.status).unwrap_or(CertStatus::NotStarted);
            ProgramClearance {
                program: Names::new(p.name, p.name_en),
                level: Names::new(p.level_zh, p.level_en),
                position: Names::new(p.position_zh, p.position_en),
                status: status.as_str(),
                cleared: status.cleared(),
                certificate: p.number.filter(|_| status.cleared()),
                expires_at: p.expires_at.filter(|_| status.cleared()).map(rfc3339),
            }
        })
        .collect::<Vec<_>>();
        let mut cleared_positions: Vec<Names> =
            programs.iter().filter(|p| p.cleared).map(|p| p.position.clone()).collect();
        cleared_positions.dedup();
        out.push(Clearance {
            employee_no: no.clone(),
            name: u.display_name,
            team: u.team.map(|zh| Names::new(zh, u.team_en.unwrap_or_default())),
            position: u.position_zh.zip(u.position_en).map(|(zh, en)| Names::new(zh, en)),
            cleared_positions,
            programs,
            as_of: rfc3339(at),
        });
    }
    Ok(out)
}
