//! On-the-job results of a program (issue 15): its follow-ups by offset and state, and training
//! transfer: for each criterion of the rubric, the level people reached in the role-play that
//! certified them beside the level their supervisors saw on the job at each offset. A criterion
//! met in training and missed on the floor is where the training does not hold; the table flags
//! it when that happens to a fifth of the people or more.
//!
//! Levels are compared as a share of the criterion's top level (0-100), so a rubric edited
//! between the two does not compare apples with pears; criteria are matched by name. A criterion
//! counts as met from its pass level when it has one, else from the middle level.

use std::collections::{BTreeMap, HashMap};

use crate::error::{AppError, AppResult};
use crate::model::followup::{
    OffsetFigures, PersonTransfer, Scored, TransferCohort, TransferGroup, TransferReport, TransferRow,
};
use crate::model::roleplay::Criterion;
use crate::model::user::Role;
use crate::model::Names;
use crate::server::auth::guard::{visible_team_ids, CurrentUser};
use crate::server::db::Db;

/// The level a criterion counts as met from.
pub fn met_from(c: &Criterion) -> u8 {
    if c.pass_level > 0 {
        c.pass_level
    } else {
        c.max_level().div_ceil(2)
    }
}

fn share(level: f64, max: u8) -> f64 {
    100.0 * level / f64::from(max.max(1))
}

/// One person's levels, read once.
struct Person {
    id: i64,
    name: String,
    employee_no: String,
    cohort: Names,
    /// criterion name -> role-play level
    training: HashMap<Names, f64>,
    /// offset -> criterion name -> level seen on the job (the latest completed follow-up)
    floor: HashMap<i64, HashMap<Names, f64>>,
}

fn levels_by_name(criteria_json: &str, levels_json: &str) -> HashMap<Names, f64> {
    let criteria: Vec<Criterion> = serde_json::from_str(criteria_json).unwrap_or_default();
    let levels: Vec<f64> = serde_json::from_str(levels_json).unwrap_or_default();
    criteria.into_iter().zip(levels).map(|(c, l)| (c.name, l)).collect()
}

