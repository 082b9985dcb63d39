//! The pass-rate report: person x quiz outcomes grouped by quiz, course, team (rolled up the
//! tree), hire month, period or trainer, with the people behind each row. Managers see their
//! subtree's people, trainers their own courses' quizzes, admins everything.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};

use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Zone};
use crate::model::analytics::{PassRateReport, PersonOutcome, ReportGroup, ReportPeriod, ReportQuery, ReportRow};
use crate::model::team::TeamNode;
use crate::model::user::Role;
use crate::model::Names;
use crate::server::auth::guard::{require_team_scope, visible_team_ids, CurrentUser};
use crate::server::db::Db;
use crate::server::spreadsheet::Table;

/// The filters, checked: each bad value is named.
#[derive(Debug, Clone)]
pub struct Filter {
    pub group: ReportGroup,
    pub period: ReportPeriod,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub quiz: Option<i64>,
    /// A role-play scenario picked instead of a quiz (the quiz filter's "s<id>").
    pub scenario: Option<i64>,
    pub team: Option<i64>,
    pub row: Option<String>,
}

impl Filter {
    /// Dates are days on the reader's clock; `to` includes its whole day.
    pub fn parse(q: &ReportQuery, zone: Zone) -> AppResult<Filter> {
        let day = |field: &str, v: &str, end: bool| -> AppResult<Option<i64>> {
            match v.trim() {
                "" => Ok(None),
                v => {
                    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
                        .map_err(|_| AppError::validation(field, "error.date_invalid"))?;
                    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
                    let t = zone.moment(d.and_hms_opt(0, 0, 0).unwrap_or_default());
                    Ok(t.map(|t| if end { t - 1 } else { t }))
                }
            }
        };
        let id = |field: &str, v: &str| match v.trim() {
            "" => Ok(None),
            v => v.parse().map(Some).map_err(|_| AppError::validation(field, "error.choice_unknown")),
        };
        let (quiz, scenario) = match q.quiz.trim().strip_prefix('s') {
            Some(s) => (None, id("quiz", s)?),
            None => (id("quiz", &q.quiz)?, None),
        };
        let f = Filter {
            group: ReportGroup::parse(&q.group).ok_or(AppError::validation("group", "error.choice_unknown"))?,
            period: ReportPeriod::parse(&q.period).ok_or(AppError::validation("period", "error.choice_unknown"))?,
            from: day("from", &q.from, false)?,
            to: day("to", &q.to, true)?,
            quiz,
            scenario,
            team: id("team", &q.team)?,
            row: Some(q.row.trim().to_string()).filter(|r| !r.is_empty()),
        };
        if let (Some(a), Some(b)) = (f.from, f.to) {
            if a > b {
                return Err(AppError::validation("to", "error.range_reversed"));
            }
        }
        Ok(f)
    }
}

/// One outcome with what the grouping needs: ids and figures only, so a report over 200,000
/// outcomes copies no names (names come from the quizzes and courses once, people's only for
/// the row drilled into).
struct Line {
    user_id: i64,
    /// A quiz, or with `roleplay` a role-play scenario.
    quiz_id: i64,
    roleplay: bool,
    /// A quiz's course (a scenario's courses are in [`Titles`]).
    course_id: Option<i64>,
    team_id: Option<i64>,
    /// Year x 100 + month.
    hire_month: Option<i64>,
    attempts: u32,
    first_percent: f64,
    best_percent: f64,
    attempts_to_pass: Option<u32>,
    first_at: i64,
    first_passed: bool,
    passed: bool,
}

/// An outcome row as both reads return it: of a quiz (with its course) or of a scenario.
struct Row {
    item: i64,
    user_id: i64,
    attempts: i64,
    first_percent: f64,
    first_passed: bool,
    first_at: i64,
    best_percent: f64,
    passed_at: Option<i64>,
    attempts_to_pass: Option<i64>,
    course_id: Option<i64>,
    team_id: Option<i64>,
    hire_month: Option<i64>,
}

impl Row {
    fn line(self, roleplay: bool) -> Line {
        Line {
            user_id: self.user_id,
            quiz_id: self.item,
            roleplay,
            course_id: self.course_id,
            team_id: self.team_id,
            hire_month: self.hire_month,
            attempts: self.attempts as u32,
            first_percent: self.first_percent,
            best_percent: self.best_percent,
            attempts_to_pass: self.attempts_to_pass.map(|n| n as u32),
            first_at: self.first_at,
            first_passed: self.first_passed,
            passed: self.passed_at.is_some(),
        }
    }
}

