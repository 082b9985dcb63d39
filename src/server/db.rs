//! The database: SQLite (one writer, several readers; shared/guides/performance.md) or, built with
//! the `postgres` feature, PostgreSQL (docs/postgres.md). Services name `Conn`, `Pool` and `Tx`.

pub mod batch;
pub mod waits;

use std::time::Instant;

use sqlx::Transaction;

#[derive(Clone, Debug)]
pub struct Db {
    pub read: Pool,
    /// SQLite: a single connection, so writers queue in the pool instead of spinning on
    /// SQLITE_BUSY. PostgreSQL: the same pool as `read`.
    pub write: Pool,
    /// Group commit for the small writes that come in bursts (answer saves).
    pub batch: batch::Batcher,
}

/// The backend this build serves: one per build, because sqlx checks each query against one.
#[cfg(not(feature = "postgres"))]
pub type Backend = sqlx::Sqlite;
#[cfg(feature = "postgres")]
pub type Backend = sqlx::Postgres;

/// The backend's connection, pool and transaction: services name these, not SQLite's types.
pub type Conn = <Backend as sqlx::Database>::Connection;
pub type Pool = sqlx::Pool<Backend>;
pub type Tx = Transaction<'static, Backend>;

/// The URL scheme this build serves, and how to get a build for the other.
#[cfg(not(feature = "postgres"))]
const SERVES: (&str, &str) =
    ("sqlite:", "this build serves SQLite; for PostgreSQL build with `--features postgres` (README)");
#[cfg(feature = "postgres")]
const SERVES: (&str, &str) =
    ("postgres", "this build serves PostgreSQL; for SQLite build without `--features postgres` (README)");

/// Refuses at start a database URL this build cannot serve, saying which build can.
pub fn check_url(url: &str) -> anyhow::Result<()> {
    let (scheme, other) = SERVES;
    if url.starts_with(scheme) {
        Ok(())
    } else {
        let shown = url.split_once(':').map_or(url, |(s, _)| s);
        anyhow::bail!("cannot open a `{shown}` database URL: {other}")
    }
}

impl Db {
    /// Opens (creating if needed) the database and applies pending migrations.
    pub async fn open(url: &str) -> anyhow::Result<Db> {
        check_url(url)?;
        let db = Self::connect(url).await?;
        // The dashboard's summaries, filled once after the upgrade that added them.
        crate::server::analytics::summary::ensure(&db).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(db)
    }

    #[cfg(not(feature = "postgres"))]
    async fn connect(url: &str) -> anyhow::Result<Db> {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
        use std::str::FromStr;
        use std::time::Duration;
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
        Ok(Db { read, write, batch: Default::default() })
    }

    /// One pool: PostgreSQL takes concurrent writers itself.
    #[cfg(feature = "postgres")]
    async fn connect(url: &str) -> anyhow::Result<Db> {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .acquire_slow_level(log::LevelFilter::Off)
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self::from_pool(pool))
    }

    /// One pool for both roles, as `#[sqlx::test]` hands out.
    pub fn from_pool(pool: Pool) -> Db {
        Db { read: pool.clone(), write: pool, batch: Default::default() }
    }

    /// Every write transaction takes SQLite's write lock up front; a deferred BEGIN that reads
    /// first fails with SQLITE_BUSY under concurrency instead of waiting.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let asked = Instant::now();
        let tx = begin_write(&self.write).await?;
        waits::note_write_wait(asked.elapsed());
        Ok(tx)
    }

    /// Runs `op` in the next group commit (see `batch`): answered once it is on disk.
    pub async fn batched<B: batch::Batched>(&self, op: B) -> crate::error::AppResult<B::Out> {
        self.batch.write(&self.write, op).await
    }
}

/// PostgreSQL advisory lock keys (`pg_advisory_xact_lock`): what SQLite's single writer
/// serializes by itself.
pub mod locks {
    /// Appending to the audit log's hash chain.
    pub const AUDIT_CHAIN: i64 = 0x466c_7220_6175_6469; // "Flr audi"
    /// The minute's sweeps: one app server runs them at a time.
    pub const SWEEP: i64 = 0x466c_7220_7377_6570; // "Flr swep"
}

