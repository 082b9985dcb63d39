//! Signing in and out, and changing passwords: the plain services behind the auth server functions.

use crate::error::{AppError, AppResult};
use crate::server::audit::{self, Event};
use crate::server::auth::password::check_policy;
use crate::server::auth::throttle::{self, Client};
use crate::server::auth::{device, session};
use crate::server::state::AppState;

pub struct LoginRequest<'a> {
    /// An email address or an employee number.
    pub login: &'a str,
    pub password: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    /// The caller's current session, ended so every login gets a fresh token.
    pub previous_session: Option<i64>,
    /// The browser's device cookie, if it carries one.
    pub device: Option<&'a str>,
}

pub struct SignedIn {
    pub session: String,
    /// A new device token for the browser's cookie, when it was not yet trusted for this account.
    pub new_device: Option<String>,
}

/// The tokens are secrets: never in a log line.
impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignedIn { .. }")
    }
}

#[tracing::instrument(skip_all)]
pub async fn login(state: &AppState, req: LoginRequest<'_>) -> AppResult<SignedIn> {
    let login = req.login.trim();
    if login.is_empty() || req.password.is_empty() {
        return Err(AppError::validation("login", "error.bad_credentials"));
    }
    let lowered = login.to_lowercase();
    let user = sqlx::query!(
        r#"select id as "id!", password_hash, (active = 1) as "active!: bool" from users
           where email = $1 or lower(employee_no) = lower($2)"#,
        lowered,
        login
    )
    .fetch_optional(&state.db.read)
    .await?;
    // Trusted only for the account the device cookie was issued to.
    let device_owner = match req.device {
        Some(token) => device::owner(&state.db, token).await?,
        None => None,
    };
    let trusted = device_owner.is_some() && device_owner == user.as_ref().map(|u| u.id);
    let client = match req.device {
        Some(device) if trusted => Client::Trusted { device },
        _ => Client::Untrusted { ip: req.ip },
    };
    if let Err(retry_after_secs) = throttle::check(&state.db, login, client, throttle::now_ms()).await? {
        tracing::warn!(ip = req.ip, trusted, "login throttled");
        return Err(AppError::RateLimited { retry_after_secs });
    }

    let ok = state.passwords.verify(req.password, user.as_ref().map(|u| u.password_hash.clone())).await?;
    let mut tx = state.db.begin().await?;
    match user {
        Some(u) if ok && u.active => {
            throttle::record_success(&mut tx, login, client).await?;
            if let Some(old) = req.previous_session {
                session::end(&mut tx, old).await?;
            }
            let token = session::create(&mut tx, &state.config, u.id, req.ip, req.user_agent).await?;
            let new_device = match (client, req.device) {
                (Client::Trusted { .. }, Some(existing)) => {
                    device::touch(&mut tx, existing).await?;
                    None
                }
                _ => Some(device::issue(&mut tx, u.id).await?),
            };
            audit::record(
                &mut tx,
                Event {
                    actor: Some(u.id),
                    action: "login",
                    subject_type: "user",
                    subject_id: Some(u.id),
                    ip: req.ip,
                    ..Default::default()
                },
            )
            .await?;
            tx.commit().await?;
            Ok(SignedIn { session: token, new_device })
        }
        user => {
            throttle::record_failure(&mut tx, login, client, throttle::now_ms()).await?;
            // A disabled account gets the same answer as a wrong password.
            let reason = match &user {
                None => "unknown account",
                Some(u) if !u.active => "account disabled",
                Some(_) => "wrong password",
            };
            audit::record(
                &mut tx,
                Event {
                    actor: None,
                    action: "login_failed",
                    subject_type: "user",
                    subject_id: user.map(|u| u.id),
                    detail: reason.into(),
                    ip: req.ip,
                },
            )
            .await?;
            tx.commit().await?;
            Err(AppError::validation("login", "error.bad_credentials"))
        }
    }
}

#[tracing::instrument(skip_all, fields(user_id, session_id))]
pub async fn logout(state: &AppState, user_id: i64, session_id: i64, ip: &str) -> AppResult<()> {
    let mut tx = state.db.begin().await?;
    session::end(&mut tx, session_id).await?;
    audit::record(
        &mut tx,
        Event {
            actor: Some(user_id),
            action: "logout",
            subject_type: "user",
            subject_id: Some(user_id),
            ip,
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A user changes their own password; their other sessions end.
#[tracing::instrument(skip_all, fields(user_id, session_id))]
pub async fn change_password(
    state: &AppState,
    user_id: i64,
    session_id: i64,
    current: &str,
    new: &str,
    ip: &str,
) -> AppResult<()> {
    let u = sqlx::query!("select password_hash, email, display_name from users where id = $1", user_id)
        .fetch_one(&state.db.read)
        .await?;
    if !state.passwords.verify(current, Some(u.password_hash)).await? {
        return Err(AppError::validation("current_password", "error.current_password_wrong"));
    }
    check_policy(new, &[&u.email, &u.display_name])?;
    let hash = state.passwords.hash(new).await?;
    let now = crate::server::now();
    let mut tx = state.db.begin().await?;
    sqlx::query!("update users set password_hash = $1, password_changed_at = $2 where id = $3", hash, now, user_id)
        .execute(&mut *tx)
        .await?;
    session::end_all(&mut tx, user_id, Some(session_id)).await?;
    audit::record(
        &mut tx,
        Event {
            actor: Some(user_id),
            action: "password_changed",
            subject_type: "user",
            subject_id: Some(user_id),
            ip,
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
