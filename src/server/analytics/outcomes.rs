//! Each person's outcome per quiz (`quiz_outcomes`) and per role-play scenario
//! (`roleplay_outcomes`): kept by the transaction that grades an attempt or makes a role-play
//! final, read by every pass-rate figure, and recomputed from the raw rows by `check`.

use std::collections::BTreeMap;

use super::summary;
use crate::error::AppResult;
use crate::server::db::{Conn, Db};

/// One graded attempt, as the outcome needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Graded {
    pub attempt_no: i64,
    pub percent: f64,
    pub passed: bool,
    pub at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub attempts: i64,
    pub first_percent: f64,
    pub first_passed: bool,
    pub first_at: i64,
    pub best_percent: f64,
    pub last_percent: f64,
    pub passed_at: Option<i64>,
    pub attempts_to_pass: Option<i64>,
}

/// The outcome of a person's graded attempts of one quiz, or none before the first is graded.
pub fn summarise(graded: &mut [Graded]) -> Option<Outcome> {
    graded.sort_by_key(|g| g.attempt_no);
    let first = graded.first()?;
    let pass = graded.iter().position(|g| g.passed);
    Some(Outcome {
        attempts: graded.len() as i64,
        first_percent: first.percent,
        first_passed: first.passed,
        first_at: first.at,
        best_percent: graded.iter().map(|g| g.percent).fold(f64::MIN, f64::max),
        last_percent: graded.last()?.percent,
        passed_at: pass.map(|i| graded[i].at),
        attempts_to_pass: pass.map(|i| i as i64 + 1),
    })
}

/// Brings one person's outcome of one quiz up to date, inside the caller's transaction.
pub async fn refresh(conn: &mut Conn, quiz_id: i64, user_id: i64) -> AppResult<()> {
    let before = sqlx::query!(
        r#"select first_at, (first_passed = 1) as "first_passed!: bool", passed_at from quiz_outcomes
           where quiz_id = $1 and user_id = $2"#,
        quiz_id,
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| summary::counted(r.first_at, r.first_passed, r.passed_at));
    let mut graded: Vec<Graded> = sqlx::query!(
        r#"select attempt_no, percent as "percent!: f64", (passed = 1) as "passed!: bool",
                  coalesce(submitted_at, graded_at) as "at!: i64"
           from attempts where quiz_id = $1 and user_id = $2 and status = 'graded'"#,
        quiz_id,
        user_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| Graded { attempt_no: r.attempt_no, percent: r.percent, passed: r.passed, at: r.at })
    .collect();
    let Some(o) = summarise(&mut graded) else {
        sqlx::query!("delete from quiz_outcomes where quiz_id = $1 and user_id = $2", quiz_id, user_id)
            .execute(&mut *conn)
            .await?;
        return summary::outcome_changed(conn, quiz_id, user_id, before, None).await;
    };
    let first_passed_flag = i64::from(o.first_passed);
    sqlx::query!(
        "insert into quiz_outcomes (quiz_id, user_id, attempts, first_percent, first_passed, first_at, best_percent,
                                    last_percent, passed_at, attempts_to_pass)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (quiz_id, user_id) do update set attempts = excluded.attempts,
             first_percent = excluded.first_percent, first_passed = excluded.first_passed,
             first_at = excluded.first_at, best_percent = excluded.best_percent,
             last_percent = excluded.last_percent, passed_at = excluded.passed_at,
             attempts_to_pass = excluded.attempts_to_pass",
        quiz_id,
        user_id,
        o.attempts,
        o.first_percent,
        first_passed_flag,
        o.first_at,
        o.best_percent,
        o.last_percent,
        o.passed_at,
        o.attempts_to_pass
    )
    .execute(&mut *conn)
    .await?;
    let after = summary::counted(o.first_at, o.first_passed, o.passed_at);
    summary::outcome_changed(conn, quiz_id, user_id, before, Some(after)).await
}

