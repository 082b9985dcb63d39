use std::time::Instant;

use floorready::i18n::Zone;
use floorready::model::analytics::ReportQuery;
use floorready::server::analytics::{dashboard, report};
use floorready::server::auth::guard::acting_as;
use floorready::server::db::Db;

#[tokio::main]
async fn main() {
    let db = Db::open("sqlite://target/bench-data/analytics-xl-1.db").await.unwrap();
    let admin: i64 =
        sqlx::query_scalar("select id from users where employee_no = 'A0001'").fetch_one(&db.read).await.unwrap();
    let admin = acting_as(&db, admin).await.unwrap();
    let zone = Zone(chrono_tz::Asia::Shanghai);
    let at: i64 = sqlx::query_scalar("select max(submitted_at) from attempts").fetch_one(&db.read).await.unwrap();
    for group in ["team", "quiz", "period", "hire_month", "plan"] {
        let f = report::Filter::parse(&ReportQuery { group: group.into(), ..Default::default() }, zone).unwrap();
        for _ in 0..3 {
            let t = Instant::now();
            let r = report::report(&db, &admin, &f, zone).await.unwrap();
            println!("report {group}: {:?} rows {} outcomes {}", t.elapsed(), r.rows.len(), r.total.outcomes);
        }
    }
    for sql in [
        "select count(*), sum(first_percent) from quiz_outcomes where first_at between -9223372036854775808 and 9223372036854775807",
        "select count(*), sum(first_percent) from quiz_outcomes where +first_at between -9223372036854775808 and 9223372036854775807",
        "select count(*), sum(o.first_percent + u.team_id) from quiz_outcomes o join users u on u.id = o.user_id",
    ] {
        for _ in 0..2 {
            let t = Instant::now();
            let _: (i64, f64) = sqlx::query_as(sql).fetch_one(&db.read).await.unwrap();
            println!("{:?} {}", t.elapsed(), &sql[..90]);
        }
    }
    for _ in 0..3 {
        let t = Instant::now();
        let _ = dashboard::dashboard(&db, &admin, None, at + 86400).await.unwrap();
        println!("dashboard admin {:?}", t.elapsed());
    }
}
