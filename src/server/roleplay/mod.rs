//! Role-play scenarios and versioned rubrics (authoring). A trainee's role-play attempt (opened,
//! replied to, rated, final) is in `attempt`, rater agreement in `calibration`; the math is in
//! `score` and `kappa`.

pub mod attempt;
pub mod calibration;
pub mod kappa;
pub mod score;

use std::collections::HashSet;

use crate::error::{AppError, AppResult};
use crate::model::owners::Owned;
use crate::model::roleplay::{
    Channel, Criterion, CriterionInput, RubricDetail, RubricSummary, ScenarioEditor, ScenarioFields, ScenarioSummary,
    SecondRaterRule,
};
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::db::{Conn, Db};
use crate::server::now;
use crate::server::text;

const MAX_CRITERIA: usize = 20;
const MAX_LEVELS: usize = 11;

/// The rubric form's rows as criteria: blank rows skipped, everything else checked.
pub fn parse_criteria(rows: &[CriterionInput]) -> AppResult<Vec<Criterion>> {
    let bad = |key: &str| AppError::validation("criteria", key);
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for row in rows.iter().filter(|r| !r.name_zh.trim().is_empty() || !r.name_en.trim().is_empty()) {
        let name = Names::new(
            text::line("criteria", &row.name_zh, text::NAME)?,
            text::line("criteria", &row.name_en, text::NAME)?,
        );
        let (zh, en) = (name.zh.to_lowercase(), name.en.to_lowercase());
        if (!zh.is_empty() && !names.insert(zh)) || (!en.is_empty() && !names.insert(en)) {
            return Err(bad("error.criterion_duplicate"));
        }
        let weight = match row.weight.trim() {
            "" => 1.0,
            w => w.replace(',', ".").parse::<f64>().map_err(|_| bad("error.criterion_weight"))?,
        };
        if !weight.is_finite() || weight <= 0.0 || weight > 100.0 {
            return Err(bad("error.criterion_weight"));
        }
        let levels: Vec<String> = text::text("criteria", &row.levels, text::TEXT)?
            .lines()
            .map(|l| text::line("criteria", l, text::LINE))
            .filter(|l| !l.as_ref().is_ok_and(String::is_empty))
            .collect::<AppResult<_>>()?;
        if levels.len() < 2 || levels.len() > MAX_LEVELS {
            return Err(bad("error.criterion_levels"));
        }
        let critical = row.critical.as_deref().is_some_and(|c| !c.is_empty() && c != "false");
        let pass_level = match row.pass_level.trim() {
            "" => 0,
            p => p.parse::<u8>().map_err(|_| bad("error.criterion_pass_level"))?,
        };
        if usize::from(pass_level) >= levels.len() || (critical && pass_level == 0) {
            return Err(bad("error.criterion_pass_level"));
        }
        out.push(Criterion { name, weight, levels, critical, pass_level: if critical { pass_level } else { 0 } });
    }
    if out.is_empty() {
        return Err(bad("error.criteria_missing"));
    }
    if out.len() > MAX_CRITERIA {
        return Err(bad("error.criteria_too_many"));
    }
    Ok(out)
}

