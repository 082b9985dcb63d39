//! Cleared for the floor over time: a row per team and day (`floor_daily`), written once a day by
//! the sweep, and the weekly trend the dashboard draws from it.

use chrono::{Duration, NaiveDate};

use crate::error::AppResult;
use crate::model::analytics::TrendPoint;
use crate::server::db::Db;

const DAY: i64 = 86_400;
/// Weeks in the trend.
pub const WEEKS: i64 = 12;

fn day_of(at: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(at, 0).unwrap_or_default().date_naive()
}

/// Writes today's row per team, once a day; on the first run, the 11 weeks before from the
/// certificates. Safe to run every minute and after downtime (a day already written is kept).
#[tracing::instrument(skip_all)]
pub async fn snapshot(db: &Db, at: i64) -> AppResult<bool> {
    let today = day_of(at).to_string();
    let done = sqlx::query_scalar!("select count(*) from floor_daily where day = $1", today).fetch_one(&db.read).await?;
    if done > 0 {
        return Ok(false);
    }
    let first = sqlx::query_scalar!("select count(*) from floor_daily").fetch_one(&db.read).await? == 0;
    // Everyone, as an admin's roster counts them: each team's own people.
    let per_team = sqlx::query!(
        r#"select team_id, count(*) filter (where state <> 'none') as "needed!: i64",
                  count(*) filter (where state = 'cleared') as "cleared!: i64"
           from floor_people where team_id <> 0 group by team_id"#
    )
    .fetch_all(&db.read)
    .await?;
    let mut tx = db.begin().await?;
    for r in per_team {
        let (team, needed, cleared) = (r.team_id, r.needed, r.cleared);
        sqlx::query!(
            "insert into floor_daily (day, team_id, needed, cleared) values ($1, $2, $3, $4) on conflict do nothing",
            today,
            team,
            needed,
            cleared
        )
        .execute(&mut *tx)
        .await?;
    }
    if first {
        // The weeks before: who held a valid certificate of a program that applies to them then,
        // counting people from their hire date (or their account's creation). Positions and
        // teams are today's (what they were then is not kept).
        for week in 1..WEEKS {
            let then = at - week * 7 * DAY;
            let day = day_of(then).to_string();
            sqlx::query!(
                r#"insert into floor_daily (day, team_id, needed, cleared, rebuilt)
                   select $1, u.team_id, count(*),
                          count(*) filter (where exists (
                              select 1 from certificates k where k.user_id = u.id and k.issued_at <= $2
                                 and k.expires_at > $2 and (k.revoked_at is null or k.revoked_at > $2))),
                          1
                   from users u
                   where u.active = 1 and u.team_id is not null
                     and coalesce(cast(strftime('%s', u.hire_date) as integer), u.created_at) <= $2
                     and exists (select 1 from programs p where p.archived_at is null and p.position_id = u.position_id)
                   group by u.team_id
                   on conflict do nothing"#,
                day,
                then
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// The last 12 weeks for these teams, one point a week (the latest day written in each week),
/// oldest first. Weeks with no row are left out.
pub async fn trend(db: &Db, teams: &[i64], at: i64) -> AppResult<Vec<TrendPoint>> {
    let teams = serde_json::to_string(teams).map_err(crate::error::internal)?;
    let since = (day_of(at) - Duration::days(WEEKS * 7)).to_string();
    let today_s = day_of(at).to_string();
    // The latest day written in each week first, then those days' rows only: an admin's trend
    // sums 12 days of every team, not 84.
    let rows = sqlx::query!(
        r#"with days as (select distinct day from floor_daily where day > $1),
                latest as (select max(day) as day from days
                           group by cast(julianday($3) - julianday(day) as integer) / 7)
           select f.day as "day!: String", sum(f.needed) as "needed!: i64", sum(f.cleared) as "cleared!: i64"
           from floor_daily f join latest l on l.day = f.day
           where f.team_id in (select value from json_each($2))
           group by f.day order by f.day"#,
        since,
        teams,
        today_s
    )
    .fetch_all(&db.read)
    .await?;
    let today = day_of(at);
    let mut points: Vec<TrendPoint> = Vec::new();
    for r in rows {
        let Ok(day) = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d") else { continue };
        // Week 0 ends today; each week keeps its latest day.
        let week = (today - day).num_days() / 7;
        match points.last_mut() {
            Some(p) if p.weeks_ago == week as u32 => {
                (p.day, p.needed, p.cleared) = (r.day, r.needed as u32, r.cleared as u32);
            }
            _ => points.push(TrendPoint {
                weeks_ago: week as u32,
                day: r.day,
                needed: r.needed as u32,
                cleared: r.cleared as u32,
            }),
        }
    }
    Ok(points)
}
