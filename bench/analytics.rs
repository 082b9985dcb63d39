//! Managers' analytics on a large organisation: each page's server work against the plain query
//! that computes the same figure from the raw rows, on the same generated database, in one run.
//!
//! `cargo bench --bench analytics --features ssr` (run by `make bench`). Environment: `SIZE`
//! (xs, s, m, l, xl; default xl), `SEED` (default 1), `RUNS` (default 5). The database is generated
//! once per size and seed into `target/bench-data/` (xl takes a while; delete the file to
//! generate it again). Reported per page: the median of `RUNS` calls, the baseline's median, and
//! baseline ÷ page (the target: at least 30, and the page under 100 ms at xl).

use std::future::Future;
use std::time::{Duration, Instant};

use floorready::i18n::Zone;
use floorready::model::analytics::{CriteriaQuery, GainQuery, ReportQuery, StatsAttempts};
use floorready::server::analytics::{criteria, dashboard, gain, quiz_stats, report};
use floorready::server::auth::guard::{acting_as, visible_team_ids, CurrentUser};
use floorready::server::db::Db;
use floorready::server::gen::{generate, Size};

const DAY: i64 = 86_400;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn time<F, Fut, T>(runs: usize, f: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: Future<Output = T>,
{
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f().await);
        v.push(t.elapsed());
    }
    median(v)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The dashboard's figures from the raw rows: people cleared today (a valid certificate), the
/// first attempts of the last 60 days split into two periods, and the worst quiz.
async fn dashboard_baseline(db: &Db, teams: &str, at: i64) -> (i64, i64, i64, Option<i64>) {
    let cleared: i64 = sqlx::query_scalar(
        "select count(distinct k.user_id) from certificates k join users u on u.id = k.user_id
          where u.team_id in (select value from json_each($1)) and k.issued_at <= $2 and k.expires_at > $2
            and k.revoked_at is null",
    )
    .bind(teams)
    .bind(at)
    .fetch_one(&db.read)
    .await
    .unwrap();
    let (this, previous): (i64, i64) = sqlx::query_as(
        "with firsts as (
           select a.quiz_id, a.user_id, a.submitted_at, a.passed,
                  row_number() over (partition by a.quiz_id, a.user_id order by a.attempt_no) as n
             from attempts a join users u on u.id = a.user_id join quizzes z on z.id = a.quiz_id
            where a.status = 'graded' and z.kind <> 'pre_test' and u.team_id in (select value from json_each($1)))
         select coalesce(sum(passed) filter (where submitted_at > $2 - 30 * 86400), 0),
                coalesce(sum(passed) filter (where submitted_at between $2 - 60 * 86400 and $2 - 30 * 86400), 0)
           from firsts where n = 1",
    )
    .bind(teams)
    .bind(at)
    .fetch_one(&db.read)
    .await
    .unwrap();
    let worst: Option<i64> = sqlx::query_scalar(
        "with firsts as (
           select a.quiz_id, a.passed, a.submitted_at,
                  row_number() over (partition by a.quiz_id, a.user_id order by a.attempt_no) as n
             from attempts a join users u on u.id = a.user_id join quizzes z on z.id = a.quiz_id
            where a.status = 'graded' and z.kind <> 'pre_test' and u.team_id in (select value from json_each($1)))
         select quiz_id from firsts where n = 1 and submitted_at > $2 - 30 * 86400
          group by quiz_id having count(*) >= 3 and avg(passed) < 1 order by avg(passed), count(*) desc limit 1",
    )
    .bind(teams)
    .bind(at)
    .fetch_optional(&db.read)
    .await
    .unwrap();
    (cleared, this, previous, worst)
}

/// The pass-rate report's columns from the raw attempts: per team, people, attempts, first-attempt
/// and eventual passes and the mean first score.
async fn report_baseline(db: &Db, teams: &str, quiz: Option<i64>) -> usize {
    let rows: Vec<(i64, i64, i64, i64, i64, f64)> = sqlx::query_as(
        "with graded as (
           select a.quiz_id, a.user_id, u.team_id, a.passed, a.percent,
                  row_number() over (partition by a.quiz_id, a.user_id order by a.attempt_no) as n
             from attempts a join users u on u.id = a.user_id join quizzes z on z.id = a.quiz_id
            where a.status = 'graded' and (z.kind <> 'pre_test' or $2 is not null)
              and ($2 is null or a.quiz_id = $2) and u.team_id in (select value from json_each($1)))
         select team_id, count(distinct user_id), count(*), coalesce(sum(passed) filter (where n = 1), 0),
                count(distinct case when passed = 1 then quiz_id || ':' || user_id end),
                coalesce(avg(percent) filter (where n = 1), 0)
           from graded group by team_id",
    )
    .bind(teams)
    .bind(quiz)
    .fetch_all(&db.read)
    .await
    .unwrap();
    rows.len()
}

