//! The evidence: what the database says about one person against one program's requirements.
//! Each requirement kind has one function here that finds its evidence (met or not, with a
//! detail and a link) and whether the person has begun on it; adding a kind means adding one
//! function and one arm in [`check`]. [`evaluate`] gathers everything [`decide`] needs.

use super::decision::{Facts, Hold, Program, Requirement, DAY};
use crate::error::{AppError, AppResult};
use crate::model::cert::{CertStatus, Check, Phase, ReqKind};
use crate::model::plan::AttendanceRate;
use crate::model::user::Role;
use crate::model::Names;
use crate::server::db::Conn;

#[cfg(doc)]
use super::decision::decide;

/// A `programs` row as read; its two name columns become one [`Names`].
struct ProgramRow {
    id: i64,
    name: String,
    name_en: String,
    requires: Option<i64>,
    validity_days: i64,
    window_days: i64,
    veteran_cycle_days: Option<i64>,
    manager_cycle_days: Option<i64>,
}

impl From<ProgramRow> for Program {
    fn from(r: ProgramRow) -> Program {
        Program {
            id: r.id,
            name: Names::new(r.name, r.name_en),
            requires: r.requires,
            validity_days: r.validity_days,
            window_days: r.window_days,
            veteran_cycle_days: r.veteran_cycle_days,
            manager_cycle_days: r.manager_cycle_days,
        }
    }
}

/// The programs a person takes: those for their position, and any they hold a status in.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn programs_for(conn: &mut Conn, user_id: i64) -> AppResult<Vec<Program>> {
    let rows = sqlx::query_as!(
        ProgramRow,
        r#"select p.id as "id!", p.name, p.name_en, p.requires_program_id as requires, p.validity_days,
                  p.window_days, p.veteran_cycle_days, p.manager_cycle_days
           from programs p, users u
           where u.id = $1 and p.archived_at is null
             and (p.position_id = u.position_id
                  or exists (select 1 from certifications c where c.user_id = u.id and c.program_id = p.id))
           order by p.level_id, p.id"#,
        user_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(Program::from).collect())
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn program(conn: &mut Conn, id: i64) -> AppResult<Program> {
    sqlx::query_as!(
        ProgramRow,
        "select id, name, name_en, requires_program_id as requires, validity_days, window_days, veteran_cycle_days,
                manager_cycle_days
         from programs where id = $1",
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(Program::from)
    .ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(program_id))]
pub async fn requirements(conn: &mut Conn, program_id: i64) -> AppResult<Vec<Requirement>> {
    let rows = sqlx::query!(
        r#"select phase, kind, coalesce(course_id, quiz_id, scenario_id, plan_id, followup_days) as "target!: i64",
                  min_percent
           from program_requirements where program_id = $1 order by id"#,
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
                program_id,
            })
        })
        .collect())
}

/// One requirement checked for one person, and whether they have begun on it at all.
pub struct Evidence {
    pub check: Check,
    /// Enrolled, a member, or has taken it (at any time, before `since` too).
    pub begun: bool,
}

fn args(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn unmet(kind: ReqKind, title: Names) -> Check {
    Check { kind, title, met: false, detail_key: String::new(), detail_args: Vec::new(), link: None, at: None }
}

/// One requirement for one person, counting only evidence from `since` on.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn check(conn: &mut Conn, user_id: i64, req: &Requirement, since: i64) -> AppResult<Evidence> {
    match req.kind {
        ReqKind::Course => course(conn, user_id, req, since).await,
        ReqKind::Quiz => quiz(conn, user_id, req, since).await,
        ReqKind::Roleplay => roleplay(conn, user_id, req, since).await,
        ReqKind::Attendance => attendance(conn, user_id, req).await,
        ReqKind::Followup => followup(conn, user_id, req).await,
    }
}

