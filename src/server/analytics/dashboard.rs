//! A manager's dashboard: cleared for the floor today and over 12 weeks, what expires, the new
//! hires' pipeline, pass rates this period against the last, and work waiting for a rater. Read
//! from current statuses, certificates and the per-person quiz outcomes, never from raw answers.

use std::collections::{BTreeMap, HashMap};

use crate::error::AppResult;
use crate::model::analytics::{
    Dashboard, FloorLine, FollowupFigures, MedianLine, PeriodPass, Step, WorstCriterion, WorstQuiz,
};
use crate::model::team::TeamNode;
use crate::model::user::Role;
use crate::model::Names;
use crate::server::auth::guard::{require_team_scope, CurrentUser};
use crate::server::db::Db;

const DAY: i64 = 86_400;
/// A pass-rate period: the last 30 days against the 30 before.
pub const PERIOD_DAYS: i64 = 30;
/// The worst quiz is named only from this many outcomes in the period, so one person's bad day
/// does not put a quiz on every manager's home page.
pub const WORST_MIN_OUTCOMES: i64 = 3;
/// Essays and role-plays waiting longer than this are overdue.
pub const RATING_DAYS: i64 = 2;

/// The teams whose subtree sums make up the caller's scope: the picked team; an admin's roots
/// (and 0, people without a team); a manager's managed teams that sit under no other of theirs.
pub(super) fn tops(everyone: bool, visible: &[i64], team: Option<i64>, tree: &[TeamNode]) -> Vec<i64> {
    if let Some(t) = team {
        return vec![t];
    }
    if everyone {
        let mut roots: Vec<i64> = tree.iter().filter(|t| t.parent_id.is_none()).map(|t| t.id).collect();
        roots.push(0);
        return roots;
    }
    tree.iter()
        .filter(|t| visible.contains(&t.id) && t.parent_id.is_none_or(|p| !visible.contains(&p)))
        .map(|t| t.id)
        .collect()
}

/// The summary lines a scope's figures add up: everyone's one line when the scope is every
/// team, else each top team's.
pub(super) fn summed(everyone: bool, team: Option<i64>, tops: &[i64]) -> Vec<i64> {
    match (everyone, team) {
        (true, None) => vec![super::summary::EVERYONE],
        _ => tops.to_vec(),
    }
}

/// The teams a per-team table lists: those one level below a single team picked or managed, else
/// each top team.
pub(super) fn line_teams(tops: &[i64], tree: &[TeamNode]) -> Vec<i64> {
    let below: Vec<i64> = match tops {
        [t] => tree.iter().filter(|n| n.parent_id == Some(*t)).map(|n| n.id).collect(),
        _ => Vec::new(),
    };
    if below.is_empty() {
        tops.to_vec()
    } else {
        below
    }
}

/// The names of the positions and of the programs the figures mention, in one query.
type Named = HashMap<i64, Names>;

async fn names(db: &Db, positions: &[i64], programs: &[i64]) -> AppResult<(Named, Named)> {
    let positions = serde_json::to_string(positions).map_err(crate::error::internal)?;
    let programs = serde_json::to_string(programs).map_err(crate::error::internal)?;
    let rows = sqlx::query!(
        r#"select true as "position!: bool", id as "id!: i64", name_zh as "zh!: String", name_en as "en!: String"
           from positions where id in (select value from json_each($1))
           union all
           select false, id, name, name_en from programs where id in (select value from json_each($2))"#,
        positions,
        programs
    )
    .fetch_all(&db.read)
    .await?;
    let (mut p, mut g) = (Named::new(), Named::new());
    for r in rows {
        (if r.position { &mut p } else { &mut g }).insert(r.id, Names::new(r.zh, r.en));
    }
    Ok((p, g))
}