#[tracing::instrument(skip_all)]
pub async fn list_rubrics(db: &Db) -> AppResult<Vec<RubricSummary>> {
    let rows = sqlx::query!(
        r#"select r.id, r.name, v.version_no, v.criteria,
                  (select count(*) from scenarios s where s.rubric_id = r.id and s.archived_at is null) as "scenarios!: i64"
           from rubrics r join rubric_versions v on v.id = r.current_version_id
           order by r.name"#
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RubricSummary {
            id: r.id,
            name: r.name,
            version_no: r.version_no,
            criteria: serde_json::from_str::<Vec<Criterion>>(&r.criteria).map(|c| c.len()).unwrap_or(0),
            scenarios: r.scenarios,
        })
        .collect())
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn rubric(db: &Db, id: i64) -> AppResult<RubricDetail> {
    let r = sqlx::query!(
        "select r.name, v.version_no, v.criteria from rubrics r join rubric_versions v on v.id = r.current_version_id
         where r.id = $1",
        id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(RubricDetail {
        id,
        name: r.name,
        version_no: r.version_no,
        criteria: decode_criteria(&r.criteria)?,
        can_change: false,
    })
}

pub fn decode_criteria(json: &str) -> AppResult<Vec<Criterion>> {
    serde_json::from_str(json).map_err(crate::error::internal)
}

/// Creates a rubric (`id` None) or writes a new version of one. Role-plays already opened keep the
/// version they were opened with.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id = ?id))]
pub async fn save_rubric(
    db: &Db,
    actor: Actor<'_>,
    id: Option<i64>,
    name: &str,
    rows: &[CriterionInput],
) -> AppResult<i64> {
    let name = crate::server::text::line("name", name, crate::server::text::NAME)?;
    if name.is_empty() {
        return Err(AppError::validation("name", "error.title_invalid"));
    }
    let criteria = parse_criteria(rows)?;
    let json = serde_json::to_string(&criteria).map_err(crate::error::internal)?;
    let at = now();
    let mut tx = db.begin().await?;
    let id = match id {
        Some(id) => {
            let n = sqlx::query!("update rubrics set name = $1 where id = $2", name, id).execute(&mut *tx).await?;
            if n.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            id
        }
        None => {
            let id = sqlx::query_scalar!(
                "insert into rubrics (name, created_by, created_at) values ($1, $2, $3) returning id as \"id!: i64\"",
                name,
                actor.id,
                at
            )
            .fetch_one(&mut *tx)
            .await?;
            crate::server::owners::insert(&mut tx, Owned::Rubric, id, actor.id).await?;
            id
        }
    };
    let version_no: i64 = sqlx::query_scalar!(
        "select coalesce(max(version_no), 0) + 1 as \"n!\" from rubric_versions where rubric_id = $1",
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    let version_id = sqlx::query_scalar!(
        "insert into rubric_versions (rubric_id, version_no, criteria, created_by, created_at)
         values ($1, $2, $3, $4, $5) returning id as \"id!: i64\"",
        id,
        version_no,
        json,
        actor.id,
        at
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("update rubrics set current_version_id = $1 where id = $2", version_id, id).execute(&mut *tx).await?;
    audit::record(&mut tx, Event::by(actor, "rubric_saved", "rubric", id).detail(format!("version {version_no}")))
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Checks and trims a scenario's fields.
fn check_fields(f: &mut ScenarioFields) -> AppResult<()> {
    f.title = text::authored(&f.title, "title", 200)?;
    for (field, value, max) in [
        ("product", &mut f.product, 200),
        ("situation", &mut f.situation, 4000),
        ("persona", &mut f.persona, 2000),
        ("mood", &mut f.mood, 200),
        ("objective", &mut f.objective, 2000),
        ("cues", &mut f.cues, 4000),
        ("facts", &mut f.facts, 4000),
        ("customer_turns", &mut f.customer_turns, 8000),
    ] {
        let one_line = matches!(field, "product" | "mood");
        *value = if one_line { text::line(field, value, max)? } else { text::text(field, value, max)? };
    }
    if f.situation.is_empty() {
        return Err(AppError::validation("situation", "error.text_required"));
    }
    if !(1..=240).contains(&f.time_box_minutes) {
        return Err(AppError::validation("time_box_minutes", "error.time_box_invalid"));
    }
    if !(0..=100).contains(&f.pass_percent) {
        return Err(AppError::validation("pass_percent", "error.percent_invalid"));
    }
    f.course_ids.sort_unstable();
    f.course_ids.dedup();
    Ok(())
}

async fn write_links(conn: &mut Conn, id: i64, course_ids: &[i64]) -> AppResult<()> {
    sqlx::query!("delete from scenario_courses where scenario_id = $1", id).execute(&mut *conn).await?;
    for course_id in course_ids {
        let exists = sqlx::query_scalar!("select count(*) as \"n!\" from courses where id = $1", course_id)
            .fetch_one(&mut *conn)
            .await?;
        if exists == 0 {
            return Err(AppError::validation("course_ids", "error.not_found"));
        }
        sqlx::query!("insert into scenario_courses (scenario_id, course_id) values ($1, $2)", id, course_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Creates a scenario (`id` None) or updates one.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, id = ?id))]
pub async fn save_scenario(db: &Db, actor: Actor<'_>, id: Option<i64>, mut f: ScenarioFields) -> AppResult<i64> {
    check_fields(&mut f)?;
    let at = now();
    let mut tx = db.begin().await?;
    let rubric_ok = sqlx::query_scalar!(
        "select count(*) as \"n!\" from rubrics where id = $1 and current_version_id is not null",
        f.rubric_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if rubric_ok == 0 {
        return Err(AppError::validation("rubric_id", "error.not_found"));
    }
    let (channel, rule) = (f.channel.as_str(), f.rule.as_str());
    // A new scenario starts as a row with the required fields; one update then writes them all,
    // for new and existing scenarios alike.
    let id = match id {
        Some(id) => id,
        None => {
            let id = sqlx::query_scalar!(
                r#"insert into scenarios (title, title_en, channel, situation, rubric_id, created_by, created_at)
               values ($1, $2, $3, $4, $5, $6, $7) returning id as "id!: i64""#,
                f.title.zh,
                f.title.en,
                channel,
                f.situation,
                f.rubric_id,
                actor.id,
                at
            )
            .fetch_one(&mut *tx)
            .await?;
            crate::server::owners::insert(&mut tx, Owned::Scenario, id, actor.id).await?;
            id
        }
    };
    let n = sqlx::query!(
        "update scenarios set title = $1, title_en = $2, channel = $3, product = $4, situation = $5, persona = $6, mood = $7,
                objective = $8, cues = $9, facts = $10, customer_turns = $11, time_box_minutes = $12, rubric_id = $13,
                pass_percent = $14, second_rater_rule = $15
         where id = $16 and archived_at is null",
        f.title.zh,
        f.title.en,
        channel,
        f.product,
        f.situation,
        f.persona,
        f.mood,
        f.objective,
        f.cues,
        f.facts,
        f.customer_turns,
        f.time_box_minutes,
        f.rubric_id,
        f.pass_percent,
        rule,
        id
    )
    .execute(&mut *tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    write_links(&mut tx, id, &f.course_ids).await?;
    audit::record(&mut tx, Event::by(actor, "scenario_saved", "scenario", id)).await?;
    tx.commit().await?;
    Ok(id)
}

#[tracing::instrument(skip_all)]
pub async fn list_scenarios(db: &Db) -> AppResult<Vec<ScenarioSummary>> {
    let rows = sqlx::query!(
        r#"select s.id, s.title, s.title_en, s.channel, r.name as rubric_name,
                  (select count(*) from roleplays p where p.scenario_id = s.id and p.status = 'final') as "roleplays!: i64",
                  (select count(*) from roleplays p where p.scenario_id = s.id and p.passed = 1) as "passed!: i64"
           from scenarios s join rubrics r on r.id = s.rubric_id
           where s.archived_at is null order by s.title, s.title_en"#
    )
    .fetch_all(&db.read)
    .await?;
    let links = sqlx::query!(
        r#"select sc.scenario_id, v.title, v.title_en from scenario_courses sc
           join course_versions v on v.id = (select max(w.id) from course_versions w where w.course_id = sc.course_id)
           order by sc.scenario_id, sc.course_id"#
    )
    .fetch_all(&db.read)
    .await?;
    let mut courses: std::collections::HashMap<i64, Vec<Names>> = std::collections::HashMap::new();
    for l in links {
        courses.entry(l.scenario_id).or_default().push(Names::new(l.title, l.title_en));
    }
    Ok(rows
        .into_iter()
        .map(|r| ScenarioSummary {
            id: r.id,
            title: Names::new(r.title, r.title_en),
            channel: Channel::parse(&r.channel).unwrap_or(Channel::Phone),
            rubric_name: r.rubric_name,
            courses: courses.remove(&r.id).unwrap_or_default(),
            roleplays: r.roleplays,
            passed: r.passed,
        })
        .collect())
}

/// A scenario's fields, for its authors and raters (they include the cues and facts).
#[tracing::instrument(skip_all, fields(id))]
pub async fn scenario_fields(db: &Db, id: i64) -> AppResult<ScenarioFields> {
    let s = sqlx::query!("select * from scenarios where id = $1 and archived_at is null", id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    let course_ids =
        sqlx::query_scalar!("select course_id from scenario_courses where scenario_id = $1 order by course_id", id)
            .fetch_all(&db.read)
            .await?;
    Ok(ScenarioFields {
        title: Names::new(s.title, s.title_en),
        channel: Channel::parse(&s.channel).unwrap_or(Channel::Phone),
        product: s.product,
        situation: s.situation,
        persona: s.persona,
        mood: s.mood,
        objective: s.objective,
        cues: s.cues,
        facts: s.facts,
        customer_turns: s.customer_turns,
        time_box_minutes: s.time_box_minutes,
        rubric_id: s.rubric_id,
        pass_percent: s.pass_percent,
        rule: SecondRaterRule::parse(&s.second_rater_rule).unwrap_or(SecondRaterRule::Average),
        course_ids,
    })
}

/// (id, name) pairs to choose from.
pub type Choices = Vec<(i64, String)>;

/// The choices a scenario form offers: current rubrics and live courses.
#[tracing::instrument(skip_all)]
pub async fn scenario_choices(db: &Db) -> AppResult<(Choices, Vec<(i64, Names)>)> {
    let rubrics = sqlx::query!("select id, name from rubrics where current_version_id is not null order by name")
        .fetch_all(&db.read)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let courses = sqlx::query!(
        r#"select c.id, v.title, v.title_en from courses c
           join course_versions v on v.id = (select max(w.id) from course_versions w where w.course_id = c.id)
           where c.archived_at is null order by 2, 3"#
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| (r.id, Names::new(r.title, r.title_en)))
    .collect();
    Ok((rubrics, courses))
}

#[tracing::instrument(skip_all, fields(id))]
pub async fn scenario_editor(db: &Db, id: i64) -> AppResult<ScenarioEditor> {
    let fields = scenario_fields(db, id).await?;
    let (rubrics, courses) = scenario_choices(db).await?;
    Ok(ScenarioEditor { id, fields, rubrics, courses, can_change: false })
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, id))]
pub async fn archive_scenario(db: &Db, actor: Actor<'_>, id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let at = now();
    let n = sqlx::query!("update scenarios set archived_at = $1 where id = $2 and archived_at is null", at, id)
        .execute(&mut *tx)
        .await?;
    if n.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, Event::by(actor, "scenario_archived", "scenario", id)).await?;
    tx.commit().await?;
    Ok(())
}