/// Whose outcomes the caller may read: every one (admins), or their people and their quizzes.
struct Scope {
    all: bool,
    teams: Vec<i64>,
    courses: Vec<i64>,
}

async fn scope(db: &Db, caller: &CurrentUser) -> AppResult<Scope> {
    let all = caller.has(Role::Admin);
    let teams = if caller.has(Role::Manager) { visible_team_ids(db, caller.id).await? } else { Vec::new() };
    let courses = if caller.has(Role::Trainer) {
        sqlx::query_scalar!("select course_id from course_owners where user_id = $1", caller.id)
            .fetch_all(&db.read)
            .await?
    } else {
        Vec::new()
    };
    Ok(Scope { all, teams, courses })
}

async fn lines(db: &Db, s: &Scope, f: &Filter, tree: &[TeamNode]) -> AppResult<Vec<Line>> {
    let teams = serde_json::to_string(&s.teams).map_err(crate::error::internal)?;
    let courses = serde_json::to_string(&s.courses).map_err(crate::error::internal)?;
    let below = match f.team {
        Some(t) => subtree(tree, t),
        None => tree.iter().map(|t| t.id).collect(),
    };
    let picked = serde_json::to_string(&below).map_err(crate::error::internal)?;
    let narrowed = f.team.is_some();
    let (from, to) = (f.from.unwrap_or(i64::MIN), f.to.unwrap_or(i64::MAX));
    let dated = f.from.is_some() || f.to.is_some();
    // A manager's report covers their teams' people only: read theirs, not everyone's.
    let by_team = !s.all && s.courses.is_empty();
    let team_list = if narrowed { &picked } else { &teams };
    let scenario_picked = f.scenario.is_some();
    let quizzes = sqlx::query_as!(
        Row,
        r#"with o as (
               -- One quiz is read by its key, a manager's people by their teams, anything else by
               -- its dates: each branch runs only when it applies, so none scans the whole table
               -- for another's filter.
               -- (The dates are in each branch, not below: pushed down into the teams' branch
               -- they made it scan every outcome by date.)
               select * from quiz_outcomes where quiz_id = $8 and first_at between $6 and $7
               union all
               select q.* from users p join quiz_outcomes q on q.user_id = p.id
               where $8 is null and $9 and p.team_id in (select value from json_each($10))
                 and +q.first_at between $6 and $7
               union all
               select * from quiz_outcomes where $8 is null and not $9 and $12 and first_at between $6 and $7
               union all
               -- Undated, everything is read in the table's order: through the dates' index it
               -- was ten times slower.
               select * from quiz_outcomes where $8 is null and not $9 and not $12
           )
           select o.quiz_id as "item!: i64", o.user_id as "user_id!: i64", o.attempts as "attempts!: i64",
                  o.first_percent as "first_percent!: f64", (o.first_passed = 1) as "first_passed!: bool",
                  o.first_at as "first_at!: i64", o.best_percent as "best_percent!: f64", o.passed_at as "passed_at?: i64",
                  o.attempts_to_pass as "attempts_to_pass?: i64", z.course_id as "course_id?: i64", u.team_id,
                  case when length(u.hire_date) >= 7
                       then cast(substr(u.hire_date, 1, 4) as bigint) * 100 + cast(substr(u.hire_date, 6, 2) as bigint)
                  end as "hire_month?: i64"
           from o
           join quizzes z on z.id = o.quiz_id
           join users u on u.id = o.user_id
           where ($1 or u.team_id in (select value from json_each($2)) or z.course_id in (select value from json_each($3)))
             and (not $4 or u.team_id in (select value from json_each($5)))
             -- Pre-tests measure the baseline; they are in the report only when picked.
             and (z.kind <> 'pre_test' or $8 is not null)
             and not $11"#,
        s.all,
        teams,
        courses,
        narrowed,
        picked,
        from,
        to,
        f.quiz,
        by_team,
        team_list,
        scenario_picked,
        dated
    )
    .fetch_all(&db.read)
    .await?;
    // Role-plays, by scenario: a trainer's are those of their courses' scenarios.
    let roleplays = sqlx::query_as!(
        Row,
        r#"with o as (
               -- As for quizzes: a manager's people are read by their teams, anyone else's by date.
               select q.* from users p join roleplay_outcomes q on q.user_id = p.id
               where $10 and p.team_id in (select value from json_each($11)) and +q.first_at between $8 and $9
               union all
               select * from roleplay_outcomes where not $10 and $12 and first_at between $8 and $9
               union all
               select * from roleplay_outcomes where not $10 and not $12
           )
           select o.scenario_id as "item!: i64", o.user_id as "user_id!: i64", o.attempts as "attempts!: i64",
                  o.first_percent as "first_percent!: f64", (o.first_passed = 1) as "first_passed!: bool",
                  o.first_at as "first_at!: i64", o.best_percent as "best_percent!: f64", o.passed_at as "passed_at?: i64",
                  o.attempts_to_pass as "attempts_to_pass?: i64", cast(null as bigint) as "course_id?: i64", u.team_id,
                  case when length(u.hire_date) >= 7
                       then cast(substr(u.hire_date, 1, 4) as bigint) * 100 + cast(substr(u.hire_date, 6, 2) as bigint)
                  end as "hire_month?: i64"
           from o
           join users u on u.id = o.user_id
           where cast($1 as bigint) is null and (cast($2 as bigint) is null or o.scenario_id = $2)
             and ($3 or u.team_id in (select value from json_each($4))
                  or exists (select 1 from scenario_courses c
                             where c.scenario_id = o.scenario_id and c.course_id in (select value from json_each($5))))
             and (not $6 or u.team_id in (select value from json_each($7)))"#,
        f.quiz,
        f.scenario,
        s.all,
        teams,
        courses,
        narrowed,
        picked,
        from,
        to,
        by_team,
        team_list,
        dated
    )
    .fetch_all(&db.read)
    .await?;
    let quizzes = quizzes.into_iter().map(|r| r.line(false));
    Ok(quizzes.chain(roleplays.into_iter().map(|r| r.line(true))).collect())
}

