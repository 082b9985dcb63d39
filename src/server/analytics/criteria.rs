//! Role-play criteria: per scenario and criterion, the mean deciding level, the share below the
//! pass level and the critical failures, and the same per team, from the per-criterion sums per
//! team subtree (`criterion_tree`). Managers see their teams, trainers their own scenarios (any
//! trainee's), admins everything.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::model::analytics::{
    CriteriaQuery, CriteriaReport, CriteriaTeam, CriteriaTrainer, CriterionRow, CRITERIA_COLUMNS,
    CRITERIA_TRAINER_COLUMNS,
};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::auth::guard::{require_team_scope, visible_team_ids, CurrentUser};
use crate::server::db::Db;
use crate::server::spreadsheet::Table;

/// Without dates, the report covers this many days up to today.
pub const DEFAULT_DAYS: i64 = 90;

/// The filters, checked: a bad value is named.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filter {
    pub team: Option<i64>,
    /// Days since 1970 (UTC), both included.
    pub from: i64,
    pub to: i64,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn date_of(day: i64) -> String {
    (epoch() + chrono::Duration::days(day)).to_string()
}

impl Filter {
    pub fn parse(q: &CriteriaQuery, at: i64) -> AppResult<Filter> {
        let day = |field: &str, v: &str| -> AppResult<Option<i64>> {
            match v.trim() {
                "" => Ok(None),
                v => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map(|d| Some((d - epoch()).num_days()))
                    .map_err(|_| AppError::validation(field, "error.date_invalid")),
            }
        };
        let team = match q.team.trim() {
            "" => None,
            v => Some(v.parse().map_err(|_| AppError::validation("team", "error.choice_unknown"))?),
        };
        let to = day("to", &q.to)?.unwrap_or(at.div_euclid(86_400));
        let from = day("from", &q.from)?.unwrap_or(to - DEFAULT_DAYS + 1);
        if from > to {
            return Err(AppError::validation("to", "error.range_reversed"));
        }
        Ok(Filter { team, from, to })
    }
}

