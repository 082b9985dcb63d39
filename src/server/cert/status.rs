//! People's certification status with its reasons, manual decisions, and the floor roster.

use super::evidence;
use super::recompute::{self, Cause};
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::model::cert::{
    CertStatus, CertificateRef, Decision, PersonStatus, Roster, RosterPerson, RosterProgram, RosterQuery, RosterRow,
    StatusEvent, StatusView,
};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::auth::guard::{visible_team_ids, CurrentUser};
use crate::server::db::{Conn, Db};
use crate::server::now;

/// Who may see a person's status: the person, trainers, admins, and managers of their team.
/// Who may decide: admins and those managers, never for themselves.
async fn access(db: &Db, caller: &CurrentUser, user_id: i64) -> AppResult<(bool, bool)> {
    let team = sqlx::query_scalar!("select team_id from users where id = $1", user_id)
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
        r#"select u.display_name, u.employee_no, coalesce(x.name_zh, '') as "position_zh!: String",
                  coalesce(x.name_en, '') as "position_en!: String", coalesce(t.name, '') as "team!: String",
                  coalesce(t.name_en, '') as "team_en!: String"
           from users u left join teams t on t.id = u.team_id left join positions x on x.id = u.position_id
           where u.id = $1"#,
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
               where c.user_id = $1 and c.program_id = $2"#,
            user_id,
            p.id
        )
        .fetch_optional(&mut *conn)
        .await?;
        let level = sqlx::query!(
            r#"select l.name_zh as level_zh, l.name_en as level_en, coalesce(x.name_zh, '') as "position_zh!: String",
                      coalesce(x.name_en, '') as "position_en!: String"
               from programs p join course_levels l on l.id = p.level_id left join positions x on x.id = p.position_id
               where p.id = $1"#,
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
            level: Names::new(level.level_zh, level.level_en),
            position: Names::new(level.position_zh, level.position_en),
            status,
            certificate,
            hold_reason,
            phase: e.phase,
            checks: e.checks,
            prerequisite: e.prerequisite,
            window_opens_at: e.window_opens_at,
            reassess: e.reassess,
        });
    }
    let history = sqlx::query!(
        r#"select a.at, a.detail, u.display_name as "actor?"
           from audit_log a left join users u on u.id = a.actor_id
           where a.action = 'certification_status' and a.subject_type = 'user' and a.subject_id = $1
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
            // Written as both names since 0015; a single string before.
            program: match d.get("program") {
                Some(serde_json::Value::String(s)) => Names::same(s.as_str()),
                Some(v) => serde_json::from_value(v.clone()).unwrap_or_default(),
                None => Names::default(),
            },
            before: text("before").as_deref().and_then(CertStatus::parse),
            after: text("after").as_deref().and_then(CertStatus::parse)?,
            why: text("why").unwrap_or_default(),
            reason: text("reason").unwrap_or_default(),
        })
    })
    .collect();
    Ok(PersonStatus {
        user_id,
        display_name: u.display_name,
        employee_no: u.employee_no,
        position: Names::new(u.position_zh, u.position_en),
        team: Names::new(u.team, u.team_en),
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
                "update certifications set hold = $1, hold_reason = $2 where user_id = $3 and program_id = $4",
                hold,
                reason,
                user_id,
                program_id
            )
            .execute(&mut *tx)
            .await?;
            if decision == Decision::Revoke {
                sqlx::query!(
                    "update certificates set revoked_at = $1 where user_id = $2 and program_id = $3 and revoked_at is null",
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
                      where user_id = $1 and program_id = $2)",
                    user_id,
                    program_id
                )
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query!(
                "update certifications set hold = null, hold_reason = '' where user_id = $1 and program_id = $2",
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
    // The holder hears of a suspension or revocation at once (with their managers), as of expiry.
    if matches!(after, CertStatus::Suspended | CertStatus::Revoked) {
        let certificate = sqlx::query_scalar!(
            "select certificate_id from certifications where user_id = $1 and program_id = $2",
            user_id,
            program_id
        )
        .fetch_one(&mut *tx)
        .await?;
        if let Some(certificate) = certificate {
            super::notify::queue(&mut tx, user_id, certificate, after, at).await?;
        }
    }
    tx.commit().await?;
    Ok(after)
}

/// The roster's filters, parsed: each bad value is named.
#[derive(Debug, Clone, Default)]
pub struct RosterFilter {
    pub team: Option<i64>,
    pub program: Option<i64>,
    pub status: Option<RosterStatus>,
    pub q: String,
    pub within_days: i64,
    /// 0-based.
    pub page: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterStatus {
    Cleared,
    NotCleared,
    Expiring,
    WithoutProgram,
}

/// People per roster page.
pub const ROSTER_PAGE: usize = 50;

impl RosterFilter {
    pub fn parse(q: &RosterQuery) -> AppResult<RosterFilter> {
        let id = |field: &str, v: &str| match v.trim() {
            "" => Ok(None),
            v => v.parse().map(Some).map_err(|_| AppError::validation(field, "error.choice_unknown")),
        };
        let status = match q.status.trim() {
            "" => None,
            "cleared" => Some(RosterStatus::Cleared),
            "not_cleared" => Some(RosterStatus::NotCleared),
            "expiring" => Some(RosterStatus::Expiring),
            "no_program" => Some(RosterStatus::WithoutProgram),
            _ => return Err(AppError::validation("status", "error.choice_unknown")),
        };
        let within_days = match q.within.trim() {
            "" => 30,
            d => d
                .parse()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or(AppError::validation("within", "error.days_invalid"))?,
        };
        let page = match q.page.trim() {
            "" => 0,
            p => {
                p.parse::<u32>().ok().filter(|p| *p >= 1).ok_or(AppError::validation("page", "error.number_invalid"))?
                    - 1
            }
        };
        Ok(RosterFilter {
            team: id("team", &q.team)?,
            program: id("program", &q.program)?,
            status,
            q: crate::server::text::line("q", &q.q, crate::server::text::SEARCH)?,
            within_days,
            page,
        })
    }
}

/// The floor roster: one line per person in the caller's teams (all for admins), with each
/// program that applies to them, narrowed by `f`; the counts are of people. What is missing is
/// worked out only for the page shown.
#[tracing::instrument(skip_all, fields(caller = caller.id))]
pub async fn roster(db: &Db, caller: &CurrentUser, f: &RosterFilter) -> AppResult<Roster> {
    let at = now();
    let scope = RosterScope::of(db, caller).await?;
    let mut people = roster_people(db, &scope, f, at).await?;
    let total = people.len() as u32;
    let cleared = people.iter().filter(|p| p.cleared()).count() as u32;
    let without_program = people.iter().filter(|p| p.without_program()).count() as u32;
    let pages = people.len().div_ceil(ROSTER_PAGE).max(1) as u32;
    let page = f.page.min(pages - 1);
    let start = page as usize * ROSTER_PAGE;
    let mut shown: Vec<RosterPerson> = people.drain(..).skip(start).take(ROSTER_PAGE).collect();
    fill_missing(db, &mut shown, at).await?;
    let teams = scope.teams();
    let programs = sqlx::query!(
        r#"select p.id as "id!", p.name, p.name_en, l.name_zh as level_zh, l.name_en as level_en
           from programs p join course_levels l on l.id = p.level_id
           where p.archived_at is null order by p.name, p.name_en"#
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| {
        let name = Names::new(r.name, r.name_en);
        let label = |l: Locale, level: &str| format!("{} · {level}", name.shown(l));
        (r.id, Names::new(label(Locale::ZhCn, &r.level_zh), label(Locale::En, &r.level_en)))
    })
    .collect();
    Ok(Roster { people: shown, total, cleared, without_program, page, pages, teams, programs })
}

/// The roster as person x program lines for CSV and XLSX: everyone the filters keep, every page.
#[tracing::instrument(skip_all, fields(caller = caller.id))]
pub async fn roster_rows(db: &Db, caller: &CurrentUser, f: &RosterFilter) -> AppResult<Vec<RosterRow>> {
    let at = now();
    let scope = RosterScope::of(db, caller).await?;
    let mut people = roster_people(db, &scope, f, at).await?;
    fill_missing(db, &mut people, at).await?;
    let mut rows = Vec::new();
    for mut p in people {
        // Someone without a program keeps a line of their own, with the program cells empty.
        let programs = match std::mem::take(&mut p.programs) {
            none if none.is_empty() => vec![RosterProgram {
                program_id: 0,
                program: Names::default(),
                level: Names::default(),
                status: CertStatus::NotStarted,
                expires_at: None,
                missing: Vec::new(),
                hold_reason: String::new(),
            }],
            some => some,
        };
        for g in programs {
            rows.push(RosterRow {
                user_id: p.user_id,
                display_name: p.display_name.clone(),
                employee_no: p.employee_no.clone(),
                team: p.team.clone(),
                position: p.position.clone(),
                program: g.program,
                level: g.level,
                status: g.status,
                expires_at: g.expires_at,
                missing: g.missing,
                hold_reason: g.hold_reason,
            });
        }
    }
    Ok(rows)
}

/// Everyone the caller's roster covers (narrowed to `team` and below), with their programs and
/// what each in-training program still misses when `missing` is set, and the teams they may pick
/// from: the dashboard counts the roster's people, so the two never disagree.
pub async fn people_in_scope(
    db: &Db,
    caller: &CurrentUser,
    team: Option<i64>,
    at: i64,
) -> AppResult<(Vec<RosterPerson>, Vec<(i64, Names)>)> {
    let scope = RosterScope::of(db, caller).await?;
    let f = RosterFilter { team, ..Default::default() };
    let people = roster_people(db, &scope, &f, at).await?;
    Ok((people, scope.teams()))
}

/// Fills in what each program of these people still misses.
pub async fn fill_missing_of(db: &Db, people: &mut [RosterPerson], at: i64) -> AppResult<()> {
    fill_missing(db, people, at).await
}

/// Whose people a caller's roster covers, and the team tree, read once per roster.
struct RosterScope {
    all: bool,
    visible: Vec<i64>,
    tree: Vec<crate::model::team::TeamNode>,
}

impl RosterScope {
    async fn of(db: &Db, caller: &CurrentUser) -> AppResult<RosterScope> {
        Ok(RosterScope {
            all: caller.has(Role::Admin),
            visible: visible_team_ids(db, caller.id).await?,
            tree: crate::server::team::tree(db).await?,
        })
    }

    /// The teams, as (id, path), for the filter.
    fn teams(&self) -> Vec<(i64, Names)> {
        self.tree.iter().filter(|t| self.all || self.visible.contains(&t.id)).map(|t| (t.id, t.path.clone())).collect()
    }
}

/// Everyone the filters keep, one entry per person with their programs (nothing missing yet).
async fn roster_people(db: &Db, s: &RosterScope, f: &RosterFilter, at: i64) -> AppResult<Vec<RosterPerson>> {
    let all = s.all;
    let mut scope = s.visible.clone();
    if let Some(team) = f.team {
        let below = crate::server::team::subtree_ids(db, team).await?;
        scope = if all { below } else { below.into_iter().filter(|t| scope.contains(t)).collect() };
    }
    let narrowed = all && f.team.is_some();
    let teams = serde_json::to_string(&scope).map_err(crate::error::internal)?;
    let paths: std::collections::HashMap<i64, &Names> = s.tree.iter().map(|t| (t.id, &t.path)).collect();
    let pattern = format!("%{}%", crate::server::text::like_literal(&f.q));
    // People without a program keep a line (the left join): they need one.
    let rows = sqlx::query!(
        r#"select u.id as "user_id!: i64", u.display_name, u.employee_no, u.team_id,
                  coalesce(x.name_zh, '') as "position_zh!: String", coalesce(x.name_en, '') as "position_en!: String",
                  p.id as "program_id?: i64", p.name as "program?", p.name_en as "program_en?",
                  l.name_zh as "level_zh?", l.name_en as "level_en?",
                  coalesce(c.status, 'not_started') as "status!: String", c.hold_reason as "hold_reason?",
                  k.expires_at as "expires_at?"
           from users u
           left join positions x on x.id = u.position_id
           -- The programs of their position, and any they hold a certification of. Each set is
           -- looked up by index (an `or` here probed every program per person: 3.0 s against
           -- 0.45 s for 100,000 people).
           left join programs p on p.archived_at is null and p.id in (
                select q.id from programs q where q.position_id = u.position_id
                union select y.program_id from certifications y where y.user_id = u.id)
           left join course_levels l on l.id = p.level_id
           left join certifications c on c.user_id = u.id and c.program_id = p.id
           left join certificates k on k.id = c.certificate_id
           where u.active = 1 and (($1 and not $3) or u.team_id in (select value from json_each($2)))
             and (u.display_name like $4 escape '\' or u.employee_no like $4 escape '\')
             -- Everyone with a program, and every trainee: one without a program needs one.
             and (p.id is not null or exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'trainee'))
           order by u.display_name, u.id, p.level_id"#,
        all,
        teams,
        narrowed,
        pattern
    )
    .fetch_all(&db.read)
    .await?;
    let mut people: Vec<RosterPerson> = Vec::new();
    for r in rows {
        if people.last().is_none_or(|p| p.user_id != r.user_id) {
            people.push(RosterPerson {
                user_id: r.user_id,
                display_name: r.display_name,
                employee_no: r.employee_no,
                team: r.team_id.and_then(|t| paths.get(&t)).map(|p| (*p).clone()).unwrap_or_default(),
                team_id: r.team_id,
                position: Names::new(r.position_zh, r.position_en),
                programs: Vec::new(),
            });
        }
        let (Some(program_id), Some(program)) = (r.program_id, r.program) else { continue };
        let person = people.last_mut().expect("pushed above");
        person.programs.push(RosterProgram {
            program_id,
            program: Names::new(program, r.program_en.unwrap_or_default()),
            level: Names::new(r.level_zh.unwrap_or_default(), r.level_en.unwrap_or_default()),
            status: CertStatus::parse(&r.status).unwrap_or(CertStatus::NotStarted),
            expires_at: r.expires_at,
            missing: Vec::new(),
            hold_reason: r.hold_reason.unwrap_or_default(),
        });
    }
    let soon = at + f.within_days * 86_400;
    people.retain(|p| {
        f.program.is_none_or(|id| p.programs.iter().any(|g| g.program_id == id))
            && match f.status {
                None => true,
                Some(RosterStatus::Cleared) => p.cleared(),
                Some(RosterStatus::NotCleared) => !p.cleared(),
                Some(RosterStatus::Expiring) => {
                    p.programs.iter().any(|g| g.status.cleared() && g.expires_at.is_some_and(|e| e <= soon))
                }
                Some(RosterStatus::WithoutProgram) => p.without_program(),
            }
    });
    Ok(people)
}

/// Works out what each shown program still misses (the evidence reads are the roster's cost).
async fn fill_missing(db: &Db, people: &mut [RosterPerson], at: i64) -> AppResult<()> {
    let mut conn = db.read.acquire().await?;
    // Looked up once per program, not per row.
    let mut programs: std::collections::HashMap<i64, super::decision::Program> = std::collections::HashMap::new();
    let mut not_started: std::collections::HashMap<i64, Asks> = std::collections::HashMap::new();
    for person in people.iter_mut() {
        for g in person.programs.iter_mut() {
            let status = g.status;
            g.missing = if status.cleared() && status != CertStatus::Expiring {
                Vec::new()
            } else if status == CertStatus::NotStarted {
                // Nothing started: every requirement is missing, the same for everyone in the
                // program, so they are looked up once (most of a large roster is often here).
                if let std::collections::hash_map::Entry::Vacant(slot) = not_started.entry(g.program_id) {
                    slot.insert(everything_for(&mut conn, g.program_id).await?);
                }
                let (requires, titles) = &not_started[&g.program_id];
                let mut m = titles.clone();
                if let Some((req, name)) = requires {
                    let cleared = sqlx::query_scalar!(
                        "select count(*) as \"n!\" from certifications where user_id = $1 and program_id = $2 and status in ('certified', 'expiring')",
                        person.user_id,
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
                if let std::collections::hash_map::Entry::Vacant(slot) = programs.entry(g.program_id) {
                    slot.insert(evidence::program(&mut conn, g.program_id).await?);
                }
                evidence::evaluate(&mut conn, person.user_id, &programs[&g.program_id], at).await?.missing()
            };
        }
    }
    Ok(())
}

/// A program's required program (id, name) and the titles of what it asks to certify.
type Asks = (Option<(i64, Names)>, Vec<Names>);

async fn everything_for(conn: &mut Conn, program_id: i64) -> AppResult<Asks> {
    let p = evidence::program(conn, program_id).await?;
    let requires = match p.requires {
        Some(id) => Some((id, evidence::program(conn, id).await?.name)),
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
        r.team.both(),
        r.position.both(),
        r.program.both(),
        r.level.both(),
        r.status.as_str().to_string(),
        if r.status.cleared() { "yes" } else { "no" }.to_string(),
        day(r.expires_at),
        if r.hold_reason.is_empty() {
            r.missing.iter().map(Names::both).collect::<Vec<_>>().join("; ")
        } else {
            r.hold_reason.clone()
        },
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
            position: Names::new("P", "P"),
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