#[tracing::instrument(skip_all, fields(caller = caller.id, program = ?program, team = ?team))]
pub async fn report(
    db: &Db,
    caller: &CurrentUser,
    program: Option<i64>,
    team: Option<i64>,
    group: TransferGroup,
) -> AppResult<TransferReport> {
    let everyone = caller.has(Role::Admin) || caller.has(Role::Trainer);
    if !everyone && !caller.has(Role::Manager) {
        tracing::warn!(user_id = caller.id, "denied: on-the-job results");
        return Err(AppError::Forbidden);
    }
    let mine = if everyone { None } else { Some(visible_team_ids(db, caller.id).await?) };
    if let (Some(t), Some(mine)) = (team, &mine) {
        if !mine.contains(&t) {
            tracing::warn!(user_id = caller.id, team = t, "denied: team out of scope");
            return Err(AppError::Forbidden);
        }
    }
    let tree = crate::server::team::tree(db).await?;
    let teams: Vec<(i64, Names)> = tree
        .iter()
        .filter(|t| mine.as_ref().is_none_or(|m| m.contains(&t.id)))
        .map(|t| (t.id, t.path.clone()))
        .collect();
    let people_teams: Option<Vec<i64>> = match team {
        Some(t) => Some(crate::server::team::subtree_ids(db, t).await?),
        None => mine.clone(),
    };
    let (all, teams_json) = match &people_teams {
        None => (true, "[]".to_string()),
        Some(t) => (false, serde_json::to_string(t).map_err(crate::error::internal)?),
    };
    let programs: Vec<(i64, Names)> = sqlx::query!(
        r#"select id as "id!: i64", name, name_en from programs where archived_at is null order by level_id, id"#
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (r.id, Names::new(r.name, r.name_en)))
    .collect();
    let program_id = match program {
        Some(p) if programs.iter().any(|(id, _)| *id == p) => p,
        Some(_) => return Err(AppError::NotFound),
        None => programs.first().map(|(id, _)| *id).unwrap_or_default(),
    };

    // Follow-ups by offset and state (observers' only: a self-assessment is the person's view).
    let figures = sqlx::query!(
        r#"select f.offset_days, f.state, count(*) as "n!: i64", cast(coalesce(sum(f.passed), 0) as bigint) as "passed!: i64",
                  avg(f.percent) as "mean?: f64"
           from followups f join users u on u.id = f.user_id
           where f.program_id = $1 and f.observer <> 'self' and ($2 or u.team_id in (select value from json_each($3)))
           group by f.offset_days, f.state order by f.offset_days"#,
        program_id,
        all,
        teams_json
    )
    .fetch_all(&db.read)
    .await?;
    let mut by_offset: BTreeMap<i64, OffsetFigures> = BTreeMap::new();
    for r in figures {
        let o = by_offset
            .entry(r.offset_days)
            .or_insert_with(|| OffsetFigures { offset_days: r.offset_days, ..Default::default() });
        match r.state.as_str() {
            "scheduled" => o.scheduled = r.n,
            "due" => o.due = r.n,
            "overdue" => o.overdue = r.n,
            "waived" => o.waived = r.n,
            _ => {
                o.completed = r.n;
                o.passed = r.passed;
                o.mean_percent = r.mean;
            }
        }
    }
    let figures: Vec<OffsetFigures> = by_offset.into_values().collect();

    // The rubric the follow-ups are scored on (its current version names the criteria).
    let rubric = sqlx::query!(
        r#"select v.criteria from followup_steps s join rubrics r on r.id = s.rubric_id
           join rubric_versions v on v.id = r.current_version_id
           where s.program_id = $1 and s.observer <> 'self' and s.removed_at is null order by s.offset_days limit 1"#,
        program_id
    )
    .fetch_optional(&db.read)
    .await?;
    let criteria: Vec<Criterion> = rubric.and_then(|r| serde_json::from_str(&r.criteria).ok()).unwrap_or_default();
    let offsets: Vec<i64> = figures.iter().filter(|f| f.completed > 0).map(|f| f.offset_days).collect();

    // Everyone with a completed observation, their cohort, and their levels.
    let rows = sqlx::query!(
        r#"select f.user_id as "user_id!: i64", u.display_name, u.employee_no, f.offset_days, v.criteria, f.levels as "levels!: String",
                  coalesce(t.name, '') as "team!: String", coalesce(t.name_en, '') as "team_en!: String",
                  coalesce(substr(u.hire_date, 1, 7), '') as "hire_month!: String",
                  (select coalesce(nullif(tp.title, ''), tp.title_en) from plan_members pm join training_plans tp on tp.id = pm.plan_id
                    where pm.user_id = u.id order by pm.plan_id limit 1) as "plan?: String",
                  (select tp.title_en from plan_members pm join training_plans tp on tp.id = pm.plan_id
                    where pm.user_id = u.id order by pm.plan_id limit 1) as "plan_en?: String"
           from followups f join users u on u.id = f.user_id left join teams t on t.id = u.team_id
           join rubric_versions v on v.id = f.rubric_version_id
           where f.program_id = $1 and f.state = 'completed' and f.observer <> 'self' and f.levels is not null
             and ($2 or u.team_id in (select value from json_each($3)))
           order by u.employee_no, f.offset_days, f.completed_at"#,
        program_id,
        all,
        teams_json
    )
    .fetch_all(&db.read)
    .await?;
    let mut people: Vec<Person> = Vec::new();
    for r in rows {
        if people.last().is_none_or(|p| p.id != r.user_id) {
            let cohort = match group {
                TransferGroup::Everyone => Names::default(),
                TransferGroup::Team => Names::new(r.team.clone(), r.team_en.clone()),
                TransferGroup::HireMonth => Names::same(r.hire_month.clone()),
                TransferGroup::Plan => {
                    Names::new(r.plan.clone().unwrap_or_default(), r.plan_en.clone().unwrap_or_default())
                }
            };
            people.push(Person {
                id: r.user_id,
                name: r.display_name.clone(),
                employee_no: r.employee_no.clone(),
                cohort,
                training: HashMap::new(),
                floor: HashMap::new(),
            });
        }
        let p = people.last_mut().expect("pushed above");
        p.floor.insert(r.offset_days, levels_by_name(&r.criteria, &r.levels));
    }
    // The role-play that certified each of them: their latest passed final role-play of the
    // program's scenarios.
    let ids =
        serde_json::to_string(&people.iter().map(|p| p.id).collect::<Vec<_>>()).map_err(crate::error::internal)?;
    let trained = sqlx::query!(
        r#"select r.trainee_id as "trainee_id!: i64", v.criteria, r.levels as "levels!: String" from roleplays r
           join rubric_versions v on v.id = r.rubric_version_id
           where r.trainee_id in (select value from json_each($1)) and r.status = 'final' and r.passed = 1
             and r.levels is not null
             and r.scenario_id in (select scenario_id from program_requirements where program_id = $2 and kind = 'roleplay')
           order by r.trainee_id, r.finalized_at desc"#,
        ids,
        program_id
    )
    .fetch_all(&db.read)
    .await?;
    for p in &mut people {
        // The latest comes first for each person.
        if let Some(rp) = trained.iter().find(|r| r.trainee_id == p.id) {
            p.training = levels_by_name(&rp.criteria, &rp.levels);
        }
    }
    let row_for = |group: &[&Person], c: &Criterion| -> TransferRow {
        let max = c.max_level();
        let met = f64::from(met_from(c));
        let mean = |xs: Vec<f64>| Scored {
            n: xs.len() as i64,
            mean: (!xs.is_empty()).then(|| xs.iter().map(|l| share(*l, max)).sum::<f64>() / xs.len() as f64),
        };
        let training = mean(group.iter().filter_map(|p| p.training.get(&c.name).copied()).collect());
        let floor = offsets
            .iter()
            .map(|o| mean(group.iter().filter_map(|p| p.floor.get(o)?.get(&c.name).copied()).collect()))
            .collect();
        let mut matched = 0;
        let mut lost = 0;
        for p in group {
            let Some(t) = p.training.get(&c.name) else { continue };
            let seen: Vec<f64> = p.floor.values().filter_map(|l| l.get(&c.name).copied()).collect();
            if seen.is_empty() {
                continue;
            }
            matched += 1;
            if *t >= met && seen.iter().any(|l| *l < met) {
                lost += 1;
            }
        }
        TransferRow {
            criterion: c.name.clone(),
            training,
            floor,
            matched,
            lost,
            flagged: lost > 0 && lost * 5 >= matched,
        }
    };
    let mut cohorts: BTreeMap<Names, Vec<&Person>> = BTreeMap::new();
    for p in &people {
        cohorts.entry(p.cohort.clone()).or_default().push(p);
    }
    let cohorts = cohorts
        .into_iter()
        .map(|(label, group)| TransferCohort {
            label,
            people: group.len() as i64,
            rows: criteria.iter().map(|c| row_for(&group, c)).collect(),
        })
        .collect();
    let people_rows = people
        .iter()
        .map(|p| PersonTransfer {
            user_id: p.id,
            person: p.name.clone(),
            employee_no: p.employee_no.clone(),
            levels: criteria
                .iter()
                .map(|c| {
                    (
                        p.training.get(&c.name).copied(),
                        offsets.iter().map(|o| p.floor.get(o).and_then(|l| l.get(&c.name).copied())).collect(),
                    )
                })
                .collect(),
        })
        .collect();
    Ok(TransferReport {
        program_id,
        programs,
        teams,
        team,
        group,
        figures,
        offsets,
        criteria: criteria.iter().map(|c| (c.name.clone(), c.max_level(), met_from(c))).collect(),
        cohorts,
        people: people_rows,
    })
}
