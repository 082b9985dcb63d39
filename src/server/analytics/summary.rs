//! The dashboard's summaries per team subtree (`floor_people`, `floor_tree`, `pass_tree`), kept
//! in the transactions that change what they sum: a person's certification statuses, team, role or
//! position ([`person`]), a quiz outcome ([`outcome_changed`]), a team moving in the tree
//! ([`team_moved`]). Each change adds its difference to the person's team and every team above it,
//! so a site's figures are one row per figure, however many people it has. Final role-plays count
//! per criterion the same way (`criterion_tree`, [`roleplay_final`]), and per trainer who rated
//! them (`rater_tree`). [`check`] recomputes
//! everything from the raw rows and names each difference.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::error::AppResult;
use crate::model::cert::CertStatus;
use crate::server::db::{Conn, Db};

const DAY: i64 = 86_400;

/// One person's place on the dashboard, as `floor_people` stores it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub team_id: i64,
    pub position_id: i64,
    pub state: String,
    /// (program, cleared in it), lower levels first.
    pub programs: Vec<(i64, bool)>,
    pub expires_day: Option<i64>,
    pub step: Option<String>,
    pub hire_month: Option<String>,
    pub floor_days: Option<i64>,
}

/// A figure a person counts in: (kind, k1, k2) of `floor_tree`.
type Key = (String, i64, String);

impl Person {
    /// Each figure this person adds one to, and whether they count as cleared in it.
    fn keys(&self) -> BTreeMap<Key, bool> {
        let mut k = BTreeMap::new();
        k.insert(("state".into(), self.position_id, self.state.clone()), self.state == "cleared");
        for (program, cleared) in &self.programs {
            k.insert(("program".into(), *program, String::new()), *cleared);
        }
        if let Some(day) = self.expires_day {
            k.insert(("expiry".into(), day, String::new()), false);
        }
        if let Some(step) = &self.step {
            k.insert(("step".into(), 0, step.clone()), false);
        }
        if let Some(days) = self.floor_days {
            k.insert(("days".into(), days, String::new()), false);
            if let Some(month) = &self.hire_month {
                k.insert(("hired".into(), days, month.clone()), false);
            }
        }
        k
    }
}

/// The people among `ids` the roster counts (active, with a program or the trainee role), worked
/// out from users, certifications and certificates.
async fn compute(conn: &mut Conn, ids: &[i64]) -> AppResult<HashMap<i64, Person>> {
    let list = serde_json::to_string(ids).map_err(crate::error::internal)?;
    // The programs of each person's position and any they hold a certification of, as the roster
    // lists them.
    let rows = sqlx::query!(
        r#"select u.id as "user_id!: i64", coalesce(u.team_id, 0) as "team_id!: i64",
                  coalesce(u.position_id, 0) as "position_id!: i64", u.hire_date,
                  exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'trainee') as "trainee!: bool",
                  p.id as "program_id?: i64", coalesce(c.status, 'not_started') as "status!: String",
                  c.next_step, k.expires_at as "expires_at?: i64",
                  (select min(f.issued_at) from certificates f where f.user_id = u.id and f.exempted = 0) as "first?: i64"
           from users u
           left join programs p on p.archived_at is null and p.id in (
                select q.id from programs q where q.position_id = u.position_id
                union select y.program_id from certifications y where y.user_id = u.id)
           left join certifications c on c.user_id = u.id and c.program_id = p.id
           left join certificates k on k.id = c.certificate_id
           where u.active = 1 and u.id in (select value from json_each($1))
           order by u.id, p.level_id, p.id"#,
        list
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out: HashMap<i64, Person> = HashMap::new();
    let mut statuses: HashMap<i64, Vec<CertStatus>> = HashMap::new();
    let mut trainee: HashMap<i64, bool> = HashMap::new();
    for r in rows {
        let p = out.entry(r.user_id).or_insert_with(|| {
            let hired = r.hire_date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let first = r.first.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|t| t.date_naive());
            Person {
                team_id: r.team_id,
                position_id: r.position_id,
                hire_month: hired.map(|d| d.format("%Y-%m").to_string()),
                floor_days: hired.zip(first).map(|(h, f)| (f - h).num_days().max(0)),
                ..Default::default()
            }
        });
        trainee.insert(r.user_id, r.trainee);
        let Some(program) = r.program_id else { continue };
        let status = CertStatus::parse(&r.status).unwrap_or(CertStatus::NotStarted);
        p.programs.push((program, status.cleared()));
        if status.cleared() {
            let day = r.expires_at.map(|e| e.div_euclid(DAY));
            p.expires_day = match (p.expires_day, day) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        if status == CertStatus::InTraining && p.step.is_none() {
            p.step = Some(match r.next_step {
                Some(s) => s,
                None => next_step(conn, r.user_id, program).await?,
            });
        }
        statuses.entry(r.user_id).or_default().push(status);
    }
    out.retain(|id, p| !p.programs.is_empty() || trainee.get(id).copied().unwrap_or(false));
    for (id, p) in out.iter_mut() {
        let s = statuses.remove(id).unwrap_or_default();
        let has = |x: CertStatus| s.contains(&x);
        p.state = if p.programs.is_empty() {
            "none"
        } else if s.iter().any(|x| x.cleared()) {
            "cleared"
        } else if has(CertStatus::Revoked) {
            "revoked"
        } else if has(CertStatus::Suspended) {
            "suspended"
        } else if has(CertStatus::Reassess) {
            "reassess"
        } else if has(CertStatus::Expired) {
            "expired"
        } else if has(CertStatus::InTraining) {
            "in_training"
        } else {
            "not_started"
        }
        .to_string();
        // Anyone not cleared with a program in training is on a step of it.
        if p.state == "cleared" {
            p.step = None;
        }
    }
    Ok(out)
}