/// Quiz, role-play scenario and course names, and each scenario's courses.
struct Titles {
    quiz: HashMap<i64, Names>,
    scenario: HashMap<i64, Names>,
    course: HashMap<i64, Names>,
    scenario_courses: HashMap<i64, Vec<i64>>,
}

impl Titles {
    /// What a line is an outcome of: a quiz, or a role-play scenario marked as one.
    fn item(&self, l: &Line) -> Names {
        match l.roleplay {
            false => self.quiz.get(&l.quiz_id).cloned().unwrap_or_default(),
            true => roleplay_label(self.scenario.get(&l.quiz_id).cloned().unwrap_or_default()),
        }
    }
}

fn roleplay_label(n: Names) -> Names {
    Names::new(format!("演练：{}", n.zh), if n.en.is_empty() { String::new() } else { format!("Role-play: {}", n.en) })
}

/// A quiz's row key is its id; a scenario's is "s" and its id (as the filter names them).
fn item_key(code: i64) -> String {
    if code < 0 {
        format!("s{}", -code)
    } else {
        code.to_string()
    }
}

async fn titles(db: &Db) -> AppResult<Titles> {
    let mut t = Titles {
        quiz: HashMap::new(),
        scenario: HashMap::new(),
        course: HashMap::new(),
        scenario_courses: HashMap::new(),
    };
    for r in sqlx::query!(r#"select id as "id!", title, title_en from scenarios"#).fetch_all(&db.read).await? {
        t.scenario.insert(r.id, Names::new(r.title, r.title_en));
    }
    for r in sqlx::query!("select scenario_id, course_id from scenario_courses order by course_id")
        .fetch_all(&db.read)
        .await?
    {
        t.scenario_courses.entry(r.scenario_id).or_default().push(r.course_id);
    }
    for r in sqlx::query!(
        r#"select z.id as "id!", z.title, z.title_en, z.course_id, v.title as course_title, v.title_en as course_title_en
           from quizzes z
           join course_versions v on v.id = (select max(w.id) from course_versions w where w.course_id = z.course_id)"#
    )
    .fetch_all(&db.read)
    .await?
    {
        t.quiz.insert(r.id, Names::new(r.title, r.title_en));
        t.course.insert(r.course_id, Names::new(r.course_title, r.course_title_en));
    }
    Ok(t)
}