/// The report for `caller`; a picked team must be theirs (admins: any).
#[tracing::instrument(skip_all, fields(caller = caller.id))]
pub async fn report(db: &Db, caller: &CurrentUser, f: &Filter) -> AppResult<CriteriaReport> {
    let everyone = caller.has(Role::Admin);
    let manager = caller.has(Role::Manager);
    if let Some(t) = f.team {
        if !everyone {
            require_team_scope(db, caller, t, "role-play criteria").await?;
        }
    }
    let tree = crate::server::team::tree(db).await?;
    // A trainer who manages nobody reads every team, for their own scenarios only.
    let all_teams = everyone || !manager;
    let visible = if all_teams { Vec::new() } else { visible_team_ids(db, caller.id).await? };
    let tops = super::dashboard::tops(all_teams, &visible, f.team, &tree);
    let own: Option<Vec<i64>> = if everyone || manager {
        None
    } else {
        Some(
            sqlx::query_scalar!(
                r#"select distinct c.scenario_id as "id!: i64" from scenario_courses c
                   join course_owners o on o.course_id = c.course_id where o.user_id = $1"#,
                caller.id
            )
            .fetch_all(&db.read)
            .await?,
        )
    };
    let list =
        serde_json::to_string(&super::dashboard::summed(all_teams, f.team, &tops)).map_err(crate::error::internal)?;
    let scenarios = serde_json::to_string(&own.clone().unwrap_or_default()).map_err(crate::error::internal)?;
    let any = own.is_none();
    let rows = sqlx::query!(
        r#"select c.scenario_id, s.title, s.title_en, c.criterion, cast(sum(c.rated) as bigint) as "rated!: i64",
                  cast(50.0 * sum(c.halves) / coalesce(nullif(sum(c.maxes), 0), 1) as double precision) as "mean!: f64",
                  cast(100.0 * sum(c.failing) / sum(c.rated) as double precision) as "failing!: f64",
                  cast(sum(c.critical) as bigint) as "critical!: i64"
           from criterion_tree c join scenarios s on s.id = c.scenario_id
           where c.team_id in (select value from json_each($1)) and c.day between $2 and $3
             and ($4 or c.scenario_id in (select value from json_each($5)))
           group by c.scenario_id, s.id, s.title, s.title_en, c.criterion
           order by s.title, s.id, 6"#,
        list,
        f.from,
        f.to,
        any,
        scenarios
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| -> AppResult<CriterionRow> {
        Ok(CriterionRow {
            scenario_id: r.scenario_id,
            scenario: Names::new(r.title, r.title_en),
            criterion: serde_json::from_str(&r.criterion).map_err(crate::error::internal)?,
            rated: r.rated as u32,
            mean_percent: r.mean,
            failing_percent: r.failing,
            critical_failed: r.critical as u32,
        })
    })
    .collect::<AppResult<Vec<_>>>()?;
    let lines = super::dashboard::line_teams(&tops, &tree);
    let paths: HashMap<i64, &Names> = tree.iter().map(|t| (t.id, &t.path)).collect();
    let line_list = serde_json::to_string(&lines).map_err(crate::error::internal)?;
    let mut by_team = sqlx::query!(
        r#"select c.team_id, cast(sum(c.rated) as bigint) as "rated!: i64",
                  cast(50.0 * sum(c.halves) / coalesce(nullif(sum(c.maxes), 0), 1) as double precision) as "mean!: f64",
                  cast(100.0 * sum(c.failing) / sum(c.rated) as double precision) as "failing!: f64",
                  cast(sum(c.critical) as bigint) as "critical!: i64"
           from criterion_tree c
           where c.team_id in (select value from json_each($1)) and c.day between $2 and $3
             and ($4 or c.scenario_id in (select value from json_each($5)))
           group by c.team_id"#,
        line_list,
        f.from,
        f.to,
        any,
        scenarios
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| CriteriaTeam {
        team_id: r.team_id,
        team: paths.get(&r.team_id).map(|p| (*p).clone()).unwrap_or_default(),
        rated: r.rated as u32,
        mean_percent: r.mean,
        failing_percent: r.failing,
        critical_failed: r.critical as u32,
    })
    .collect::<Vec<_>>();
    by_team.sort_by(|a, b| a.team.cmp(&b.team));
    let by_trainer = sqlx::query!(
        r#"select c.rater_id, u.display_name, cast(sum(c.roleplays) as bigint) as "roleplays!: i64",
                  cast(50.0 * sum(c.halves) / coalesce(nullif(sum(c.maxes), 0), 1) as double precision) as "mean!: f64",
                  cast(100.0 * sum(c.failing) / coalesce(nullif(sum(c.rated), 0), 1) as double precision) as "failing!: f64",
                  cast(sum(c.critical) as bigint) as "critical!: i64"
           from rater_tree c join users u on u.id = c.rater_id
           where c.team_id in (select value from json_each($1)) and c.day between $2 and $3
             and ($4 or c.scenario_id in (select value from json_each($5)))
           group by c.rater_id, u.display_name
           order by u.display_name, c.rater_id"#,
        list,
        f.from,
        f.to,
        any,
        scenarios
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| CriteriaTrainer {
        rater_id: r.rater_id,
        name: r.display_name,
        roleplays: r.roleplays as u32,
        mean_percent: r.mean,
        failing_percent: r.failing,
        critical_failed: r.critical as u32,
    })
    .collect();
    let teams = tree.iter().filter(|t| all_teams || visible.contains(&t.id)).map(|t| (t.id, t.path.clone())).collect();
    Ok(CriteriaReport { team: f.team, teams, from: date_of(f.from), to: date_of(f.to), rows, by_team, by_trainer })
}

/// The rows as a sheet, both languages in each name; `trainers`: the figures per trainer.
pub fn table(r: &CriteriaReport, trainers: bool, locale: Locale) -> Table {
    let t = |k: &str| locale.t(k);
    if trainers {
        let header = CRITERIA_TRAINER_COLUMNS.iter().map(|k| t(k)).collect();
        let rows = r
            .by_trainer
            .iter()
            .map(|x| {
                vec![
                    x.name.clone(),
                    x.roleplays.to_string(),
                    format!("{:.1}", x.mean_percent),
                    format!("{:.1}", x.failing_percent),
                    x.critical_failed.to_string(),
                ]
            })
            .collect();
        return Table { sheet: t("criteria.by_trainer"), header, rows };
    }
    let header = CRITERIA_COLUMNS.iter().map(|k| t(k)).collect();
    let rows = r
        .rows
        .iter()
        .map(|row| {
            vec![
                row.scenario.both(),
                row.criterion.both(),
                row.rated.to_string(),
                format!("{:.1}", row.mean_percent),
                format!("{:.1}", row.failing_percent),
                row.critical_failed.to_string(),
            ]
        })
        .collect();
    Table { sheet: t("criteria.sheet"), header, rows }
}