/// The criteria report's figures from the raw role-plays: per scenario and criterion (by its
/// place in the rubric) the mean deciding level and how many, over the people of these teams.
async fn criteria_baseline(db: &Db, teams: &str, from: i64, to: i64) -> usize {
    let rows: Vec<(i64, i64, f64, i64)> = sqlx::query_as(
        "select r.scenario_id, l.key, avg(l.value), count(*)
           from roleplays r join users u on u.id = r.trainee_id, json_each(r.levels) l
          where r.status = 'final' and r.finalized_at between $2 and $3
            and u.team_id in (select value from json_each($1))
          group by r.scenario_id, l.key",
    )
    .bind(teams)
    .bind(from)
    .bind(to)
    .fetch_all(&db.read)
    .await
    .unwrap();
    rows.len()
}

/// The gains report's matched pairs from the raw attempts: each person's first graded pre- and
/// post-test percent.
async fn gain_baseline(db: &Db, post: i64) -> usize {
    let rows: Vec<(i64, f64, f64)> = sqlx::query_as(
        "with firsts as (
           select a.user_id, a.quiz_id, a.percent,
                  row_number() over (partition by a.quiz_id, a.user_id order by a.attempt_no) as n
             from attempts a where a.status = 'graded'
              and a.quiz_id in ($1, (select pre_test_id from quizzes where id = $1)))
         select b.user_id, b.percent, a.percent from firsts a join firsts b on b.user_id = a.user_id
          where a.quiz_id = $1 and b.quiz_id <> $1 and a.n = 1 and b.n = 1",
    )
    .bind(post)
    .fetch_all(&db.read)
    .await
    .unwrap();
    rows.len()
}

struct Line {
    page: String,
    page_time: Duration,
    baseline: Duration,
}

