//! Waits for the single writer, reported as counts at most once per interval. Under overload
//! sqlx warned once per waiting request (9,926 lines in one run), which buried everything else.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A wait longer than this counts as slow.
const SLOW: Duration = Duration::from_millis(500);
/// At most one warning per interval.
const EVERY: Duration = Duration::from_secs(10);

static SLOW_WAITS: AtomicU64 = AtomicU64::new(0);
static LONGEST_MS: AtomicU64 = AtomicU64::new(0);
static LAST_REPORT: Mutex<Option<Instant>> = Mutex::new(None);

/// Records how long a write waited for the database, and warns with the counts when the
/// interval since the last warning has passed.
pub fn note_write_wait(waited: Duration) {
    if waited < SLOW {
        return;
    }
    SLOW_WAITS.fetch_add(1, Ordering::Relaxed);
    LONGEST_MS.fetch_max(waited.as_millis() as u64, Ordering::Relaxed);
    let Ok(mut last) = LAST_REPORT.try_lock() else { return };
    let now = Instant::now();
    if last.is_some_and(|t| now.duration_since(t) < EVERY) {
        return;
    }
    *last = Some(now);
    let count = SLOW_WAITS.swap(0, Ordering::Relaxed);
    let longest_ms = LONGEST_MS.swap(0, Ordering::Relaxed);
    tracing::warn!(count, longest_ms, "writes waited over {} ms for the database", SLOW.as_millis());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_warning_per_interval_with_the_count() {
        // The first slow wait reports at once; the next ones are counted until the interval passes.
        note_write_wait(Duration::from_secs(1));
        for _ in 0..99 {
            note_write_wait(Duration::from_millis(700));
        }
        note_write_wait(Duration::from_millis(10));
        assert_eq!(SLOW_WAITS.load(Ordering::Relaxed), 99);
        assert_eq!(LONGEST_MS.load(Ordering::Relaxed), 700);
    }
}