/// The observer's follow-up at the requirement's offset for the current certificate, completed
/// and passed with at least the requirement's (else the step's) percentage. Self-assessments do
/// not count.
async fn followup(conn: &mut Conn, user_id: i64, req: &Requirement) -> AppResult<Evidence> {
    let title = super::followup_title(req.target);
    let mut c = unmet(ReqKind::Followup, title);
    let f = sqlx::query!(
        r#"select f.id as "id!: i64", f.state, f.percent, f.passed, f.pass_percent, f.completed_at
           from followups f
           where f.user_id = $1 and f.program_id = $2 and f.offset_days = $3 and f.observer <> 'self'
             and f.certificate_id = (select k.id from certificates k where k.user_id = $1 and k.program_id = $2
                                      and k.revoked_at is null order by k.expires_at desc limit 1)
           order by f.completed_at is null, f.completed_at desc limit 1"#,
        user_id,
        req.program_id,
        req.target
    )
    .fetch_optional(&mut *conn)
    .await?;
    match f {
        Some(f) => {
            c.link = Some(format!("/followups/{}", f.id));
            let min = req.min_percent.unwrap_or(f.pass_percent);
            match (f.completed_at, f.percent) {
                (Some(at), Some(percent)) => {
                    c.met = f.passed == Some(1) && percent + 1e-9 >= min as f64;
                    c.at = Some(at);
                    c.detail_key = "cert.detail.followup".into();
                    c.detail_args = args(&[("percent", format!("{percent:.0}")), ("min", min.to_string())]);
                }
                _ => c.detail_key = format!("followup.state.{}", f.state),
            }
        }
        None => c.detail_key = "cert.detail.followup_none".into(),
    }
    Ok(Evidence { check: c, begun: false })
}

/// The course completed (every lesson done) since `since`.
async fn course(conn: &mut Conn, user_id: i64, req: &Requirement, since: i64) -> AppResult<Evidence> {
    let title = sqlx::query!(
        "select title, title_en from course_versions where course_id = $1 order by version_no desc limit 1",
        req.target
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| Names::new(r.title, r.title_en));
    let mut c = unmet(ReqKind::Course, title.unwrap_or_default());
    c.link = Some(format!("/learn/{}", req.target));
    let e = sqlx::query!(
        r#"select e.completed_at,
                  (select count(*) from lesson_completions l where l.enrollment_id = e.id) as "done!: i64",
                  (select count(*) from lessons l join course_modules m on m.id = l.module_id
                    where m.version_id = e.version_id) as "total!: i64"
           from enrollments e where e.user_id = $1 and e.course_id = $2"#,
        user_id,
        req.target
    )
    .fetch_optional(&mut *conn)
    .await?;
    let begun = e.is_some();
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
    Ok(Evidence { check: c, begun })
}

/// The best graded attempt since `since`, passed and at least the requirement's (else the
/// quiz's) pass mark.
async fn quiz(conn: &mut Conn, user_id: i64, req: &Requirement, since: i64) -> AppResult<Evidence> {
    let q = sqlx::query!("select title, title_en, pass_percent from quizzes where id = $1", req.target)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut c = unmet(ReqKind::Quiz, Names::new(q.title, q.title_en));
    let min = req.min_percent.unwrap_or(q.pass_percent);
    let best = sqlx::query!(
        r#"select id as "id!: i64", percent as "percent!: f64", passed as "passed!: i64", graded_at as "graded_at!: i64"
           from attempts where quiz_id = $1 and user_id = $2 and status = 'graded' and graded_at >= $3
           order by percent desc, graded_at limit 1"#,
        req.target,
        user_id,
        since
    )
    .fetch_optional(&mut *conn)
    .await?;
    let taken = sqlx::query!(
        r#"select count(*) as "all!: i64", cast(coalesce(sum(case when status <> 'graded' then 1 else 0 end), 0) as bigint) as "waiting!: i64"
           from attempts where quiz_id = $1 and user_id = $2"#,
        req.target,
        user_id
    )
    .fetch_one(&mut *conn)
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
            c.link = Some(format!("/quiz/{}", req.target));
            c.detail_key = if taken.waiting > 0 { "cert.detail.quiz_pending" } else { "cert.detail.quiz_none" }.into();
            c.detail_args = args(&[("min", min.to_string())]);
        }
    }
    Ok(Evidence { check: c, begun: taken.all > 0 })
}

