//! On-the-job follow-ups (issue 15, level 3). A program's evaluation plan names steps (an offset
//! after certification, who observes, and the observation form); the minute sweep makes one
//! follow-up per current certificate and step and moves it through scheduled, due and overdue,
//! telling whoever is asked and, when it stays overdue, the next manager up. The observer scores
//! the program's rubric with the role-play code ([`crate::server::roleplay::score`]); a failed
//! follow-up may send the person back to re-assessment through the status engine.

use std::collections::{BTreeMap, HashMap};

use crate::error::{AppError, AppResult};
use crate::model::followup::{
    EvaluationPlan, FollowupLists, FollowupResult, FollowupRow, FollowupState, FollowupView, Observer, OnFail,
    ScoredCriterion, ShownAnswer, StepView, Waiver,
};
use crate::model::roleplay::{Criterion, CriterionView, ScoreInput};
use crate::model::survey::{Answer, FormItem, ItemKind};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::{self, Actor, Event};
use crate::server::auth::guard::{visible_team_ids, CurrentUser};
use crate::server::cert::recompute::{self, Cause};
use crate::server::db::{Conn, Db};
use crate::server::{now, text};

const DAY: i64 = 86_400;
/// The form opens this long before the due day (observing a little early is normal).
pub const OPENS_BEFORE: i64 = 7 * DAY;
/// "Coming up" on the observer's list: due within this long.
const COMING: i64 = 14 * DAY;
/// Rows per list on "My follow-ups".
const LIST: i64 = 200;
pub const NOTICE_DUE: &str = "followup_due";
pub const NOTICE_OVERDUE: &str = "followup_overdue";
pub const NOTICE_ESCALATED: &str = "followup_escalated";
/// Why the sweep closed a follow-up (shown translated, kept in English in the row).
const CLOSED: &str = "closed by the system: the certificate is no longer current";

fn state_at(at: i64, due_at: i64, overdue_at: i64) -> FollowupState {
    if at < due_at {
        FollowupState::Scheduled
    } else if at < overdue_at {
        FollowupState::Due
    } else {
        FollowupState::Overdue
    }
}

// ---- The evaluation plan ------------------------------------------------------------------

