//! A trainee's role-play attempt: a trainer opens one for a trainee, the trainee replies (written mode) and
//! may assess themselves, one or two trainers rate it blind, and the last required rating makes
//! the result final in the same transaction.

use super::score::{combine, score};
use super::{decode_criteria, scenario_fields};
use crate::error::{AppError, AppResult};
use crate::model::roleplay::{
    Channel, Criterion, CriterionView, Mode, RatingView, RoleplayResult, RoleplaySummary, RoleplayView, ScoreInput,
    SecondRaterRule, Status, Viewer,
};
use crate::model::user::Role;
use crate::model::Names;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::{visible_team_ids, CurrentUser};
use crate::server::cert::{self, Change};
use crate::server::db::{Conn, Db};
use crate::server::now;

/// Who rates a role-play, by employee number: the first rater (none: the trainer opening it) and,
/// for a blind double rating, the second. Nobody else may rate it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Raters<'a> {
    pub first: Option<&'a str>,
    pub second: Option<&'a str>,
}

impl<'a> Raters<'a> {
    /// The opener rates alone.
    pub fn opener() -> Raters<'static> {
        Raters::default()
    }

    /// The opener rates first, `second` blind after them.
    pub fn with_second(second: &'a str) -> Raters<'a> {
        Raters { first: None, second: Some(second) }
    }
}

/// An active trainer by employee number, named as a rater.
async fn rater_id(conn: &mut Conn, field: &str, employee_no: &str) -> AppResult<i64> {
    sqlx::query_scalar!(
        r#"select u.id as "id!: i64" from users u join user_roles r on r.user_id = u.id and r.role = 'trainer'
           where lower(u.employee_no) = lower($1) and u.active = 1"#,
        employee_no
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::validation(field, "error.not_a_trainer"))
}

