//! SQLite pools: one writer, several readers (see shared/guides/performance.md).

pub mod batch;
pub mod waits;

use std::str::FromStr;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    /// A single connection: writers queue in the pool instead of spinning on SQLITE_BUSY.
    pub write: SqlitePool,
    /// Group commit for the small writes that come in bursts (answer saves).
    pub batch: batch::Batcher,
}

/// The backend's connection, pool and transaction: services name these, not SQLite's types, so
/// that a PostgreSQL build changes them here (docs/postgres.md).
pub type Conn = sqlx::SqliteConnection;
pub type Pool = SqlitePool;
pub type Tx = Transaction<'static, Sqlite>;

impl Db {
    /// Opens (creating if needed) the database and applies pending migrations.
    pub async fn open(url: &str) -> anyhow::Result<Db> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // An acknowledged change survives power loss.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Page cache per connection, chosen for a bounded footprint: 8 MiB for the writer
            // (its working set is the hot indexes of attempts and answers), 2 MiB for each of the
            // 8 readers; no mmap, so the resident size does not grow with the database file.
            .pragma("mmap_size", "0");
        // Writes report their slow waits as counts (`waits`); sqlx would warn once per request.
        // No ping before each acquire: a file database's connection cannot drop, and every ping
        // is a round trip to the connection's worker thread (the server's main cost under load).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_slow_level(log::LevelFilter::Off)
            .connect_with(options.clone().pragma("cache_size", "-8192"))
            .await?;
        MIGRATOR.run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .acquire_slow_level(log::LevelFilter::Off)
            .connect_with(options.pragma("cache_size", "-2048"))
            .await?;
        let db = Db { read, write, batch: Default::default() };
        // The dashboard's summaries, filled once after the upgrade that added them.
        crate::server::analytics::summary::ensure(&db).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(db)
    }

    /// One pool for both roles, as `#[sqlx::test]` hands out.
    pub fn from_pool(pool: SqlitePool) -> Db {
        Db { read: pool.clone(), write: pool, batch: Default::default() }
    }

    /// Every write transaction takes the write lock up front; a deferred BEGIN that reads
    /// first fails with SQLITE_BUSY under concurrency instead of waiting.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let asked = Instant::now();
        let tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        waits::note_write_wait(asked.elapsed());
        Ok(tx)
    }

    /// Runs `op` in the next group commit (see `batch`): answered once it is on disk.
    pub async fn batched<B: batch::Batched>(&self, op: B) -> crate::error::AppResult<B::Out> {
        self.batch.write(&self.write, op).await
    }
}

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// True when `e` is a violation of the unique index `index` (used to name the field in conflict).
pub fn is_unique_violation(e: &sqlx::Error, index_column: &str) -> bool {
    match e {
        sqlx::Error::Database(db) => db.is_unique_violation() && db.message().contains(index_column),
        _ => false,
    }
}
