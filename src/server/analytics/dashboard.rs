//! A manager's dashboard: cleared for the floor today and over 12 weeks, what expires, the new
//! hires' pipeline, pass rates this period against the last, and work waiting for a rater. Read
//! from current statuses, certificates and the per-person quiz outcomes, never from raw answers.

use std::collections::{BTreeMap, HashMap};

use crate::error::AppResult;
use crate::model::analytics::{Dashboard, FloorLine, MedianLine, PeriodPass, Step, WorstQuiz};
use crate::model::cert::{CertStatus, RosterPerson};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::auth::guard::{require_team_scope, CurrentUser};
use crate::server::cert::status::{fill_missing_of, people_in_scope};
use crate::server::db::Db;

const DAY: i64 = 86_400;
/// A pass-rate period: the last 30 days against the 30 before.
pub const PERIOD_DAYS: i64 = 30;
/// The worst quiz is named only from this many outcomes in the period, so one person's bad day
/// does not put a quiz on every manager's home page.
pub const WORST_MIN_OUTCOMES: i64 = 3;
/// Essays and role-plays waiting longer than this are overdue.
pub const RATING_DAYS: i64 = 2;

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if !n.is_multiple_of(2) => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

fn line(map: BTreeMap<(Names, i64), (u32, u32)>) -> Vec<FloorLine> {
    map.into_iter().map(|((name, id), (needed, cleared))| FloorLine { id, name, needed, cleared }).collect()
}

/// The floor today, per position and per program, counted in people.
fn floor_today(d: &mut Dashboard, people: &[RosterPerson], at: i64) {
    let mut positions: BTreeMap<(Names, i64), (u32, u32)> = BTreeMap::new();
    let mut programs: BTreeMap<(Names, i64), (u32, u32)> = BTreeMap::new();
    for p in people {
        if p.without_program() {
            d.without_program += 1;
            continue;
        }
        d.people += 1;
        let cleared = p.cleared();
        d.cleared += cleared as u32;
        // Positions have no id on the roster; their names are unique in each language.
        let e = positions.entry((p.position.clone(), 0)).or_default();
        e.0 += 1;
        e.1 += cleared as u32;
        for g in &p.programs {
            let e = programs.entry((g.program.clone(), g.program_id)).or_default();
            e.0 += 1;
            e.1 += g.status.cleared() as u32;
        }
        let soonest = p.programs.iter().filter(|g| g.status.cleared()).filter_map(|g| g.expires_at).min();
        if let Some(e) = soonest {
            for (i, days) in [30, 60, 90].into_iter().enumerate() {
                if e <= at + days * DAY {
                    d.expiring[i] += 1;
                }
            }
        }
        if !cleared {
            let has = |s: CertStatus| p.programs.iter().any(|g| g.status == s);
            if has(CertStatus::Revoked) {
                d.revoked += 1;
            } else if has(CertStatus::Suspended) {
                d.suspended += 1;
            } else if has(CertStatus::Expired) {
                d.expired += 1;
            } else if has(CertStatus::InTraining) {
                d.in_training += 1;
            } else {
                d.not_started += 1;
            }
        }
    }
    d.positions = line(positions);
    d.programs = line(programs);
}

/// Where the people in training stand: the first thing their program still misses, as the last
/// re-evaluation stored it; only rows evaluated before that was stored are worked out here.
async fn steps(db: &Db, people: &[RosterPerson], ids: &str, at: i64) -> AppResult<Vec<Step>> {
    let stored: HashMap<(i64, i64), Option<String>> = sqlx::query!(
        r#"select user_id, program_id, next_step from certifications
           where status = 'in_training' and user_id in (select value from json_each(?))"#,
        ids
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| ((r.user_id, r.program_id), r.next_step))
    .collect();
    let mut counts: BTreeMap<Names, u32> = BTreeMap::new();
    let mut unknown: Vec<RosterPerson> = Vec::new();
    for p in people.iter().filter(|p| !p.cleared()) {
        let Some(g) = p.programs.iter().find(|g| g.status == CertStatus::InTraining) else { continue };
        match stored.get(&(p.user_id, g.program_id)) {
            Some(Some(json)) => {
                let step: Names = serde_json::from_str(json).map_err(crate::error::internal)?;
                *counts.entry(step).or_default() += 1;
            }
            _ => unknown.push(p.clone()),
        }
    }
    fill_missing_of(db, &mut unknown, at).await?;
    for p in &unknown {
        let step = p.programs.iter().filter(|g| g.status == CertStatus::InTraining).find_map(|g| g.missing.first());
        if let Some(step) = step {
            *counts.entry(step.clone()).or_default() += 1;
        }
    }
    let mut steps: Vec<Step> = counts.into_iter().map(|(name, people)| Step { name, people }).collect();
    steps.sort_by_key(|s| std::cmp::Reverse(s.people));
    Ok(steps)
}

