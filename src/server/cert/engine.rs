//! The status engine: for each person and program, which requirements are met (with evidence),
//! and the status that follows. `recompute_user` runs inside the transaction of every event that
//! can change a status (lesson completion, grading, role-play result, attendance, manual
//! decision) and `sweep` handles time passing; both write an audit entry for every change.

use rand::Rng;
use sqlx::SqliteConnection;

use crate::error::{AppError, AppResult};
use crate::model::cert::{CertStatus, Check, Phase, ReqKind};
use crate::server::audit::{self, Event};
use crate::server::db::Db;

const DAY: i64 = 86_400;

#[derive(Debug, Clone)]
pub struct Program {
    pub id: i64,
    pub name: String,
    pub requires: Option<i64>,
    pub validity_days: i64,
    pub window_days: i64,
    pub veteran_cycle_days: Option<i64>,
    pub manager_cycle_days: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Requirement {
    pub phase: Phase,
    pub kind: ReqKind,
    pub target: i64,
    pub min_percent: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    Suspended,
    Revoked,
}

/// Everything the decision depends on, gathered from the database.
#[derive(Debug, Clone)]
pub struct Facts {
    pub at: i64,
    pub hold: Option<Hold>,
    /// The latest certificate not revoked: (issued_at, expires_at).
    pub latest: Option<(i64, i64)>,
    pub window_days: i64,
    pub initial_met: bool,
    pub recert_met: bool,
    pub prerequisite_cleared: bool,
    pub started: bool,
    /// How long a certificate issued now lasts (by audience: new hire, veteran, manager).
    pub cycle_days: i64,
}

/// The status, and the expiry of a certificate to issue now, if any.
pub fn decide(f: &Facts) -> (CertStatus, Option<i64>) {
    match f.hold {
        Some(Hold::Revoked) => return (CertStatus::Revoked, None),
        Some(Hold::Suspended) => return (CertStatus::Suspended, None),
        None => {}
    }
    let cycle = f.cycle_days * DAY;
    match f.latest {
        Some((_, expires)) if f.at < expires => {
            if f.at < expires - f.window_days * DAY {
                (CertStatus::Certified, None)
            } else if f.recert_met && f.prerequisite_cleared {
                // Renewing early keeps the remaining days: the new period starts at the old expiry.
                (CertStatus::Certified, Some(expires + cycle))
            } else {
                (CertStatus::Expiring, None)
            }
        }
        latest => {
            if f.initial_met && f.prerequisite_cleared {
                (CertStatus::Certified, Some(f.at + cycle))
            } else if latest.is_some() {
                (CertStatus::Expired, None)
            } else if f.started {
                (CertStatus::InTraining, None)
            } else {
                (CertStatus::NotStarted, None)
            }
        }
    }
}

/// The programs a person takes: those for their position, and any they hold a status in.
pub async fn programs_for(conn: &mut SqliteConnection, user_id: i64) -> AppResult<Vec<Program>> {
    let rows = sqlx::query!(
        r#"select p.id, p.name, p.requires_program_id, p.validity_days, p.window_days, p.veteran_cycle_days,
                  p.manager_cycle_days
           from programs p, users u
           where u.id = ?1 and p.archived_at is null
             and (lower(trim(p.position)) = lower(trim(u.position))
                  or exists (select 1 from certifications c where c.user_id = u.id and c.program_id = p.id))
           order by p.level_id, p.id"#,
        user_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Program {
            id: r.id,
            name: r.name,
            requires: r.requires_program_id,
            validity_days: r.validity_days,
            window_days: r.window_days,
            veteran_cycle_days: r.veteran_cycle_days,
            manager_cycle_days: r.manager_cycle_days,
        })
        .collect())
}

pub async fn program(conn: &mut SqliteConnection, id: i64) -> AppResult<Program> {
    let r = sqlx::query!(
        "select id, name, requires_program_id, validity_days, window_days, veteran_cycle_days, manager_cycle_days
         from programs where id = ?",
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Program {
        id: r.id,
        name: r.name,
        requires: r.requires_program_id,
        validity_days: r.validity_days,
        window_days: r.window_days,
        veteran_cycle_days: r.veteran_cycle_days,
        manager_cycle_days: r.manager_cycle_days,
    })
}

pub async fn requirements(conn: &mut SqliteConnection, program_id: i64) -> AppResult<Vec<Requirement>> {
    let rows = sqlx::query!(
        r#"select phase, kind, coalesce(course_id, quiz_id, scenario_id, plan_id) as "target!: i64", min_percent
           from program_requirements where program_id = ? order by id"#,
        program_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Requirement {
                phase: Phase::parse(&r.phase)?,
                kind: ReqKind::parse(&r.kind)?,
                target: r.target,
                min_percent: r.min_percent,
            })
        })
        .collect())
}