/// A person's final role-plays of one scenario, in the order they became final.
async fn final_roleplays(conn: &mut Conn, scenario_id: i64, user_id: i64) -> AppResult<Vec<Graded>> {
    Ok(sqlx::query!(
        r#"select coalesce(percent, 0) as "percent!: f64", coalesce(passed, 0) = 1 as "passed!: bool",
                  finalized_at as "at!: i64"
           from roleplays where scenario_id = $1 and trainee_id = $2 and status = 'final' and finalized_at is not null
           order by finalized_at, id"#,
        scenario_id,
        user_id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .enumerate()
    .map(|(i, r)| Graded { attempt_no: i as i64 + 1, percent: r.percent, passed: r.passed, at: r.at })
    .collect())
}

/// Brings one person's outcome of one role-play scenario up to date, inside the caller's
/// transaction (a role-play became final).
pub async fn refresh_roleplay(conn: &mut Conn, scenario_id: i64, user_id: i64) -> AppResult<()> {
    let mut done = final_roleplays(conn, scenario_id, user_id).await?;
    let Some(o) = summarise(&mut done) else {
        sqlx::query!("delete from roleplay_outcomes where scenario_id = $1 and user_id = $2", scenario_id, user_id)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    };
    let first_passed_flag = i64::from(o.first_passed);
    sqlx::query!(
        "insert into roleplay_outcomes (scenario_id, user_id, attempts, first_percent, first_passed, first_at,
                                        best_percent, last_percent, passed_at, attempts_to_pass)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (scenario_id, user_id) do update set attempts = excluded.attempts,
             first_percent = excluded.first_percent, first_passed = excluded.first_passed,
             first_at = excluded.first_at, best_percent = excluded.best_percent,
             last_percent = excluded.last_percent, passed_at = excluded.passed_at,
             attempts_to_pass = excluded.attempts_to_pass",
        scenario_id,
        user_id,
        o.attempts,
        o.first_percent,
        first_passed_flag,
        o.first_at,
        o.best_percent,
        o.last_percent,
        o.passed_at,
        o.attempts_to_pass
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Every stored role-play outcome that differs from the final role-plays, one line each.
async fn check_roleplays(db: &Db) -> AppResult<Vec<String>> {
    let mut want: BTreeMap<(i64, i64), Vec<Graded>> = BTreeMap::new();
    for r in sqlx::query!(
        r#"select scenario_id, trainee_id, coalesce(percent, 0) as "percent!: f64", coalesce(passed, 0) = 1 as "passed!: bool",
                  finalized_at as "at!: i64"
           from roleplays where status = 'final' and finalized_at is not null
           order by finalized_at, id"#
    )
    .fetch_all(&db.read)
    .await?
    {
        let done = want.entry((r.scenario_id, r.trainee_id)).or_default();
        done.push(Graded { attempt_no: done.len() as i64 + 1, percent: r.percent, passed: r.passed, at: r.at });
    }
    let have: BTreeMap<(i64, i64), Outcome> = sqlx::query!(
        r#"select scenario_id, user_id, attempts, first_percent, (first_passed = 1) as "first_passed!: bool", first_at,
                  best_percent, last_percent, passed_at, attempts_to_pass from roleplay_outcomes"#
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| {
        let o = Outcome {
            attempts: r.attempts,
            first_percent: r.first_percent,
            first_passed: r.first_passed,
            first_at: r.first_at,
            best_percent: r.best_percent,
            last_percent: r.last_percent,
            passed_at: r.passed_at,
            attempts_to_pass: r.attempts_to_pass,
        };
        ((r.scenario_id, r.user_id), o)
    })
    .collect();
    Ok(differences(want, have, "scenario", "role-plays say", "no final role-play"))
}

/// Each (item, person) whose stored outcome is not what its attempts (or role-plays) say,
/// and each stored one with none behind it, one line each.
fn differences(
    want: BTreeMap<(i64, i64), Vec<Graded>>,
    mut have: BTreeMap<(i64, i64), Outcome>,
    item: &str,
    say: &str,
    none: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for ((id, person), mut done) in want {
        let expected = summarise(&mut done);
        let stored = have.remove(&(id, person));
        if stored != expected {
            out.push(format!("{item} {id}, person {person}: stored {stored:?}, {say} {expected:?}"));
        }
    }
    for ((id, person), stored) in have {
        out.push(format!("{item} {id}, person {person}: stored {stored:?}, but {none}"));
    }
    out
}

/// Every stored outcome that differs from what the attempts say now, as one line each
/// ("quiz 3, person 17: stored ..., attempts say ..."). Empty when the summary is true.
pub async fn check(db: &Db) -> AppResult<Vec<String>> {
    let mut want: BTreeMap<(i64, i64), Vec<Graded>> = BTreeMap::new();
    let rows = sqlx::query!(
        r#"select quiz_id, user_id, attempt_no, percent as "percent!: f64", (passed = 1) as "passed!: bool",
                  coalesce(submitted_at, graded_at) as "at!: i64"
           from attempts where status = 'graded'"#
    )
    .fetch_all(&db.read)
    .await?;
    for r in rows {
        want.entry((r.quiz_id, r.user_id)).or_default().push(Graded {
            attempt_no: r.attempt_no,
            percent: r.percent,
            passed: r.passed,
            at: r.at,
        });
    }
    let have: BTreeMap<(i64, i64), Outcome> = sqlx::query!(
        r#"select quiz_id, user_id, attempts, first_percent, (first_passed = 1) as "first_passed!: bool", first_at,
                  best_percent, last_percent, passed_at, attempts_to_pass from quiz_outcomes"#
    )
    .fetch_all(&db.read)
    .await?
    .into_iter()
    .map(|r| {
        let o = Outcome {
            attempts: r.attempts,
            first_percent: r.first_percent,
            first_passed: r.first_passed,
            first_at: r.first_at,
            best_percent: r.best_percent,
            last_percent: r.last_percent,
            passed_at: r.passed_at,
            attempts_to_pass: r.attempts_to_pass,
        };
        ((r.quiz_id, r.user_id), o)
    })
    .collect();
    let mut out = differences(want, have, "quiz", "attempts say", "no graded attempt");
    out.extend(check_roleplays(db).await?);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(attempt_no: i64, percent: f64, passed: bool) -> Graded {
        Graded { attempt_no, percent, passed, at: attempt_no * 100 }
    }

    #[test]
    fn first_attempt_and_eventually() {
        assert_eq!(summarise(&mut []), None);
        // Out of order on purpose: the outcome follows attempt numbers.
        let o = summarise(&mut [g(3, 90.0, true), g(1, 40.0, false), g(2, 70.0, false), g(4, 60.0, false)]).unwrap();
        assert_eq!((o.attempts, o.first_percent, o.first_passed, o.first_at), (4, 40.0, false, 100));
        assert_eq!((o.best_percent, o.last_percent), (90.0, 60.0));
        assert_eq!((o.passed_at, o.attempts_to_pass), (Some(300), Some(3)));
        let o = summarise(&mut [g(1, 85.0, true)]).unwrap();
        assert_eq!((o.first_passed, o.attempts_to_pass), (true, Some(1)));
        let o = summarise(&mut [g(1, 10.0, false), g(2, 20.0, false)]).unwrap();
        assert_eq!((o.passed_at, o.attempts_to_pass), (None, None));
    }
}
