//! Cleared for the floor over time: a row per team and day (`floor_daily`), written once a day by
//! the sweep, and the weekly trend the dashboard draws from it.

use std::collections::BTreeMap;

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
    let done = sqlx::query_scalar!("select count(*) as \"n!\" from floor_daily where day = $1", today)
        .fetch_one(&db.read)
        .await?;
    if done > 0 {
        return Ok(false);
    }
    let first = sqlx::query_scalar!("select count(*) as \"n!\" from floor_daily").fetch_one(&db.read).await? == 0;
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
                     and coalesce(u.hire_date <= $1, u.created_at <= $2)
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
    // The latest day written in each week first, then those days' rows only: an admin's trend
    // sums 12 days of every team, not 84. Week 0 ends today.
    let today = day_of(at);
    let mut latest: BTreeMap<i64, String> = BTreeMap::new();
    for d in sqlx::query_scalar!(r#"select distinct day as "day!: String" from floor_daily where day > $1"#, since)
        .fetch_all(&db.read)
        .await?
    {
        let Ok(day) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") else { continue };
        let week = (today - day).num_days() / 7;
        if (0..WEEKS).contains(&week) {
            let e = latest.entry(week).or_default();
            if d > *e {
                *e = d;
            }
        }
    }
    const _: () = assert!(WEEKS == 12, "the trend's query takes one parameter a week");
    // At most one day a week: twelve parameters, the unused ones empty (no day is '').
    let picked: Vec<String> = latest.into_values().collect();
    let d: [String; 12] = std::array::from_fn(|i| picked.get(i).cloned().unwrap_or_default());
    let rows = sqlx::query!(
        r#"select f.day as "day!: String", cast(sum(f.needed) as bigint) as "needed!: i64",
                  cast(sum(f.cleared) as bigint) as "cleared!: i64"
           from floor_daily f
           where f.day in ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             and f.team_id in (select value from json_each($1))
           group by f.day order by f.day"#,
        teams,
        d[0],
        d[1],
        d[2],
        d[3],
        d[4],
        d[5],
        d[6],
        d[7],
        d[8],
        d[9],
        d[10],
        d[11]
    )
    .fetch_all(&db.read)
    .await?;
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
