//! People's certification status with its reasons, manual decisions, and the floor roster.

use super::evidence;
use super::recompute::{self, Cause};
use crate::error::{AppError, AppResult};
use crate::model::cert::{CertStatus, CertificateRef, Decision, PersonStatus, RosterRow, StatusEvent, StatusView};
use crate::model::user::Role;
use crate::server::audit::Actor;
use crate::server::auth::guard::{visible_team_ids, CurrentUser};
use crate::server::db::Db;
use crate::server::now;

/// Who may see a person's status: the person, trainers, admins, and managers of their team.
/// Who may decide: admins and those managers, never for themselves.
async fn access(db: &Db, caller: &CurrentUser, user_id: i64) -> AppResult<(bool, bool)> {
    let team = sqlx::query_scalar!("select team_id from users where id = ?", user_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    let manages = caller.has(Role::Manager)
        && match team {
            Some(t) => visible_team_ids(db, caller.id).await?.contains(&t),
            None => false,
        };
    let decide = caller.id != user_id && (caller.has(Role::Admin) || manages);
    let see = decide || caller.id == user_id || caller.has(Role::Trainer) || caller.has(Role::Admin) || manages;
    if !see {
        tracing::warn!(user_id = caller.id, subject = user_id, "denied: certification out of scope");
        return Err(AppError::Forbidden);
    }
    Ok((see, decide))
}

/// A person's programs with the stored status and the reasons, and their status history.
#[tracing::instrument(skip_all, fields(caller = caller.id, user_id))]
pub async fn person(db: &Db, caller: &CurrentUser, user_id: i64) -> AppResult<PersonStatus> {
    let (_, can_decide) = access(db, caller, user_id).await?;
    let at = now();
    let mut conn = db.read.acquire().await?;
    let u = sqlx::query!(
        r#"select u.display_name, u.employee_no, u.position, coalesce(t.name, '') as "team!: String"
           from users u left join teams t on t.id = u.team_id where u.id = ?"#,
        user_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut programs = Vec::new();
    for p in evidence::programs_for(&mut conn, user_id).await? {
        let e = evidence::evaluate(&mut conn, user_id, &p, at).await?;
        let row = sqlx::query!(
            r#"select c.status, c.hold_reason, k.number as "number?", k.issued_at as "issued_at?", k.expires_at as "expires_at?",
                      k.exempted as "exempted?"
               from certifications c left join certificates k on k.id = c.certificate_id
               where c.user_id = ? and c.program_id = ?"#,
            user_id,
            p.id
        )
        .fetch_optional(&mut *conn)
        .await?;
        let level = sqlx::query!(
            "select l.name_zh || ' ' || l.name_en as level, p.position from programs p join course_levels l on l.id = p.level_id where p.id = ?",
            p.id
        )
        .fetch_one(&mut *conn)
        .await?;
        let (status, hold_reason, certificate) = match row {
            Some(r) => {
                let cert = match (r.number, r.issued_at, r.expires_at) {
                    (Some(number), Some(issued_at), Some(expires_at)) => {
                        Some(CertificateRef { number, issued_at, expires_at, exempted: r.exempted == Some(1) })
                    }
                    _ => None,
                };
                (CertStatus::parse(&r.status).unwrap_or(CertStatus::NotStarted), r.hold_reason, cert)
            }
            None => (CertStatus::NotStarted, String::new(), None),
        };
        programs.push(StatusView {
            program_id: p.id,
            program: p.name.clone(),
            level: level.level,
            position: level.position,
            status,
            certificate,
            hold_reason,
            phase: e.phase,
            checks: e.checks,
            prerequisite: e.prerequisite,
            window_opens_at: e.window_opens_at,
        });
    }
    let history = sqlx::query!(
        r#"select a.at, a.detail, u.display_name as "actor?"
           from audit_log a left join users u on u.id = a.actor_id
           where a.action = 'certification_status' and a.subject_type = 'user' and a.subject_id = ?
           order by a.id desc limit 50"#,
        user_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter_map(|r| {
        let d: serde_json::Value = serde_json::from_str(&r.detail).ok()?;
        let text = |k: &str| d.get(k).and_then(|v| v.as_str()).map(String::from);
        Some(StatusEvent {
            at: r.at,
            actor: r.actor,
            program: text("program").unwrap_or_default(),
            before: text("before").as_deref().and_then(CertStatus::parse),
            after: text("after").as_deref().and_then(CertStatus::parse)?,
            why: text("reason")
                .map(|r| format!("{} — {r}", text("why").unwrap_or_default()))
                .or_else(|| text("why"))
                .unwrap_or_default(),
        })
    })
    .collect();
    Ok(PersonStatus {
        user_id,
        display_name: u.display_name,
        employee_no: u.employee_no,
        position: u.position,
        team: u.team,
        programs,
        history,
        can_decide,
    })
}

/// A manual decision by an admin or a manager of the person's team, with a reason; the status
/// change and its audit entry commit together.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = caller.id, user_id, program_id))]
pub async fn decide(
    db: &Db,
    actor: Actor<'_>,
    caller: &CurrentUser,
    user_id: i64,
    program_id: i64,
    decision: Decision,
    reason: &str,
) -> AppResult<CertStatus> {
    let (_, can_decide) = access(db, caller, user_id).await?;
    if !can_decide {
        tracing::warn!(user_id = caller.id, subject = user_id, "denied: manual certification decision");
        return Err(AppError::Forbidden);
    }
    let reason = reason.trim();
    if reason.chars().count() < 3 {
        return Err(AppError::validation("reason", "error.reason_required"));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::validation("reason", "error.text_too_long"));
    }
    let at = now();
    let mut tx = db.begin().await?;
    let p = evidence::program(&mut tx, program_id).await?;
    // Make sure the row exists with the current computed status before changing it.
    let cause = Cause { actor: actor.id, ip: actor.ip, why: "before a manual decision", reason: None };
    let current = recompute::recompute(&mut tx, user_id, &p, at, cause).await?;
    match decision {
        Decision::Exempt => {
            if current.cleared() || matches!(current, CertStatus::Suspended | CertStatus::Revoked) {
                return Err(AppError::validation("decision", "error.decision_not_applicable"));
            }
            let expires = at + p.validity_days * 86_400;
            recompute::issue(&mut tx, user_id, p.id, at, expires, actor.id, Some(reason)).await?;
        }
        Decision::Suspend | Decision::Revoke => {
            if matches!(current, CertStatus::Revoked)
                || (decision == Decision::Suspend && current == CertStatus::Suspended)
            {
                return Err(AppError::validation("decision", "error.decision_not_applicable"));
            }
            let hold = if decision == Decision::Revoke { "revoked" } else { "suspended" };
            sqlx::query!(
                "update certifications set hold = ?, hold_reason = ? where user_id = ? and program_id = ?",
                hold,
                reason,
                user_id,
                program_id
            )
            .execute(&mut *tx)
            .await?;
            if decision == Decision::Revoke {
                sqlx::query!(
                    "update certificates set revoked_at = ? where user_id = ? and program_id = ? and revoked_at is null",
                    at,
                    user_id,
                    program_id
                )
                .execute(&mut *tx)
                .await?;
            }
        }
        Decision::Reinstate => {
            if !matches!(current, CertStatus::Suspended | CertStatus::Revoked) {
                return Err(AppError::validation("decision", "error.decision_not_applicable"));
            }
            if current == CertStatus::Revoked {
                // The certificate revoked with the decision comes back (it may since have expired).
                sqlx::query!(
                    "update certificates set revoked_at = null where id = (select certificate_id from certifications
                      where user_id = ? and program_id = ?)",
                    user_id,
                    program_id
                )
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query!(
                "update certifications set hold = null, hold_reason = '' where user_id = ? and program_id = ?",
                user_id,
                program_id
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    let why = format!("manual: {}", decision.as_str());
    let cause = Cause { actor: actor.id, ip: actor.ip, why: &why, reason: Some(reason) };
    let after = recompute::recompute(&mut tx, user_id, &p, at, cause).await?;
    // A higher level may depend on this one.
    recompute::recompute_user(&mut tx, user_id, at, Cause { why: "prerequisite changed", reason: None, ..cause })
        .await?;
    tx.commit().await?;
    Ok(after)
}

/// The floor roster: every person in the caller's teams (all for admins) with each program's
/// status, expiry and what is missing. `within_days` keeps only those expiring that soon.
#[tracing::instrument(skip_all, fields(caller = caller.id))]
pub async fn roster(db: &Db, caller: &CurrentUser, within_days: Option<i64>) -> AppResult<Vec<RosterRow>> {
    let all = caller.has(Role::Admin);
    let teams = serde_json::to_string(&visible_team_ids(db, caller.id).await?).map_err(crate::error::internal)?;
    let at = now();
    let rows = sqlx::query!(
        r#"select u.id as "user_id!: i64", u.display_name, u.employee_no, u.position, coalesce(t.name, '') as "team!: String",
                  p.id as "program_id!: i64", p.name as program, l.name_zh || ' ' || l.name_en as "level!: String",
                  coalesce(c.status, 'not_started') as "status!: String", c.hold_reason as "hold_reason?",
                  k.expires_at as "expires_at?"
           from users u
           left join teams t on t.id = u.team_id
           join programs p on p.archived_at is null and (lower(trim(p.position)) = lower(trim(u.position))
                or exists (select 1 from certifications x where x.user_id = u.id and x.program_id = p.id))
           join course_levels l on l.id = p.level_id
           left join certifications c on c.user_id = u.id and c.program_id = p.id
           left join certificates k on k.id = c.certificate_id
           where u.active = 1 and (?1 or u.team_id in (select value from json_each(?2)))
           order by t.name, u.display_name, p.level_id"#,
        all,
        teams
    )
    .fetch_all(&db.read)
    .await?;
    let mut conn = db.read.acquire().await?;
    let mut out = Vec::new();
    // Looked up once per program, not per row.
    let mut programs: std::collections::HashMap<i64, super::decision::Program> = std::collections::HashMap::new();
    let mut not_started: std::collections::HashMap<i64, Asks> = std::collections::HashMap::new();
    for r in rows {
        let status = CertStatus::parse(&r.status).unwrap_or(CertStatus::NotStarted);
        if let Some(days) = within_days {
            let soon = status.cleared() && r.expires_at.is_some_and(|e| e <= at + days * 86_400);
            if !soon {
                continue;
            }
        }
        let missing = if status.cleared() && status != CertStatus::Expiring {
            Vec::new()
        } else if status == CertStatus::NotStarted {
            // Nothing started: every requirement is missing, the same for everyone in the
            // program, so they are looked up once (most of a large roster is often here).
            if let std::collections::hash_map::Entry::Vacant(slot) = not_started.entry(r.program_id) {
                slot.insert(everything_for(&mut conn, r.program_id).await?);
            }
            let (requires, titles) = &not_started[&r.program_id];
            let mut m = titles.clone();
            if let Some((req, name)) = requires {
                let cleared = sqlx::query_scalar!(
                    "select count(*) from certifications where user_id = ? and program_id = ? and status in ('certified', 'expiring')",
                    r.user_id,
                    req
                )
                .fetch_one(&mut *conn)
                .await?;
                if cleared == 0 {
                    m.insert(0, name.clone());
                }
            }
            m
        } else {
            if let std::collections::hash_map::Entry::Vacant(slot) = programs.entry(r.program_id) {
                slot.insert(evidence::program(&mut conn, r.program_id).await?);
            }
            evidence::evaluate(&mut conn, r.user_id, &programs[&r.program_id], at).await?.missing()
        };
        out.push(RosterRow {
            user_id: r.user_id,
            display_name: r.display_name,
            employee_no: r.employee_no,
            team: r.team,
            position: r.position,
            program: r.program,
            level: r.level,
            status,
            expires_at: r.expires_at,
            missing,
            hold_reason: r.hold_reason.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// A program's required program (id, name) and the titles of what it asks to certify.
type Asks = (Option<(i64, String)>, Vec<String>);

async fn everything_for(conn: &mut sqlx::SqliteConnection, program_id: i64) -> AppResult<Asks> {
    let p = evidence::program(conn, program_id).await?;
    let requires = match p.requires {
        Some(id) => {
            Some((id, sqlx::query_scalar!("select name from programs where id = ?", id).fetch_one(&mut *conn).await?))
        }
        None => None,
    };
    let mut titles = Vec::new();
    for r in
        evidence::requirements(conn, program_id).await?.iter().filter(|r| r.phase == crate::model::cert::Phase::Initial)
    {
        // With no person (id 0) the check finds no evidence and only names the requirement.
        titles.push(evidence::check(conn, 0, r, 0).await?.check.title);
    }
    Ok((requires, titles))
}

fn day(t: Option<i64>) -> String {
    t.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

const HEADER: [&str; 9] =
    ["employee_no", "name", "team", "position", "program", "level", "status", "cleared", "expires"];

fn cells(r: &RosterRow) -> [String; 10] {
    [
        r.employee_no.clone(),
        r.display_name.clone(),
        r.team.clone(),
        r.position.clone(),
        r.program.clone(),
        r.level.clone(),
        r.status.as_str().to_string(),
        if r.status.cleared() { "yes" } else { "no" }.to_string(),
        day(r.expires_at),
        if r.hold_reason.is_empty() { r.missing.join("; ") } else { r.hold_reason.clone() },
    ]
}

fn roster_table(rows: &[RosterRow]) -> crate::server::spreadsheet::Table {
    let mut header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    header.push("missing_or_reason".into());
    crate::server::spreadsheet::Table {
        sheet: "Roster".into(),
        header,
        rows: rows.iter().map(|r| cells(r).to_vec()).collect(),
    }
}

pub fn roster_csv(rows: &[RosterRow]) -> AppResult<Vec<u8>> {
    roster_table(rows).csv()
}

pub fn roster_xlsx(rows: &[RosterRow]) -> AppResult<Vec<u8>> {
    roster_table(rows).xlsx()
}

#[cfg(test)]
mod export_tests {
    use super::*;
    use crate::model::cert::{CertStatus, RosterRow};

    #[test]
    fn the_roster_export_keeps_formulas_plain() {
        let row = RosterRow {
            user_id: 1,
            display_name: "李娜".into(),
            employee_no: "E1".into(),
            team: "T".into(),
            position: "P".into(),
            program: "=HYPERLINK(\"https://evil.example\",\"open\")".into(),
            level: "L".into(),
            status: CertStatus::Suspended,
            expires_at: None,
            missing: Vec::new(),
            hold_reason: "@cmd".into(),
        };
        let csv = String::from_utf8(roster_csv(std::slice::from_ref(&row)).unwrap()).unwrap();
        assert!(csv.contains("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"open\"\")\""), "{csv}");
        assert!(csv.contains(",'@cmd"), "{csv}");
        assert!(!roster_xlsx(&[row]).unwrap().is_empty());
    }
}
