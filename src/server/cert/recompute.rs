//! Storing the decision: `recompute` evaluates one person in one program and writes the status
//! (issuing a certificate when one is due, with an audit entry for every change), inside the
//! transaction of the event that caused it. Other domains say that something about a person
//! changed through [`person_changed`]; [`sweep`] handles time passing.

use rand::Rng;

use super::decision::{decide, Program};
use super::evidence::{evaluate, program, programs_for};
use crate::error::AppResult;
use crate::model::cert::CertStatus;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::{Conn, Db};

/// Something that happened to a person that can change their certification status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    EnrolledInCourse,
    CourseCompleted,
    JoinedPlan,
    AttendanceMarked,
    AttemptGraded,
    RoleplayFinal,
    FollowupCompleted,
    /// Position, roles or team: which programs apply and how long a certificate lasts.
    UserEdited,
}

impl Change {
    fn why(self) -> &'static str {
        match self {
            Change::EnrolledInCourse => "enrolled in a course",
            Change::CourseCompleted => "course completed",
            Change::JoinedPlan => "joined a training plan",
            Change::AttendanceMarked => "attendance marked",
            Change::AttemptGraded => "quiz attempt graded",
            Change::RoleplayFinal => "role-play result final",
            Change::FollowupCompleted => "follow-up completed",
            Change::UserEdited => "user changed",
        }
    }
}

/// The one call other domains make, inside their own transaction, when something about a person
/// changed: every program of theirs is re-evaluated, and each status change is audited as caused
/// by `by` and `change`.
#[tracing::instrument(skip_all, fields(user_id, actor = ?by.id, at))]
pub async fn person_changed(conn: &mut Conn, user_id: i64, change: Change, by: Actor<'_>, at: i64) -> AppResult<()> {
    let cause = Cause { actor: by.id, ip: by.ip, why: change.why(), reason: None };
    recompute_user(conn, user_id, at, cause).await
}

/// An unguessable certificate number: FR-<year>-XXXX-XXXX (no 0/O or 1/I).
fn certificate_number(at: i64) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let mut part = || (0..4).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect::<String>();
    let year = chrono::DateTime::from_timestamp(at, 0).map(|t| t.format("%Y").to_string()).unwrap_or_default();
    format!("FR-{year}-{}-{}", part(), part())
}

#[tracing::instrument(skip_all, fields(user_id, program_id, at))]
pub async fn issue(
    conn: &mut Conn,
    user_id: i64,
    program_id: i64,
    at: i64,
    expires_at: i64,
    by: Option<i64>,
    exemption: Option<&str>,
) -> AppResult<i64> {
    let number = certificate_number(at);
    let (exempted, reason) = (exemption.is_some(), exemption.unwrap_or(""));
    let exempted_flag = i64::from(exempted);
    let id = sqlx::query_scalar!(
        r#"insert into certificates (number, user_id, program_id, issued_at, expires_at, exempted, reason, issued_by)
           values ($1, $2, $3, $4, $5, $6, $7, $8) returning id as "id!: i64""#,
        number,
        user_id,
        program_id,
        at,
        expires_at,
        exempted_flag,
        reason,
        by
    )
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        Event {
            actor: by,
            action: "certificate_issued",
            subject_type: "certificate",
            subject_id: Some(id),
            detail: format!("{number} user {user_id} program {program_id}"),
            ip: "",
        },
    )
    .await?;
    Ok(id)
}

/// Why a status changed, for the audit entry.
#[derive(Debug, Clone, Copy)]
pub struct Cause<'a> {
    pub actor: Option<i64>,
    pub ip: &'a str,
    /// What happened, e.g. "attempt 12 graded", "scheduled check".
    pub why: &'a str,
    /// A manual decision's reason.
    pub reason: Option<&'a str>,
}

