//! The append-only security audit log. Entries are written inside the transaction of the change
//! they describe, so a change and its record commit or roll back together.

use crate::error::{AppError, AppResult};
use crate::i18n::Zone;
use crate::model::audit::{AuditEntry, AuditLog, AuditQuery, ChainState, AUDIT_PER_PAGE};
use crate::server::db::Conn;
use crate::server::now;

/// Who is making a change, for the audit log.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: Option<i64>,
    pub ip: &'a str,
}

impl Actor<'static> {
    /// The server itself (a scheduled sweep), not a person.
    pub const SYSTEM: Actor<'static> = Actor { id: None, ip: "" };
}

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

/// Appends an entry. Its hash covers its fields and the previous entry's hash, so editing,
/// deleting or reordering any entry breaks the chain from there on (see `verify`). Writers append
/// one at a time, so the previous hash read here is the last one committed: SQLite has a single
/// writer (`BEGIN IMMEDIATE`); on PostgreSQL the chain's lock is held to the transaction's end.
#[tracing::instrument(skip_all)]
pub async fn record(conn: &mut Conn, e: Event<'_>) -> AppResult<()> {
    let at = now();
    #[cfg(feature = "postgres")]
    sqlx::query("select pg_advisory_xact_lock($1)")
        .bind(crate::server::db::locks::AUDIT_CHAIN)
        .execute(&mut *conn)
        .await?;
    let prev = sqlx::query_scalar!("select hash from audit_log order by id desc limit 1")
        .fetch_optional(&mut *conn)
        .await?
        .flatten()
        .unwrap_or_default();
    let hash = chain_hash(&prev, at, &e);
    sqlx::query!(
        "insert into audit_log (at, actor_id, action, subject_type, subject_id, detail, ip, hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        at,
        e.actor,
        e.action,
        e.subject_type,
        e.subject_id,
        e.detail,
        e.ip,
        hash
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// SHA-256 over the previous entry's hash, the time and the entry's fields.
fn chain_hash(prev: &str, at: i64, e: &Event<'_>) -> String {
    use sha2::{Digest, Sha256};
    // A JSON array keeps field boundaries unambiguous.
    let canonical =
        serde_json::json!([prev, at, e.actor, e.action, e.subject_type, e.subject_id, e.detail, e.ip]).to_string();
    Sha256::digest(canonical.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chain {
    /// Every entry checked out; the count of hashed entries.
    Intact(u64),
    /// The first entry whose hash does not match its content and predecessor.
    BrokenAt(i64),
}

/// Recomputes the chain from the first entry. Entries written before the chain existed (no hash)
/// are accepted only before the first hashed one.
#[tracing::instrument(skip_all)]
pub async fn verify(db: &crate::server::db::Db) -> AppResult<Chain> {
    use sqlx::Row;
    let mut prev: Option<String> = None;
    let mut checked = 0u64;
    let mut after = i64::MIN;
    // In pages, so a long log is checked in constant memory.
    loop {
        let page = sqlx::query(
            "select id, at, actor_id, action, subject_type, subject_id, detail, ip, hash from audit_log
             where id > $1 order by id limit 1000",
        )
        .bind(after)
        .fetch_all(&db.read)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.get("id");
        for r in page {
            let id: i64 = r.get("id");
            let Some(hash) = r.get::<Option<String>, _>("hash") else {
                if prev.is_some() {
                    return Ok(Chain::BrokenAt(id));
                }
                continue;
            };
            let (action, subject_type, ip): (String, String, String) =
                (r.get("action"), r.get("subject_type"), r.get("ip"));
            let entry = Event {
                actor: r.get("actor_id"),
                action: &action,
                subject_type: &subject_type,
                subject_id: r.get("subject_id"),
                detail: r.get("detail"),
                ip: &ip,
            };
            let expected = chain_hash(prev.as_deref().unwrap_or(""), r.get("at"), &entry);
            if expected != hash {
                return Ok(Chain::BrokenAt(id));
            }
            prev = Some(hash);
            checked += 1;
        }
    }
    Ok(Chain::Intact(checked))
}

/// One page of the log, newest first, narrowed by `q`; days are read on `zone`'s clock. The chain
/// is verified on every read, so the page says whether what it shows can be trusted.
#[tracing::instrument(skip_all)]
pub async fn list(db: &crate::server::db::Db, q: &AuditQuery, zone: Zone) -> AppResult<AuditLog> {
    use crate::server::text;
    let person = text::line("person", &q.person, text::SEARCH)?;
    let pattern = format!("%{}%", text::like_literal(&person));
    let action = text::line("action", &q.action, text::NAME)?;
    let day = |field: &str, value: &str, next: bool| -> AppResult<Option<i64>> {
        match value.trim() {
            "" => Ok(None),
            v => {
                let d = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| AppError::validation(field, "error.date_invalid"))?;
                let d = if next { d.succ_opt().unwrap_or(d) } else { d };
                Ok(zone.moment(d.and_time(chrono::NaiveTime::MIN)))
            }
        }
    };
    let (from, until) = (day("from", &q.from, false)?, day("to", &q.to, true)?);
    if let (Some(f), Some(u)) = (from, until) {
        if u <= f {
            return Err(AppError::validation("to", "error.window_invalid"));
        }
    }
    let page = match q.page.trim() {
        "" => 0,
        p => p.parse::<u32>().ok().filter(|p| *p >= 1).ok_or(AppError::validation("page", "error.number_invalid"))? - 1,
    };
    let offset = i64::from(page) * AUDIT_PER_PAGE;
    let rows = sqlx::query!(
        r#"select a.id as "id!: i64", a.at, a.action, a.subject_type, a.subject_id, a.detail, a.ip,
                  u.display_name as "actor_name?", u.employee_no as "actor_no?",
                  s.display_name as "subject_name?", s.employee_no as "subject_no?",
                  count(*) over () as "total!: i64"
           from audit_log a
           left join users u on u.id = a.actor_id
           left join users s on a.subject_type = 'user' and s.id = a.subject_id
           where ($1 = '' or lower(u.display_name) like lower($2) escape '\' or lower(u.employee_no) like lower($2) escape '\'
                  or lower(s.display_name) like lower($2) escape '\' or lower(s.employee_no) like lower($2) escape '\')
             and ($3 = '' or a.action = $3)
             and (cast($4 as bigint) is null or a.at >= $4) and (cast($5 as bigint) is null or a.at < $5)
           order by a.id desc limit $6 offset $7"#,
        person,
        pattern,
        action,
        from,
        until,
        AUDIT_PER_PAGE,
        offset
    )
    .fetch_all(&db.read)
    .await?;
    let total = rows.first().map(|r| r.total).unwrap_or(0);
    let named = |name: Option<String>, no: Option<String>| name.map(|n| format!("{n} ({})", no.unwrap_or_default()));
    let entries = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at,
            actor: named(r.actor_name, r.actor_no),
            action: r.action,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            subject_person: named(r.subject_name, r.subject_no),
            detail: r.detail,
            ip: r.ip,
        })
        .collect();
    let actions =
        sqlx::query_scalar!("select distinct action from audit_log order by action").fetch_all(&db.read).await?;
    let chain = match verify(db).await? {
        Chain::Intact(checked) => ChainState::Intact { checked },
        Chain::BrokenAt(id) => ChainState::BrokenAt { id },
    };
    let pages = (total as u64).div_ceil(AUDIT_PER_PAGE as u64).max(1) as u32;
    Ok(AuditLog { entries, total, page, pages, actions, chain })
}