/// The people behind a row's lines, by name.
async fn people_of(db: &Db, lines: &[&Line], titles: &Titles, tree: &[TeamNode]) -> AppResult<Vec<PersonOutcome>> {
    let ids: BTreeSet<i64> = lines.iter().map(|l| l.user_id).collect();
    let ids = serde_json::to_string(&ids).map_err(crate::error::internal)?;
    let who: HashMap<i64, (String, String)> = sqlx::query!(
        r#"select id as "id!", display_name, employee_no from users where id in (select value from json_each($1))"#,
        ids
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (r.id, (r.display_name, r.employee_no)))
    .collect();
    let paths: HashMap<i64, &Names> = tree.iter().map(|t| (t.id, &t.path)).collect();
    let mut people: Vec<PersonOutcome> = lines
        .iter()
        .map(|l| {
            let (display_name, employee_no) = who.get(&l.user_id).cloned().unwrap_or_default();
            PersonOutcome {
                user_id: l.user_id,
                display_name,
                employee_no,
                team: l.team_id.and_then(|t| paths.get(&t)).map(|p| (*p).clone()).unwrap_or_default(),
                quiz_id: l.quiz_id,
                quiz: titles.item(l),
                attempts: l.attempts,
                first_percent: l.first_percent,
                best_percent: l.best_percent,
                attempts_to_pass: l.attempts_to_pass,
                first_at: l.first_at,
            }
        })
        .collect();
    people.sort_by(|a, b| (&a.display_name, a.user_id, a.quiz_id).cmp(&(&b.display_name, b.user_id, b.quiz_id)));
    Ok(people)
}

/// A team and every team below it, from a tree already read.
pub(super) fn subtree(tree: &[TeamNode], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(tree.iter().filter(|t| t.parent_id == Some(parent)).map(|t| t.id));
        i += 1;
    }
    out
}

/// The team a person's team rolls up to: the child of `root` (a site when there is none) on
/// the way down to it.
fn rolled_up(parent: &HashMap<i64, Option<i64>>, root: Option<i64>, team: i64) -> Option<i64> {
    let mut at = team;
    loop {
        let up = *parent.get(&at)?;
        if up == root {
            return Some(at);
        }
        // The picked team itself holds people too: they are its own row.
        if Some(at) == root {
            return Some(at);
        }
        at = up?;
    }
}

/// A period as a number that sorts like its name: year x 100 + ISO week or month, year x 10 +
/// quarter.
fn period_code(at: i64, zone: Zone, p: ReportPeriod) -> i64 {
    let d = zone.local(at).map(|t| t.date_naive()).unwrap_or_default();
    match p {
        ReportPeriod::Week => {
            let w = d.iso_week();
            i64::from(w.year()) * 100 + i64::from(w.week())
        }
        ReportPeriod::Month => i64::from(d.year()) * 100 + i64::from(d.month()),
        ReportPeriod::Quarter => i64::from(d.year()) * 10 + i64::from((d.month() - 1) / 3 + 1),
    }
}

fn period_name(code: i64, p: ReportPeriod) -> String {
    match p {
        ReportPeriod::Week => format!("{}-W{:02}", code / 100, code % 100),
        ReportPeriod::Month => format!("{}-{:02}", code / 100, code % 100),
        ReportPeriod::Quarter => format!("{}-Q{}", code / 10, code % 10),
    }
}

/// Each team's row when grouping by team: the team it rolls up to. Worked out once per report,
/// not per line (per line it was 11 s of a 12 s report at 100,000 people).
fn team_rows(tree: &[TeamNode], root: Option<i64>) -> HashMap<i64, i64> {
    let parent: HashMap<i64, Option<i64>> = tree.iter().map(|t| (t.id, t.parent_id)).collect();
    tree.iter().filter_map(|t| Some((t.id, rolled_up(&parent, root, t.id)?))).collect()
}

/// What grouping needs besides the lines, read once per report for the grouping asked.
#[derive(Default)]
struct Lookups {
    /// Each team's row when grouping by team.
    teams: HashMap<i64, i64>,
    /// Each course's trainers.
    owners: HashMap<i64, Vec<(i64, String)>>,
    /// Each person's training plans.
    plans: HashMap<i64, Vec<(i64, Names)>>,
    /// (person, course): who taught the sessions they attended in plans with that course.
    instructors: HashMap<(i64, i64), Vec<(i64, String)>>,
}

