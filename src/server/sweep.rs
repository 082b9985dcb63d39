//! The minute's sweeps: overdue attempts, throttle counters, certifications, follow-ups, survey
//! reminders, expiry emails, the floor's daily count and the weekly digest. Each is safe to run
//! twice or after downtime; with several app servers on one PostgreSQL database, one server runs
//! them at a time.

use crate::error::AppResult;
use crate::server::config::Config;
use crate::server::db::Db;

/// Runs every sweep once, unless another server is running them now; true when it ran. A sweep
/// that fails is logged and the others still run.
pub async fn minute(db: &Db, config: &Config) -> AppResult<bool> {
    // SQLite has one server process, so there is nobody to wait for. PostgreSQL: a session lock
    // held for the whole run (each sweep commits in transactions of its own), released at the
    // end or, if this server dies, with its connection.
    #[cfg(feature = "postgres")]
    let mut held = {
        let mut conn = db.write.acquire().await?;
        let got: bool = sqlx::query_scalar("select pg_try_advisory_lock($1)")
            .bind(crate::server::db::locks::SWEEP)
            .fetch_one(&mut *conn)
            .await?;
        if !got {
            return Ok(false);
        }
        conn
    };
    run_all(db, config).await;
    #[cfg(feature = "postgres")]
    if let Err(e) =
        sqlx::query("select pg_advisory_unlock($1)").bind(crate::server::db::locks::SWEEP).execute(&mut *held).await
    {
        // A connection that cannot unlock is closed, which unlocks.
        tracing::error!(error = %e, "releasing the sweep lock failed");
        drop(held.detach());
    }
    Ok(true)
}

async fn run_all(db: &Db, config: &Config) {
    // Timed-out quiz attempts are closed and graded even if their trainee never comes back.
    if let Err(e) = crate::server::quiz::attempt::close_overdue(db).await {
        tracing::error!(error = %e, "closing overdue attempts failed");
    }
    let now_ms = crate::server::auth::throttle::now_ms();
    if let Err(e) = crate::server::auth::throttle::prune(db, now_ms).await {
        tracing::error!(error = %e, "pruning login throttle counters failed");
    }
    let at = crate::server::now();
    if let Err(e) = crate::server::cert::recompute::sweep(db, at).await {
        tracing::error!(error = %e, "certification sweep failed");
    }
    // Follow-ups after the certifications they hang on (a renewal closes the old cycle).
    if let Err(e) = crate::server::followup::sweep(db, at).await {
        tracing::error!(error = %e, "follow-up sweep failed");
    }
    // One reminder before a survey is due (emailed below with the other notices).
    if let Err(e) = crate::server::survey::remind(db, at).await {
        tracing::error!(error = %e, "survey reminders failed");
    }
    if let Err(e) = crate::server::cert::notify::send_email(db, config, at).await {
        tracing::error!(error = %e, "sending expiry emails failed");
    }
    // After the certifications moved: today's count of who is cleared, once a day.
    if let Err(e) = crate::server::analytics::floor::snapshot(db, at).await {
        tracing::error!(error = %e, "the floor's daily count failed");
    }
    // Monday's digest for each manager, once a week (emailed on the next run).
    if let Err(e) = crate::server::analytics::digest::weekly(db, at).await {
        tracing::error!(error = %e, "the weekly digest failed");
    }
}