/// A final, passed role-play of the scenario since `since` (a critical failure is named).
async fn roleplay(conn: &mut Conn, user_id: i64, req: &Requirement, since: i64) -> AppResult<Evidence> {
    let title = sqlx::query!("select title, title_en from scenarios where id = $1", req.target)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| Names::new(r.title, r.title_en));
    let mut c = unmet(ReqKind::Roleplay, title.unwrap_or_default());
    let best = sqlx::query!(
        r#"select id as "id!: i64", percent as "percent!: f64", passed as "passed!: i64",
                  finalized_at as "finalized_at!: i64", critical_failed
           from roleplays where scenario_id = $1 and trainee_id = $2 and status = 'final' and finalized_at >= $3
           order by passed desc, finalized_at desc limit 1"#,
        req.target,
        user_id,
        since
    )
    .fetch_optional(&mut *conn)
    .await?;
    let begun = sqlx::query_scalar!(
        r#"select exists(select 1 from roleplays where scenario_id = $1 and trainee_id = $2) as "begun!: bool""#,
        req.target,
        user_id
    )
    .fetch_one(&mut *conn)
    .await?;
    match best {
        Some(b) => {
            c.met = b.passed == 1;
            c.at = Some(b.finalized_at);
            c.link = Some(format!("/roleplay/{}", b.id));
            let critical = Names::list_from_json(&b.critical_failed);
            if critical.is_empty() {
                c.detail_key = "cert.detail.roleplay".into();
                c.detail_args = args(&[("percent", format!("{:.0}", b.percent))]);
            } else {
                c.detail_key = "cert.detail.roleplay_critical".into();
                c.detail_args = args(&[
                    ("percent", format!("{:.0}", b.percent)),
                    ("names", critical.iter().map(Names::both).collect::<Vec<_>>().join(", ")),
                ]);
            }
        }
        None => c.detail_key = "cert.detail.roleplay_none".into(),
    }
    Ok(Evidence { check: c, begun })
}

/// A member of the plan who attended enough of its sessions.
/// One person's attendance in one plan, as the plan page and this check both count it (see
/// [`AttendanceRate`] for the definition).
pub async fn attendance_rate(conn: &mut Conn, plan_id: i64, user_id: i64) -> AppResult<AttendanceRate> {
    let r = sqlx::query!(
        r#"select (select count(*) from plan_sessions s where s.plan_id = $1) as "sessions!: i64",
                  (select count(*) from attendance a join plan_sessions s on s.id = a.session_id
                    where s.plan_id = $1 and a.user_id = $2 and a.status in ('present', 'late')) as "attended!: i64",
                  (select count(*) from attendance a join plan_sessions s on s.id = a.session_id
                    where s.plan_id = $1 and a.user_id = $2 and a.status = 'excused') as "excused!: i64""#,
        plan_id,
        user_id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(AttendanceRate { attended: r.attended, counted: r.sessions - r.excused })
}

async fn attendance(conn: &mut Conn, user_id: i64, req: &Requirement) -> AppResult<Evidence> {
    let title = sqlx::query!("select title, title_en from training_plans where id = $1", req.target)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| Names::new(r.title, r.title_en));
    let mut c = unmet(ReqKind::Attendance, title.unwrap_or_default());
    c.link = Some(format!("/plans/{}", req.target));
    let r = sqlx::query!(
        r#"select (select max(a.marked_at) from attendance a join plan_sessions s on s.id = a.session_id
                    where s.plan_id = $1 and a.user_id = $2) as "last: i64",
                  exists(select 1 from plan_members m where m.plan_id = $1 and m.user_id = $2) as "member!: bool""#,
        req.target,
        user_id
    )
    .fetch_one(&mut *conn)
    .await?;
    // The plan page's definition (sessions to come count as not attended yet), so the two agree.
    let rate = attendance_rate(conn, req.target, user_id).await?;
    let min = req.min_percent.unwrap_or(80);
    c.met = r.member && rate.meets(min);
    c.at = r.last;
    c.detail_key = if r.member { "cert.detail.attendance" } else { "cert.detail.not_member" }.into();
    c.detail_args = args(&[
        ("attended", rate.attended.to_string()),
        ("counted", rate.counted.to_string()),
        ("percent", rate.percent().unwrap_or(0).to_string()),
        ("min", min.to_string()),
    ]);
    Ok(Evidence { check: c, begun: r.member })
}

/// One person's standing in one program, as the evidence stands now.
pub struct Evaluation {
    pub facts: Facts,
    pub phase: Phase,
    pub checks: Vec<Check>,
    pub prerequisite: Option<(Names, bool)>,
    pub window_opens_at: Option<i64>,
    /// Sent back by a failed follow-up: (the follow-up, since when).
    pub reassess: Option<(i64, i64)>,
    /// ... and has since passed what was asked, so the mark can go.
    pub reassess_passed: bool,
}

