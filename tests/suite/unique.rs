//! Unique violations are told apart by constraint on both backends (`db::Unique`), so a service
//! names the right field. The pairs the service tests do not already provoke.

use floorready::server::db::{is_unique_violation, Pool, Unique};

/// Runs `sql` and returns its error, which must be a unique violation.
async fn refused(pool: &Pool, sql: &str) -> sqlx::Error {
    sqlx::query(sql).execute(pool).await.expect_err(sql)
}

/// `e` is `which` and none of the others.
fn only(e: &sqlx::Error, which: Unique) {
    for u in Unique::ALL {
        assert_eq!(is_unique_violation(e, u), u == which, "{u:?} on {e}");
    }
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn each_unique_violation_names_its_own_constraint(pool: Pool) {
    for sql in [
        "insert into positions (name_zh, name_en, created_at) values ('柜员', 'Teller', 0)",
        "insert into teams (name, name_en, created_at) values ('一组', 'Group one', 0)",
        "insert into metrics (code, name, higher_is_better, period, created_at) values ('csat', 'CSAT', 1, 'month', 0)",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    let e = refused(&pool, "insert into positions (name_zh, name_en, created_at) values ('柜员', 'Cashier', 0)").await;
    only(&e, Unique::PositionNameZh);
    let e = refused(&pool, "insert into positions (name_zh, name_en, created_at) values ('出纳', 'TELLER', 0)").await;
    only(&e, Unique::PositionNameEn);
    let e = refused(&pool, "insert into teams (name, name_en, created_at) values ('一组', 'Another', 0)").await;
    only(&e, Unique::TeamName);
    let e = refused(&pool, "insert into teams (name, name_en, created_at) values ('二组', 'GROUP ONE', 0)").await;
    only(&e, Unique::TeamNameEn);
    let e = refused(
        &pool,
        "insert into metrics (code, name, higher_is_better, period, created_at) values ('csat', 'Other', 1, 'day', 0)",
    )
    .await;
    only(&e, Unique::MetricCode);
}