/// What a program still misses first, for a certification stored before steps were kept.
async fn next_step(conn: &mut Conn, user_id: i64, program_id: i64) -> AppResult<String> {
    use crate::server::cert::evidence;
    let program = evidence::program(conn, program_id).await?;
    let missing = evidence::evaluate(conn, user_id, &program, crate::server::now()).await?.missing();
    let first = missing.first().cloned().unwrap_or_default();
    serde_json::to_string(&first).map_err(crate::error::internal)
}

/// The line every person also counts in, whatever their team (none included): an admin's
/// figures read one line instead of summing every site's.
pub const EVERYONE: i64 = -1;

/// The team, every team above it (0, people without a team, has none above) and [`EVERYONE`].
async fn ancestors(conn: &mut Conn, team: i64) -> AppResult<Vec<i64>> {
    let mut up = if team == 0 {
        vec![0]
    } else {
        sqlx::query_scalar!(
            r#"with recursive up(id) as (select cast($1 as bigint) union all
                    select t.parent_id from teams t join up on t.id = up.id where t.parent_id is not null)
               select id as "id!: i64" from up"#,
            team
        )
        .fetch_all(&mut *conn)
        .await?
    };
    up.push(EVERYONE);
    Ok(up)
}

async fn add_floor(conn: &mut Conn, teams: &[i64], key: &Key, people: i64, cleared: i64) -> AppResult<()> {
    let (kind, k1, k2) = key;
    for team in teams {
        sqlx::query!(
            "insert into floor_tree (team_id, kind, k1, k2, people, cleared) values ($1, $2, $3, $4, $5, $6)
             on conflict (team_id, kind, k1, k2) do update
                 set people = floor_tree.people + excluded.people, cleared = floor_tree.cleared + excluded.cleared",
            team,
            kind,
            k1,
            k2,
            people,
            cleared
        )
        .execute(&mut *conn)
        .await?;
        // Only a subtraction can bring a row to 0.
        if people < 0 {
            sqlx::query!(
                "delete from floor_tree where team_id = $1 and kind = $2 and k1 = $3 and k2 = $4 and people = 0",
                team,
                kind,
                k1,
                k2
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

async fn read_person(conn: &mut Conn, user_id: i64) -> AppResult<Option<Person>> {
    let Some(r) = sqlx::query!(
        "select team_id, position_id, state, programs, expires_day, step, hire_month, floor_days
         from floor_people where user_id = $1",
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let programs: Vec<(i64, bool)> = serde_json::from_str(&r.programs).map_err(crate::error::internal)?;
    Ok(Some(Person {
        team_id: r.team_id,
        position_id: r.position_id,
        state: r.state,
        programs,
        expires_day: r.expires_day,
        step: r.step,
        hire_month: r.hire_month,
        floor_days: r.floor_days,
    }))
}

/// Brings one person's place on the dashboard, and every sum above it, up to date; inside the
/// transaction that changed them.
pub async fn person(conn: &mut Conn, user_id: i64) -> AppResult<()> {
    let before = read_person(conn, user_id).await?;
    let after = compute(conn, &[user_id]).await?.remove(&user_id);
    if before == after {
        return Ok(());
    }
    let old = before.as_ref().map(Person::keys).unwrap_or_default();
    let new = after.as_ref().map(Person::keys).unwrap_or_default();
    let moved = before.as_ref().map(|p| p.team_id) != after.as_ref().map(|p| p.team_id);
    if let Some(b) = &before {
        let up = ancestors(conn, b.team_id).await?;
        for (key, cleared) in &old {
            if moved || new.get(key) != Some(cleared) {
                add_floor(conn, &up, key, -1, -(*cleared as i64)).await?;
            }
        }
    }
    if let Some(a) = &after {
        let up = ancestors(conn, a.team_id).await?;
        for (key, cleared) in &new {
            if moved || old.get(key) != Some(cleared) {
                add_floor(conn, &up, key, 1, *cleared as i64).await?;
            }
        }
    }
    match after {
        None => {
            sqlx::query!("delete from floor_people where user_id = $1", user_id).execute(&mut *conn).await?;
        }
        Some(p) => write_person(conn, user_id, &p).await?,
    }
    Ok(())
}

async fn write_person(conn: &mut Conn, user_id: i64, p: &Person) -> AppResult<()> {
    let programs = serde_json::to_string(&p.programs).map_err(crate::error::internal)?;
    sqlx::query!(
        "insert into floor_people (user_id, team_id, position_id, state, programs, expires_day, step, hire_month, floor_days)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (user_id) do update set team_id = excluded.team_id, position_id = excluded.position_id,
             state = excluded.state, programs = excluded.programs, expires_day = excluded.expires_day,
             step = excluded.step, hire_month = excluded.hire_month, floor_days = excluded.floor_days",
        user_id,
        p.team_id,
        p.position_id,
        p.state,
        programs,
        p.expires_day,
        p.step,
        p.hire_month,
        p.floor_days
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A quiz outcome as `pass_tree` counts it: (day of the first attempt, passed first time, passed).
pub type Counted = (i64, bool, bool);

pub fn counted(first_at: i64, first_passed: bool, passed_at: Option<i64>) -> Counted {
    (first_at.div_euclid(DAY), first_passed, passed_at.is_some())
}

fn delta(c: Counted, sign: i64) -> (i64, i64, i64) {
    (sign, sign * c.1 as i64, sign * c.2 as i64)
}

/// Adds (outcomes, passed first time, passed) to a day and quiz of each team.
async fn add_pass(conn: &mut Conn, teams: &[i64], quiz_id: i64, day: i64, d: (i64, i64, i64)) -> AppResult<()> {
    let (outcomes, first, passed) = d;
    for team in teams {
        sqlx::query!(
            "insert into pass_tree (team_id, day, quiz_id, outcomes, first_passed, passed) values ($1, $2, $3, $4, $5, $6)
             on conflict (team_id, day, quiz_id) do update set outcomes = pass_tree.outcomes + excluded.outcomes,
                 first_passed = pass_tree.first_passed + excluded.first_passed, passed = pass_tree.passed + excluded.passed",
            team,
            day,
            quiz_id,
            outcomes,
            first,
            passed
        )
        .execute(&mut *conn)
        .await?;
        // Only a subtraction can bring a row to 0.
        if outcomes < 0 {
            sqlx::query!(
                "delete from pass_tree where team_id = $1 and day = $2 and quiz_id = $3 and outcomes = 0",
                team,
                day,
                quiz_id
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

async fn team_of(conn: &mut Conn, user_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar!(r#"select coalesce(team_id, 0) as "t!: i64" from users where id = $1"#, user_id)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(0))
}

/// A person's outcome of a quiz changed from `before` to `after` (none: no graded attempt).
pub async fn outcome_changed(
    conn: &mut Conn,
    quiz_id: i64,
    user_id: i64,
    before: Option<Counted>,
    after: Option<Counted>,
) -> AppResult<()> {
    if before == after {
        return Ok(());
    }
    let team = team_of(conn, user_id).await?;
    let up = ancestors(conn, team).await?;
    for (c, sign) in before.map(|b| (b, -1)).into_iter().chain(after.map(|a| (a, 1))) {
        add_pass(conn, &up, quiz_id, c.0, delta(c, sign)).await?;
    }
    Ok(())
}

/// A person's quiz outcomes as `pass_tree` counts them, by quiz.
pub async fn outcomes_of(conn: &mut Conn, user_id: i64) -> AppResult<Vec<(i64, Counted)>> {
    Ok(sqlx::query!(
        r#"select quiz_id, first_at, (first_passed = 1) as "first_passed!: bool", passed_at from quiz_outcomes
           where user_id = $1 order by quiz_id"#,
        user_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|o| (o.quiz_id, counted(o.first_at, o.first_passed, o.passed_at)))
    .collect())
}

/// A person moved from one team to another: their quiz outcomes move with them (their place on
/// the floor moves with [`person`]).
pub async fn person_moved(conn: &mut Conn, user_id: i64, from: Option<i64>, to: Option<i64>) -> AppResult<()> {
    let (from, to) = (from.unwrap_or(0), to.unwrap_or(0));
    if from == to {
        return Ok(());
    }
    let outcomes = outcomes_of(conn, user_id).await?;
    let (old, new) = (ancestors(conn, from).await?, ancestors(conn, to).await?);
    for (quiz, c) in outcomes {
        add_pass(conn, &old, quiz, c.0, delta(c, -1)).await?;
        add_pass(conn, &new, quiz, c.0, delta(c, 1)).await?;
    }
    for r in roleplays_of(conn, user_id).await? {
        add_rated(conn, &old, &r, -1).await?;
        add_rated(conn, &new, &r, 1).await?;
    }
    Ok(())
}

/// A team moved under another parent: its sums leave the old parent's line and join the new.
pub async fn team_moved(conn: &mut Conn, team: i64, from: Option<i64>, to: Option<i64>) -> AppResult<()> {
    if from == to {
        return Ok(());
    }
    let floor = sqlx::query!("select kind, k1, k2, people, cleared from floor_tree where team_id = $1", team)
        .fetch_all(&mut *conn)
        .await?;
    let pass =
        sqlx::query!("select day, quiz_id, outcomes, first_passed, passed from pass_tree where team_id = $1", team)
            .fetch_all(&mut *conn)
            .await?;
    let criteria = sqlx::query!(
        "select day, scenario_id, criterion, rated, halves, maxes, failing, critical from criterion_tree where team_id = $1",
        team
    )
    .fetch_all(&mut *conn)
    .await?;
    let raters = sqlx::query!(
        "select rater_id, day, scenario_id, roleplays, rated, halves, maxes, failing, critical from rater_tree where team_id = $1",
        team
    )
    .fetch_all(&mut *conn)
    .await?;
    for (parent, sign) in [(from, -1), (to, 1)] {
        let Some(parent) = parent else { continue };
        // Everyone's line is the same before and after.
        let mut up = ancestors(conn, parent).await?;
        up.retain(|t| *t != EVERYONE);
        for r in &raters {
            let d = [r.roleplays, r.rated, r.halves, r.maxes, r.failing, r.critical].map(|v| sign * v);
            add_rater(conn, &up, r.rater_id, r.day, r.scenario_id, d).await?;
        }
        for r in &floor {
            add_floor(conn, &up, &(r.kind.clone(), r.k1, r.k2.clone()), sign * r.people, sign * r.cleared).await?;
        }
        for r in &pass {
            let d = (sign * r.outcomes, sign * r.first_passed, sign * r.passed);
            add_pass(conn, &up, r.quiz_id, r.day, d).await?;
        }
        for r in &criteria {
            let d = [sign * r.rated, sign * r.halves, sign * r.maxes, sign * r.failing, sign * r.critical];
            add_criterion(conn, &up, r.day, r.scenario_id, &r.criterion, d).await?;
        }
    }
    Ok(())
}

/// One criterion of a final role-play as `criterion_tree` counts it: (names JSON, the deciding
/// level in halves, the top level, below the pass level, critical and below).
type Criterion = (String, i64, i64, bool, bool);

/// The criteria of a role-play from its rubric version's criteria and its deciding levels.
fn criteria_of(criteria: &[crate::model::roleplay::Criterion], levels: &[f64]) -> AppResult<Vec<Criterion>> {
    criteria
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let level = levels.get(i).copied().unwrap_or(0.0).clamp(0.0, f64::from(c.max_level()));
            let name = serde_json::to_string(&c.name).map_err(crate::error::internal)?;
            let below = level < f64::from(c.pass_level);
            Ok((name, (level * 2.0).round() as i64, i64::from(c.max_level()), below, c.critical && below))
        })
        .collect()
}

/// A final role-play as the summaries count it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rated {
    scenario: i64,
    /// The day it became final.
    day: i64,
    criteria: Vec<Criterion>,
    /// The trainers who rated it (not a self-assessment), in id order.
    raters: Vec<i64>,
}

impl Rated {
    /// `rater_tree`'s figures: [role-plays, criterion ratings, halves, maxes, failing, critical].
    fn rater_sums(&self, sign: i64) -> [i64; 6] {
        let c = &self.criteria;
        [
            sign,
            sign * c.len() as i64,
            sign * c.iter().map(|c| c.1).sum::<i64>(),
            sign * c.iter().map(|c| c.2).sum::<i64>(),
            sign * c.iter().filter(|c| c.3).count() as i64,
            sign * c.iter().any(|c| c.4) as i64,
        ]
    }
}

fn rated(scenario: i64, finalized_at: i64, criteria: &str, levels: &str, raters: Option<&str>) -> AppResult<Rated> {
    let criteria: Vec<crate::model::roleplay::Criterion> =
        serde_json::from_str(criteria).map_err(crate::error::internal)?;
    let levels: Vec<f64> = serde_json::from_str(levels).map_err(crate::error::internal)?;
    let mut raters: Vec<i64> = serde_json::from_str(raters.unwrap_or("[]")).map_err(crate::error::internal)?;
    raters.sort_unstable();
    Ok(Rated { scenario, day: finalized_at.div_euclid(DAY), criteria: criteria_of(&criteria, &levels)?, raters })
}

/// Adds [rated, halves, maxes, failing, critical] to a day, scenario and criterion of each team.
async fn add_criterion(
    conn: &mut Conn,
    teams: &[i64],
    day: i64,
    scenario: i64,
    name: &str,
    d: [i64; 5],
) -> AppResult<()> {
    let [rated, halves, maxes, failing, critical] = d;
    for team in teams {
        sqlx::query!(
            "insert into criterion_tree (team_id, day, scenario_id, criterion, rated, halves, maxes, failing, critical)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (team_id, day, scenario_id, criterion) do update set rated = criterion_tree.rated + excluded.rated,
                 halves = criterion_tree.halves + excluded.halves, maxes = criterion_tree.maxes + excluded.maxes,
                 failing = criterion_tree.failing + excluded.failing, critical = criterion_tree.critical + excluded.critical",
            team,
            day,
            scenario,
            name,
            rated,
            halves,
            maxes,
            failing,
            critical
        )
        .execute(&mut *conn)
        .await?;
        // Only a subtraction can bring a row to 0.
        if rated < 0 {
            sqlx::query!(
                "delete from criterion_tree where team_id = $1 and day = $2 and scenario_id = $3 and criterion = $4 and rated = 0",
                team,
                day,
                scenario,
                name
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Adds a rater's [`Rated::rater_sums`] to a day and scenario of each team.
async fn add_rater(conn: &mut Conn, teams: &[i64], rater: i64, day: i64, scenario: i64, d: [i64; 6]) -> AppResult<()> {
    let [roleplays, rated, halves, maxes, failing, critical] = d;
    for team in teams {
        sqlx::query!(
            "insert into rater_tree (team_id, rater_id, day, scenario_id, roleplays, rated, halves, maxes, failing, critical)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             on conflict (team_id, rater_id, day, scenario_id) do update set roleplays = rater_tree.roleplays + excluded.roleplays,
                 rated = rater_tree.rated + excluded.rated, halves = rater_tree.halves + excluded.halves, maxes = rater_tree.maxes + excluded.maxes,
                 failing = rater_tree.failing + excluded.failing, critical = rater_tree.critical + excluded.critical",
            team,
            rater,
            day,
            scenario,
            roleplays,
            rated,
            halves,
            maxes,
            failing,
            critical
        )
        .execute(&mut *conn)
        .await?;
        if roleplays < 0 {
            sqlx::query!(
                "delete from rater_tree where team_id = $1 and rater_id = $2 and day = $3 and scenario_id = $4 and roleplays = 0",
                team,
                rater,
                day,
                scenario
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

async fn add_rated(conn: &mut Conn, teams: &[i64], r: &Rated, sign: i64) -> AppResult<()> {
    for (name, halves, max, failing, critical) in &r.criteria {
        let d = [sign, sign * halves, sign * max, sign * *failing as i64, sign * *critical as i64];
        add_criterion(conn, teams, r.day, r.scenario, name, d).await?;
    }
    for rater in &r.raters {
        add_rater(conn, teams, *rater, r.day, r.scenario, r.rater_sums(sign)).await?;
    }
    Ok(())
}

/// A person's final role-plays as `criterion_tree` counts them.
pub async fn roleplays_of(conn: &mut Conn, user_id: i64) -> AppResult<Vec<Rated>> {
    let rows = sqlx::query!(
        r#"select r.scenario_id, r.finalized_at as "finalized_at!: i64", r.levels as "levels!: String", v.criteria,
                  (select '[' || coalesce(string_agg(cast(t.rater_id as text), ','), '') || ']' from roleplay_ratings t
                   where t.roleplay_id = r.id and t.is_self = 0) as "raters?: String"
           from roleplays r join rubric_versions v on v.id = r.rubric_version_id
           where r.trainee_id = $1 and r.status = 'final' and r.finalized_at is not null and r.levels is not null
           order by r.id"#,
        user_id
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| rated(r.scenario_id, r.finalized_at, &r.criteria, &r.levels, r.raters.as_deref())).collect()
}

/// A role-play became final: its scenario's outcome for the trainee is refreshed, and its
/// criteria count under the trainee's team and every team above.
pub async fn roleplay_final(conn: &mut Conn, roleplay_id: i64) -> AppResult<()> {
    let r = sqlx::query!(
        r#"select r.trainee_id, r.scenario_id, r.finalized_at as "finalized_at!: i64", r.levels as "levels!: String",
                  v.criteria, (select '[' || coalesce(string_agg(cast(t.rater_id as text), ','), '') || ']' from roleplay_ratings t
                   where t.roleplay_id = r.id and t.is_self = 0) as "raters?: String"
           from roleplays r join rubric_versions v on v.id = r.rubric_version_id
           where r.id = $1 and r.status = 'final'"#,
        roleplay_id
    )
    .fetch_one(&mut *conn)
    .await?;
    super::outcomes::refresh_roleplay(conn, r.scenario_id, r.trainee_id).await?;
    let team = team_of(conn, r.trainee_id).await?;
    let up = ancestors(conn, team).await?;
    add_rated(conn, &up, &rated(r.scenario_id, r.finalized_at, &r.criteria, &r.levels, r.raters.as_deref())?, 1).await
}

/// A person's role-plays changed from `before` to `after` (their days moved, say).
pub async fn roleplays_changed(conn: &mut Conn, user_id: i64, before: &[Rated], after: &[Rated]) -> AppResult<()> {
    if before == after {
        return Ok(());
    }
    let team = team_of(conn, user_id).await?;
    let up = ancestors(conn, team).await?;
    for r in before {
        add_rated(conn, &up, r, -1).await?;
    }
    for r in after {
        add_rated(conn, &up, r, 1).await?;
    }
    Ok(())
}

/// Fills in the deciding levels of role-plays made final before they were stored.
async fn fill_levels(db: &Db) -> AppResult<()> {
    let missing =
        sqlx::query_scalar!(r#"select id as "id!: i64" from roleplays where status = 'final' and levels is null"#)
            .fetch_all(&db.read)
            .await?;
    for chunk in missing.chunks(1_000) {
        let mut tx = db.begin().await?;
        for id in chunk {
            let levels = crate::server::roleplay::attempt::deciding_levels(&mut tx, *id).await?.unwrap_or_default();
            let json = serde_json::to_string(&levels).map_err(crate::error::internal)?;
            sqlx::query!("update roleplays set levels = $1 where id = $2", json, id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// What every table should hold, worked out from the raw rows.
struct Want {
    people: HashMap<i64, Person>,
    floor: BTreeMap<(i64, String, i64, String), (i64, i64)>,
    pass: BTreeMap<(i64, i64, i64), (i64, i64, i64)>,
    criteria: BTreeMap<(i64, i64, i64, String), [i64; 5]>,
    raters: BTreeMap<(i64, i64, i64, i64), [i64; 6]>,
}

async fn want(db: &Db) -> AppResult<Want> {
    let mut conn = db.read.acquire().await?;
    let ids =
        sqlx::query_scalar!(r#"select id as "id!: i64" from users where active = 1"#).fetch_all(&mut *conn).await?;
    let mut people = HashMap::new();
    for chunk in ids.chunks(2_000) {
        people.extend(compute(&mut conn, chunk).await?);
    }
    let parents: HashMap<i64, Option<i64>> = sqlx::query!("select id, parent_id from teams")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r.parent_id))
        .collect();
    let up = |team: i64| {
        let mut out = vec![team];
        let mut at = parents.get(&team).copied().flatten();
        while let Some(t) = at {
            out.push(t);
            at = parents.get(&t).copied().flatten();
        }
        out.push(EVERYONE);
        out
    };
    let mut floor: BTreeMap<(i64, String, i64, String), (i64, i64)> = BTreeMap::new();
    for p in people.values() {
        for team in up(p.team_id) {
            for ((kind, k1, k2), cleared) in p.keys() {
                let e = floor.entry((team, kind, k1, k2)).or_default();
                e.0 += 1;
                e.1 += cleared as i64;
            }
        }
    }
    let outcomes = sqlx::query!(
        r#"select o.quiz_id, coalesce(u.team_id, 0) as "team!: i64", o.first_at,
                  (o.first_passed = 1) as "first_passed!: bool", o.passed_at
           from quiz_outcomes o join users u on u.id = o.user_id"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut pass: BTreeMap<(i64, i64, i64), (i64, i64, i64)> = BTreeMap::new();
    for o in outcomes {
        let (day, first, passed) = counted(o.first_at, o.first_passed, o.passed_at);
        for team in up(o.team) {
            let e = pass.entry((team, day, o.quiz_id)).or_default();
            e.0 += 1;
            e.1 += first as i64;
            e.2 += passed as i64;
        }
    }
    let roleplays = sqlx::query!(
        r#"select coalesce(u.team_id, 0) as "team!: i64", r.scenario_id, r.finalized_at as "finalized_at!: i64",
                  r.levels as "levels!: String", v.criteria,
                  (select '[' || coalesce(string_agg(cast(t.rater_id as text), ','), '') || ']' from roleplay_ratings t
                   where t.roleplay_id = r.id and t.is_self = 0) as "raters?: String"
           from roleplays r join rubric_versions v on v.id = r.rubric_version_id join users u on u.id = r.trainee_id
           where r.status = 'final' and r.finalized_at is not null and r.levels is not null"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut criteria: BTreeMap<(i64, i64, i64, String), [i64; 5]> = BTreeMap::new();
    let mut raters: BTreeMap<(i64, i64, i64, i64), [i64; 6]> = BTreeMap::new();
    for r in roleplays {
        let rp = rated(r.scenario_id, r.finalized_at, &r.criteria, &r.levels, r.raters.as_deref())?;
        let (scenario, day) = (rp.scenario, rp.day);
        for team in up(r.team) {
            for rater in &rp.raters {
                let e = raters.entry((team, *rater, day, scenario)).or_default();
                for (e, d) in e.iter_mut().zip(rp.rater_sums(1)) {
                    *e += d;
                }
            }
            for (name, halves, max, failing, critical) in &rp.criteria {
                let e = criteria.entry((team, day, scenario, name.clone())).or_default();
                e[0] += 1;
                e[1] += halves;
                e[2] += max;
                e[3] += *failing as i64;
                e[4] += *critical as i64;
            }
        }
    }
    Ok(Want { people, floor, pass, criteria, raters })
}

/// Fills every summary from the raw rows, replacing what was there (after an upgrade, or a bulk
/// load such as `gen`).
#[tracing::instrument(skip_all)]
pub async fn rebuild(db: &Db) -> AppResult<()> {
    fill_levels(db).await?;
    let w = want(db).await?;
    let mut tx = db.begin().await?;
    sqlx::query!("delete from floor_people").execute(&mut *tx).await?;
    sqlx::query!("delete from floor_tree").execute(&mut *tx).await?;
    sqlx::query!("delete from pass_tree").execute(&mut *tx).await?;
    sqlx::query!("delete from criterion_tree").execute(&mut *tx).await?;
    sqlx::query!("delete from rater_tree").execute(&mut *tx).await?;
    // The same additions the live path makes, one team at a time (each row is new, so none is
    // deleted).
    for ((team, day, scenario, name), d) in &w.criteria {
        add_criterion(&mut tx, &[*team], *day, *scenario, name, *d).await?;
    }
    for ((team, rater, day, scenario), d) in &w.raters {
        add_rater(&mut tx, &[*team], *rater, *day, *scenario, *d).await?;
    }
    for (id, p) in &w.people {
        write_person(&mut tx, *id, p).await?;
    }
    for ((team, kind, k1, k2), (people, cleared)) in &w.floor {
        add_floor(&mut tx, &[*team], &(kind.clone(), *k1, k2.clone()), *people, *cleared).await?;
    }
    for ((team, day, quiz), d) in &w.pass {
        add_pass(&mut tx, &[*team], *quiz, *day, *d).await?;
    }
    sqlx::query!(
        "insert into summary_state (name, built) values ('teams', 1) on conflict (name) do update set built = 1"
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Fills the summaries once, on the first start after the upgrade that added them.
pub async fn ensure(db: &Db) -> AppResult<()> {
    let built = sqlx::query_scalar!("select built from summary_state where name = 'teams'")
        .fetch_optional(&db.read)
        .await?
        .unwrap_or(0);
    if built == 0 {
        rebuild(db).await?;
    }
    Ok(())
}

/// Every stored summary row that differs from the raw rows, one line each.
pub async fn check(db: &Db) -> AppResult<Vec<String>> {
    let mut w = want(db).await?;
    let mut conn = db.read.acquire().await?;
    let mut out = Vec::new();
    let stored = sqlx::query_scalar!("select user_id from floor_people").fetch_all(&mut *conn).await?;
    for id in stored {
        let have = read_person(&mut conn, id).await?;
        match w.people.remove(&id) {
            Some(p) if Some(&p) == have.as_ref() => {}
            p => out.push(format!("person {id}: stored {have:?}, the raw rows say {p:?}")),
        }
    }
    for (id, p) in w.people {
        out.push(format!("person {id}: not stored, the raw rows say {p:?}"));
    }
    let floor =
        sqlx::query!("select team_id, kind, k1, k2, people, cleared from floor_tree").fetch_all(&mut *conn).await?;
    for r in floor {
        let key = (r.team_id, r.kind, r.k1, r.k2);
        let want = w.floor.remove(&key);
        if want != Some((r.people, r.cleared)) {
            out.push(format!(
                "team {} {} {} {:?}: stored {:?}, the raw rows say {want:?}",
                key.0,
                key.1,
                key.2,
                key.3,
                (r.people, r.cleared)
            ));
        }
    }
    for (key, v) in w.floor {
        out.push(format!("team {} {} {} {:?}: not stored, the raw rows say {v:?}", key.0, key.1, key.2, key.3));
    }
    let pass = sqlx::query!("select team_id, day, quiz_id, outcomes, first_passed, passed from pass_tree")
        .fetch_all(&mut *conn)
        .await?;
    for r in pass {
        let key = (r.team_id, r.day, r.quiz_id);
        let want = w.pass.remove(&key);
        if want != Some((r.outcomes, r.first_passed, r.passed)) {
            out.push(format!(
                "team {} day {} quiz {}: stored {:?}, the outcomes say {want:?}",
                key.0,
                key.1,
                key.2,
                (r.outcomes, r.first_passed, r.passed)
            ));
        }
    }
    for (key, v) in w.pass {
        out.push(format!("team {} day {} quiz {}: not stored, the outcomes say {v:?}", key.0, key.1, key.2));
    }
    let criteria = sqlx::query!(
        "select team_id, day, scenario_id, criterion, rated, halves, maxes, failing, critical from criterion_tree"
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in criteria {
        let key = (r.team_id, r.day, r.scenario_id, r.criterion);
        let want = w.criteria.remove(&key);
        let have = [r.rated, r.halves, r.maxes, r.failing, r.critical];
        if want != Some(have) {
            out.push(format!(
                "team {} day {} scenario {} {}: stored {have:?}, the role-plays say {want:?}",
                key.0, key.1, key.2, key.3
            ));
        }
    }
    for (key, v) in w.criteria {
        out.push(format!(
            "team {} day {} scenario {} {}: not stored, the role-plays say {v:?}",
            key.0, key.1, key.2, key.3
        ));
    }
    let raters = sqlx::query!(
        "select team_id, rater_id, day, scenario_id, roleplays, rated, halves, maxes, failing, critical from rater_tree"
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in raters {
        let key = (r.team_id, r.rater_id, r.day, r.scenario_id);
        let want = w.raters.remove(&key);
        let have = [r.roleplays, r.rated, r.halves, r.maxes, r.failing, r.critical];
        if want != Some(have) {
            out.push(format!(
                "team {} rater {} day {} scenario {}: stored {have:?}, the role-plays say {want:?}",
                key.0, key.1, key.2, key.3
            ));
        }
    }
    for (key, v) in w.raters {
        out.push(format!(
            "team {} rater {} day {} scenario {}: not stored, the role-plays say {v:?}",
            key.0, key.1, key.2, key.3
        ));
    }
    Ok(out)
}
