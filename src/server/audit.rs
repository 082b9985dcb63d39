//! The append-only security audit log. Entries are written inside the transaction of the change
//! they describe, so a change and its record commit or roll back together.

use sqlx::SqliteConnection;

use crate::error::AppResult;
use crate::server::now;
use crate::server::user::Actor;

#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub actor: Option<i64>,
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<i64>,
    pub detail: String,
    pub ip: &'a str,
}

impl<'a> Event<'a> {
    /// `actor` did `action` to one subject.
    pub fn by(actor: Actor<'a>, action: &'a str, subject_type: &'a str, subject_id: i64) -> Self {
        Event {
            actor: actor.id,
            action,
            subject_type,
            subject_id: Some(subject_id),
            detail: String::new(),
            ip: actor.ip,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

pub async fn record(conn: &mut SqliteConnection, e: Event<'_>) -> AppResult<()> {
    let at = now();
    sqlx::query!(
        "insert into audit_log (at, actor_id, action, subject_type, subject_id, detail, ip)
         values (?, ?, ?, ?, ?, ?, ?)",
        at,
        e.actor,
        e.action,
        e.subject_type,
        e.subject_id,
        e.detail,
        e.ip
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
