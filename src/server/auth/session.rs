//! Server-side sessions: the cookie holds a random token, the database only its SHA-256.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::guard::{roles_of, CurrentUser};
use crate::error::AppResult;
use crate::i18n::Locale;
use crate::server::config::Config;
use crate::server::db::{Conn, Db};
use crate::server::now;

/// Writes of `last_seen_at` are skipped if the last one is this recent: a page load is not a write.
const TOUCH_EVERY_SECS: i64 = 60;

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Starts a session for `user_id` and returns the token for the cookie.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn create(conn: &mut Conn, config: &Config, user_id: i64, ip: &str, user_agent: &str) -> AppResult<String> {
    let token = new_token();
    let hash = token_hash(&token);
    let now = now();
    let expires = now + config.session_absolute.as_secs() as i64;
    let user_agent: String = user_agent.chars().take(200).collect();
    sqlx::query!(
        "insert into sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
         values ($1, $2, $3, $4, $5, $6, $7)",
        hash,
        user_id,
        now,
        now,
        expires,
        ip,
        user_agent
    )
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// The user behind a session token, if the session is live and the user active.
/// Expired sessions are deleted on sight; a live one has its idle clock reset.
#[tracing::instrument(skip_all)]
pub async fn resolve(db: &Db, config: &Config, token: &str) -> AppResult<Option<CurrentUser>> {
    let hash = token_hash(token);
    let now = now();
    let row = sqlx::query!(
        r#"select s.id as "session_id!", s.last_seen_at, s.expires_at, u.id as "user_id!", u.display_name,
                  u.email, u.employee_no, u.locale, (u.active = 1) as "active!: bool"
           from sessions s join users u on u.id = s.user_id
           where s.token_hash = $1"#,
        hash
    )
    .fetch_optional(&db.read)
    .await?;
    let Some(row) = row else { return Ok(None) };

    let idle_limit = row.last_seen_at + config.session_idle.as_secs() as i64;
    if !row.active || now >= row.expires_at || now >= idle_limit {
        sqlx::query!("delete from sessions where id = $1", row.session_id).execute(&db.write).await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_EVERY_SECS {
        sqlx::query!("update sessions set last_seen_at = $1 where id = $2", now, row.session_id)
            .execute(&db.write)
            .await?;
    }
    let roles = roles_of(&db.read, row.user_id).await?;
    Ok(Some(CurrentUser {
        id: row.user_id,
        session_id: row.session_id,
        display_name: row.display_name,
        email: row.email,
        employee_no: row.employee_no,
        locale: Locale::parse(&row.locale).unwrap_or_default(),
        roles,
    }))
}

#[tracing::instrument(skip_all, fields(session_id))]
pub async fn end(conn: &mut Conn, session_id: i64) -> AppResult<()> {
    sqlx::query!("delete from sessions where id = $1", session_id).execute(&mut *conn).await?;
    Ok(())
}

/// Ends every session of a user, e.g. when they are disabled or their password is reset.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn end_all(conn: &mut Conn, user_id: i64, except_session: Option<i64>) -> AppResult<()> {
    let keep = except_session.unwrap_or(-1);
    sqlx::query!("delete from sessions where user_id = $1 and id <> $2", user_id, keep).execute(&mut *conn).await?;
    Ok(())
}

/// The `Set-Cookie` value that carries `token`; `None` clears the cookie.
pub fn cookie(config: &Config, token: Option<&str>) -> String {
    let name = config.session_cookie_name();
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    match token {
        Some(t) => format!("{name}={t}; Path=/; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}