/// The rows a line counts under, as numbers (a quiz's id, a scenario's id negated, a team's,
/// a month's or a period's code...), into `out`: grouping 300,000 lines makes no string per
/// line. A course's trainers each count it, once.
fn keys(l: &Line, f: &Filter, zone: Zone, look: &Lookups, titles: &Titles, out: &mut Vec<i64>) {
    out.clear();
    let courses = || -> &[i64] {
        match l.course_id {
            Some(ref c) => std::slice::from_ref(c),
            None => titles.scenario_courses.get(&l.quiz_id).map(Vec::as_slice).unwrap_or_default(),
        }
    };
    match f.group {
        ReportGroup::Quiz => out.push(if l.roleplay { -l.quiz_id } else { l.quiz_id }),
        ReportGroup::Course => out.extend_from_slice(courses()),
        ReportGroup::Team => out.extend(l.team_id.and_then(|t| look.teams.get(&t))),
        ReportGroup::HireMonth => out.push(l.hire_month.unwrap_or(0)),
        ReportGroup::Period => out.push(period_code(l.first_at, zone, f.period)),
        ReportGroup::Trainer => {
            out.extend(courses().iter().filter_map(|c| look.owners.get(c)).flatten().map(|(id, _)| *id))
        }
        ReportGroup::Instructor => out.extend(
            courses().iter().filter_map(|c| look.instructors.get(&(l.user_id, *c))).flatten().map(|(id, _)| *id),
        ),
        ReportGroup::Plan => out.extend(look.plans.get(&l.user_id).into_iter().flatten().map(|(id, _)| *id)),
    }
    out.sort_unstable();
    out.dedup();
}

/// A row's key and label from its number.
fn row_name(code: i64, f: &Filter, look: &Lookups, titles: &Titles, tree: &[TeamNode]) -> (String, Names) {
    let person = |found: Option<&String>| Names::same(found.cloned().unwrap_or_default());
    let label = match f.group {
        ReportGroup::Quiz if code < 0 => roleplay_label(titles.scenario.get(&-code).cloned().unwrap_or_default()),
        ReportGroup::Quiz => titles.quiz.get(&code).cloned().unwrap_or_default(),
        ReportGroup::Course => titles.course.get(&code).cloned().unwrap_or_default(),
        ReportGroup::Team => tree.iter().find(|t| t.id == code).map(|t| t.path.clone()).unwrap_or_default(),
        ReportGroup::HireMonth if code == 0 => Names::default(),
        ReportGroup::HireMonth => Names::same(format!("{}-{:02}", code / 100, code % 100)),
        ReportGroup::Period => Names::same(period_name(code, f.period)),
        ReportGroup::Trainer => {
            person(look.owners.values().flatten().find(|(id, _)| *id == code).map(|(_, name)| name))
        }
        ReportGroup::Instructor => {
            person(look.instructors.values().flatten().find(|(id, _)| *id == code).map(|(_, name)| name))
        }
        ReportGroup::Plan => {
            look.plans.values().flatten().find(|(id, _)| *id == code).map(|(_, t)| t.clone()).unwrap_or_default()
        }
    };
    let key = match f.group {
        ReportGroup::Quiz => item_key(code),
        ReportGroup::HireMonth | ReportGroup::Period => label.zh.clone(),
        _ => code.to_string(),
    };
    (key, label)
}

fn summarise<'a>(key: String, label: Names, lines: impl Iterator<Item = &'a Line> + Clone) -> ReportRow {
    let mut firsts: Vec<f64> = lines.clone().map(|l| l.first_percent).collect();
    firsts.sort_unstable_by(f64::total_cmp);
    let n = firsts.len();
    let mut people: Vec<i64> = lines.clone().map(|l| l.user_id).collect();
    people.sort_unstable();
    people.dedup();
    let (mut attempts, mut first_passed, mut passed, mut to_pass, mut to_pass_n) = (0, 0, 0, 0u64, 0u32);
    for l in lines {
        attempts += l.attempts;
        first_passed += u32::from(l.first_passed);
        passed += u32::from(l.passed);
        if let Some(t) = l.attempts_to_pass {
            to_pass += u64::from(t);
            to_pass_n += 1;
        }
    }
    ReportRow {
        key,
        label,
        outcomes: n as u32,
        people: people.len() as u32,
        attempts,
        first_passed,
        passed,
        mean_first: (n > 0).then(|| firsts.iter().sum::<f64>() / n as f64),
        median_first: match n {
            0 => None,
            _ if !n.is_multiple_of(2) => Some(firsts[n / 2]),
            _ => Some((firsts[n / 2 - 1] + firsts[n / 2]) / 2.0),
        },
        mean_attempts_to_pass: (to_pass_n > 0).then(|| to_pass as f64 / f64::from(to_pass_n)),
    }
}