/// A write transaction on `pool`: on SQLite it holds the write lock from its first statement.
pub async fn begin_write(pool: &Pool) -> Result<Tx, sqlx::Error> {
    #[cfg(not(feature = "postgres"))]
    return pool.begin_with("BEGIN IMMEDIATE").await;
    #[cfg(feature = "postgres")]
    return pool.begin().await;
}

#[cfg(not(feature = "postgres"))]
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
#[cfg(feature = "postgres")]
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The unique constraints a service turns into a field's error, each with how each backend names
/// it: PostgreSQL by the constraint's name (`migrations/postgres`); SQLite only in its message
/// ("UNIQUE constraint failed: users.email", or "… index 'teams_parent_name'").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unique {
    UserEmail,
    UserEmployeeNo,
    MetricCode,
    RoleplayRating,
    TeamNameEn,
    TeamName,
    FollowupStep,
    PositionNameZh,
    PositionNameEn,
}

impl Unique {
    /// Every one of them.
    pub const ALL: [Unique; 9] = [
        Unique::UserEmail,
        Unique::UserEmployeeNo,
        Unique::MetricCode,
        Unique::RoleplayRating,
        Unique::TeamNameEn,
        Unique::TeamName,
        Unique::FollowupStep,
        Unique::PositionNameZh,
        Unique::PositionNameEn,
    ];

    /// The constraint's or unique index's name on PostgreSQL.
    pub fn name(self) -> &'static str {
        match self {
            Unique::UserEmail => "users_email",
            Unique::UserEmployeeNo => "users_employee_no",
            Unique::MetricCode => "metrics_code_key",
            Unique::RoleplayRating => "roleplay_ratings_roleplay_id_rater_id_key",
            Unique::TeamNameEn => "teams_parent_name_en",
            Unique::TeamName => "teams_parent_name",
            Unique::FollowupStep => "followup_steps_once",
            Unique::PositionNameZh => "positions_name_zh",
            Unique::PositionNameEn => "positions_name_en",
        }
    }

    /// SQLite's message for it, which names the table and columns, or the index.
    pub fn sqlite(self) -> &'static str {
        match self {
            Unique::UserEmail => "UNIQUE constraint failed: users.email",
            Unique::UserEmployeeNo => "UNIQUE constraint failed: index 'users_employee_no'",
            Unique::MetricCode => "UNIQUE constraint failed: metrics.code",
            Unique::RoleplayRating => "UNIQUE constraint failed: roleplay_ratings.roleplay_id, roleplay_ratings.rater_id",
            Unique::TeamNameEn => "UNIQUE constraint failed: index 'teams_parent_name_en'",
            Unique::TeamName => "UNIQUE constraint failed: index 'teams_parent_name'",
            Unique::FollowupStep => "UNIQUE constraint failed: followup_steps.program_id, followup_steps.offset_days, followup_steps.observer",
            Unique::PositionNameZh => "UNIQUE constraint failed: index 'positions_name_zh'",
            Unique::PositionNameEn => "UNIQUE constraint failed: index 'positions_name_en'",
        }
    }
}

/// True when `e` is a violation of `which` (used to name the field in conflict).
pub fn is_unique_violation(e: &sqlx::Error, which: Unique) -> bool {
    let sqlx::Error::Database(db) = e else { return false };
    if !db.is_unique_violation() {
        return false;
    }
    #[cfg(feature = "postgres")]
    return db.constraint() == Some(which.name());
    #[cfg(not(feature = "postgres"))]
    return db.message() == which.sqlite();
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[cfg(not(feature = "postgres"))]
    #[test]
    fn a_sqlite_build_refuses_a_postgres_url_and_names_the_build_that_serves_it() {
        assert!(check_url("sqlite://data/floorready.db").is_ok());
        assert!(check_url("sqlite::memory:").is_ok());
        let e = check_url("postgres://floorready@db.example/floorready").unwrap_err().to_string();
        assert!(e.contains("`postgres` database URL") && e.contains("--features postgres"), "{e}");
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn a_postgres_build_refuses_a_sqlite_url_and_names_the_build_that_serves_it() {
        assert!(check_url("postgres://floorready@db.example/floorready").is_ok());
        assert!(check_url("postgresql://floorready@db.example/floorready").is_ok());
        let e = check_url("sqlite://data/floorready.db").unwrap_err().to_string();
        assert!(e.contains("`sqlite` database URL") && e.contains("without `--features postgres`"), "{e}");
    }
}
