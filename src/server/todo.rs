//! The home pages' to-do lists, read from the same services the pages behind them use.

use crate::error::AppResult;
use crate::i18n::Zone;
use crate::model::roleplay::Status;
use crate::model::todo::{AdminTodo, ExpiringToken, TodaySession, TraineeNext, TrainerTodo, TOKEN_WARNING_DAYS};
use crate::model::Names;
use crate::server::auth::guard::CurrentUser;
use crate::server::db::Db;
use crate::server::{now, quiz, roleplay};

/// Essays in the trainer's grading queue, role-plays still waiting for a rating from them, and
/// the sessions they instruct today (on each plan's clock).
#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn trainer(db: &Db, user: &CurrentUser) -> AppResult<TrainerTodo> {
    let essays = quiz::attempt::grading_queue(db, user).await?.len();
    let roleplays = roleplay::attempt::list(db, user)
        .await?
        .into_iter()
        .filter(|r| r.status == Status::Open && !r.i_rated && r.ratings_in < r.raters_required)
        .count();
    let now = now();
    // Any plan's "today" lies within a day of UTC's.
    let utc = Zone::UTC.today(now).unwrap_or_default();
    let (from, to) = ((utc - chrono::Duration::days(1)).to_string(), (utc + chrono::Duration::days(1)).to_string());
    let rows = sqlx::query!(
        r#"select s.id as "id!", s.plan_id, p.title, p.title_en, p.time_zone, s.day, s.topic, s.start_time, s.end_time, s.venue
           from plan_sessions s join training_plans p on p.id = s.plan_id
           where s.instructor_id = $1 and s.day between $2 and $3 order by s.start_time"#,
        user.id,
        from,
        to
    )
    .fetch_all(&db.read)
    .await?;
    let sessions = rows
        .into_iter()
        .filter(|r| {
            let zone = Zone::parse(&r.time_zone).unwrap_or(Zone::UTC);
            zone.today(now).is_some_and(|d| d.to_string() == r.day)
        })
        .map(|r| TodaySession {
            plan_id: r.plan_id,
            plan_title: Names::new(r.title, r.title_en),
            session_id: r.id,
            topic: r.topic,
            start_time: r.start_time,
            end_time: r.end_time,
            venue: r.venue,
        })
        .collect();
    Ok(TrainerTodo { essays, roleplays, sessions })
}

#[tracing::instrument(skip_all)]
pub async fn admin(db: &Db) -> AppResult<AdminTodo> {
    let counts = sqlx::query!(
        r#"select
             (select count(*) from users u where u.active = 1 and u.team_id is null
                and not exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'admin')) as "no_team!: i64",
             (select count(*) from users u where u.active = 1 and u.position_id is null
                and exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'trainee')) as "no_position!: i64""#
    )
    .fetch_one(&db.read)
    .await?;
    let programs = sqlx::query!(
        r#"select p.id as "id!", p.name, p.name_en from programs p
           where p.archived_at is null
             and not exists (select 1 from program_requirements r where r.program_id = p.id)
           order by p.name, p.name_en"#
    )
    .fetch_all(&db.read)
    .await?;
    let sites =
        sqlx::query!("select name, name_en from teams where parent_id is null and time_zone is null order by name")
            .fetch_all(&db.read)
            .await?
            .into_iter()
            .map(|r| Names::new(r.name, r.name_en))
            .collect();
    let at = crate::server::now();
    let soon = at + TOKEN_WARNING_DAYS * 86_400;
    let expiring_tokens = sqlx::query!(
        r#"select name, expires_at as "expires_at!: i64" from api_tokens
           where revoked_at is null and expires_at is not null and expires_at <= $1 order by expires_at"#,
        soon
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| ExpiringToken { name: r.name, expires_at: r.expires_at, expired: r.expires_at <= at })
    .collect();
    Ok(AdminTodo {
        people_without_team: counts.no_team,
        trainees_without_position: counts.no_position,
        programs_without_requirements: programs.into_iter().map(|p| (p.id, Names::new(p.name, p.name_en))).collect(),
        sites_without_time_zone: sites,
        expiring_tokens,
    })
}

#[tracing::instrument(skip_all, fields(caller = user.id))]
pub async fn trainee(db: &Db, user: &CurrentUser) -> AppResult<TraineeNext> {
    let position = sqlx::query!(
        r#"select p.id as "id!", p.name_zh, p.name_en from users u join positions p on p.id = u.position_id
           where u.id = $1"#,
        user.id
    )
    .fetch_optional(&db.read)
    .await?;
    let programs = match &position {
        Some(p) => {
            sqlx::query_scalar!(
                r#"select count(*) as "n!: i64" from programs where position_id = $1 and archived_at is null"#,
                p.id
            )
            .fetch_one(&db.read)
            .await?
        }
        None => 0,
    };
    let managers = sqlx::query_scalar!(
        r#"with recursive up(id, parent_id) as (
               select t.id, t.parent_id from users u join teams t on t.id = u.team_id where u.id = $1
               union all
               select t.id, t.parent_id from teams t join up on t.id = up.parent_id
           )
           select distinct u.display_name from team_managers m join users u on u.id = m.user_id
           where m.team_id in (select id from up) and u.active = 1 and u.id <> $1
           order by u.display_name"#,
        user.id
    )
    .fetch_all(&db.read)
    .await?;
    Ok(TraineeNext { position: position.map(|p| Names::new(p.name_zh, p.name_en)), programs, managers })
}
