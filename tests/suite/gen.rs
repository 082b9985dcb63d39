//! `floorready gen`: the same seed gives the same organisation, what it writes passes `check`,
//! and it looks like a real one (people improve from pre- to post-test, some items are broken,
//! every certification status occurs).

use floorready::model::analytics::StatsAttempts;
use floorready::server::analytics::{outcomes, quiz_stats};
use floorready::server::db::Db;
use floorready::server::db::Pool;
use floorready::server::gen::{generate, Size};

/// A fixed "now", so two runs are comparable.
const AT: i64 = 1_796_000_000;

/// Everything graded and certified, as one string: equal strings, equal organisations.
async fn fingerprint(pool: &Pool) -> String {
    let attempts: String = sqlx::query_scalar(
        "select group_concat(user_id || ':' || quiz_id || ':' || attempt_no || ':' || percent || ':' || submitted_at, ',')
           from (select * from attempts order by id)",
    )
    .fetch_one(pool)
    .await
    .expect("attempts");
    let certs: String = sqlx::query_scalar(
        "select group_concat(user_id || ':' || program_id || ':' || status, ',')
           from (select * from certifications order by user_id, program_id)",
    )
    .fetch_one(pool)
    .await
    .expect("certifications");
    let roleplays: String = sqlx::query_scalar(
        "select group_concat(trainee_id || ':' || percent || ':' || passed, ',') from (select * from roleplays order by id)",
    )
    .fetch_one(pool)
    .await
    .expect("roleplays");
    let followups: String = sqlx::query_scalar(
        "select coalesce(group_concat(user_id || ':' || offset_days || ':' || state || ':' || coalesce(percent, ''), ','), '')
           from (select * from followups order by id)",
    )
    .fetch_one(pool)
    .await
    .expect("followups");
    format!("{attempts}|{certs}|{roleplays}|{followups}")
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_generator_is_deterministic_consistent_and_realistic(pool: Pool) {
    let db = Db::from_pool(pool.clone());
    let g = generate(&db, Size::Xs, 7, AT, &|_| {}).await.expect("generate xs");
    assert_eq!(g.people, 60);
    assert_eq!(g.quizzes, 8);
    assert!(g.attempts > 100 && g.answers > 20 * g.attempts && g.roleplays > 20, "{g:?}");
    let users: i64 =
        sqlx::query_scalar("select count(*) from user_roles where role = 'trainee'").fetch_one(&pool).await.unwrap();
    assert_eq!(users, 60);
    let answers: i64 = sqlx::query_scalar("select count(*) from attempt_items").fetch_one(&pool).await.unwrap();
    assert_eq!(answers as usize, g.answers, "the count printed is the count written");

    // Written through the app's own grading: the summaries agree with a recount.
    assert_eq!(outcomes::check(&db).await.expect("check"), Vec::<String>::new());
    assert_eq!(floorready::server::analytics::summary::check(&db).await.expect("check"), Vec::<String>::new());
    let fresh: i64 = sqlx::query_scalar("select count(*) from floor_people where state = 'not_started'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(fresh > 0, "yesterday's hires have not started, and the dashboard counts them");

    // The same seed again, into a second database: the same history. Another seed differs.
    let dir = std::env::temp_dir().join(format!("floorready-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let again = Db::open(&format!("sqlite://{}/a.db", dir.display())).await.expect("second database");
    generate(&again, Size::Xs, 7, AT, &|_| {}).await.expect("generate again");
    let other = Db::open(&format!("sqlite://{}/b.db", dir.display())).await.expect("third database");
    generate(&other, Size::Xs, 8, AT, &|_| {}).await.expect("generate with another seed");
    let first = fingerprint(&pool).await;
    assert!(first.len() > 1000);
    assert_eq!(first, fingerprint(&again.read).await, "same seed, same organisation");
    assert_ne!(first, fingerprint(&other.read).await, "another seed, another organisation");
    let _ = std::fs::remove_dir_all(&dir);

    // People learn: the post-test's first attempts score above the pre-test's, and some fail
    // the post-test first and pass it later.
    let mean = |kind: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, f64>(
                "select avg(o.first_percent) from quiz_outcomes o join quizzes z on z.id = o.quiz_id where z.kind = $1",
            )
            .bind(kind)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (pre, post) = (mean("pre_test").await, mean("post_test").await);
    assert!(post > pre + 5.0, "pre {pre}, post {post}");
    let late: i64 = sqlx::query_scalar(
        "select count(*) from quiz_outcomes o join quizzes z on z.id = o.quiz_id
          where z.kind = 'post_test' and o.first_passed = 0 and o.passed_at is not null",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(late > 0, "nobody needed a retake");

    // Two years of certification: every status a real roster shows.
    let statuses: Vec<String> =
        sqlx::query_scalar("select distinct status from certifications order by 1").fetch_all(&pool).await.unwrap();
    for s in ["certified", "expired", "in_training"] {
        assert!(statuses.iter().any(|x| x == s), "no {s} among {statuses:?}");
    }
    let failed: i64 =
        sqlx::query_scalar("select count(*) from roleplays where passed = 0").fetch_one(&pool).await.unwrap();
    assert!(failed > 0);

    // Follow-ups on the job for the certified: most of those due are done, a few failed, some
    // still open, and the sweep finds nothing more to make.
    let states: Vec<(String, i64)> = sqlx::query_as("select state, count(*) from followups group by state order by 1")
        .fetch_all(&pool)
        .await
        .unwrap();
    let n = |s: &str| states.iter().find(|(x, _)| x == s).map(|(_, n)| *n).unwrap_or(0);
    assert_eq!(states.iter().map(|(_, n)| *n).sum::<i64>() as usize, g.followups, "{states:?}");
    assert!(n("completed") > 0 && n("scheduled") > 0 && n("overdue") + n("due") > 0, "{states:?}");
    let floor_failed: i64 =
        sqlx::query_scalar("select count(*) from followups where passed = 0").fetch_one(&pool).await.unwrap();
    assert!(floor_failed > 0, "nobody failed on the job");
    let again = floorready::server::followup::sweep(&db, AT).await.unwrap();
    assert_eq!(again.created, 0);

    // Some items are too easy, some broken: Moodle's warnings find them in a post-test.
    let post_test: i64 = sqlx::query_scalar("select id from quizzes where kind = 'post_test' order by id limit 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    let stats = quiz_stats::statistics(&db, post_test, StatsAttempts::All).await.expect("statistics");
    assert_eq!(stats.slots.len(), 25);
    assert!(stats.slots.iter().any(|s| s.flags.facility), "no item out of the 30-70 % facility range");
    assert!(stats.slots.iter().any(|s| s.flags.negative || s.flags.weak), "no weak or broken item");
    assert!(stats.slots.iter().filter(|s| !s.flags.any()).count() > 5, "hardly any good item");
}
