//! Certification programs (authoring). How a status is reached: the pure rule in `decision`, the
//! evidence per requirement kind in `evidence`, storing it (and time passing) in `recompute`.
//! People's status, manual decisions and the roster are in `status`; certificates and their
//! public verification in `certificate`; API tokens and the clearance API in `clearance`; expiry
//! notices in `notify`.

pub mod certificate;
pub mod clearance;
pub mod decision;
pub mod evidence;
pub mod notify;
pub mod recompute;
pub mod status;

pub use recompute::{person_changed, Change};

use crate::error::{AppError, AppResult};
use crate::model::cert::{Phase, ProgramEditor, ProgramFields, ProgramSummary, ReqKind, RequirementView};
use crate::model::owners::Owned;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::db::{Conn, Db};
use crate::server::now;
use crate::server::owners;
use recompute::Cause;

fn check_fields(f: &mut ProgramFields) -> AppResult<()> {
    f.name = crate::server::text::authored(&f.name, "name", 200)?;
    if !(1..=3650).contains(&f.validity_days) {
        return Err(AppError::validation("validity_days", "error.days_invalid"));
    }
    if !(0..=365).contains(&f.window_days) || f.window_days >= f.validity_days {
        return Err(AppError::validation("window_days", "error.window_days_invalid"));
    }
    for (field, v) in [("veteran_cycle_days", f.veteran_cycle_days), ("manager_cycle_days", f.manager_cycle_days)] {
        if v.is_some_and(|d| !(1..=3650).contains(&d) || d <= f.window_days) {
            return Err(AppError::validation(field, "error.window_days_invalid"));
        }
    }
    Ok(())
}

/// Everyone a program applies to, re-evaluated after the program changed.
async fn recompute_program(conn: &mut Conn, program_id: i64, at: i64, cause: Cause<'_>) -> AppResult<()> {
    let users = sqlx::query_scalar!(
        r#"select u.id as "id!: i64" from users u, programs p
           where p.id = $1 and u.active = 1 and (u.position_id = p.position_id
                 or exists (select 1 from certifications c where c.user_id = u.id and c.program_id = p.id))"#,
        program_id
    )
    .fetch_all(&mut *conn)
    .await?;
    for u in users {
        recompute::recompute_user(conn, u, at, cause).await?;
    }
    Ok(())
}

