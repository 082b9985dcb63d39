//! Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies"): a browser where
//! someone signed in successfully carries a random token naming that account. Failed guesses from
//! other clients never lock such a browser out; see `throttle`.

use super::session::{new_token, token_hash};
use crate::error::AppResult;
use crate::server::config::Config;
use crate::server::db::{Conn, Db};
use crate::server::now;

/// A person keeps at most this many trusted browsers; the least recently used go first.
const PER_USER: i64 = 10;
const MAX_AGE_SECS: i64 = 365 * 24 * 3600;

pub fn cookie_name(config: &Config) -> &'static str {
    if config.secure_cookies {
        "__Host-floorready_device"
    } else {
        "floorready_device"
    }
}

/// The account a device token was issued to, if it is still valid.
#[tracing::instrument(skip_all)]
pub async fn owner(db: &Db, token: &str) -> AppResult<Option<i64>> {
    let hash = token_hash(token);
    let oldest = now() - MAX_AGE_SECS;
    Ok(sqlx::query_scalar!(
        "select user_id from trusted_devices where token_hash = $1 and last_used_at > $2",
        hash,
        oldest
    )
    .fetch_optional(&db.read)
    .await?)
}

/// Marks this browser as trusted for `user_id` and returns the token for its cookie.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn issue(conn: &mut Conn, user_id: i64) -> AppResult<String> {
    let token = new_token();
    let hash = token_hash(&token);
    let now = now();
    sqlx::query!(
        "insert into trusted_devices (token_hash, user_id, created_at, last_used_at) values ($1, $2, $3, $4)",
        hash,
        user_id,
        now,
        now
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "delete from trusted_devices where user_id = $1 and token_hash not in
           (select token_hash from trusted_devices where user_id = $1 order by last_used_at desc limit $2)",
        user_id,
        PER_USER
    )
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

#[tracing::instrument(skip_all)]
pub async fn touch(conn: &mut Conn, token: &str) -> AppResult<()> {
    let hash = token_hash(token);
    let now = now();
    sqlx::query!("update trusted_devices set last_used_at = $1 where token_hash = $2", now, hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// When an admin resets a password (the account may be in the wrong hands), no browser stays trusted.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn forget_all(conn: &mut Conn, user_id: i64) -> AppResult<()> {
    sqlx::query!("delete from trusted_devices where user_id = $1", user_id).execute(&mut *conn).await?;
    Ok(())
}

pub fn cookie(config: &Config, token: &str) -> String {
    let name = cookie_name(config);
    let secure = if config.secure_cookies { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{secure}")
}