/// The report for `caller` with these filters; a picked team must be theirs.
#[tracing::instrument(skip_all, fields(caller = caller.id))]
pub async fn report(db: &Db, caller: &CurrentUser, f: &Filter, zone: Zone) -> AppResult<PassRateReport> {
    if let Some(t) = f.team {
        if !caller.has(Role::Admin) && !caller.has(Role::Trainer) {
            require_team_scope(db, caller, t, "pass-rate report").await?;
        }
    }
    let s = scope(db, caller).await?;
    let tree = crate::server::team::tree(db).await?;
    // A manager of one team rolls up below it, not to the site above (one row of everything).
    let mut f = f.clone();
    if f.team.is_none() && f.group == ReportGroup::Team && !s.all {
        let managed = sqlx::query_scalar!("select team_id from team_managers where user_id = $1", caller.id)
            .fetch_all(&db.read)
            .await?;
        if let [only] = managed[..] {
            f.team = Some(only);
        }
    }
    let f = &f;
    let lines = lines(db, &s, f, &tree).await?;
    let titles = titles(db).await?;
    let look = match f.group {
        ReportGroup::Trainer => Lookups { owners: course_owners(db).await?, ..Default::default() },
        ReportGroup::Plan => Lookups { plans: plan_members(db, None).await?, ..Default::default() },
        ReportGroup::Team => Lookups { teams: team_rows(&tree, f.team), ..Default::default() },
        ReportGroup::Instructor => Lookups { instructors: instructors(db, None).await?, ..Default::default() },
        _ => Lookups::default(),
    };
    // Each row's lines by index, under the row's number.
    let mut groups: BTreeMap<i64, Vec<u32>> = BTreeMap::new();
    let mut codes = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        keys(l, f, zone, &look, &titles, &mut codes);
        for c in &codes {
            groups.entry(*c).or_default().push(i as u32);
        }
    }
    let of = |ix: &[u32]| ix.iter().map(|i| &lines[*i as usize]).collect::<Vec<&Line>>();
    let mut rows = Vec::with_capacity(groups.len());
    let mut picked = None;
    for (code, ix) in &groups {
        let (key, label) = row_name(*code, f, &look, &titles, &tree);
        let row = summarise(key, label, ix.iter().map(|i| &lines[*i as usize]));
        if f.row.as_deref() == Some(row.key.as_str()) {
            picked = Some((row.clone(), ix));
        }
        rows.push(row);
    }
    // Periods and hire months stay in time order; the rest go by name.
    if !matches!(f.group, ReportGroup::Period | ReportGroup::HireMonth) {
        rows.sort_by(|a, b| a.label.cmp(&b.label));
    }
    let total = summarise(String::new(), Names::default(), lines.iter());
    let (row, people) = match picked {
        Some((row, ix)) => (Some(row), people_of(db, &of(ix), &titles, &tree).await?),
        None => (None, Vec::new()),
    };
    let teams = tree
        .iter()
        .filter(|t| s.all || s.teams.contains(&t.id) || caller.has(Role::Trainer))
        .map(|t| (t.id, t.path.clone()))
        .collect();
    // A manager may pick any quiz (their people may take any); a trainer their own.
    let any_quiz = s.all || !s.teams.is_empty();
    let own = serde_json::to_string(&s.courses).map_err(crate::error::internal)?;
    let mut quizzes = sqlx::query!(
        r#"select z.id as "id!", z.title, z.title_en from quizzes z
           where $1 or z.course_id in (select value from json_each($2)) order by z.title, z.title_en"#,
        any_quiz,
        own
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (r.id.to_string(), Names::new(r.title, r.title_en)))
    .collect::<Vec<_>>();
    let mut scenarios: Vec<(String, Names)> = sqlx::query!(
        r#"select s.id as "id!", s.title, s.title_en from scenarios s
           where $1 or exists (select 1 from scenario_courses c
                               where c.scenario_id = s.id and c.course_id in (select value from json_each($2)))"#,
        any_quiz,
        own
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (format!("s{}", r.id), roleplay_label(Names::new(r.title, r.title_en))))
    .collect();
    scenarios.sort_by(|a, b| a.1.cmp(&b.1));
    quizzes.extend(scenarios);
    Ok(PassRateReport { group: f.group, period: f.period, rows, total, teams, quizzes, row, people })
}