fn args(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// One requirement for one person, counting only evidence from `since` on.
pub async fn check(conn: &mut SqliteConnection, user_id: i64, req: &Requirement, since: i64) -> AppResult<Check> {
    let mut c = Check {
        kind: req.kind,
        title: String::new(),
        met: false,
        detail_key: String::new(),
        detail_args: Vec::new(),
        link: None,
        at: None,
    };
    match req.kind {
        ReqKind::Course => {
            c.title = sqlx::query_scalar!(
                "select title from course_versions where course_id = ? order by version_no desc limit 1",
                req.target
            )
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or_default();
            c.link = Some(format!("/learn/{}", req.target));
            let e = sqlx::query!(
                r#"select e.completed_at,
                          (select count(*) from lesson_completions l where l.enrollment_id = e.id) as "done!: i64",
                          (select count(*) from lessons l join course_modules m on m.id = l.module_id
                            where m.version_id = e.version_id) as "total!: i64"
                   from enrollments e where e.user_id = ? and e.course_id = ?"#,
                user_id,
                req.target
            )
            .fetch_optional(&mut *conn)
            .await?;
            match e {
                None => c.detail_key = "cert.detail.not_enrolled".into(),
                Some(e) => match e.completed_at {
                    Some(t) if t >= since => {
                        c.met = true;
                        c.at = Some(t);
                        c.detail_key = "cert.detail.completed".into();
                    }
                    Some(_) => c.detail_key = "cert.detail.completed_before".into(),
                    None => {
                        c.detail_key = "cert.detail.lessons".into();
                        c.detail_args = args(&[("done", e.done.to_string()), ("total", e.total.to_string())]);
                    }
                },
            }
        }
        ReqKind::Quiz => {
            let q = sqlx::query!("select title, pass_percent from quizzes where id = ?", req.target)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(AppError::NotFound)?;
            c.title = q.title;
            let min = req.min_percent.unwrap_or(q.pass_percent);
            let best = sqlx::query!(
                r#"select id as "id!: i64", percent as "percent!: f64", passed as "passed!: i64", graded_at as "graded_at!: i64"
                   from attempts where quiz_id = ? and user_id = ? and status = 'graded' and graded_at >= ?
                   order by percent desc, graded_at limit 1"#,
                req.target,
                user_id,
                since
            )
            .fetch_optional(&mut *conn)
            .await?;
            match best {
                Some(b) => {
                    c.met = b.passed == 1 && b.percent + 1e-9 >= min as f64;
                    c.at = Some(b.graded_at);
                    c.link = Some(format!("/attempt/{}/result", b.id));
                    c.detail_key = "cert.detail.quiz".into();
                    c.detail_args = args(&[("percent", format!("{:.0}", b.percent)), ("min", min.to_string())]);
                }
                None => {
                    let waiting = sqlx::query_scalar!(
                        "select count(*) from attempts where quiz_id = ? and user_id = ? and status <> 'graded'",
                        req.target,
                        user_id
                    )
                    .fetch_one(&mut *conn)
                    .await?;
                    c.link = Some(format!("/quiz/{}", req.target));
                    c.detail_key =
                        if waiting > 0 { "cert.detail.quiz_pending" } else { "cert.detail.quiz_none" }.into();
                    c.detail_args = args(&[("min", min.to_string())]);
                }
            }
        }
        ReqKind::Roleplay => {
            c.title = sqlx::query_scalar!("select title from scenarios where id = ?", req.target)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_default();
            let best = sqlx::query!(
                r#"select id as "id!: i64", percent as "percent!: f64", passed as "passed!: i64",
                          finalized_at as "finalized_at!: i64", critical_failed
                   from roleplays where scenario_id = ? and trainee_id = ? and status = 'final' and finalized_at >= ?
                   order by passed desc, finalized_at desc limit 1"#,
                req.target,
                user_id,
                since
            )
            .fetch_optional(&mut *conn)
            .await?;
            match best {
                Some(b) => {
                    c.met = b.passed == 1;
                    c.at = Some(b.finalized_at);
                    c.link = Some(format!("/roleplay/{}", b.id));
                    let critical: Vec<String> = serde_json::from_str(&b.critical_failed).unwrap_or_default();
                    if critical.is_empty() {
                        c.detail_key = "cert.detail.roleplay".into();
                        c.detail_args = args(&[("percent", format!("{:.0}", b.percent))]);
                    } else {
                        c.detail_key = "cert.detail.roleplay_critical".into();
                        c.detail_args =
                            args(&[("percent", format!("{:.0}", b.percent)), ("names", critical.join(", "))]);
                    }
                }
                None => c.detail_key = "cert.detail.roleplay_none".into(),
            }
        }
        ReqKind::Attendance => {
            c.title = sqlx::query_scalar!("select title from training_plans where id = ?", req.target)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_default();
            c.link = Some(format!("/plans/{}", req.target));
            let r = sqlx::query!(
                r#"select (select count(*) from plan_sessions s where s.plan_id = ?1) as "sessions!: i64",
                          (select count(*) from attendance a join plan_sessions s on s.id = a.session_id
                            where s.plan_id = ?1 and a.user_id = ?2 and a.status in ('present', 'late')) as "attended!: i64",
                          (select count(*) from attendance a join plan_sessions s on s.id = a.session_id
                            where s.plan_id = ?1 and a.user_id = ?2 and a.status = 'excused') as "excused!: i64",
                          (select max(a.marked_at) from attendance a join plan_sessions s on s.id = a.session_id
                            where s.plan_id = ?1 and a.user_id = ?2) as "last: i64",
                          exists(select 1 from plan_members m where m.plan_id = ?1 and m.user_id = ?2) as "member!: bool""#,
                req.target,
                user_id
            )
            .fetch_one(&mut *conn)
            .await?;
            let min = req.min_percent.unwrap_or(80);
            // Every session of the plan counts except excused ones; sessions not yet held count
            // as not attended, so the requirement is met once enough have been attended.
            let counted = r.sessions - r.excused;
            let percent = if counted > 0 { r.attended * 100 / counted } else { 0 };
            c.met = r.member && counted > 0 && percent >= min;
            c.at = r.last;
            c.detail_key = if r.member { "cert.detail.attendance" } else { "cert.detail.not_member" }.into();
            c.detail_args = args(&[
                ("attended", r.attended.to_string()),
                ("counted", counted.to_string()),
                ("percent", percent.to_string()),
                ("min", min.to_string()),
            ]);
        }
    }
    Ok(c)
}

/// One person's standing in one program, as the engine sees it now.
pub struct Evaluation {
    pub facts: Facts,
    pub phase: Phase,
    pub checks: Vec<Check>,
    pub prerequisite: Option<(String, bool)>,
    pub window_opens_at: Option<i64>,
}

impl Evaluation {
    /// What is still missing, by title: the required lower program first, then each unmet
    /// requirement.
    pub fn missing(&self) -> Vec<String> {
        let prerequisite = self.prerequisite.iter().filter(|(_, ok)| !ok).map(|(name, _)| name.clone());
        prerequisite.chain(self.checks.iter().filter(|c| !c.met).map(|c| c.title.clone())).collect()
    }
}

pub async fn evaluate(conn: &mut SqliteConnection, user_id: i64, p: &Program, at: i64) -> AppResult<Evaluation> {
    let row = sqlx::query!("select hold from certifications where user_id = ? and program_id = ?", user_id, p.id)
        .fetch_optional(&mut *conn)
        .await?;
    let hold = match row.and_then(|r| r.hold).as_deref() {
        Some("revoked") => Some(Hold::Revoked),
        Some("suspended") => Some(Hold::Suspended),
        _ => None,
    };
    let latest = sqlx::query!(
        "select issued_at, expires_at from certificates
         where user_id = ? and program_id = ? and revoked_at is null order by expires_at desc limit 1",
        user_id,
        p.id
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|c| (c.issued_at, c.expires_at));
    let reqs = requirements(conn, p.id).await?;
    let (initial, recert): (Vec<_>, Vec<_>) = reqs.into_iter().partition(|r| r.phase == Phase::Initial);
    let recert = if recert.is_empty() { initial.clone() } else { recert };
    // After an expiry, only evidence gathered since counts towards a new certificate.
    let since = latest.map(|(_, e)| e).filter(|e| *e <= at).unwrap_or(0);
    let mut initial_checks = Vec::new();
    for r in &initial {
        initial_checks.push(check(conn, user_id, r, since).await?);
    }
    let window_opens_at = latest.filter(|(_, e)| at < *e).map(|(_, e)| e - p.window_days * DAY);
    let in_window = window_opens_at.is_some_and(|w| at >= w);
    let mut recert_checks = Vec::new();
    if let Some(w) = window_opens_at.filter(|_| in_window) {
        for r in &recert {
            recert_checks.push(check(conn, user_id, r, w).await?);
        }
    }
    let prerequisite = match p.requires {
        Some(id) => {
            let name = sqlx::query_scalar!("select name from programs where id = ?", id).fetch_one(&mut *conn).await?;
            let status = sqlx::query_scalar!(
                "select status from certifications where user_id = ? and program_id = ?",
                user_id,
                id
            )
            .fetch_optional(&mut *conn)
            .await?;
            let cleared = status.as_deref().and_then(CertStatus::parse).is_some_and(CertStatus::cleared);
            Some((name, cleared))
        }
        None => None,
    };
    let started = initial_checks.iter().any(|c| c.met) || enrolled_anywhere(conn, user_id, &initial).await?;
    let roles = crate::server::auth::guard::roles_of(&mut *conn, user_id).await?;
    let has_had = latest.is_some();
    let cycle_days = if roles.contains(&crate::model::user::Role::Manager) {
        p.manager_cycle_days.unwrap_or(p.validity_days)
    } else if has_had {
        p.veteran_cycle_days.unwrap_or(p.validity_days)
    } else {
        p.validity_days
    };
    let facts = Facts {
        at,
        hold,
        latest,
        window_days: p.window_days,
        initial_met: !initial.is_empty() && initial_checks.iter().all(|c| c.met),
        recert_met: in_window && !recert.is_empty() && recert_checks.iter().all(|c| c.met),
        prerequisite_cleared: prerequisite.as_ref().is_none_or(|(_, ok)| *ok),
        started,
        cycle_days,
    };
    let (phase, checks) = if in_window { (Phase::Recert, recert_checks) } else { (Phase::Initial, initial_checks) };
    Ok(Evaluation { facts, phase, checks, prerequisite, window_opens_at })
}

/// In training: enrolled in a required course, a member of a required plan, or has taken a
/// required quiz or role-play.
async fn enrolled_anywhere(conn: &mut SqliteConnection, user_id: i64, reqs: &[Requirement]) -> AppResult<bool> {
    let ids = |kind: ReqKind| {
        serde_json::to_string(&reqs.iter().filter(|r| r.kind == kind).map(|r| r.target).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into())
    };
    let (courses, plans, quizzes, scenarios) =
        (ids(ReqKind::Course), ids(ReqKind::Attendance), ids(ReqKind::Quiz), ids(ReqKind::Roleplay));
    Ok(sqlx::query_scalar!(
        r#"select (exists(select 1 from enrollments where user_id = ?1 and course_id in (select value from json_each(?2)))
               or exists(select 1 from plan_members where user_id = ?1 and plan_id in (select value from json_each(?3)))
               or exists(select 1 from attempts where user_id = ?1 and quiz_id in (select value from json_each(?4)))
               or exists(select 1 from roleplays where trainee_id = ?1 and scenario_id in (select value from json_each(?5))))
               as "started!: bool""#,
        user_id,
        courses,
        plans,
        quizzes,
        scenarios
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// An unguessable certificate number: FR-<year>-XXXX-XXXX (no 0/O or 1/I).
fn certificate_number(at: i64) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let mut part = || (0..4).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect::<String>();
    let year = chrono::DateTime::from_timestamp(at, 0).map(|t| t.format("%Y").to_string()).unwrap_or_default();
    format!("FR-{year}-{}-{}", part(), part())
}

pub async fn issue(
    conn: &mut SqliteConnection,
    user_id: i64,
    program_id: i64,
    at: i64,
    expires_at: i64,
    by: Option<i64>,
    exemption: Option<&str>,
) -> AppResult<i64> {
    let number = certificate_number(at);
    let (exempted, reason) = (exemption.is_some(), exemption.unwrap_or(""));
    let id = sqlx::query_scalar!(
        r#"insert into certificates (number, user_id, program_id, issued_at, expires_at, exempted, reason, issued_by)
           values (?, ?, ?, ?, ?, ?, ?, ?) returning id as "id!: i64""#,
        number,
        user_id,
        program_id,
        at,
        expires_at,
        exempted,
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
pub async fn recompute(
    conn: &mut SqliteConnection,
    user_id: i64,
    p: &Program,
    at: i64,
    cause: Cause<'_>,
) -> AppResult<CertStatus> {
    let e = evaluate(conn, user_id, p, at).await?;
    let (status, issue_until) = decide(&e.facts);
    // The certificate the status refers to: a new one, else the latest valid one, else the one
    // last held (expired or revoked), so a reinstatement knows which to restore.
    let certificate = match issue_until {
        Some(expires) => Some(issue(conn, user_id, p.id, at, expires, None, None).await?),
        None => {
            sqlx::query_scalar!(
                r#"select id as "id!: i64" from certificates where user_id = ?1 and program_id = ?2
               order by revoked_at is null desc, expires_at desc limit 1"#,
                user_id,
                p.id
            )
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let before =
        sqlx::query_scalar!("select status from certifications where user_id = ? and program_id = ?", user_id, p.id)
            .fetch_optional(&mut *conn)
            .await?
            .and_then(|s| CertStatus::parse(&s));
    let s = status.as_str();
    sqlx::query!(
        "insert into certifications (user_id, program_id, status, certificate_id, updated_at) values (?, ?, ?, ?, ?)
         on conflict (user_id, program_id) do update set status = excluded.status,
             certificate_id = excluded.certificate_id, updated_at = excluded.updated_at",
        user_id,
        p.id,
        s,
        certificate,
        at
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
        if matches!(status, CertStatus::Expiring | CertStatus::Expired) {
            if let Some(cert) = certificate {
                super::notify::queue(conn, user_id, cert, status, at).await?;
            }
        }
    }
    Ok(status)
}

/// Re-evaluates every program of one person (lower levels first, so a higher level sees the
/// prerequisite's new status).
pub async fn recompute_user(conn: &mut SqliteConnection, user_id: i64, at: i64, cause: Cause<'_>) -> AppResult<()> {
    for p in programs_for(conn, user_id).await? {
        recompute(conn, user_id, &p, at, cause).await?;
    }
    Ok(())
}

/// Time passing: everyone whose renewal window has opened or whose certificate has run out is
/// re-evaluated. Idempotent: a second run (or a run after downtime) finds nothing more to do.
/// Returns how many statuses changed.
pub async fn sweep(db: &Db, at: i64) -> AppResult<usize> {
    let due = sqlx::query!(
        r#"select c.user_id, c.program_id, c.status
           from certifications c
           join programs p on p.id = c.program_id
           join certificates k on k.id = c.certificate_id
           where c.hold is null and (
               (c.status = 'certified' and k.expires_at - p.window_days * 86400 <= ?1)
               or (c.status = 'expiring' and k.expires_at <= ?1))"#,
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
        }
        tx.commit().await?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            at: 1_000 * DAY,
            hold: None,
            latest: None,
            window_days: 60,
            initial_met: false,
            recert_met: false,
            prerequisite_cleared: true,
            started: false,
            cycle_days: 365,
        }
    }

    #[test]
    fn first_certification() {
        let f = facts();
        assert_eq!(decide(&f), (CertStatus::NotStarted, None));
        assert_eq!(decide(&Facts { started: true, ..f.clone() }), (CertStatus::InTraining, None));
        assert_eq!(decide(&Facts { initial_met: true, ..f.clone() }), (CertStatus::Certified, Some(1_365 * DAY)));
        assert_eq!(
            decide(&Facts { initial_met: true, prerequisite_cleared: false, started: true, ..f }),
            (CertStatus::InTraining, None),
            "a higher level waits for the lower one"
        );
    }

    #[test]
    fn the_window_before_expiry_and_renewal() {
        let issued = (700 * DAY, 1_040 * DAY); // expires in 40 days; the 60-day window is open
        let f = Facts { latest: Some(issued), initial_met: true, ..facts() };
        assert_eq!(decide(&Facts { at: 979 * DAY, ..f.clone() }), (CertStatus::Certified, None), "before the window");
        assert_eq!(decide(&f), (CertStatus::Expiring, None), "old evidence does not renew");
        // Renewed inside the window with a 90-day veteran cycle: counted from the old expiry.
        assert_eq!(
            decide(&Facts { recert_met: true, cycle_days: 90, ..f.clone() }),
            (CertStatus::Certified, Some(1_130 * DAY))
        );
        let after = Facts { at: 1_040 * DAY, initial_met: false, ..f.clone() };
        assert_eq!(decide(&after), (CertStatus::Expired, None), "expiry day itself is expired");
        assert_eq!(
            decide(&Facts { initial_met: true, cycle_days: 90, ..after }),
            (CertStatus::Certified, Some(1_130 * DAY)),
            "fresh evidence after expiry certifies again"
        );
    }

    #[test]
    fn holds_override_everything() {
        let f = Facts { latest: Some((0, 2_000 * DAY)), initial_met: true, ..facts() };
        assert_eq!(decide(&Facts { hold: Some(Hold::Suspended), ..f.clone() }), (CertStatus::Suspended, None));
        assert_eq!(decide(&Facts { hold: Some(Hold::Revoked), ..f }), (CertStatus::Revoked, None));
    }
}