/// Days from hire date to the first certificate, overall, per team and per hire month.
async fn time_to_floor(db: &Db, d: &mut Dashboard, people: &[RosterPerson], ids: &str) -> AppResult<()> {
    let rows = sqlx::query!(
        r#"select u.id as "id!", u.hire_date as "hire_date!: String", min(k.issued_at) as "first!: i64"
           from users u join certificates k on k.user_id = u.id and k.exempted = 0
           where u.hire_date is not null and u.id in (select value from json_each(?))
           group by u.id"#,
        ids
    )
    .fetch_all(&db.read)
    .await?;
    let team_of: HashMap<i64, &Names> = people.iter().map(|p| (p.user_id, &p.team)).collect();
    let (mut all, mut teams, mut months) =
        (Vec::new(), BTreeMap::<Names, Vec<f64>>::new(), BTreeMap::<String, Vec<f64>>::new());
    for r in rows {
        let Ok(hired) = chrono::NaiveDate::parse_from_str(&r.hire_date, "%Y-%m-%d") else { continue };
        let Some(first) = chrono::DateTime::from_timestamp(r.first, 0) else { continue };
        let days = (first.date_naive() - hired).num_days().max(0) as f64;
        all.push(days);
        if let Some(team) = team_of.get(&r.id) {
            teams.entry((*team).clone()).or_default().push(days);
        }
        months.entry(r.hire_date[..7].to_string()).or_default().push(days);
    }
    d.median_days = median(all);
    let lines = |label: Names, v: Vec<f64>| {
        let people = v.len() as u32;
        median(v).map(|m| MedianLine { label, people, median_days: m })
    };
    d.median_by_team = teams.into_iter().filter_map(|(t, v)| lines(t, v)).collect();
    d.median_by_month = months.into_iter().rev().take(12).filter_map(|(m, v)| lines(Names::same(&m), v)).collect();
    Ok(())
}

/// Outcomes first attempted in (from, to]: up to and including this second.
async fn period(db: &Db, ids: &str, from: i64, to: i64) -> AppResult<PeriodPass> {
    let r = sqlx::query!(
        r#"select count(*) as "n!: i64", coalesce(sum(o.first_passed), 0) as "first!: i64",
                  count(o.passed_at) as "passed!: i64"
           from quiz_outcomes o join quizzes z on z.id = o.quiz_id
           where o.first_at > ?1 and o.first_at <= ?2 and o.user_id in (select value from json_each(?3))
             -- A pre-test measures the baseline: nobody is meant to pass it.
             and z.kind <> 'pre_test'"#,
        from,
        to,
        ids
    )
    .fetch_one(&db.read)
    .await?;
    Ok(PeriodPass { from, to, outcomes: r.n as u32, first_passed: r.first as u32, passed: r.passed as u32 })
}