/// Each person's training plans, by person; with `quiz`, only of those who took it.
pub(super) async fn plan_members(db: &Db, quiz: Option<i64>) -> AppResult<HashMap<i64, Vec<(i64, Names)>>> {
    let mut out: HashMap<i64, Vec<(i64, Names)>> = HashMap::new();
    for r in sqlx::query!(
        "select m.user_id, p.id, p.title, p.title_en from plan_members m join training_plans p on p.id = m.plan_id
         where cast($1 as bigint) is null or m.user_id in (select user_id from quiz_outcomes where quiz_id = $1)",
        quiz
    )
    .fetch_all(&db.read)
    .await?
    {
        out.entry(r.user_id).or_default().push((r.id, Names::new(r.title, r.title_en)));
    }
    Ok(out)
}

/// Who taught each person in each course (`course`: only that one): the instructors of the
/// sessions they attended (present or late) in training plans with that course.
pub(super) async fn instructors(db: &Db, course: Option<i64>) -> AppResult<HashMap<(i64, i64), Vec<(i64, String)>>> {
    let mut out: HashMap<(i64, i64), Vec<(i64, String)>> = HashMap::new();
    for r in sqlx::query!(
        r#"select distinct a.user_id, c.course_id, u.id as "instructor!: i64", u.display_name
           from attendance a
           join plan_sessions s on s.id = a.session_id
           join plan_courses c on c.plan_id = s.plan_id
           join users u on u.id = s.instructor_id
           where a.status in ('present', 'late') and (cast($1 as bigint) is null or c.course_id = $1)
           order by u.display_name"#,
        course
    )
    .fetch_all(&db.read)
    .await?
    {
        out.entry((r.user_id, r.course_id)).or_default().push((r.instructor, r.display_name));
    }
    Ok(out)
}

async fn course_owners(db: &Db) -> AppResult<HashMap<i64, Vec<(i64, String)>>> {
    let mut out: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for r in sqlx::query!(
        "select o.course_id, u.id, u.display_name from course_owners o join users u on u.id = o.user_id order by u.display_name"
    )
    .fetch_all(&db.read)
    .await?
    {
        out.entry(r.course_id).or_default().push((r.id, r.display_name));
    }
    Ok(out)
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_default()
}

/// The rows (or, drilled into a row, its people) as a sheet.
pub fn table(r: &PassRateReport, locale: Locale, zone: Zone) -> Table {
    let t = |k: &str| locale.t(k);
    if r.row.is_some() {
        let header = [
            "field.display_name",
            "field.employee_no",
            "field.team",
            "report.quiz",
            "report.attempts",
            "report.first_score",
            "report.best_score",
            "report.attempts_to_pass",
            "report.first_at",
        ]
        .iter()
        .map(|k| t(k))
        .collect();
        let rows = r
            .people
            .iter()
            .map(|p| {
                vec![
                    p.display_name.clone(),
                    p.employee_no.clone(),
                    p.team.both(),
                    p.quiz.both(),
                    p.attempts.to_string(),
                    format!("{:.1}", p.first_percent),
                    format!("{:.1}", p.best_percent),
                    p.attempts_to_pass.map(|n| n.to_string()).unwrap_or_default(),
                    locale.format_timestamp(zone, p.first_at),
                ]
            })
            .collect();
        return Table { sheet: t("report.people"), header, rows };
    }
    let header = [
        &format!("report.group.{}", r.group.as_str()) as &str,
        "report.outcomes",
        "report.people",
        "report.attempts",
        "report.first_rate",
        "report.rate",
        "report.mean_first",
        "report.median_first",
        "report.mean_attempts_to_pass",
    ]
    .iter()
    .map(|k| t(k))
    .collect();
    let rows = r
        .rows
        .iter()
        .map(|row| {
            vec![
                row.label.both(),
                row.outcomes.to_string(),
                row.people.to_string(),
                row.attempts.to_string(),
                pct(row.first_rate()),
                pct(row.rate()),
                pct(row.mean_first),
                pct(row.median_first),
                row.mean_attempts_to_pass.map(|m| format!("{m:.2}")).unwrap_or_default(),
            ]
        })
        .collect();
    Table { sheet: t("report.title"), header, rows }
}