impl Evaluation {
    /// What is still missing, by title: the required lower program first, then each unmet
    /// requirement.
    pub fn missing(&self) -> Vec<Names> {
        let prerequisite = self.prerequisite.iter().filter(|(_, ok)| !ok).map(|(name, _)| name.clone());
        prerequisite.chain(self.checks.iter().filter(|c| !c.met).map(|c| c.title.clone())).collect()
    }
}

#[tracing::instrument(skip_all, fields(user_id, at))]
pub async fn evaluate(conn: &mut Conn, user_id: i64, p: &Program, at: i64) -> AppResult<Evaluation> {
    let row = sqlx::query!(
        "select hold, reassess_since, reassess_followup_id from certifications where user_id = $1 and program_id = $2",
        user_id,
        p.id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let reassess = row.as_ref().and_then(|r| Some((r.reassess_followup_id?, r.reassess_since?)));
    let hold = match row.and_then(|r| r.hold).as_deref() {
        Some("revoked") => Some(Hold::Revoked),
        Some("suspended") => Some(Hold::Suspended),
        _ => None,
    };
    let latest = sqlx::query!(
        "select issued_at, expires_at from certificates
         where user_id = $1 and program_id = $2 and revoked_at is null order by expires_at desc limit 1",
        user_id,
        p.id
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|c| (c.issued_at, c.expires_at));
    // A mark made before the current certificate was issued belongs to an earlier cycle.
    let reassess = reassess.filter(|(_, since)| latest.is_some_and(|(issued, _)| issued <= *since));
    let reqs = requirements(conn, p.id).await?;
    let (initial, recert): (Vec<_>, Vec<_>) = reqs.into_iter().partition(|r| r.phase == Phase::Initial);
    let recert = if recert.is_empty() { initial.clone() } else { recert };
    // After an expiry, only evidence gathered since counts towards a new certificate.
    let since = latest.map(|(_, e)| e).filter(|e| *e <= at).unwrap_or(0);
    let mut initial_checks = Vec::new();
    let mut started = false;
    for r in &initial {
        let e = check(conn, user_id, r, since).await?;
        started |= e.begun || e.check.met;
        initial_checks.push(e.check);
    }
    let window_opens_at = latest.filter(|(_, e)| at < *e).map(|(_, e)| e - p.window_days * DAY);
    let in_window = window_opens_at.is_some_and(|w| at >= w);
    // Sent back by a follow-up: the program's role-plays (else its initial requirements) passed
    // again since then.
    let mut reassess_checks = Vec::new();
    if let Some((_, since)) = reassess {
        let roleplays: Vec<&Requirement> = initial.iter().filter(|r| r.kind == ReqKind::Roleplay).collect();
        let again = if roleplays.is_empty() { initial.iter().collect() } else { roleplays };
        // Strictly after the failure (times are in seconds): the role-play that certified them
        // cannot count again.
        for r in again {
            reassess_checks.push(check(conn, user_id, r, since + 1).await?.check);
        }
    }
    let reassess_passed = reassess.is_some() && reassess_checks.iter().all(|c| c.met);
    let mut recert_checks = Vec::new();
    if let Some(w) = window_opens_at.filter(|_| in_window) {
        for r in &recert {
            recert_checks.push(check(conn, user_id, r, w).await?.check);
        }
    }
    let prerequisite = match p.requires {
        Some(id) => {
            let name = program(conn, id).await?.name;
            let status = sqlx::query_scalar!(
                "select status from certifications where user_id = $1 and program_id = $2",
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
    let roles = crate::server::auth::guard::roles_of(&mut *conn, user_id).await?;
    let has_had = latest.is_some();
    let cycle_days = if roles.contains(&Role::Manager) {
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
        reassess: reassess.is_some() && !reassess_passed,
    };
    let current = latest.is_some_and(|(_, e)| at < e);
    let (phase, checks) = if reassess.is_some() && !reassess_passed && current {
        (Phase::Initial, reassess_checks)
    } else if in_window {
        (Phase::Recert, recert_checks)
    } else {
        (Phase::Initial, initial_checks)
    };
    Ok(Evaluation { facts, phase, checks, prerequisite, window_opens_at, reassess, reassess_passed })
}