/// The dashboard for `caller`'s teams, narrowed to `team` (which must be one of them).
#[tracing::instrument(skip_all, fields(caller = caller.id, team))]
pub async fn dashboard(db: &Db, caller: &CurrentUser, team: Option<i64>, at: i64) -> AppResult<Dashboard> {
    if let Some(t) = team {
        require_team_scope(db, caller, t, "dashboard").await?;
    }
    let (people, teams) = people_in_scope(db, caller, team, at).await?;
    let mut d = Dashboard { team, teams, everyone: caller.has(Role::Admin), ..Default::default() };
    floor_today(&mut d, &people, at);
    // The people in scope, as the JSON list every query below filters on.
    let ids =
        serde_json::to_string(&people.iter().map(|p| p.user_id).collect::<Vec<_>>()).map_err(crate::error::internal)?;
    d.steps = steps(db, &people, &ids, at).await?;
    time_to_floor(db, &mut d, &people, &ids).await?;
    // The trend covers the same teams: the picked one and below, or all the caller's.
    let scope: Vec<i64> = match team {
        Some(t) => crate::server::team::subtree_ids(db, t).await?,
        None if caller.has(Role::Admin) => crate::server::team::tree(db).await?.into_iter().map(|t| t.id).collect(),
        None => crate::server::auth::guard::visible_team_ids(db, caller.id).await?,
    };
    d.trend = super::floor::trend(db, &scope, at).await?;

    let span = PERIOD_DAYS * DAY;
    d.this_period = period(db, &ids, at - span, at).await?;
    d.previous = period(db, &ids, at - 2 * span, at - span).await?;
    let since = at - span;
    d.worst_quiz = sqlx::query!(
        r#"select o.quiz_id, z.title, z.title_en, count(*) as "n!: i64",
                  100.0 * sum(o.first_passed) / count(*) as "rate!: f64"
           from quiz_outcomes o join quizzes z on z.id = o.quiz_id
           where o.first_at > ?1 and o.user_id in (select value from json_each(?2)) and z.kind <> 'pre_test'
           -- A quiz everyone passed is nobody's weakest.
           group by o.quiz_id having count(*) >= ?3 and sum(o.first_passed) < count(*)
           order by 5, 4 desc limit 1"#,
        since,
        ids,
        WORST_MIN_OUTCOMES
    )
    .fetch_optional(&db.read)
    .await?
    .map(|r| WorstQuiz {
        quiz_id: r.quiz_id,
        title: Names::new(r.title, r.title_en),
        outcomes: r.n as u32,
        first_rate: r.rate,
    });

    let late = at - RATING_DAYS * DAY;
    let w = sqlx::query!(
        r#"select count(*) as "essays!: i64", count(*) filter (where submitted_at < ?1) as "essays_late!: i64"
           from attempts where status = 'awaiting_grading' and user_id in (select value from json_each(?2))"#,
        late,
        ids
    )
    .fetch_one(&db.read)
    .await?;
    (d.essays_waiting, d.essays_overdue) = (w.essays as u32, w.essays_late as u32);
    let r = sqlx::query!(
        r#"select count(*) as "n!: i64", count(*) filter (where coalesce(replied_at, opened_at) < ?1) as "late!: i64"
           from roleplays where status = 'open' and trainee_id in (select value from json_each(?2))"#,
        late,
        ids
    )
    .fetch_one(&db.read)
    .await?;
    (d.roleplays_waiting, d.roleplays_overdue) = (r.n as u32, r.late as u32);
    Ok(d)
}

/// Recomputes what each person in training is on and names every stored step that differs
/// (`floorready check`).
pub async fn check_steps(db: &Db, at: i64) -> AppResult<Vec<String>> {
    use crate::server::cert::evidence;
    let rows = sqlx::query!(
        r#"select user_id, program_id, next_step from certifications
           where status = 'in_training' and next_step is not null order by program_id, user_id"#
    )
    .fetch_all(&db.read)
    .await?;
    let mut conn = db.read.acquire().await?;
    let mut programs: HashMap<i64, crate::server::cert::decision::Program> = HashMap::new();
    let mut drift = Vec::new();
    for r in rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = programs.entry(r.program_id) {
            slot.insert(evidence::program(&mut conn, r.program_id).await?);
        }
        let now = evidence::evaluate(&mut conn, r.user_id, &programs[&r.program_id], at).await?.missing();
        let stored: Option<Names> = r.next_step.as_deref().and_then(|j| serde_json::from_str(j).ok());
        if stored.as_ref() != now.first() {
            drift.push(format!(
                "user {} program {}: stored next step {:?}, now {:?}",
                r.user_id,
                r.program_id,
                stored.map(|n| n.both()),
                now.first().map(Names::both)
            ));
        }
    }
    Ok(drift)
}
