//! Group commit (`db::batch`): writes that queue together commit in one transaction and are
//! answered only after the commit; a write that fails is rolled back alone.

use std::sync::atomic::Ordering;
use std::time::Duration;

use floorready::error::AppResult;
use floorready::server::db::batch::{Batched, BoxFuture};
use floorready::server::db::Db;
use floorready::server::db::{Backend, Conn, Pool};

/// Holds back every write to `scratch` until the transaction ends: SQLite's write lock, or a lock
/// on the table on PostgreSQL (which has no database-wide one).
async fn hold_writes(pool: &Pool) -> sqlx::Transaction<'static, Backend> {
    #[cfg(not(feature = "postgres"))]
    return pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    #[cfg(feature = "postgres")]
    {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("lock table scratch in exclusive mode").execute(&mut *tx).await.unwrap();
        tx
    }
}

/// Inserts its numbers one by one; a number already there fails the write part-way.
struct Put(Vec<i64>);

impl Batched for Put {
    type Out = usize;
    fn write<'a>(&'a mut self, conn: &'a mut Conn) -> BoxFuture<'a, AppResult<usize>> {
        Box::pin(async move {
            for n in &self.0 {
                sqlx::query("insert into scratch (n) values ($1)").bind(n).execute(&mut *conn).await?;
            }
            Ok(self.0.len())
        })
    }
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_batch_commits_together_and_a_failed_write_fails_alone(pool: Pool) {
    let db = Db::from_pool(pool.clone());
    sqlx::query("create table scratch (n bigint primary key)").execute(&pool).await.unwrap();
    sqlx::query("insert into scratch (n) values (99)").execute(&pool).await.unwrap();
    // Someone else holds the write lock, so the writes below queue up behind it.
    let mut hold = hold_writes(&pool).await;
    let writes = [vec![1], vec![2], vec![10, 99], vec![3], vec![4, 5]];
    let tasks: Vec<_> = writes
        .into_iter()
        .map(|w| {
            let db = db.clone();
            tokio::spawn(async move { db.batched(Put(w)).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let none: i64 = sqlx::query_scalar("select count(*) from scratch").fetch_one(&mut *hold).await.unwrap();
    assert_eq!(none, 1, "nothing is written while the lock is held");
    hold.rollback().await.unwrap();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap().is_ok());
    }
    assert_eq!(answers, [true, true, false, true, true], "only the write that failed is refused");
    let rows: Vec<i64> = sqlx::query_scalar("select n from scratch order by n").fetch_all(&pool).await.unwrap();
    assert_eq!(rows, [1, 2, 3, 4, 5, 99], "the failed write's first insert (10) was rolled back with it");
    let stats = &db.batch.stats;
    assert_eq!(stats.writes.load(Ordering::Relaxed), 5);
    assert!(stats.largest.load(Ordering::Relaxed) >= 4, "the queued writes shared a transaction");
    assert!(stats.batches.load(Ordering::Relaxed) <= 2);
    assert_eq!(stats.reruns.load(Ordering::Relaxed), 1, "one batch ran again without the failed write");
}

#[sqlx::test(migrator = "floorready::server::db::MIGRATOR")]
async fn a_batch_without_failures_runs_once(pool: Pool) {
    let db = Db::from_pool(pool.clone());
    sqlx::query("create table scratch (n bigint primary key)").execute(&pool).await.unwrap();
    let hold = hold_writes(&pool).await;
    let tasks: Vec<_> = (1..=6)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move { db.batched(Put(vec![n, n + 100])).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    hold.rollback().await.unwrap();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 2);
    }
    let rows: i64 = sqlx::query_scalar("select count(*) from scratch").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, 12);
    let stats = &db.batch.stats;
    assert!(stats.largest.load(Ordering::Relaxed) >= 5, "the queued writes shared a transaction");
    assert_eq!(stats.reruns.load(Ordering::Relaxed), 0);
}