/// A program's fields as stored, for the audit entry's "before".
async fn stored_fields(conn: &mut Conn, id: i64) -> AppResult<Option<ProgramFields>> {
    let r = sqlx::query!("select * from programs where id = $1 and archived_at is null", id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(r.map(|r| ProgramFields {
        name: Names::new(r.name, r.name_en),
        position_id: r.position_id.unwrap_or_default(),
        level_id: r.level_id,
        requires_program_id: r.requires_program_id,
        validity_days: r.validity_days,
        window_days: r.window_days,
        veteran_cycle_days: r.veteran_cycle_days,
        manager_cycle_days: r.manager_cycle_days,
    }))
}

/// The audit detail of a change: what it was and what it became, as JSON.
fn before_after(before: &impl serde::Serialize, after: &impl serde::Serialize) -> String {
    serde_json::json!({ "before": before, "after": after }).to_string()
}

/// A program's requirements as stored, for the audit entries.
async fn stored_requirements(conn: &mut Conn, program_id: i64) -> AppResult<Vec<String>> {
    let rows = sqlx::query!(
        "select phase, kind, course_id, quiz_id, scenario_id, plan_id, followup_days, min_percent
         from program_requirements where program_id = $1 order by id",
        program_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let target =
                r.course_id.or(r.quiz_id).or(r.scenario_id).or(r.plan_id).or(r.followup_days).unwrap_or_default();
            let min = r.min_percent.map(|m| format!(" >= {m}%")).unwrap_or_default();
            format!("{} {} {target}{min}", r.phase, r.kind)
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, id = ?id))]
pub async fn save_program(db: &Db, actor: Actor<'_>, id: Option<i64>, mut f: ProgramFields) -> AppResult<i64> {
    check_fields(&mut f)?;
    let at = now();
    let mut tx = db.begin().await?;
    let level = sqlx::query_scalar!("select count(*) as \"n!\" from course_levels where id = $1", f.level_id)
        .fetch_one(&mut *tx)
        .await?;
    if level == 0 {
        return Err(AppError::validation("level_id", "error.choice_unknown"));
    }
    let before = match id {
        Some(id) => Some(stored_fields(&mut tx, id).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    crate::server::position::check_pick(&mut tx, f.position_id, before.as_ref().map(|b| b.position_id)).await?;
    if let Some(req) = f.requires_program_id {
        let ok =
            sqlx::query_scalar!("select count(*) as \"n!\" from programs where id = $1 and archived_at is null", req)
                .fetch_one(&mut *tx)
                .await?;
        // The chain of required programs must not lead back to this one.
        let chain = sqlx::query_scalar!(
            r#"with recursive up(id) as (select cast($1 as bigint) union select p.requires_program_id from programs p join up on p.id = up.id
                                          where p.requires_program_id is not null)
               select id as "id!: i64" from up"#,
            req
        )
        .fetch_all(&mut *tx)
        .await?;
        if ok == 0 || id.is_some_and(|id| chain.contains(&id)) {
            return Err(AppError::validation("requires_program_id", "error.choice_unknown"));
        }
    }
    // A new program starts as a row with the required fields; one update then writes them all.
    let id = match id {
        Some(id) => id,
        None => {
            let id = sqlx::query_scalar!(
                r#"insert into programs (name, name_en, position_id, level_id, created_by, created_at)
                   values ($1, $2, $3, $4, $5, $6) returning id as "id!: i64""#,
                f.name.zh,
                f.name.en,
                f.position_id,
                f.level_id,
                actor.id,
                at
            )
            .fetch_one(&mut *tx)
            .await?;
            owners::insert(&mut tx, Owned::Program, id, actor.id).await?;
            id
        }
    };
    let n = sqlx::query!(
        "update programs set name = $1, name_en = $2, position_id = $3, level_id = $4, requires_program_id = $5,
                validity_days = $6, window_days = $7, veteran_cycle_days = $8, manager_cycle_days = $9
         where id = $10 and archived_at is null",
        f.name.zh,
        f.name.en,
        f.position_id,
        f.level_id,
        f.requires_program_id,
        f.validity_days,
        f.window_days,
        f.veteran_cycle_days,
        f.manager_cycle_days,
        id
    )
    .execute(&mut *tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, Event::by(actor, "program_saved", "program", id).detail(before_after(&before, &f))).await?;
    let cause = Cause { actor: actor.id, ip: actor.ip, why: "program changed", reason: None };
    recompute_program(&mut tx, id, at, cause).await?;
    // The old position's people lose the program without being re-evaluated in it.
    if let Some(old) = before.as_ref().map(|b| b.position_id).filter(|p| *p != f.position_id) {
        let left =
            sqlx::query_scalar!(r#"select id as "id!: i64" from users where position_id = $1 and active = 1"#, old)
                .fetch_all(&mut *tx)
                .await?;
        for u in left {
            crate::server::analytics::summary::person(&mut tx, u).await?;
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// Adds a requirement; the target must exist. Everyone in the program is re-evaluated at once.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, program_id))]
pub async fn add_requirement(
    db: &Db,
    actor: Actor<'_>,
    program_id: i64,
    phase: Phase,
    kind: ReqKind,
    target: i64,
    min_percent: Option<i64>,
) -> AppResult<()> {
    if min_percent.is_some_and(|m| !(0..=100).contains(&m)) {
        return Err(AppError::validation("min_percent", "error.percent_invalid"));
    }
    let at = now();
    let mut tx = db.begin().await?;
    let exists = match kind {
        ReqKind::Course => {
            sqlx::query_scalar!("select count(*) as \"n!\" from courses where id = $1", target).fetch_one(&mut *tx).await?
        }
        ReqKind::Quiz => {
            sqlx::query_scalar!("select count(*) as \"n!\" from quizzes where id = $1", target).fetch_one(&mut *tx).await?
        }
        ReqKind::Roleplay => {
            sqlx::query_scalar!("select count(*) as \"n!\" from scenarios where id = $1", target).fetch_one(&mut *tx).await?
        }
        ReqKind::Attendance => {
            sqlx::query_scalar!("select count(*) as \"n!\" from training_plans where id = $1", target).fetch_one(&mut *tx).await?
        }
        // A follow-up is observed after certification: it can only count towards a renewal.
        ReqKind::Followup if phase == Phase::Initial => {
            return Err(AppError::validation("phase", "error.followup_renewal_only"));
        }
        ReqKind::Followup => {
            sqlx::query_scalar!(
                "select count(*) as \"n!\" from followup_steps where program_id = $1 and offset_days = $2 and observer <> 'self'
                   and removed_at is null",
                program_id,
                target
            )
            .fetch_one(&mut *tx)
            .await?
        }
    };
    if exists == 0 {
        return Err(AppError::validation("target", "error.choice_unknown"));
    }
    let before = stored_requirements(&mut tx, program_id).await?;
    let (phase_s, kind_s) = (phase.as_str(), kind.as_str());
    let pick = |k: ReqKind| (k == kind).then_some(target);
    let (course, quiz, scenario, plan, followup) = (
        pick(ReqKind::Course),
        pick(ReqKind::Quiz),
        pick(ReqKind::Roleplay),
        pick(ReqKind::Attendance),
        pick(ReqKind::Followup),
    );
    let n = sqlx::query!(
        "insert into program_requirements (program_id, phase, kind, course_id, quiz_id, scenario_id, plan_id,
                                           followup_days, min_percent)
         select $1, $2, $3, $4, $5, $6, $7, $8, $9 where exists (select 1 from programs where id = $10)",
        program_id,
        phase_s,
        kind_s,
        course,
        quiz,
        scenario,
        plan,
        followup,
        min_percent,
        program_id
    )
    .execute(&mut *tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let after = stored_requirements(&mut tx, program_id).await?;
    audit::record(
        &mut tx,
        Event::by(actor, "program_requirement_added", "program", program_id).detail(before_after(&before, &after)),
    )
    .await?;
    let cause = Cause { actor: actor.id, ip: actor.ip, why: "program requirements changed", reason: None };
    recompute_program(&mut tx, program_id, at, cause).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, program_id, requirement_id))]
pub async fn remove_requirement(db: &Db, actor: Actor<'_>, program_id: i64, requirement_id: i64) -> AppResult<()> {
    let at = now();
    let mut tx = db.begin().await?;
    let before = stored_requirements(&mut tx, program_id).await?;
    let n =
        sqlx::query!("delete from program_requirements where id = $1 and program_id = $2", requirement_id, program_id)
            .execute(&mut *tx)
            .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let after = stored_requirements(&mut tx, program_id).await?;
    audit::record(
        &mut tx,
        Event::by(actor, "program_requirement_removed", "program", program_id).detail(before_after(&before, &after)),
    )
    .await?;
    let cause = Cause { actor: actor.id, ip: actor.ip, why: "program requirements changed", reason: None };
    recompute_program(&mut tx, program_id, at, cause).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn list_programs(db: &Db) -> AppResult<Vec<ProgramSummary>> {
    let rows = sqlx::query!(
        r#"select p.id, p.name, p.name_en, coalesce(pp.name_zh, '') as "position_zh!: String",
                  coalesce(pp.name_en, '') as "position_en!: String", l.name_zh as level_zh, l.name_en as level_en,
                  (select r.name from programs r where r.id = p.requires_program_id) as requires,
                  (select r.name_en from programs r where r.id = p.requires_program_id) as requires_en,
                  p.validity_days,
                  (select count(*) from program_requirements q where q.program_id = p.id) as "requirements!: i64",
                  (select count(*) from certifications c where c.program_id = p.id
                     and c.status in ('certified', 'expiring')) as "cleared!: i64",
                  (select count(*) from certifications c where c.program_id = p.id) as "holders!: i64"
           from programs p join course_levels l on l.id = p.level_id left join positions pp on pp.id = p.position_id
           where p.archived_at is null order by pp.name_zh, p.level_id"#
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ProgramSummary {
            id: r.id,
            name: Names::new(r.name, r.name_en),
            position: Names::new(r.position_zh, r.position_en),
            level: Names::new(r.level_zh, r.level_en),
            requires: r.requires.map(|zh| Names::new(zh, r.requires_en.unwrap_or_default())),
            validity_days: r.validity_days,
            requirements: r.requirements,
            cleared: r.cleared,
            holders: r.holders,
        })
        .collect())
}

/// `sql_names` selects an id, a Chinese and an English name.
async fn choices(db: &Db, sql_names: &str) -> AppResult<Vec<(i64, Names)>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(sql_names).fetch_all(&db.read).await?;
    Ok(rows.into_iter().map(|(id, zh, en)| (id, Names::new(zh, en))).collect())
}

/// A follow-up requirement's name: its offset ("30-day follow-up").
pub fn followup_title(days: i64) -> Names {
    Names::new(format!("{days} 天在岗跟踪评估"), format!("{days}-day follow-up"))
}

/// The editor: fields, requirements, and what can be chosen (`id` 0: a new program).
#[tracing::instrument(skip_all, fields(id))]
pub async fn editor(db: &Db, id: i64) -> AppResult<ProgramEditor> {
    let fields = if id == 0 {
        ProgramFields {
            name: Names::default(),
            position_id: 0,
            level_id: 1,
            requires_program_id: None,
            validity_days: 365,
            window_days: 60,
            veteran_cycle_days: None,
            manager_cycle_days: None,
        }
    } else {
        let r = sqlx::query!("select * from programs where id = $1 and archived_at is null", id)
            .fetch_optional(&db.read)
            .await?
            .ok_or(AppError::NotFound)?;
        ProgramFields {
            name: Names::new(r.name, r.name_en),
            position_id: r.position_id.unwrap_or_default(),
            level_id: r.level_id,
            requires_program_id: r.requires_program_id,
            validity_days: r.validity_days,
            window_days: r.window_days,
            veteran_cycle_days: r.veteran_cycle_days,
            manager_cycle_days: r.manager_cycle_days,
        }
    };
    let requirements = sqlx::query!(
        r#"select q.id as "id!: i64", q.phase, q.kind, q.min_percent, q.followup_days,
                  coalesce((select v.title from course_versions v where v.course_id = q.course_id order by v.version_no desc limit 1),
                           (select z.title from quizzes z where z.id = q.quiz_id),
                           (select s.title from scenarios s where s.id = q.scenario_id),
                           (select t.title from training_plans t where t.id = q.plan_id), '') as "target_zh!: String",
                  coalesce((select v.title_en from course_versions v where v.course_id = q.course_id order by v.version_no desc limit 1),
                           (select z.title_en from quizzes z where z.id = q.quiz_id),
                           (select s.title_en from scenarios s where s.id = q.scenario_id),
                           (select t.title_en from training_plans t where t.id = q.plan_id), '') as "target_en!: String"
           from program_requirements q where q.program_id = $1 order by q.phase, q.id"#,
        id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .filter_map(|r| {
        Some(RequirementView {
            id: r.id,
            phase: Phase::parse(&r.phase)?,
            kind: ReqKind::parse(&r.kind)?,
            target: match r.followup_days {
                Some(d) => followup_title(d),
                None => Names::new(r.target_zh, r.target_en),
            },
            min_percent: r.min_percent,
        })
    })
    .collect();
    Ok(ProgramEditor {
        id,
        fields,
        requirements,
        levels: choices(db, "select id, name_zh, name_en from course_levels order by rank").await?,
        positions: crate::server::position::list(db).await?,
        programs: choices(
            db,
            "select id, name, name_en from programs where archived_at is null order by name, name_en",
        )
        .await?,
        courses: choices(
            db,
            "select c.id, v.title, v.title_en from courses c
             join course_versions v on v.id = (select max(w.id) from course_versions w where w.course_id = c.id)
             where c.archived_at is null order by 2, 3",
        )
        .await?,
        quizzes: choices(db, "select id, title, title_en from quizzes order by title, title_en").await?,
        scenarios: choices(
            db,
            "select id, title, title_en from scenarios where archived_at is null order by title, title_en",
        )
        .await?,
        plans: choices(db, "select id, title, title_en from training_plans order by title, title_en").await?,
        followups: sqlx::query_scalar!(
            "select distinct offset_days from followup_steps where program_id = $1 and observer <> 'self'
               and removed_at is null order by offset_days",
            id
        )
        .fetch_all(&db.read)
        .await?
        .into_iter()
        .map(|d| (d, followup_title(d)))
        .collect(),
        can_change: false,
    })
}
