//! Group commit: small writes that arrive together share one transaction, so one fsync
//! acknowledges all of them. SQLite has one writer and every commit waits for the disk
//! (`synchronous=FULL`); committing one answer save at a time made the disk's fsync rate the
//! ceiling for a whole exam.
//!
//! A write is queued to the writer task, which takes everything waiting (up to `MAX_BATCH`), runs
//! the writes one after another, commits once and only then answers each caller: an acknowledged
//! write is on disk. The writes run without savepoints: each statement is a round trip to
//! SQLite's worker thread, and a savepoint and its release were half of an answer save's. If a
//! write fails, the whole transaction is rolled back and the batch runs again, this time each
//! write in a savepoint of its own and the failed one left out: it alone gets its error, the
//! others still commit. If the commit itself fails, every write of the batch gets the error.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::{Conn, Pool};
use tokio::sync::{mpsc, oneshot};

use crate::error::{internal, AppError, AppResult};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Most writes in one transaction: bounds how long the first caller of a batch waits.
/// `FLOORREADY_BATCH_MAX=1` commits each write alone (the load suite's baseline).
static MAX_BATCH: std::sync::LazyLock<usize> = std::sync::LazyLock::new(|| {
    std::env::var("FLOORREADY_BATCH_MAX").ok().and_then(|v| v.parse().ok()).filter(|n| *n >= 1).unwrap_or(256)
});

/// One write that may share a transaction with others. It must read what it decides on inside
/// `write` (the row may have changed since the caller looked) and must not commit. It may run
/// twice: when another write of its batch fails, the first run is rolled back and it runs again.
pub trait Batched: Send + 'static {
    type Out: Send + 'static;
    fn write<'a>(&'a mut self, conn: &'a mut Conn) -> BoxFuture<'a, AppResult<Self::Out>>;
}

/// A queued write with its answer, type-erased so any `Batched` shares the queue.
trait Job: Send {
    fn run<'a>(&'a mut self, conn: &'a mut Conn) -> BoxFuture<'a, bool>;
    fn answer(self: Box<Self>, committed: Result<(), AppError>);
}

struct Pending<B: Batched> {
    op: B,
    out: Option<AppResult<B::Out>>,
    reply: oneshot::Sender<AppResult<B::Out>>,
}

impl<B: Batched> Job for Pending<B> {
    fn run<'a>(&'a mut self, conn: &'a mut Conn) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let out = self.op.write(conn).await;
            let ok = out.is_ok();
            self.out = Some(out);
            ok
        })
    }

    fn answer(self: Box<Self>, committed: Result<(), AppError>) {
        let out = match committed {
            Ok(()) => self.out.unwrap_or(Err(AppError::Internal)),
            Err(e) => Err(e),
        };
        // The caller may have gone away (a closed connection); its write stands.
        let _ = self.reply.send(out);
    }
}

/// How many batches and writes were committed, and the largest batch: logged by the minute
/// sweep so a load test can read the batch sizes it caused.
#[derive(Debug, Default)]
pub struct BatchStats {
    pub batches: AtomicU64,
    pub writes: AtomicU64,
    pub largest: AtomicU64,
    /// Batches of 1, 2-4, 5-16, 17-64 and 65 or more writes.
    pub sizes: [AtomicU64; 5],
    /// Batches run a second time, in savepoints, because one of their writes failed.
    pub reruns: AtomicU64,
}

impl BatchStats {
    fn record(&self, n: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(n as u64, Ordering::Relaxed);
        self.largest.fetch_max(n as u64, Ordering::Relaxed);
        let bucket = match n {
            1 => 0,
            2..=4 => 1,
            5..=16 => 2,
            17..=64 => 3,
            _ => 4,
        };
        self.sizes[bucket].fetch_add(1, Ordering::Relaxed);
    }

    /// The figures since the last call, reset.
    pub fn take(&self) -> BatchFigures {
        BatchFigures {
            batches: self.batches.swap(0, Ordering::Relaxed),
            writes: self.writes.swap(0, Ordering::Relaxed),
            largest: self.largest.swap(0, Ordering::Relaxed),
            sizes: std::array::from_fn(|i| self.sizes[i].swap(0, Ordering::Relaxed)),
            reruns: self.reruns.swap(0, Ordering::Relaxed),
        }
    }
}

/// `BatchStats` read and reset at once (see its fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchFigures {
    pub batches: u64,
    pub writes: u64,
    pub largest: u64,
    pub sizes: [u64; 5],
    pub reruns: u64,
}

/// The queue to the writer task, started on first use inside the caller's runtime.
#[derive(Clone, Default)]
pub struct Batcher {
    queue: Arc<OnceLock<mpsc::UnboundedSender<Box<dyn Job>>>>,
    pub stats: Arc<BatchStats>,
}

impl std::fmt::Debug for Batcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").field("stats", &self.stats).finish()
    }
}

impl Batcher {
    /// Queues `op` and waits until its batch is committed.
    pub async fn write<B: Batched>(&self, pool: &Pool, op: B) -> AppResult<B::Out> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(writer(pool.clone(), rx, self.stats.clone()));
            tx
        });
        let (reply, answer) = oneshot::channel();
        queue.send(Box::new(Pending { op, out: None, reply })).map_err(|_| internal("the batch writer has stopped"))?;
        answer.await.map_err(|_| internal("the batch writer dropped a write"))?
    }
}

async fn writer(pool: Pool, mut queue: mpsc::UnboundedReceiver<Box<dyn Job>>, stats: Arc<BatchStats>) {
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < *MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let committed = commit_batch(&pool, &mut jobs, &stats).await;
        stats.record(jobs.len());
        for job in jobs {
            job.answer(committed.clone());
        }
    }
}

async fn commit_batch(pool: &Pool, jobs: &mut [Box<dyn Job>], stats: &BatchStats) -> Result<(), AppError> {
    let asked = Instant::now();
    let mut tx = super::begin_write(pool).await?;
    super::waits::note_write_wait(asked.elapsed());
    let mut failed = None;
    for (i, job) in jobs.iter_mut().enumerate() {
        if !job.run(&mut tx).await {
            failed = Some(i);
            break;
        }
    }
    let Some(failed) = failed else {
        tx.commit().await?;
        return Ok(());
    };
    // The failed write may have written part of itself: start again, each write isolated.
    tx.rollback().await?;
    stats.reruns.fetch_add(1, Ordering::Relaxed);
    let mut tx = super::begin_write(pool).await?;
    for (i, job) in jobs.iter_mut().enumerate() {
        if i == failed {
            continue;
        }
        sqlx::query("savepoint one_write").execute(&mut *tx).await?;
        if !job.run(&mut tx).await {
            sqlx::query("rollback to one_write").execute(&mut *tx).await?;
        }
        sqlx::query("release one_write").execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
