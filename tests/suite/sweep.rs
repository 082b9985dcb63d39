//! The minute's sweeps run on one app server at a time (PostgreSQL with several servers).

use floorready::server::config::Config;
use floorready::server::db::{Db, Pool};
use floorready::server::sweep;

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn the_minutes_sweeps_run_on_one_server_at_a_time(pool: Pool) {
    let db = Db::from_pool(pool.clone());
    let config = Config::for_tests();
    assert!(sweep::minute(&db, &config).await.unwrap(), "nobody else is sweeping");
    #[cfg(feature = "postgres")]
    {
        use floorready::server::db::locks::SWEEP;
        // Another server, in the middle of its sweep, holds the lock on its own session.
        let mut other = pool.acquire().await.unwrap();
        let got: bool =
            sqlx::query_scalar("select pg_try_advisory_lock($1)").bind(SWEEP).fetch_one(&mut *other).await.unwrap();
        assert!(got, "the last run let the lock go");
        assert!(!sweep::minute(&db, &config).await.unwrap(), "this server skips the minute");
        sqlx::query("select pg_advisory_unlock($1)").bind(SWEEP).execute(&mut *other).await.unwrap();
        assert!(sweep::minute(&db, &config).await.unwrap(), "and runs the next one");
    }
}