/// Opens a role-play of a scenario for the trainee with this employee number.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = opener.id, scenario_id))]
pub async fn open(
    db: &Db,
    actor: Actor<'_>,
    opener: &CurrentUser,
    scenario_id: i64,
    employee_no: &str,
    mode: Mode,
    raters: Raters<'_>,
) -> AppResult<i64> {
    let scenario = scenario_fields(db, scenario_id).await?;
    if mode == Mode::Written && scenario.customer_turns.trim().is_empty() {
        return Err(AppError::validation("mode", "error.roleplay_no_turns"));
    }
    let at = now();
    let mut tx = db.begin().await?;
    let employee_no = employee_no.trim();
    let trainee = sqlx::query_scalar!(
        r#"select id as "id!: i64" from users where lower(employee_no) = lower($1) and active = 1"#,
        employee_no
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::validation("employee_no", "error.employee_no_unknown"))?;
    if trainee == opener.id {
        return Err(AppError::validation("employee_no", "error.roleplay_own"));
    }
    let named = |n: Option<&str>| n.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
    let first = match named(raters.first) {
        Some(no) => rater_id(&mut tx, "rater", &no).await?,
        None => opener.id,
    };
    let second = match named(raters.second) {
        Some(no) => Some(rater_id(&mut tx, "second_rater", &no).await?),
        None => None,
    };
    if first == trainee || second == Some(trainee) {
        return Err(AppError::validation("rater", "error.roleplay_own"));
    }
    if second == Some(first) {
        return Err(AppError::validation("second_rater", "error.raters_same"));
    }
    let version = sqlx::query_scalar!("select current_version_id from rubrics where id = $1", scenario.rubric_id)
        .fetch_one(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = if mode == Mode::Written { Status::AwaitingTranscript } else { Status::Open };
    let (mode_s, status_s, required) = (mode.as_str(), status.as_str(), if second.is_some() { 2 } else { 1 });
    let id = sqlx::query_scalar!(
        "insert into roleplays (scenario_id, rubric_version_id, trainee_id, mode, raters_required, status,
                                opened_by, opened_at, rater_id, second_rater_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id as \"id!: i64\"",
        scenario_id,
        version,
        trainee,
        mode_s,
        required,
        status_s,
        opener.id,
        at,
        first,
        second
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event::by(actor, "roleplay_opened", "roleplay", id)
            .detail(format!("scenario {scenario_id}, trainee {trainee}")),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

struct Row {
    scenario_id: i64,
    trainee_id: i64,
    team_id: Option<i64>,
    /// The raters it names (see `Raters`).
    raters: [Option<i64>; 2],
    mode: Mode,
    status: Status,
    raters_required: i64,
    replies: Vec<String>,
    criteria: Vec<Criterion>,
    pass_percent: i64,
    rule: SecondRaterRule,
}

async fn row(conn: &mut Conn, id: i64) -> AppResult<Row> {
    let r = sqlx::query!(
        r#"select p.scenario_id, p.trainee_id, u.team_id, p.rater_id, p.second_rater_id, p.mode, p.status,
                  p.raters_required, p.replies,
                  v.criteria, s.pass_percent, s.second_rater_rule
           from roleplays p
           join users u on u.id = p.trainee_id
           join rubric_versions v on v.id = p.rubric_version_id
           join scenarios s on s.id = p.scenario_id
           where p.id = $1"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Row {
        scenario_id: r.scenario_id,
        trainee_id: r.trainee_id,
        team_id: r.team_id,
        raters: [r.rater_id, r.second_rater_id],
        mode: Mode::parse(&r.mode).unwrap_or(Mode::Live),
        status: Status::parse(&r.status).unwrap_or(Status::Open),
        raters_required: r.raters_required,
        replies: serde_json::from_str(&r.replies).unwrap_or_default(),
        criteria: decode_criteria(&r.criteria)?,
        pass_percent: r.pass_percent,
        rule: SecondRaterRule::parse(&r.second_rater_rule).unwrap_or(SecondRaterRule::Average),
    })
}

/// Who the caller is to this role-play: its trainee, a rater (any trainer but the trainee), or an
/// observer (an admin, or a manager of the trainee's team). Anyone else is refused.
async fn viewer_of(db: &Db, user: &CurrentUser, r: &Row, what: &str) -> AppResult<Viewer> {
    if user.id == r.trainee_id {
        return Ok(Viewer::Trainee);
    }
    if user.has(Role::Trainer) {
        return Ok(Viewer::Rater);
    }
    if user.has(Role::Admin) {
        return Ok(Viewer::Observer);
    }
    if user.has(Role::Manager) {
        if let Some(team) = r.team_id {
            if visible_team_ids(db, user.id).await?.contains(&team) {
                return Ok(Viewer::Observer);
            }
        }
    }
    tracing::warn!(user_id = user.id, what, "denied: role-play out of scope");
    Err(AppError::Forbidden)
}

/// A rating form's levels, checked against the rubric: every criterion needs a level in range.
pub(crate) fn parse_scores(criteria: &[Criterion], scores: &[ScoreInput]) -> AppResult<(Vec<u8>, Vec<String>)> {
    if scores.len() != criteria.len() {
        return Err(AppError::validation("level", "error.level_missing"));
    }
    let mut levels = Vec::new();
    let mut comments = Vec::new();
    for (c, s) in criteria.iter().zip(scores) {
        let level = s
            .level
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| AppError::validation("level", "error.level_missing"))?
            .parse::<u8>()
            .map_err(|_| AppError::validation("level", "error.level_invalid"))?;
        if level > c.max_level() {
            return Err(AppError::validation("level", "error.level_invalid"));
        }
        let comment = s.comment.trim();
        if comment.chars().count() > 2000 {
            return Err(AppError::validation("comment", "error.text_too_long"));
        }
        levels.push(level);
        comments.push(comment.to_string());
    }
    Ok((levels, comments))
}

async fn insert_rating(
    conn: &mut Conn,
    id: i64,
    user_id: i64,
    is_self: bool,
    levels: &[u8],
    comments: &[String],
    overall: &str,
) -> AppResult<()> {
    let overall = overall.trim();
    if overall.chars().count() > 4000 {
        return Err(AppError::validation("overall", "error.text_too_long"));
    }
    let (levels, comments) = (
        serde_json::to_string(levels).map_err(crate::error::internal)?,
        serde_json::to_string(comments).map_err(crate::error::internal)?,
    );
    let at = now();
    let is_self_flag = i64::from(is_self);
    sqlx::query!(
        "insert into roleplay_ratings (roleplay_id, rater_id, is_self, levels, comments, overall, submitted_at)
         values ($1, $2, $3, $4, $5, $6, $7)",
        id,
        user_id,
        is_self_flag,
        levels,
        comments,
        overall,
        at
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if crate::server::db::is_unique_violation(&e, crate::server::db::Unique::RoleplayRating) {
            AppError::Conflict { field: "rating".into() }
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// The raters' levels of a role-play, in the order they were submitted.
async fn rater_levels(conn: &mut Conn, id: i64) -> AppResult<Vec<Vec<f64>>> {
    let rows = sqlx::query_scalar!(
        "select levels from roleplay_ratings where roleplay_id = $1 and is_self = 0 order by submitted_at, id",
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|l| serde_json::from_str::<Vec<u8>>(l).unwrap_or_default().into_iter().map(f64::from).collect())
        .collect())
}

/// The deciding levels and outcome of a role-play's ratings under its rule.
fn outcome(r: &Row, ratings: &[Vec<f64>]) -> Option<RoleplayResult> {
    let pass = r.pass_percent as f64;
    let o = match ratings {
        [a] => score(&r.criteria, a, pass),
        [a, b, ..] => combine(&r.criteria, a, b, r.rule, pass),
        [] => return None,
    };
    Some(RoleplayResult { percent: o.percent, passed: o.passed, critical_failed: o.critical_failed, levels: o.levels })
}

/// The deciding level per criterion of a final role-play, worked out from its ratings (for one
/// made final before the levels were stored with it).
pub async fn deciding_levels(conn: &mut Conn, id: i64) -> AppResult<Option<Vec<f64>>> {
    let r = row(conn, id).await?;
    let ratings = rater_levels(conn, id).await?;
    Ok(outcome(&r, &ratings).map(|o| o.levels))
}

/// A trainer's rating. Blind: nothing of another rating is read back to the rater. The last
/// required rating makes the result final.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = rater.id, id))]
pub async fn rate(
    db: &Db,
    actor: Actor<'_>,
    rater: &CurrentUser,
    id: i64,
    scores: &[ScoreInput],
    overall: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = row(&mut tx, id).await?;
    if r.trainee_id == rater.id || !rater.has(Role::Trainer) || !r.raters.contains(&Some(rater.id)) {
        tracing::warn!(user_id = rater.id, roleplay = id, "denied: not a rater this role-play names");
        return Err(AppError::Forbidden);
    }
    match r.status {
        Status::AwaitingTranscript => return Err(AppError::validation("status", "error.roleplay_no_transcript")),
        Status::Final => return Err(AppError::Conflict { field: "rating".into() }),
        Status::Open => {}
    }
    let (levels, comments) = parse_scores(&r.criteria, scores)?;
    insert_rating(&mut tx, id, rater.id, false, &levels, &comments, overall).await?;
    audit::record(&mut tx, Event::by(actor, "roleplay_rated", "roleplay", id)).await?;
    let ratings = rater_levels(&mut tx, id).await?;
    if ratings.len() as i64 >= r.raters_required {
        let result = outcome(&r, &ratings).ok_or_else(|| crate::error::internal("final without ratings"))?;
        let failed = serde_json::to_string(&result.critical_failed).map_err(crate::error::internal)?;
        let levels = serde_json::to_string(&result.levels).map_err(crate::error::internal)?;
        let at = now();
        let passed_flag = i64::from(result.passed);
        sqlx::query!(
            "update roleplays set status = 'final', percent = $1, passed = $2, critical_failed = $3, finalized_at = $4,
                                  levels = $5
             where id = $6",
            result.percent,
            passed_flag,
            failed,
            at,
            levels,
            id
        )
        .execute(&mut *tx)
        .await?;
        crate::server::analytics::summary::roleplay_final(&mut tx, id).await?;
        audit::record(
            &mut tx,
            Event::by(actor, "roleplay_final", "roleplay", id).detail(format!(
                "{:.1}% {}",
                result.percent,
                if result.passed { "passed" } else { "failed" }
            )),
        )
        .await?;
        cert::person_changed(&mut tx, r.trainee_id, Change::RoleplayFinal, actor, at).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The trainee's self-assessment on the same rubric, only before the result is final.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = trainee.id, id))]
pub async fn self_assess(
    db: &Db,
    actor: Actor<'_>,
    trainee: &CurrentUser,
    id: i64,
    scores: &[ScoreInput],
    overall: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = row(&mut tx, id).await?;
    if r.trainee_id != trainee.id {
        tracing::warn!(user_id = trainee.id, roleplay = id, "denied: self-assessment of another's role-play");
        return Err(AppError::Forbidden);
    }
    if r.status == Status::Final {
        return Err(AppError::validation("status", "error.roleplay_final"));
    }
    let (levels, comments) = parse_scores(&r.criteria, scores)?;
    insert_rating(&mut tx, id, trainee.id, true, &levels, &comments, overall).await?;
    audit::record(&mut tx, Event::by(actor, "roleplay_self_assessed", "roleplay", id)).await?;
    tx.commit().await?;
    Ok(())
}

/// The trainee's written replies, one per customer turn; they open the role-play for rating.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, caller = trainee.id, id))]
pub async fn reply(db: &Db, actor: Actor<'_>, trainee: &CurrentUser, id: i64, replies: &[String]) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let r = row(&mut tx, id).await?;
    if r.trainee_id != trainee.id {
        tracing::warn!(user_id = trainee.id, roleplay = id, "denied: reply to another's role-play");
        return Err(AppError::Forbidden);
    }
    if r.status != Status::AwaitingTranscript {
        return Err(AppError::Conflict { field: "replies".into() });
    }
    let turns = scenario_fields(db, r.scenario_id).await?.customer_turns;
    let turns = split_turns(&turns);
    let replies: Vec<String> = replies.iter().map(|s| s.trim().to_string()).collect();
    if replies.len() != turns.len() || replies.iter().any(String::is_empty) {
        return Err(AppError::validation("replies", "error.replies_missing"));
    }
    if replies.iter().any(|s| s.chars().count() > 2000) {
        return Err(AppError::validation("replies", "error.text_too_long"));
    }
    let json = serde_json::to_string(&replies).map_err(crate::error::internal)?;
    let at = now();
    sqlx::query!(
        "update roleplays set replies = $1, replied_at = $2, status = 'open' where id = $3 and status = 'awaiting_transcript'",
        json,
        at,
        id
    )
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, Event::by(actor, "roleplay_replied", "roleplay", id)).await?;
    tx.commit().await?;
    Ok(())
}

pub fn split_turns(turns: &str) -> Vec<String> {
    turns.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// A role-play as the caller may see it (see `RoleplayView`).
#[tracing::instrument(skip_all, fields(caller = user.id, id))]
pub async fn view(db: &Db, user: &CurrentUser, id: i64) -> AppResult<RoleplayView> {
    let mut conn = db.read.acquire().await?;
    let r = row(&mut conn, id).await?;
    let viewer = viewer_of(db, user, &r, "roleplay_view").await?;
    let s = sqlx::query!(
        r#"select s.title, s.title_en, s.channel, s.product, s.situation, s.persona, s.mood, s.objective, s.cues, s.facts,
                  s.customer_turns, s.time_box_minutes, u.display_name, u.employee_no
           from roleplays p join scenarios s on s.id = p.scenario_id join users u on u.id = p.trainee_id
           where p.id = $1"#,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    let ratings = sqlx::query!(
        r#"select g.rater_id, g.is_self, g.levels, g.comments, g.overall, g.submitted_at, u.display_name
           from roleplay_ratings g join users u on u.id = g.rater_id
           where g.roleplay_id = $1 order by g.submitted_at, g.id"#,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    let pass = r.pass_percent as f64;
    let to_view = |g: &RatingRow| rating_view(g, &r.criteria, pass);
    let rows: Vec<RatingRow> = ratings
        .into_iter()
        .map(|g| RatingRow {
            rater_id: g.rater_id,
            rater: g.display_name,
            is_self: g.is_self != 0,
            levels: g.levels,
            comments: g.comments,
            overall: g.overall,
            submitted_at: g.submitted_at,
        })
        .collect();
    let final_ = r.status == Status::Final;
    let raters: Vec<&RatingRow> = rows.iter().filter(|g| !g.is_self).collect();
    let self_row = rows.iter().find(|g| g.is_self);
    let mine = raters.iter().find(|g| g.rater_id == user.id);
    // Blind rating: before the result is final a rater sees only their own rating; the trainee
    // sees none, observers see none.
    let visible: Vec<RatingView> = if final_ {
        raters.iter().map(|g| to_view(g)).collect()
    } else if viewer == Viewer::Rater {
        mine.map(|g| vec![to_view(g)]).unwrap_or_default()
    } else {
        Vec::new()
    };
    let result = if final_ {
        let levels: Vec<Vec<f64>> = raters
            .iter()
            .map(|g| {
                serde_json::from_str::<Vec<u8>>(&g.levels).unwrap_or_default().into_iter().map(f64::from).collect()
            })
            .collect();
        outcome(&r, &levels)
    } else {
        None
    };
    let sees_key = viewer != Viewer::Trainee || final_;
    let trainee = viewer == Viewer::Trainee;
    let criteria = r
        .criteria
        .iter()
        .map(|c| CriterionView {
            name: c.name.clone(),
            levels: c.levels.clone(),
            weight: sees_key.then_some(c.weight),
            critical: sees_key.then_some(c.critical),
            pass_level: sees_key.then_some(c.pass_level),
        })
        .collect();
    let turns = split_turns(&s.customer_turns);
    Ok(RoleplayView {
        id,
        viewer,
        scenario_id: r.scenario_id,
        title: Names::new(s.title, s.title_en),
        channel: Channel::parse(&s.channel).unwrap_or(Channel::Phone),
        product: s.product,
        situation: s.situation,
        persona: s.persona,
        mood: s.mood,
        objective: s.objective,
        time_box_minutes: s.time_box_minutes,
        // The cues are for whoever plays the customer; the facts are the raters' key.
        cues: (!trainee).then_some(s.cues),
        facts: sees_key.then_some(s.facts),
        trainee: s.display_name,
        employee_no: s.employee_no,
        mode: r.mode,
        status: r.status,
        raters_required: r.raters_required,
        ratings_in: raters.len() as i64,
        customer_turns: if r.mode == Mode::Written { turns } else { Vec::new() },
        replies: r.replies.clone(),
        criteria,
        can_rate: viewer == Viewer::Rater
            && r.raters.contains(&Some(user.id))
            && r.status == Status::Open
            && mine.is_none(),
        can_reply: trainee && r.status == Status::AwaitingTranscript,
        can_self_assess: trainee && !final_ && self_row.is_none(),
        pass_percent: sees_key.then_some(r.pass_percent),
        rule: sees_key.then_some(r.rule),
        ratings: visible,
        self_rating: match (final_, trainee) {
            (true, _) => self_row.map(to_view),
            // Levels only: a total before the result would reveal the hidden weights.
            (false, true) => self_row.map(|g| RatingView { percent: None, ..to_view(g) }),
            (false, false) => None,
        },
        result,
    })
}

fn rating_view(g: &RatingRow, criteria: &[Criterion], pass: f64) -> RatingView {
    let levels: Vec<u8> = serde_json::from_str(&g.levels).unwrap_or_default();
    let as_f: Vec<f64> = levels.iter().copied().map(f64::from).collect();
    RatingView {
        rater: g.rater.clone(),
        is_self: g.is_self,
        percent: Some(score(criteria, &as_f, pass).percent),
        levels,
        comments: serde_json::from_str(&g.comments).unwrap_or_default(),
        overall: g.overall.clone(),
        submitted_at: g.submitted_at,
    }
}

struct RatingRow {
    rater_id: i64,
    rater: String,
    is_self: bool,
    levels: String,
    comments: String,
    overall: String,
    submitted_at: i64,
}

/// The role-plays the caller may see: trainers and admins all of them, managers their teams',
/// everyone their own.
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn list(db: &Db, user: &CurrentUser) -> AppResult<Vec<RoleplaySummary>> {
    let all = user.has(Role::Trainer) || user.has(Role::Admin);
    let teams = if user.has(Role::Manager) { visible_team_ids(db, user.id).await? } else { Vec::new() };
    let teams = serde_json::to_string(&teams).map_err(crate::error::internal)?;
    let rows = sqlx::query!(
        r#"select p.id, s.title, s.title_en, u.display_name, u.employee_no, p.mode, p.status, p.raters_required,
                  p.percent, p.passed, p.opened_at,
                  (select count(*) from roleplay_ratings g where g.roleplay_id = p.id and g.is_self = 0) as "ratings_in!: i64",
                  exists(select 1 from roleplay_ratings g where g.roleplay_id = p.id and g.rater_id = $1) as "i_rated!: bool"
           from roleplays p join scenarios s on s.id = p.scenario_id join users u on u.id = p.trainee_id
           where $2 or p.trainee_id = $1 or u.team_id in (select value from json_each($3))
           order by p.status = 'final', p.opened_at desc
           limit 500"#,
        user.id,
        all,
        teams
    )
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = Status::parse(&r.status).unwrap_or(Status::Open);
            let final_ = status == Status::Final;
            RoleplaySummary {
                id: r.id,
                title: Names::new(r.title, r.title_en),
                trainee: r.display_name,
                employee_no: r.employee_no,
                mode: Mode::parse(&r.mode).unwrap_or(Mode::Live),
                status,
                raters_required: r.raters_required,
                ratings_in: r.ratings_in,
                i_rated: r.i_rated,
                percent: if final_ { r.percent } else { None },
                passed: if final_ { r.passed.map(|p| p != 0) } else { None },
                opened_at: r.opened_at,
            }
        })
        .collect())
}