fn lines(counts: BTreeMap<i64, (u32, u32)>, names: &HashMap<i64, Names>) -> Vec<FloorLine> {
    let mut v: Vec<FloorLine> = counts
        .into_iter()
        .map(|(id, (needed, cleared))| FloorLine {
            id,
            name: names.get(&id).cloned().unwrap_or_default(),
            needed,
            cleared,
        })
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// The median of a histogram of days.
fn median_of(h: &BTreeMap<i64, u32>) -> Option<f64> {
    let n: u32 = h.values().sum();
    if n == 0 {
        return None;
    }
    // The values at ranks (n-1)/2 and n/2, 0-based: the same for odd n.
    let nth = |rank: u32| {
        let mut seen = 0;
        for (days, count) in h {
            seen += count;
            if seen > rank {
                return *days as f64;
            }
        }
        0.0
    };
    Some((nth((n - 1) / 2) + nth(n / 2)) / 2.0)
}

/// The floor today, expiries, the pipeline and time to the floor, from the subtree sums.
async fn floor_today(db: &Db, d: &mut Dashboard, tops: &[i64], tree: &[TeamNode], at: i64) -> AppResult<()> {
    let list = serde_json::to_string(&summed(d.everyone, d.team, tops)).map_err(crate::error::internal)?;
    let rows = sqlx::query!(
        r#"select kind, k1, k2, cast(sum(people) as bigint) as "people!: i64", cast(sum(cleared) as bigint) as "cleared!: i64"
           from floor_tree where team_id in (select value from json_each($1))
           group by kind, k1, k2"#,
        list
    )
    .fetch_all(&db.read)
    .await?;
    let today = at.div_euclid(DAY);
    let (mut positions, mut programs) = (BTreeMap::<i64, (u32, u32)>::new(), BTreeMap::<i64, (u32, u32)>::new());
    let (mut steps, mut all_days) = (BTreeMap::<Names, u32>::new(), BTreeMap::<i64, u32>::new());
    let mut months: BTreeMap<String, BTreeMap<i64, u32>> = BTreeMap::new();
    for r in rows {
        let (n, cleared) = (r.people as u32, r.cleared as u32);
        match r.kind.as_str() {
            "state" => {
                match r.k2.as_str() {
                    "none" => d.without_program += n,
                    "revoked" => d.revoked += n,
                    "suspended" => d.suspended += n,
                    "reassess" => d.reassess += n,
                    "expired" => d.expired += n,
                    "in_training" => d.in_training += n,
                    "not_started" => d.not_started += n,
                    _ => {}
                }
                if r.k2 != "none" {
                    d.people += n;
                    d.cleared += cleared;
                    let e = positions.entry(r.k1).or_default();
                    e.0 += n;
                    e.1 += cleared;
                }
            }
            "program" => {
                let e = programs.entry(r.k1).or_default();
                e.0 += n;
                e.1 += cleared;
            }
            "expiry" => {
                for (i, days) in [30, 60, 90].into_iter().enumerate() {
                    if r.k1 <= today + days {
                        d.expiring[i] += n;
                    }
                }
            }
            "step" => {
                let step: Names = serde_json::from_str(&r.k2).map_err(crate::error::internal)?;
                *steps.entry(step).or_default() += n;
            }
            "days" => *all_days.entry(r.k1).or_default() += n,
            "hired" => *months.entry(r.k2).or_default().entry(r.k1).or_default() += n,
            _ => {}
        }
    }
    let ids = |m: &BTreeMap<i64, (u32, u32)>| m.keys().copied().collect::<Vec<_>>();
    let (position_names, program_names) = names(db, &ids(&positions), &ids(&programs)).await?;
    d.positions = lines(positions, &position_names);
    d.programs = lines(programs, &program_names);
    d.steps = steps.into_iter().map(|(name, people)| Step { name, people }).collect();
    d.steps.sort_by_key(|s| std::cmp::Reverse(s.people));
    d.median_days = median_of(&all_days);
    d.median_by_month = months
        .into_iter()
        .rev()
        .take(12)
        .filter_map(|(m, h)| {
            median_of(&h).map(|median| MedianLine {
                label: Names::same(&m),
                people: h.values().sum(),
                median_days: median,
            })
        })
        .collect();
    let line_ids = line_teams(tops, tree);
    let line_teams: Vec<&TeamNode> = tree.iter().filter(|n| line_ids.contains(&n.id)).collect();
    let ids =
        serde_json::to_string(&line_teams.iter().map(|t| t.id).collect::<Vec<_>>()).map_err(crate::error::internal)?;
    let mut per_team: HashMap<i64, BTreeMap<i64, u32>> = HashMap::new();
    for r in sqlx::query!(
        r#"select team_id, k1, people from floor_tree where kind = 'days' and team_id in (select value from json_each($1))"#,
        ids
    )
    .fetch_all(&db.read)
    .await?
    {
        per_team.entry(r.team_id).or_default().insert(r.k1, r.people as u32);
    }
    d.median_by_team = line_teams
        .iter()
        .filter_map(|t| {
            let h = per_team.get(&t.id)?;
            median_of(h).map(|median| MedianLine {
                label: t.path.clone(),
                people: h.values().sum(),
                median_days: median,
            })
        })
        .collect();
    Ok(())
}

/// First attempts in the days (from, to]: up to and including `to`'s day.
async fn period(db: &Db, tops: &str, from: i64, to: i64) -> AppResult<PeriodPass> {
    let (first_day, last_day) = (from.div_euclid(DAY), to.div_euclid(DAY));
    let r = sqlx::query!(
        r#"select cast(coalesce(sum(o.outcomes), 0) as bigint) as "n!: i64", cast(coalesce(sum(o.first_passed), 0) as bigint) as "first!: i64",
                  cast(coalesce(sum(o.passed), 0) as bigint) as "passed!: i64"
           from pass_tree o join quizzes z on z.id = o.quiz_id
           where o.team_id in (select value from json_each($3)) and o.day > $1 and o.day <= $2
             -- A pre-test measures the baseline: nobody is meant to pass it.
             and z.kind <> 'pre_test'"#,
        first_day,
        last_day,
        tops
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
    let tree = crate::server::team::tree(db).await?;
    let everyone = caller.has(Role::Admin);
    let visible =
        if everyone { Vec::new() } else { crate::server::auth::guard::visible_team_ids(db, caller.id).await? };
    let teams = tree.iter().filter(|t| everyone || visible.contains(&t.id)).map(|t| (t.id, t.path.clone())).collect();
    let mut d = Dashboard { team, teams, everyone, ..Default::default() };
    let tops = tops(everyone, &visible, team, &tree);
    floor_today(db, &mut d, &tops, &tree, at).await?;
    // The trend covers the same teams: the picked one and below, or all the caller's.
    let scope: Vec<i64> = match team {
        Some(t) => super::report::subtree(&tree, t),
        None if everyone => tree.iter().map(|t| t.id).collect(),
        None => visible.clone(),
    };
    d.trend = super::floor::trend(db, &scope, at).await?;

    let list = serde_json::to_string(&summed(everyone, team, &tops)).map_err(crate::error::internal)?;
    let span = PERIOD_DAYS * DAY;
    d.this_period = period(db, &list, at - span, at).await?;
    d.previous = period(db, &list, at - 2 * span, at - span).await?;
    let (since, until) = ((at - span).div_euclid(DAY), at.div_euclid(DAY));
    d.worst_quiz = sqlx::query!(
        r#"select o.quiz_id, z.title, z.title_en, cast(sum(o.outcomes) as bigint) as "n!: i64",
                  cast(100.0 * sum(o.first_passed) / sum(o.outcomes) as double precision) as "rate!: f64"
           from pass_tree o join quizzes z on z.id = o.quiz_id
           where o.team_id in (select value from json_each($3)) and o.day > $1 and o.day <= $2 and z.kind <> 'pre_test'
           -- A quiz everyone passed is nobody's weakest.
           group by o.quiz_id, z.title, z.title_en having cast(sum(o.outcomes) as bigint) >= $4 and sum(o.first_passed) < sum(o.outcomes)
           order by 5, 4 desc limit 1"#,
        since,
        until,
        list,
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

    d.worst_criterion = sqlx::query!(
        r#"select criterion, cast(sum(rated) as bigint) as "n!: i64",
                  cast(50.0 * sum(halves) / sum(maxes) as double precision) as "mean!: f64",
                  cast(100.0 * sum(failing) / sum(rated) as double precision) as "failing!: f64"
           from criterion_tree
           where team_id in (select value from json_each($3)) and day > $1 and day <= $2
           group by criterion having cast(sum(rated) as bigint) >= $4 and sum(maxes) > 0
           order by 3, 2 desc limit 1"#,
        since,
        until,
        list,
        WORST_MIN_OUTCOMES
    )
    .fetch_optional(&db.read)
    .await?
    .map(|r| -> AppResult<WorstCriterion> {
        Ok(WorstCriterion {
            name: serde_json::from_str(&r.criterion).map_err(crate::error::internal)?,
            rated: r.n as u32,
            mean_percent: r.mean,
            failing_percent: r.failing,
        })
    })
    .transpose()?;

    // Work waiting for a rater, by the people's current team (partial indexes keep it small).
    let late = at - RATING_DAYS * DAY;
    let scope = serde_json::to_string(&scope).map_err(crate::error::internal)?;
    let all = everyone && team.is_none();
    let w = sqlx::query!(
        r#"select count(*) as "essays!: i64", count(*) filter (where a.submitted_at < $1) as "essays_late!: i64"
           from attempts a join users u on u.id = a.user_id
           where a.status = 'awaiting_grading' and u.active = 1
             and ($3 or u.team_id in (select value from json_each($2)))"#,
        late,
        scope,
        all
    )
    .fetch_one(&db.read)
    .await?;
    (d.essays_waiting, d.essays_overdue) = (w.essays as u32, w.essays_late as u32);
    let r = sqlx::query!(
        r#"select count(*) as "n!: i64", count(*) filter (where coalesce(r.replied_at, r.opened_at) < $1) as "late!: i64"
           from roleplays r join users u on u.id = r.trainee_id
           where r.status = 'open' and u.active = 1 and ($3 or u.team_id in (select value from json_each($2)))"#,
        late,
        scope,
        all
    )
    .fetch_one(&db.read)
    .await?;
    (d.roleplays_waiting, d.roleplays_overdue) = (r.n as u32, r.late as u32);
    // Follow-ups on the job (the observers', not self-assessments): open ones by state, and
    // those completed this period with how many passed.
    let period_start = at - span;
    let f = sqlx::query!(
        r#"select count(*) filter (where f.state = 'due') as "due!: i64",
                  count(*) filter (where f.state = 'overdue') as "overdue!: i64",
                  count(*) filter (where f.state = 'completed' and f.completed_at >= $1) as "done!: i64",
                  count(*) filter (where f.state = 'completed' and f.completed_at >= $1 and f.passed = 1) as "passed!: i64"
           from followups f join users u on u.id = f.user_id
           where f.observer <> 'self' and u.active = 1 and ($3 or u.team_id in (select value from json_each($2)))"#,
        period_start,
        scope,
        all
    )
    .fetch_one(&db.read)
    .await?;
    d.followups = FollowupFigures {
        due: f.due as u32,
        overdue: f.overdue as u32,
        completed: f.done as u32,
        passed: f.passed as u32,
    };
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