#[tokio::main]
async fn main() {
    let size = std::env::var("SIZE").unwrap_or_else(|_| "xl".into());
    let seed: u64 = std::env::var("SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let runs: usize = std::env::var("RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let which = <Size as clap::ValueEnum>::from_str(&size, true).expect("SIZE is one of xs, s, m, l, xl");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("analytics-{size}-{seed}.db"));
    let fresh = !file.exists();
    let db = Db::open(&format!("sqlite://{}", file.display())).await.expect("open database");
    if fresh {
        println!("generating size {size}, seed {seed} into {} ...", file.display());
        let started = Instant::now();
        let now = chrono::Utc::now().timestamp();
        let g = generate(&db, which, seed, now, &|line| println!("  {line}")).await.expect("generate");
        println!("  {g:?} in {:.0?}", started.elapsed());
    }
    sqlx::query("pragma optimize").execute(&db.write).await.unwrap();
    // "Now" is the newest event in the file, so a database generated last week reads the same.
    let at: i64 = sqlx::query_scalar("select max(submitted_at) from attempts").fetch_one(&db.read).await.unwrap();
    let at = at + DAY;
    let counts: (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from users), (select count(*) from attempts), (select count(*) from attempt_items)",
    )
    .fetch_one(&db.read)
    .await
    .unwrap();
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "size {size}: {} users, {} attempts, {} answers, {:.0} MB; median of {runs} runs",
        counts.0,
        counts.1,
        counts.2,
        bytes as f64 / 1e6
    );

    let id = |sql: &'static str| {
        let db = db.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&db.read).await.unwrap() }
    };
    let admin = acting_as(&db, id("select id from users where employee_no = 'A0001'").await).await.unwrap();
    let site_manager = acting_as(&db, id("select id from users where employee_no = 'M00001'").await).await.unwrap();
    let dept_manager = acting_as(
        &db,
        id("select m.user_id from team_managers m join teams t on t.id = m.team_id where t.kind = 'department' order by t.id limit 1")
            .await,
    )
    .await
    .unwrap();
    let post_test = id("select id from quizzes where kind = 'post_test' order by id limit 1").await;
    let all_teams: String =
        sqlx::query_scalar("select json_group_array(id) from teams").fetch_one(&db.read).await.unwrap();
    let teams_of = |c: &CurrentUser| {
        let (db, c) = (db.clone(), c.clone());
        async move { serde_json::to_string(&visible_team_ids(&db, c.id).await.unwrap()).unwrap() }
    };
    let site_teams = teams_of(&site_manager).await;
    let dept_teams = teams_of(&dept_manager).await;
    let zone = Zone(chrono_tz::Asia::Shanghai);
    let filter = |group: &str, quiz: Option<i64>| {
        let q = ReportQuery {
            group: group.into(),
            quiz: quiz.map(|q| q.to_string()).unwrap_or_default(),
            ..Default::default()
        };
        report::Filter::parse(&q, zone).expect("filter")
    };

    let mut lines = Vec::new();
    for (who, caller, teams) in [
        ("admin", &admin, &all_teams),
        ("site manager", &site_manager, &site_teams),
        ("department manager", &dept_manager, &dept_teams),
    ] {
        let page_time = time(runs, || dashboard::dashboard(&db, caller, None, at)).await;
        let baseline = time(runs, || dashboard_baseline(&db, teams, at)).await;
        lines.push(Line { page: format!("dashboard, {who}"), page_time, baseline });
    }
    for (what, who, caller, teams, group, quiz) in [
        ("by team", "admin", &admin, &all_teams, "team", None),
        ("by quiz", "site manager", &site_manager, &site_teams, "quiz", None),
        ("one post-test by month", "department manager", &dept_manager, &dept_teams, "period", Some(post_test)),
    ] {
        let f = filter(group, quiz);
        let page_time = time(runs, || report::report(&db, caller, &f, zone)).await;
        let baseline = time(runs, || report_baseline(&db, teams, quiz)).await;
        lines.push(Line { page: format!("pass-rate report {what}, {who}"), page_time, baseline });
    }
    // Role-play criteria over the default 90 days up to the newest event.
    let q = CriteriaQuery::default();
    let f = criteria::Filter::parse(&q, at).expect("filter");
    for (who, caller, teams) in [("admin", &admin, &all_teams), ("site manager", &site_manager, &site_teams)] {
        let page_time = time(runs, || criteria::report(&db, caller, &f)).await;
        let baseline = time(runs, || criteria_baseline(&db, teams, f.from * DAY, (f.to + 1) * DAY - 1)).await;
        lines.push(Line { page: format!("role-play criteria, 90 days, {who}"), page_time, baseline });
    }
    // Pre/post gains of the post-test, everyone who took it.
    let paired = id("select id from quizzes where pre_test_id is not null order by id limit 1").await;
    let gf = gain::GainFilter::parse(&GainQuery { quiz: paired.to_string(), team: String::new() }).expect("filter");
    let page_time = time(runs, || gain::gains_page(&db, &admin, &gf)).await;
    let baseline = time(runs, || gain_baseline(&db, paired)).await;
    lines.push(Line { page: "pre/post gains, one post-test, admin".into(), page_time, baseline });
    // Test statistics read each first attempt's marks per slot: the baseline is reading them.
    let page_time = time(runs, || quiz_stats::statistics(&db, post_test, StatsAttempts::First)).await;
    let baseline = time(runs, || {
        sqlx::query_scalar::<_, f64>(
            "select i.fraction from attempt_items i join attempts a on a.id = i.attempt_id
              where a.quiz_id = $1 and a.status = 'graded' and a.attempt_no = 1",
        )
        .bind(post_test)
        .fetch_all(&db.read)
    })
    .await;
    lines.push(Line { page: "quiz statistics, one post-test".into(), page_time, baseline });

    println!("{:<60} {:>12} {:>12} {:>8}", "page", "page", "plain query", "ratio");
    for l in &lines {
        println!(
            "{:<60} {:>12} {:>12} {:>8.2}",
            l.page,
            ms(l.page_time),
            ms(l.baseline),
            l.baseline.as_secs_f64() / l.page_time.as_secs_f64()
        );
    }
}
