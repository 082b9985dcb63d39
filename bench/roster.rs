//! The floor roster for a large team: the service (statuses plus what each person still lacks)
//! against the plain join that lists the same rows, in the same run.
//!
//! `cargo bench --bench roster --features ssr`. Environment: `PEOPLE` (default 1000) specialists in
//! one manager's team on top of the demo: a third not started, a third in training (enrolled, half
//! the lessons read, which needs a real evaluation per person), a third certified by exemption.
//! Reported: the median of `RUNS` (default 5) roster loads, the baseline query, and their ratio.

use std::time::{Duration, Instant};

use floorready::model::cert::Decision;
use floorready::server::audit::Actor;
use floorready::server::auth::guard::acting_as;
use floorready::server::auth::password::Passwords;
use floorready::server::cert::status;
use floorready::server::course::{enroll, learn};
use floorready::server::db::Db;
use floorready::server::demo;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let people: usize = std::env::var("PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let runs: usize = std::env::var("RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let dir = std::env::temp_dir().join(format!("floorready-roster-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::open(&format!("sqlite://{}", dir.join("bench.db").display())).await.expect("open database");
    demo::seed(&db, &Passwords::new()).await.expect("demo");

    println!("setting up {people} people ...");
    let one = |sql: &'static str| {
        let db = db.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&db.read).await.unwrap() }
    };
    let team = one("select id from teams where name like '客服一组%'").await;
    let course = one("select id from courses order by id limit 1").await;
    let junior = one("select id from programs order by level_id, id limit 1").await;
    let lessons: Vec<i64> = sqlx::query_scalar(
        "select l.id from lessons l join course_modules m on m.id = l.module_id join course_versions v on v.id = m.version_id
         where v.course_id = $1 and v.status = 'published' order by m.position, l.position",
    )
    .bind(course)
    .fetch_all(&db.read)
    .await
    .unwrap();
    let manager = acting_as(&db, one("select id from users where employee_no = 'M1001'").await).await.unwrap();
    let system = Actor { id: None, ip: "bench" };
    for i in 0..people {
        let id: i64 = sqlx::query_scalar(
            "insert into users (email, employee_no, display_name, position_id, team_id, password_hash, password_changed_at, created_at)
             values ($1, $2, $3, (select id from positions where name_zh = '售后服务专员'), $4, 'x', 0, 0) returning id",
        )
        .bind(format!("bench{i}@example.com"))
        .bind(format!("B{i:05}"))
        .bind(format!("Bench person {i}"))
        .bind(team)
        .fetch_one(&db.write)
        .await
        .unwrap();
        match i % 3 {
            0 => {}
            1 => {
                enroll::one(&db, system, course, id).await.unwrap();
                for l in &lessons[..lessons.len() / 2] {
                    learn::complete(&db, id, *l).await.unwrap();
                }
            }
            _ => {
                status::decide(&db, system, &manager, id, junior, Decision::Exempt, "bench").await.unwrap();
            }
        }
    }

    // The page a manager opens (everyone counted, what is missing worked out for one page) and the
    // export (what is missing for everyone).
    let everyone = status::RosterFilter::default();
    let mut page = Vec::new();
    let mut roster = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        status::roster(&db, &manager, &everyone).await.unwrap();
        page.push(t.elapsed());
        let t = Instant::now();
        rows = status::roster_rows(&db, &manager, &everyone).await.unwrap().len();
        roster.push(t.elapsed());
    }
    let mut raw = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let n = sqlx::query(
            "select u.id, u.display_name, p.name, coalesce(c.status, 'not_started'), k.expires_at
             from users u join programs p on p.position_id = u.position_id
             left join certifications c on c.user_id = u.id and c.program_id = p.id
             left join certificates k on k.id = c.certificate_id
             where u.active = 1 and u.team_id in (select id from teams)",
        )
        .fetch_all(&db.read)
        .await
        .unwrap()
        .len();
        raw.push(t.elapsed());
        assert!(n >= rows, "the baseline lists at least the roster's rows");
    }
    let (p, r, b) = (median(page), median(roster), median(raw));
    println!("roster: {rows} rows (people × programs)");
    println!("  first page (50 people, all counted):  {:>8.1} ms", p.as_secs_f64() * 1e3);
    println!("  service (statuses + what is missing): {:>8.1} ms", r.as_secs_f64() * 1e3);
    println!("  baseline (the plain join):            {:>8.1} ms", b.as_secs_f64() * 1e3);
    println!("  ratio service/baseline: {:.1}", r.as_secs_f64() / b.as_secs_f64());
    println!("  ratio first page/baseline: {:.1}", p.as_secs_f64() / b.as_secs_f64());
    std::fs::remove_dir_all(&dir).ok();
}