/// A program's evaluation plan with what can be chosen for a new step.
#[tracing::instrument(skip_all, fields(program_id))]
pub async fn plan(db: &Db, program_id: i64) -> AppResult<EvaluationPlan> {
    let p = sqlx::query!(
        "select followup_on_fail, followup_grace_days, followup_escalate_days from programs
         where id = $1 and archived_at is null",
        program_id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    let steps = sqlx::query!(
        r#"select s.id as "id!: i64", s.offset_days, s.observer, s.pass_percent, s.rubric_id, r.name as "rubric?",
                  s.form_id, f.title as "form_zh?", f.title_en as "form_en?"
           from followup_steps s left join rubrics r on r.id = s.rubric_id left join eval_forms f on f.id = s.form_id
           where s.program_id = $1 and s.removed_at is null order by s.offset_days, s.observer"#,
        program_id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|s| StepView {
        id: s.id,
        offset_days: s.offset_days,
        observer: Observer::parse(&s.observer).unwrap_or(Observer::Supervisor),
        rubric: s.rubric_id.map(|id| (id, s.rubric.unwrap_or_default())),
        form: s.form_id.map(|id| (id, Names::new(s.form_zh.unwrap_or_default(), s.form_en.unwrap_or_default()))),
        pass_percent: s.pass_percent,
    })
    .collect();
    let rubrics = sqlx::query!(r#"select id as "id!: i64", name from rubrics order by name"#)
        .fetch_all(&db.read)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let forms = sqlx::query!(r#"select id as "id!: i64", title, title_en from eval_forms order by title, title_en"#)
        .fetch_all(&db.read)
        .await?
        .into_iter()
        .map(|f| (f.id, Names::new(f.title, f.title_en)))
        .collect();
    let program_rubric = sqlx::query_scalar!(
        "select s.rubric_id from program_requirements q join scenarios s on s.id = q.scenario_id
         where q.program_id = $1 and q.kind = 'roleplay' order by q.phase = 'initial' desc, q.id limit 1",
        program_id
    )
    .fetch_optional(&db.read)
    .await?;
    Ok(EvaluationPlan {
        program_id,
        on_fail: OnFail::parse(&p.followup_on_fail).unwrap_or(OnFail::Record),
        grace_days: p.followup_grace_days,
        escalate_days: p.followup_escalate_days,
        steps,
        rubrics,
        forms,
        program_rubric,
        can_change: false,
    })
}

fn days(field: &str, value: i64, range: std::ops::RangeInclusive<i64>, key: &str) -> AppResult<i64> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(AppError::validation(field, key))
    }
}

/// What a failed follow-up does, and the overdue and escalation delays.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, program_id))]
pub async fn save_settings(
    db: &Db,
    actor: Actor<'_>,
    program_id: i64,
    on_fail: OnFail,
    grace_days: i64,
    escalate_days: i64,
) -> AppResult<()> {
    let grace = days("grace_days", grace_days, 0..=90, "error.grace_days_invalid")?;
    let escalate = days("escalate_days", escalate_days, 1..=90, "error.escalate_days_invalid")?;
    let mut tx = db.begin().await?;
    let on_fail_s = on_fail.as_str();
    let n = sqlx::query!(
        "update programs set followup_on_fail = $1, followup_grace_days = $2, followup_escalate_days = $3
         where id = $4 and archived_at is null",
        on_fail_s,
        grace,
        escalate,
        program_id
    )
    .execute(&mut *tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let detail = format!("on fail {on_fail_s}, overdue after {grace} days, escalated after {escalate} more");
    audit::record(&mut tx, Event::by(actor, "followup_plan_changed", "program", program_id).detail(detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// One step of the plan as the editor posts it.
#[derive(Debug, Clone)]
pub struct StepInput {
    pub offset_days: i64,
    pub observer: Observer,
    pub rubric_id: Option<i64>,
    pub form_id: Option<i64>,
    pub pass_percent: i64,
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, program_id))]
pub async fn add_step(db: &Db, actor: Actor<'_>, program_id: i64, s: StepInput) -> AppResult<i64> {
    let offset = days("offset_days", s.offset_days, 1..=730, "error.offset_days_invalid")?;
    if !(0..=100).contains(&s.pass_percent) {
        return Err(AppError::validation("pass_percent", "error.percent_invalid"));
    }
    if s.rubric_id.is_none() && s.form_id.is_none() {
        return Err(AppError::validation("rubric_id", "error.followup_body_missing"));
    }
    let at = now();
    let mut tx = db.begin().await?;
    let known = sqlx::query!(
        r#"select exists(select 1 from programs where id = $1 and archived_at is null) as "program!: bool",
                  cast($2 as bigint) is null or exists(select 1 from rubrics where id = $2) as "rubric!: bool",
                  cast($3 as bigint) is null or exists(select 1 from eval_forms where id = $3) as "form!: bool""#,
        program_id,
        s.rubric_id,
        s.form_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !known.program {
        return Err(AppError::NotFound);
    }
    if !known.rubric {
        return Err(AppError::validation("rubric_id", "error.choice_unknown"));
    }
    if !known.form {
        return Err(AppError::validation("form_id", "error.choice_unknown"));
    }
    let observer = s.observer.as_str();
    let id = sqlx::query_scalar!(
        r#"insert into followup_steps (program_id, offset_days, observer, rubric_id, form_id, pass_percent, created_at)
           values ($1, $2, $3, $4, $5, $6, $7) returning id as "id!: i64""#,
        program_id,
        offset,
        observer,
        s.rubric_id,
        s.form_id,
        s.pass_percent,
        at
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if crate::server::db::is_unique_violation(&e, crate::server::db::Unique::FollowupStep) {
            AppError::Conflict { field: "offset_days".into() }
        } else {
            e.into()
        }
    })?;
    let detail = format!("step {id}: {offset} days, {observer}, rubric {:?}, form {:?}", s.rubric_id, s.form_id);
    audit::record(&mut tx, Event::by(actor, "followup_step_added", "program", program_id).detail(detail)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a step from the plan: follow-ups already made from it that are still open are closed,
/// completed ones stay in people's history.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, program_id, step_id))]
pub async fn remove_step(db: &Db, actor: Actor<'_>, program_id: i64, step_id: i64) -> AppResult<()> {
    let at = now();
    let mut tx = db.begin().await?;
    let n = sqlx::query!(
        "update followup_steps set removed_at = $1 where id = $2 and program_id = $3 and removed_at is null",
        at,
        step_id,
        program_id
    )
    .execute(&mut *tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let reason = "closed by the system: the step was removed from the evaluation plan";
    sqlx::query!(
        "update followups set state = 'waived', waived_at = $1, waive_reason = $2, draft = null
         where step_id = $3 and state in ('scheduled', 'due', 'overdue')",
        at,
        reason,
        step_id
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event::by(actor, "followup_step_removed", "program", program_id).detail(format!("step {step_id}")),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- Who is asked ---------------------------------------------------------------------------

/// The managers above a person, nearest team first: (manager, how many teams up).
async fn managers_up(conn: &mut Conn, user_id: i64) -> AppResult<Vec<(i64, i64)>> {
    let rows = sqlx::query!(
        r#"with recursive up(id, depth) as (
               select team_id, 0 from users where id = $1 and team_id is not null
               union all
               select t.parent_id, up.depth + 1 from teams t join up on t.id = up.id where t.parent_id is not null
           )
           select m.user_id as "user_id!: i64", up.depth as "depth!: i64"
           from team_managers m join up on up.id = m.team_id join users u on u.id = m.user_id
           where m.user_id <> $1 and u.active = 1
           order by up.depth, m.user_id"#,
        user_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.depth)).collect())
}

/// Who a new follow-up asks: the nearest manager, the trainer who last rated the person's
/// role-play in this program (none: any trainer), or the person.
async fn assignee(conn: &mut Conn, observer: Observer, user_id: i64, program_id: i64) -> AppResult<Option<i64>> {
    Ok(match observer {
        Observer::SelfAssessment => Some(user_id),
        Observer::Supervisor => managers_up(conn, user_id).await?.first().map(|(m, _)| *m),
        Observer::Trainer => {
            sqlx::query_scalar!(
                r#"select g.rater_id as "rater!: i64" from roleplay_ratings g join roleplays r on r.id = g.roleplay_id
                   join users u on u.id = g.rater_id
                   where r.trainee_id = $1 and r.status = 'final' and g.is_self = 0 and u.active = 1
                     and r.scenario_id in (select scenario_id from program_requirements
                                            where program_id = $2 and kind = 'roleplay')
                   order by r.finalized_at desc, g.id limit 1"#,
                user_id,
                program_id
            )
            .fetch_optional(&mut *conn)
            .await?
        }
    })
}

/// Whom an overdue follow-up escalates to: the first manager above the one asked (for a
/// supervisor's follow-up), else the person's nearest manager.
async fn escalation(conn: &mut Conn, user_id: i64, observer: Observer, asked: Option<i64>) -> AppResult<Option<i64>> {
    let up = managers_up(conn, user_id).await?;
    let from = match (observer, asked) {
        (Observer::Supervisor, Some(a)) => up.iter().find(|(m, _)| *m == a).map(|(_, d)| *d),
        _ => None,
    };
    Ok(match from {
        Some(depth) => up.into_iter().find(|(m, d)| *d > depth && Some(*m) != asked).map(|(m, _)| m),
        None => up.into_iter().find(|(m, _)| Some(*m) != asked).map(|(m, _)| m),
    })
}

async fn notice(conn: &mut Conn, to: Option<i64>, kind: &str, followup: i64, at: i64) -> AppResult<()> {
    let Some(to) = to else { return Ok(()) };
    crate::server::cert::notify::once(conn, to, kind, followup, &format!("/followups/{followup}"), at).await
}

// ---- The sweep ------------------------------------------------------------------------------

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub created: usize,
    pub moved: usize,
    pub escalated: usize,
    pub closed: usize,
}

/// Makes the follow-ups that are missing and moves the open ones on, as of `at`. Safe to run
/// twice or after downtime: follow-ups are unique per certificate and step, each state moves
/// once, and notices are unique per person, kind and follow-up. A follow-up first seen after its
/// due day is made in the state it has by then.
#[tracing::instrument(skip_all, fields(at))]
pub async fn sweep(db: &Db, at: i64) -> AppResult<Swept> {
    let mut done = Swept::default();
    let mut tx = db.begin().await?;
    // Certificates that ended or were replaced (a renewal starts a new cycle), and people who
    // left: their open follow-ups close; finished ones stay in the history.
    done.closed = sqlx::query!(
        "update followups set state = 'waived', waived_at = $1, waive_reason = $2, draft = null
         where state in ('scheduled', 'due', 'overdue') and (
               certificate_id is distinct from (select c.certificate_id from certifications c
                                       where c.user_id = followups.user_id and c.program_id = followups.program_id)
            or exists (select 1 from certificates k where k.id = followups.certificate_id
                        and (k.revoked_at is not null or k.expires_at <= $1))
            or not exists (select 1 from users u where u.id = followups.user_id and u.active = 1))",
        at,
        CLOSED
    )
    .execute(&mut *tx)
    .await?
    .rows_affected() as usize;
    // A step applies to the certificates whose follow-up falls due after the step was added, so
    // adding a plan does not make every earlier certificate's follow-ups overdue at once.
    let missing = sqlx::query!(
        r#"select c.user_id, c.program_id, k.id as "certificate_id!: i64", k.issued_at, s.id as "step_id!: i64",
                  s.offset_days, s.observer, s.pass_percent, p.followup_grace_days,
                  (select r.current_version_id from rubrics r where r.id = s.rubric_id) as rubric_version_id,
                  (select f.current_version_id from eval_forms f where f.id = s.form_id) as form_version_id
           from certifications c
           join certificates k on k.id = c.certificate_id
           join programs p on p.id = c.program_id
           join users u on u.id = c.user_id
           join followup_steps s on s.program_id = c.program_id and s.removed_at is null
           where c.hold is null and c.status in ('certified', 'expiring', 'reassess') and u.active = 1
             and k.revoked_at is null and k.expires_at > $1 and p.archived_at is null
             and k.issued_at + s.offset_days * 86400 >= s.created_at
             and not exists (select 1 from followups f where f.certificate_id = k.id and f.step_id = s.id)
           order by k.id, s.id"#,
        at
    )
    .fetch_all(&mut *tx)
    .await?;
    // One lookup per person, program and observer, not per step.
    let mut asked_of: HashMap<(i64, i64, Observer), Option<i64>> = HashMap::new();
    for m in missing {
        let observer = Observer::parse(&m.observer).unwrap_or(Observer::Supervisor);
        let asked = match asked_of.get(&(m.user_id, m.program_id, observer)) {
            Some(a) => *a,
            None => {
                let a = assignee(&mut tx, observer, m.user_id, m.program_id).await?;
                asked_of.insert((m.user_id, m.program_id, observer), a);
                a
            }
        };
        let due_at = m.issued_at + m.offset_days * DAY;
        let overdue_at = due_at + m.followup_grace_days * DAY;
        let state = state_at(at, due_at, overdue_at).as_str();
        let id = sqlx::query_scalar!(
            r#"insert into followups (step_id, user_id, program_id, certificate_id, offset_days, observer, due_at,
                                      overdue_at, state, assignee_id, rubric_version_id, form_version_id,
                                      pass_percent, created_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
               on conflict (certificate_id, step_id) do nothing returning id as "id!: i64""#,
            m.step_id,
            m.user_id,
            m.program_id,
            m.certificate_id,
            m.offset_days,
            m.observer,
            due_at,
            overdue_at,
            state,
            asked,
            m.rubric_version_id,
            m.form_version_id,
            m.pass_percent,
            at
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            done.created += 1;
            match state {
                "due" => notice(&mut tx, asked, NOTICE_DUE, id, at).await?,
                "overdue" => notice(&mut tx, asked, NOTICE_OVERDUE, id, at).await?,
                _ => {}
            }
        }
    }
    // Scheduled to due, and either to overdue: each move once, with its notice.
    let moved = sqlx::query!(
        r#"update followups set state = case when overdue_at <= $1 then 'overdue' else 'due' end
           where (state = 'scheduled' and due_at <= $1) or (state = 'due' and overdue_at <= $1)
           returning id as "id!: i64", state, assignee_id"#,
        at
    )
    .fetch_all(&mut *tx)
    .await?;
    done.moved = moved.len();
    for m in moved {
        let kind = if m.state == "overdue" { NOTICE_OVERDUE } else { NOTICE_DUE };
        notice(&mut tx, m.assignee_id, kind, m.id, at).await?;
    }
    // Still overdue some days on: the next manager up hears of it, once.
    let late = sqlx::query!(
        r#"select f.id as "id!: i64", f.user_id, f.observer, f.assignee_id
           from followups f join programs p on p.id = f.program_id
           where f.state = 'overdue' and f.escalated_at is null and f.overdue_at + p.followup_escalate_days * 86400 <= $1"#,
        at
    )
    .fetch_all(&mut *tx)
    .await?;
    for l in late {
        let observer = Observer::parse(&l.observer).unwrap_or(Observer::Supervisor);
        let to = escalation(&mut tx, l.user_id, observer, l.assignee_id).await?;
        sqlx::query!("update followups set escalated_at = $1, escalated_to = $2 where id = $3", at, to, l.id)
            .execute(&mut *tx)
            .await?;
        notice(&mut tx, to, NOTICE_ESCALATED, l.id, at).await?;
        done.escalated += 1;
    }
    tx.commit().await?;
    Ok(done)
}

// ---- Who may do what --------------------------------------------------------------------------

/// One follow-up's facts that access depends on.
struct Access {
    user_id: i64,
    team_id: Option<i64>,
    observer: Observer,
    assignee: Option<i64>,
    escalated_to: Option<i64>,
}

/// (may observe, may waive, may see) for the caller.
async fn rights(db: &Db, caller: &CurrentUser, a: &Access) -> AppResult<(bool, bool, bool)> {
    let own = caller.id == a.user_id;
    let manages = caller.has(Role::Manager)
        && match a.team_id {
            Some(t) => visible_team_ids(db, caller.id).await?.contains(&t),
            None => false,
        };
    let admin = caller.has(Role::Admin);
    let observe = match a.observer {
        Observer::SelfAssessment => own,
        _ if own => false,
        Observer::Supervisor => manages || admin || Some(caller.id) == a.assignee || Some(caller.id) == a.escalated_to,
        Observer::Trainer => caller.has(Role::Trainer) || admin,
    };
    let waive = !own && (admin || manages);
    let see = observe || waive || own || caller.has(Role::Trainer) || Some(caller.id) == a.escalated_to;
    Ok((observe, waive, see))
}

// ---- Lists ------------------------------------------------------------------------------------

struct RowSql {
    id: i64,
    user_id: i64,
    person: String,
    employee_no: String,
    team: Option<String>,
    team_en: Option<String>,
    program: String,
    program_en: String,
    offset_days: i64,
    observer: String,
    state: String,
    due_at: i64,
    overdue_at: i64,
    assignee: Option<String>,
    escalated_to: Option<i64>,
    percent: Option<f64>,
    passed: Option<i64>,
    completed_at: Option<i64>,
}

impl From<RowSql> for FollowupRow {
    fn from(r: RowSql) -> FollowupRow {
        FollowupRow {
            id: r.id,
            user_id: r.user_id,
            person: r.person,
            employee_no: r.employee_no,
            team: Names::new(r.team.unwrap_or_default(), r.team_en.unwrap_or_default()),
            program: Names::new(r.program, r.program_en),
            offset_days: r.offset_days,
            observer: Observer::parse(&r.observer).unwrap_or(Observer::Supervisor),
            state: FollowupState::parse(&r.state).unwrap_or(FollowupState::Scheduled),
            due_at: r.due_at,
            overdue_at: r.overdue_at,
            assignee: r.assignee,
            escalated: r.escalated_to.is_some(),
            percent: r.percent,
            passed: r.passed.map(|p| p == 1),
            completed_at: r.completed_at,
        }
    }
}

/// The follow-ups matching `filter` (SQL over `f`, `u` the person and `t` their team), as list rows.
macro_rules! rows {
    ($conn:expr, $filter:literal, $($arg:expr),*) => {
        sqlx::query_as!(
            RowSql,
            r#"select f.id as "id!: i64", f.user_id, u.display_name as person, u.employee_no, t.name as "team?",
                      t.name_en as "team_en?", p.name as program, p.name_en as program_en, f.offset_days, f.observer,
                      f.state, f.due_at, f.overdue_at, a.display_name as "assignee?", f.escalated_to, f.percent,
                      f.passed, f.completed_at
               from followups f join users u on u.id = f.user_id left join teams t on t.id = u.team_id
               join programs p on p.id = f.program_id left join users a on a.id = f.assignee_id
               where "# + $filter,
            $($arg),*
        )
        .fetch_all($conn)
        .await?
        .into_iter()
        .map(FollowupRow::from)
        .collect::<Vec<_>>()
    };
}

/// The caller's follow-ups: to fill in, coming up, overdue in their teams, done, and their own.
#[tracing::instrument(skip_all, fields(caller = caller.id))]
pub async fn mine(db: &Db, caller: &CurrentUser) -> AppResult<FollowupLists> {
    let at = now();
    let teams = if caller.has(Role::Manager) { visible_team_ids(db, caller.id).await? } else { Vec::new() };
    let teams_json = serde_json::to_string(&teams).map_err(crate::error::internal)?;
    let (admin, trainer) = (caller.has(Role::Admin), caller.has(Role::Trainer));
    let mut conn = db.read.acquire().await?;
    // Mine to fill in: a self-assessment of mine, one asked of me or escalated to me, or one asked of
    // no one in particular (a supervisor's in my teams when the team has no manager of its own, a
    // trainer's for a trainer). Managers higher up see the rest once overdue, below.
    let open = rows!(
        &mut *conn,
        "f.state in ('scheduled', 'due', 'overdue') and f.due_at - $2 <= $3 and (
               (f.observer = 'self' and f.user_id = $1)
            or (f.observer <> 'self' and f.user_id <> $1 and (
                   f.assignee_id = $1 or f.escalated_to = $1
                or (f.observer = 'supervisor' and f.assignee_id is null
                    and u.team_id in (select value from json_each($4)))
                or (f.observer = 'trainer' and $5 and f.assignee_id is null))))
         order by f.state = 'overdue' desc, f.due_at, f.id limit $6",
        caller.id,
        COMING,
        at,
        teams_json,
        trainer,
        LIST
    );
    let (to_do, coming): (Vec<_>, Vec<_>) = open.into_iter().partition(|r| r.state != FollowupState::Scheduled);
    // Overdue ones the caller is not asked to do themselves (those are in `to_do`).
    let overdue_in_teams = if admin || !teams.is_empty() {
        rows!(
            &mut *conn,
            "f.state = 'overdue' and f.user_id <> $1 and ($2 or u.team_id in (select value from json_each($3)))
             order by f.overdue_at, f.id limit $4",
            caller.id,
            admin,
            teams_json,
            LIST
        )
    } else {
        Vec::new()
    };
    let overdue_in_teams = overdue_in_teams.into_iter().filter(|r| !to_do.iter().any(|t| t.id == r.id)).collect();
    let done = rows!(
        &mut *conn,
        "f.state = 'completed' and f.observer_id = $1 and f.user_id <> $1 order by f.completed_at desc limit $2",
        caller.id,
        LIST
    );
    let about_me = rows!(
        &mut *conn,
        "f.user_id = $1 and f.state = 'completed' order by f.completed_at desc limit $2",
        caller.id,
        LIST
    );
    Ok(FollowupLists { to_do, coming, overdue_in_teams, done, about_me })
}

/// A person's follow-ups, newest cycle first, for their certification page. The person sees their
/// own (results of completed ones only); managers of their team, trainers and admins see them too.
#[tracing::instrument(skip_all, fields(caller = caller.id, user_id))]
pub async fn of_person(db: &Db, caller: &CurrentUser, user_id: i64) -> AppResult<Vec<FollowupRow>> {
    let team = sqlx::query_scalar!("select team_id from users where id = $1", user_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    let a = Access { user_id, team_id: team, observer: Observer::Supervisor, assignee: None, escalated_to: None };
    let (_, _, see) = rights(db, caller, &a).await?;
    if !see {
        tracing::warn!(user_id = caller.id, subject = user_id, "denied: follow-ups out of scope");
        return Err(AppError::Forbidden);
    }
    let mut conn = db.read.acquire().await?;
    Ok(rows!(&mut *conn, "f.user_id = $1 order by f.certificate_id desc, f.offset_days, f.id limit $2", user_id, LIST))
}

/// The follow-ups on the job of a training plan's members (observers', of each person's current
/// certificate per program), for those who may see the plan's records; each member as that
/// viewer may see them.
#[tracing::instrument(skip_all, fields(caller = caller.id, plan_id))]
pub async fn of_plan(db: &Db, caller: &CurrentUser, plan_id: i64) -> AppResult<Vec<FollowupRow>> {
    let viewer = crate::server::plan::require_records(db, caller, plan_id).await?;
    of_plan_for(db, &viewer, plan_id).await
}

/// [`of_plan`] for a viewer whose access is already checked (the record form's).
pub async fn of_plan_for(db: &Db, viewer: &crate::server::plan::Viewer, plan_id: i64) -> AppResult<Vec<FollowupRow>> {
    let teams: HashMap<i64, Option<i64>> = sqlx::query!(
        r#"select u.id as "id!: i64", u.team_id from plan_members m join users u on u.id = m.user_id where m.plan_id = $1"#,
        plan_id
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (r.id, r.team_id))
    .collect();
    let mut conn = db.read.acquire().await?;
    let rows = rows!(
        &mut *conn,
        "f.user_id in (select m.user_id from plan_members m where m.plan_id = $1) and f.observer <> 'self'
           and f.certificate_id = (select max(k.id) from certificates k
                                    where k.user_id = f.user_id and k.program_id = f.program_id)
         order by u.display_name, f.program_id, f.offset_days limit $2",
        plan_id,
        2000
    );
    Ok(rows.into_iter().filter(|r| viewer.sees(r.user_id, teams.get(&r.user_id).copied().flatten())).collect())
}

// ---- One follow-up ----------------------------------------------------------------------------

struct Full {
    id: i64,
    user_id: i64,
    person: String,
    employee_no: String,
    team_id: Option<i64>,
    team: Option<String>,
    team_en: Option<String>,
    program_id: i64,
    program: String,
    program_en: String,
    certificate_id: i64,
    certified_at: i64,
    offset_days: i64,
    observer: String,
    state: String,
    due_at: i64,
    overdue_at: i64,
    assignee_id: Option<i64>,
    assignee: Option<String>,
    escalated_to: Option<i64>,
    escalated_name: Option<String>,
    criteria: Option<String>,
    items: Option<String>,
    pass_percent: i64,
    draft: Option<String>,
    levels: Option<String>,
    comments: Option<String>,
    answers: Option<String>,
    overall: String,
    percent: Option<f64>,
    passed: Option<i64>,
    critical_failed: String,
    observer_name: Option<String>,
    completed_at: Option<i64>,
    waived_by: Option<String>,
    waived_at: Option<i64>,
    waive_reason: String,
    sent_back: bool,
}

async fn full(conn: &mut Conn, id: i64) -> AppResult<Full> {
    sqlx::query_as!(
        Full,
        r#"select f.id as "id!: i64", f.user_id, u.display_name as person, u.employee_no, u.team_id, t.name as "team?",
                  t.name_en as "team_en?", f.program_id, p.name as program, p.name_en as program_en, f.certificate_id,
                  k.issued_at as certified_at, f.offset_days, f.observer, f.state, f.due_at, f.overdue_at,
                  f.assignee_id, a.display_name as "assignee?", f.escalated_to, e.display_name as "escalated_name?",
                  rv.criteria as "criteria?", fv.items as "items?", f.pass_percent, f.draft, f.levels, f.comments,
                  f.answers, f.overall, f.percent, f.passed, f.critical_failed, o.display_name as "observer_name?",
                  f.completed_at, w.display_name as "waived_by?", f.waived_at, f.waive_reason,
                  exists(select 1 from audit_log l where l.action = 'followup_sent_back' and l.subject_type = 'followup'
                          and l.subject_id = f.id) as "sent_back!: bool"
           from followups f join users u on u.id = f.user_id left join teams t on t.id = u.team_id
           join programs p on p.id = f.program_id join certificates k on k.id = f.certificate_id
           left join users a on a.id = f.assignee_id left join users e on e.id = f.escalated_to
           left join users o on o.id = f.observer_id left join users w on w.id = f.waived_by
           left join rubric_versions rv on rv.id = f.rubric_version_id
           left join eval_form_versions fv on fv.id = f.form_version_id
           where f.id = $1"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

fn criteria_of(json: Option<&str>) -> Vec<Criterion> {
    json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
}

fn items_of(json: Option<&str>) -> Vec<FormItem> {
    json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
}

fn access_of(f: &Full) -> Access {
    Access {
        user_id: f.user_id,
        team_id: f.team_id,
        observer: Observer::parse(&f.observer).unwrap_or(Observer::Supervisor),
        assignee: f.assignee_id,
        escalated_to: f.escalated_to,
    }
}

fn shown_answers(items: &[FormItem], answers: &[Answer]) -> Vec<ShownAnswer> {
    answers
        .iter()
        .filter_map(|a| {
            let item = items.get(a.item)?;
            Some(ShownAnswer {
                question: item.text.clone(),
                choices: a.choices.iter().filter_map(|k| item.options.get(*k).cloned()).collect(),
                number: a.number.filter(|_| !matches!(item.kind, ItemKind::YesNo)),
                yes_no: a.number.filter(|_| item.kind == ItemKind::YesNo).map(|n| n > 0.5),
                text: a.text.clone(),
            })
        })
        .collect()
}

/// One follow-up for whoever may see it: the observer gets the form (with the rubric's weights,
/// critical flags and their own draft); the person sees the result once completed, never a draft.
#[tracing::instrument(skip_all, fields(caller = caller.id, id))]
pub async fn view(db: &Db, caller: &CurrentUser, id: i64) -> AppResult<FollowupView> {
    let mut conn = db.read.acquire().await?;
    let f = full(&mut conn, id).await?;
    drop(conn);
    let (observe, waive, see) = rights(db, caller, &access_of(&f)).await?;
    if !see {
        tracing::warn!(user_id = caller.id, followup = id, "denied: follow-up out of scope");
        return Err(AppError::Forbidden);
    }
    let state = FollowupState::parse(&f.state).unwrap_or(FollowupState::Scheduled);
    let can_observe = observe && state.open();
    let criteria = criteria_of(f.criteria.as_deref());
    let items = items_of(f.items.as_deref());
    let result = match (state, f.completed_at) {
        (FollowupState::Completed, Some(completed_at)) => {
            let levels: Vec<u8> = f.levels.as_deref().and_then(|l| serde_json::from_str(l).ok()).unwrap_or_default();
            let comments: Vec<String> =
                f.comments.as_deref().and_then(|c| serde_json::from_str(c).ok()).unwrap_or_default();
            let failed = Names::list_from_json(&f.critical_failed);
            let answers: Vec<Answer> =
                f.answers.as_deref().and_then(|a| serde_json::from_str(a).ok()).unwrap_or_default();
            Some(FollowupResult {
                observer_name: f.observer_name.clone().unwrap_or_default(),
                completed_at,
                percent: f.percent,
                passed: f.passed.map(|p| p == 1),
                criteria: criteria
                    .iter()
                    .zip(&levels)
                    .enumerate()
                    .map(|(i, (c, level))| ScoredCriterion {
                        name: c.name.clone(),
                        level: *level,
                        max_level: c.max_level(),
                        descriptor: c.levels.get(usize::from(*level)).cloned().unwrap_or_default(),
                        comment: comments.get(i).cloned().unwrap_or_default(),
                        critical_failed: failed.contains(&c.name),
                    })
                    .collect(),
                answers: shown_answers(&items, &answers),
                overall: f.overall.clone(),
                sent_back: f.sent_back,
            })
        }
        _ => None,
    };
    let waiver = f.waived_at.map(|at| Waiver { by: f.waived_by.clone(), at, reason: f.waive_reason.clone() });
    let draft = match (can_observe, f.draft.as_deref()) {
        (true, Some(d)) => serde_json::from_str(d).unwrap_or_default(),
        _ => BTreeMap::new(),
    };
    Ok(FollowupView {
        id: f.id,
        user_id: f.user_id,
        person: f.person,
        employee_no: f.employee_no,
        team: Names::new(f.team.unwrap_or_default(), f.team_en.unwrap_or_default()),
        program: Names::new(f.program, f.program_en),
        offset_days: f.offset_days,
        observer: Observer::parse(&f.observer).unwrap_or(Observer::Supervisor),
        state,
        certified_at: f.certified_at,
        due_at: f.due_at,
        overdue_at: f.overdue_at,
        opens_at: f.due_at - OPENS_BEFORE,
        not_open_yet: now() < f.due_at - OPENS_BEFORE,
        assignee: f.assignee,
        escalated_to: f.escalated_name,
        pass_percent: f.pass_percent,
        // The form is the observer's; nobody else needs the rubric's weights or the items.
        criteria: if can_observe {
            criteria
                .into_iter()
                .map(|c| CriterionView {
                    name: c.name,
                    levels: c.levels,
                    weight: Some(c.weight),
                    critical: Some(c.critical),
                    pass_level: Some(c.pass_level),
                })
                .collect()
        } else {
            Vec::new()
        },
        items: if can_observe { items } else { Vec::new() },
        draft,
        can_observe,
        can_waive: waive && state.open(),
        result,
        waiver,
    })
}

/// What the observer posted.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub scores: Vec<ScoreInput>,
    pub answers: BTreeMap<String, String>,
    pub overall: String,
    /// Keep as a draft instead of submitting.
    pub draft: bool,
}

impl Observation {
    /// The form as posted, by field name, to fill the form in again from a draft.
    fn as_draft(&self) -> BTreeMap<String, String> {
        let mut d = BTreeMap::new();
        for (i, s) in self.scores.iter().enumerate() {
            if let Some(l) = s.level.as_deref().filter(|l| !l.trim().is_empty()) {
                d.insert(format!("scores[{i}][level]"), l.trim().to_string());
            }
            if !s.comment.trim().is_empty() {
                d.insert(format!("scores[{i}][comment]"), s.comment.clone());
            }
        }
        for (k, v) in &self.answers {
            if !v.trim().is_empty() {
                d.insert(format!("answers[{k}]"), v.clone());
            }
        }
        if !self.overall.trim().is_empty() {
            d.insert("overall".into(), self.overall.clone());
        }
        d
    }
}

/// Saves a draft or completes a follow-up. On completion the rubric is scored with the role-play
/// code; a failed observation (not a self-assessment) in a program that says so sends the person
/// back to re-assessment in the same transaction, with an audit entry naming the follow-up.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = caller.id, id))]
pub async fn submit(
    db: &Db,
    actor: Actor<'_>,
    caller: &CurrentUser,
    id: i64,
    o: &Observation,
) -> AppResult<FollowupState> {
    let mut conn = db.read.acquire().await?;
    let f = full(&mut conn, id).await?;
    drop(conn);
    let (observe, _, see) = rights(db, caller, &access_of(&f)).await?;
    if !observe {
        tracing::warn!(user_id = caller.id, followup = id, "denied: not this follow-up's observer");
        return Err(if see { AppError::Forbidden } else { AppError::NotFound });
    }
    let state = FollowupState::parse(&f.state).unwrap_or(FollowupState::Scheduled);
    if !state.open() {
        return Err(AppError::Conflict { field: "state".into() });
    }
    let at = now();
    if at < f.due_at - OPENS_BEFORE {
        return Err(AppError::validation("state", "error.followup_not_open"));
    }
    let overall = text::text("overall", &o.overall, 4000)?;
    if o.draft {
        let draft = serde_json::to_string(&o.as_draft()).map_err(crate::error::internal)?;
        if draft.len() > 200_000 {
            return Err(AppError::validation("overall", "error.text_too_long"));
        }
        let mut tx = db.begin().await?;
        let n = sqlx::query!(
            "update followups set draft = $1, saved_at = $2 where id = $3 and state in ('scheduled', 'due', 'overdue')",
            draft,
            at,
            id
        )
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(AppError::Conflict { field: "state".into() });
        }
        tx.commit().await?;
        return Ok(state);
    }
    let criteria = criteria_of(f.criteria.as_deref());
    let items = items_of(f.items.as_deref());
    let (levels, comments) = if criteria.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        crate::server::roleplay::attempt::parse_scores(&criteria, &o.scores)?
    };
    let answers = crate::server::survey::parse_answers(&items, &o.answers)?;
    // The rubric's own scoring: weights, levels, critical criteria, the step's pass mark.
    let outcome = (!criteria.is_empty()).then(|| {
        let l: Vec<f64> = levels.iter().map(|l| f64::from(*l)).collect();
        crate::server::roleplay::score::score(&criteria, &l, f.pass_percent as f64)
    });
    let (percent, passed) = (outcome.as_ref().map(|o| o.percent), outcome.as_ref().map(|o| o.passed));
    let critical = serde_json::to_string(&outcome.as_ref().map(|o| o.critical_failed.clone()).unwrap_or_default())
        .map_err(crate::error::internal)?;
    let (levels_json, comments_json, answers_json) = (
        serde_json::to_string(&levels).map_err(crate::error::internal)?,
        serde_json::to_string(&comments).map_err(crate::error::internal)?,
        serde_json::to_string(&answers).map_err(crate::error::internal)?,
    );
    let mut tx = db.begin().await?;
    let passed_flag = passed.map(i64::from);
    let n = sqlx::query!(
        "update followups set state = 'completed', levels = $1, comments = $2, answers = $3, overall = $4, percent = $5,
                passed = $6, critical_failed = $7, observer_id = $8, completed_at = $9, draft = null
         where id = $10 and state in ('scheduled', 'due', 'overdue')",
        levels_json,
        comments_json,
        answers_json,
        overall,
        percent,
        passed_flag,
        critical,
        caller.id,
        at,
        id
    )
    .execute(&mut *tx)
    .await?;
    if n.rows_affected() == 0 {
        // Completed or waived by someone else meanwhile.
        return Err(AppError::Conflict { field: "state".into() });
    }
    let detail = serde_json::json!({
        "user_id": f.user_id, "program_id": f.program_id, "offset_days": f.offset_days, "observer": f.observer,
        "percent": percent, "passed": passed,
    });
    audit::record(&mut tx, Event::by(actor, "followup_completed", "followup", id).detail(detail.to_string())).await?;
    let observer = Observer::parse(&f.observer).unwrap_or(Observer::Supervisor);
    let on_fail = sqlx::query_scalar!("select followup_on_fail from programs where id = $1", f.program_id)
        .fetch_one(&mut *tx)
        .await?;
    let current = sqlx::query_scalar!(
        "select certificate_id from certifications where user_id = $1 and program_id = $2 and hold is null",
        f.user_id,
        f.program_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    let send_back = passed == Some(false)
        && observer != Observer::SelfAssessment
        && OnFail::parse(&on_fail) == Some(OnFail::Reassess)
        && current == Some(f.certificate_id);
    if send_back {
        sqlx::query!(
            "update certifications set reassess_since = $1, reassess_followup_id = $2 where user_id = $3 and program_id = $4",
            at,
            id,
            f.user_id,
            f.program_id
        )
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            Event::by(actor, "followup_sent_back", "followup", id)
                .detail(format!("user {} program {}: re-assessment required", f.user_id, f.program_id)),
        )
        .await?;
        let p = crate::server::cert::evidence::program(&mut tx, f.program_id).await?;
        let reason = format!("follow-up {id} ({} days)", f.offset_days);
        let cause = Cause { actor: actor.id, ip: actor.ip, why: "follow-up failed", reason: Some(&reason) };
        recompute::recompute(&mut tx, f.user_id, &p, at, cause).await?;
        recompute::recompute_user(&mut tx, f.user_id, at, Cause { why: "prerequisite changed", reason: None, ..cause })
            .await?;
    } else {
        // A "follow-up passed" renewal requirement may now be met.
        recompute::person_changed(&mut tx, f.user_id, recompute::Change::FollowupCompleted, actor, at).await?;
    }
    tx.commit().await?;
    Ok(FollowupState::Completed)
}

/// Waives an open follow-up, with a reason: admins and the person's managers, never the person.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = caller.id, id))]
pub async fn waive(db: &Db, actor: Actor<'_>, caller: &CurrentUser, id: i64, reason: &str) -> AppResult<()> {
    let mut conn = db.read.acquire().await?;
    let f = full(&mut conn, id).await?;
    drop(conn);
    let (_, may_waive, see) = rights(db, caller, &access_of(&f)).await?;
    if !may_waive {
        tracing::warn!(user_id = caller.id, followup = id, "denied: waive a follow-up");
        return Err(if see { AppError::Forbidden } else { AppError::NotFound });
    }
    let reason = reason.trim();
    if reason.chars().count() < 3 {
        return Err(AppError::validation("reason", "error.reason_required"));
    }
    let reason = text::line("reason", reason, 1000)?;
    let at = now();
    let mut tx = db.begin().await?;
    let n = sqlx::query!(
        "update followups set state = 'waived', waived_by = $1, waived_at = $2, waive_reason = $3, draft = null
         where id = $4 and state in ('scheduled', 'due', 'overdue')",
        caller.id,
        at,
        reason,
        id
    )
    .execute(&mut *tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::Conflict { field: "state".into() });
    }
    audit::record(&mut tx, Event::by(actor, "followup_waived", "followup", id).detail(reason)).await?;
    tx.commit().await?;
    Ok(())
}