/// Re-evaluates one person in one program and stores the result; a change of status writes an
/// audit entry with before and after, and issues a certificate when one is due.
#[tracing::instrument(skip_all, fields(user_id, at))]
pub async fn recompute(conn: &mut Conn, user_id: i64, p: &Program, at: i64, cause: Cause<'_>) -> AppResult<CertStatus> {
    let e = evaluate(conn, user_id, p, at).await?;
    let (status, issue_until) = decide(&e.facts);
    // The certificate the status refers to: a new one, else the latest valid one, else the one
    // last held (expired or revoked), so a reinstatement knows which to restore.
    let certificate = match issue_until {
        Some(expires) => Some(issue(conn, user_id, p.id, at, expires, None, None).await?),
        None => {
            sqlx::query_scalar!(
                r#"select id as "id!: i64" from certificates where user_id = $1 and program_id = $2
               order by revoked_at is null desc, expires_at desc limit 1"#,
                user_id,
                p.id
            )
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let before =
        sqlx::query_scalar!("select status from certifications where user_id = $1 and program_id = $2", user_id, p.id)
            .fetch_optional(&mut *conn)
            .await?
            .and_then(|s| CertStatus::parse(&s));
    if e.reassess_passed {
        sqlx::query!(
            "update certifications set reassess_since = null, reassess_followup_id = null
             where user_id = $1 and program_id = $2",
            user_id,
            p.id
        )
        .execute(&mut *conn)
        .await?;
    }
    let s = status.as_str();
    let next_step = match e.missing().first() {
        Some(n) => Some(serde_json::to_string(n).map_err(crate::error::internal)?),
        None => None,
    };
    sqlx::query!(
        "insert into certifications (user_id, program_id, status, certificate_id, updated_at, next_step)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (user_id, program_id) do update set status = excluded.status,
             certificate_id = excluded.certificate_id, updated_at = excluded.updated_at,
             next_step = excluded.next_step",
        user_id,
        p.id,
        s,
        certificate,
        at,
        next_step
    )
    .execute(&mut *conn)
    .await?;
    if before != Some(status) || issue_until.is_some() {
        let detail = serde_json::json!({
            "program": p.name,
            "program_id": p.id,
            "before": before.map(CertStatus::as_str),
            "after": s,
            "why": cause.why,
            "reason": cause.reason,
            "met": e.checks.iter().filter(|c| c.met).map(|c| c.title.clone()).collect::<Vec<_>>(),
            "missing": e.checks.iter().filter(|c| !c.met).map(|c| c.title.clone()).collect::<Vec<_>>(),
        });
        audit::record(
            conn,
            Event {
                actor: cause.actor,
                action: "certification_status",
                subject_type: "user",
                subject_id: Some(user_id),
                detail: detail.to_string(),
                ip: cause.ip,
            },
        )
        .await?;
        if matches!(status, CertStatus::Expiring | CertStatus::Expired | CertStatus::Reassess) {
            if let Some(cert) = certificate {
                super::notify::queue(conn, user_id, cert, status, at).await?;
            }
        }
    }
    Ok(status)
}

/// Re-evaluates every program of one person (lower levels first, so a higher level sees the
/// prerequisite's new status).
#[tracing::instrument(skip_all, fields(user_id, at))]
pub async fn recompute_user(conn: &mut Conn, user_id: i64, at: i64, cause: Cause<'_>) -> AppResult<()> {
    for p in programs_for(conn, user_id).await? {
        recompute(conn, user_id, &p, at, cause).await?;
    }
    crate::server::analytics::summary::person(conn, user_id).await
}

/// Time passing: everyone whose renewal window has opened or whose certificate has run out is
/// re-evaluated. Idempotent: a second run (or a run after downtime) finds nothing more to do.
/// Returns how many statuses changed.
#[tracing::instrument(skip_all, fields(at))]
pub async fn sweep(db: &Db, at: i64) -> AppResult<usize> {
    let due = sqlx::query!(
        r#"select c.user_id, c.program_id, c.status
           from certifications c
           join programs p on p.id = c.program_id
           join certificates k on k.id = c.certificate_id
           where c.hold is null and (
               (c.status = 'certified' and k.expires_at - p.window_days * 86400 <= $1)
               or (c.status = 'expiring' and k.expires_at <= $1))"#,
        at
    )
    .fetch_all(&db.read)
    .await?;
    let mut changed = 0;
    for d in due {
        let mut tx = db.begin().await?;
        let p = program(&mut tx, d.program_id).await?;
        let cause = Cause { actor: None, ip: "", why: "scheduled check", reason: None };
        let after = recompute(&mut tx, d.user_id, &p, at, cause).await?;
        if after.as_str() != d.status {
            changed += 1;
            // A higher level may depend on this one.
            recompute_user(&mut tx, d.user_id, at, cause).await?;
        } else {
            // The same status with a renewed certificate moves the person's expiry.
            crate::server::analytics::summary::person(&mut tx, d.user_id).await?;
        }
        tx.commit().await?;
    }
    Ok(changed)
}
