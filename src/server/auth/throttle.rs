//! Login throttling per client address, per account and per (account, address), for untrusted
//! clients; per device for browsers trusted for the account (`device`).
//!
//! The pair limit stops one client guessing one account quickly; the address limit stops one
//! client spraying many accounts; the account limit slows a distributed attack on one account.
//! None of them applies to a browser where the account's owner signed in before: it carries a
//! device cookie and is throttled only by its own failures, so an attacker can neither keep a
//! real user locked out by renewing the account lock, nor lock out everyone behind one office
//! address (OWASP "Slow Down Online Guessing Attacks with Device Cookies").
//!
//! The counters live in the database (`login_throttle`), not in a server's memory, so several
//! app servers on one database share them. A failure is recorded in the login's own write
//! transaction (with its audit entry), so the read-modify-write of a counter is serialised.

use crate::server::db::{Db, Tx};

/// Durations in milliseconds, like the stored times.
#[derive(Debug, Clone, Copy)]
struct Rule {
    /// Failures allowed inside `window` before a lock starts.
    free: i64,
    window: i64,
    /// First lock; doubles with each further failure, up to `max_lock`.
    base_lock: i64,
    max_lock: i64,
}

const SEC: i64 = 1000;
const MIN: i64 = 60 * SEC;

const PAIR: Rule = Rule { free: 5, window: 15 * MIN, base_lock: 30 * SEC, max_lock: 15 * MIN };
const ADDRESS: Rule = Rule { free: 30, window: 15 * MIN, base_lock: MIN, max_lock: 15 * MIN };
const ACCOUNT: Rule = Rule { free: 20, window: 15 * MIN, base_lock: 10 * SEC, max_lock: MIN };
/// The longest a row can matter: a window, or a lock, whichever is longer.
const LONGEST: i64 = 15 * MIN;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    failures: i64,
    first_failure_ms: i64,
    locked_until_ms: Option<i64>,
}

impl Entry {
    /// The entry after one more failure at `now`: a window that is over (and not locked) starts
    /// again; past the free failures, a lock that doubles with each further one.
    fn fail(before: Option<Entry>, rule: Rule, now: i64) -> Entry {
        let mut e = before.unwrap_or(Entry { failures: 0, first_failure_ms: now, locked_until_ms: None });
        let lock_active = e.locked_until_ms.is_some_and(|u| u > now);
        if now - e.first_failure_ms > rule.window && !lock_active {
            e = Entry { failures: 0, first_failure_ms: now, locked_until_ms: None };
        }
        e.failures += 1;
        if e.failures > rule.free {
            let doublings = (e.failures - rule.free - 1).min(16);
            e.locked_until_ms = Some(now + rule.base_lock.saturating_mul(1 << doublings).min(rule.max_lock));
        }
        e
    }
}

/// Whole seconds to wait (at least 1) for the longest of these locks still running at `now`.
fn wait_secs(locks: impl IntoIterator<Item = Option<i64>>, now: i64) -> Option<u64> {
    let wait = locks.into_iter().flatten().map(|until| until - now).filter(|w| *w > 0).max()?;
    Some(((wait + SEC - 1) / SEC).max(1) as u64)
}

/// Who is trying to sign in, as far as throttling goes.
#[derive(Debug, Clone, Copy)]
pub enum Client<'a> {
    /// A browser carrying a device cookie issued to this account.
    Trusted {
        device: &'a str,
    },
    Untrusted {
        ip: &'a str,
    },
}

/// Parts of a key are joined by the unit separator (U+001F): neither an address nor a device id
/// holds one, and PostgreSQL's text, unlike SQLite's, refuses the NUL used before.
fn keys(login: &str, client: Client<'_>) -> Vec<(String, Rule)> {
    let login = login.trim().to_lowercase();
    match client {
        Client::Trusted { device } => vec![(format!("d\u{1f}{device}"), PAIR)],
        Client::Untrusted { ip } => vec![
            (format!("p\u{1f}{login}\u{1f}{ip}"), PAIR),
            (format!("a\u{1f}{ip}"), ADDRESS),
            (format!("u\u{1f}{login}"), ACCOUNT),
        ],
    }
}

/// A correct password clears every key but the address's: a sprayer who owns one account must
/// not reset their budget with it.
fn cleared_by_success(key: &str) -> bool {
    !key.starts_with("a\u{1f}")
}

/// Milliseconds since the Unix epoch: the throttle's clock, shared by every server.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `Ok(Err(seconds))` when a login attempt must wait that long.
pub async fn check(db: &Db, login: &str, client: Client<'_>, now: i64) -> Result<Result<(), u64>, sqlx::Error> {
    let mut locks = Vec::new();
    for (key, _) in keys(login, client) {
        let lock = sqlx::query_scalar!("select locked_until_ms from login_throttle where key = $1", key)
            .fetch_optional(&db.read)
            .await?;
        locks.push(lock.flatten());
    }
    Ok(wait_secs(locks, now).map_or(Ok(()), Err))
}

/// Counts a failed attempt against each of the client's keys, in the login's transaction.
pub async fn record_failure(tx: &mut Tx, login: &str, client: Client<'_>, now: i64) -> Result<(), sqlx::Error> {
    for (key, rule) in keys(login, client) {
        let before = sqlx::query_as!(
            Entry,
            "select failures, first_failure_ms, locked_until_ms from login_throttle where key = $1",
            key
        )
        .fetch_optional(&mut **tx)
        .await?;
        let e = Entry::fail(before, rule, now);
        sqlx::query!(
            "insert into login_throttle (key, failures, first_failure_ms, locked_until_ms) values ($1, $2, $3, $4)
             on conflict (key) do update set failures = excluded.failures,
               first_failure_ms = excluded.first_failure_ms, locked_until_ms = excluded.locked_until_ms",
            key,
            e.failures,
            e.first_failure_ms,
            e.locked_until_ms
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A correct password clears this client's counters for the account (`cleared_by_success`).
pub async fn record_success(tx: &mut Tx, login: &str, client: Client<'_>) -> Result<(), sqlx::Error> {
    for (key, _) in keys(login, client) {
        if cleared_by_success(&key) {
            sqlx::query!("delete from login_throttle where key = $1", key).execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// Drops rows that no longer hold anything back (window over, no running lock); run by the sweep.
pub async fn prune(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let before = now - LONGEST;
    let done = sqlx::query!(
        "delete from login_throttle where first_failure_ms < $1 and coalesce(locked_until_ms, 0) < $2",
        before,
        now
    )
    .execute(&db.write)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The same rules over a map: what `check`, `record_failure` and `record_success` do to the
    /// table (the database path itself is tested in tests/suite/auth.rs).
    #[derive(Default)]
    struct Throttle(std::cell::RefCell<HashMap<String, Entry>>);

    impl Throttle {
        fn check(&self, login: &str, client: Client<'_>, now: i64) -> Result<(), u64> {
            let m = self.0.borrow();
            wait_secs(keys(login, client).iter().map(|(k, _)| m.get(k).and_then(|e| e.locked_until_ms)), now)
                .map_or(Ok(()), Err)
        }
        fn record_failure(&self, login: &str, client: Client<'_>, now: i64) {
            let mut m = self.0.borrow_mut();
            for (k, rule) in keys(login, client) {
                let e = Entry::fail(m.get(&k).copied(), rule, now);
                m.insert(k, e);
            }
        }
        fn record_success(&self, login: &str, client: Client<'_>) {
            let mut m = self.0.borrow_mut();
            for (k, _) in keys(login, client) {
                if cleared_by_success(&k) {
                    m.remove(&k);
                }
            }
        }
    }

    const T0: i64 = 1_800_000_000_000;

    fn ip(ip: &str) -> Client<'_> {
        Client::Untrusted { ip }
    }

    #[test]
    fn five_free_failures_then_a_growing_lock() {
        let t = Throttle::default();
        let t0 = T0;
        for _ in 0..5 {
            assert!(t.check("li.na@example.com", ip("10.0.0.1"), t0).is_ok());
            t.record_failure("li.na@example.com", ip("10.0.0.1"), t0);
        }
        assert!(t.check("li.na@example.com", ip("10.0.0.1"), t0).is_ok());
        t.record_failure("LI.NA@example.com ", ip("10.0.0.1"), t0);
        assert_eq!(t.check("li.na@example.com", ip("10.0.0.1"), t0), Err(30));
        // Another address is not held back by the pair lock.
        assert!(t.check("li.na@example.com", ip("10.0.0.2"), t0).is_ok());
        t.record_failure("li.na@example.com", ip("10.0.0.1"), t0);
        assert_eq!(t.check("li.na@example.com", ip("10.0.0.1"), t0), Err(60));
        assert!(t.check("li.na@example.com", ip("10.0.0.1"), t0 + 61 * SEC).is_ok());
    }

    #[test]
    fn a_distributed_attack_locks_an_account_only_briefly() {
        let t = Throttle::default();
        let t0 = T0;
        for i in 0..40 {
            t.record_failure("victim", ip(&format!("198.51.100.{i}")), t0);
        }
        let wait = t.check("victim", ip("203.0.113.9"), t0).unwrap_err();
        assert!(wait <= 60, "account lock must stay short, was {wait}s");
        assert!(t.check("victim", ip("203.0.113.9"), t0 + 61 * SEC).is_ok());
    }

    #[test]
    fn one_address_spraying_accounts_is_stopped() {
        let t = Throttle::default();
        let t0 = T0;
        for i in 0..31 {
            t.record_failure(&format!("user{i}"), ip("192.0.2.7"), t0);
        }
        assert!(t.check("someone-new", ip("192.0.2.7"), t0).is_err());
        assert!(t.check("someone-new", ip("192.0.2.8"), t0).is_ok());
    }

    #[test]
    fn success_clears_the_account_but_not_the_address() {
        let t = Throttle::default();
        let t0 = T0;
        for _ in 0..6 {
            t.record_failure("wang", ip("192.0.2.1"), t0);
        }
        assert!(t.check("wang", ip("192.0.2.1"), t0).is_err());
        t.record_success("wang", ip("192.0.2.1"));
        assert!(t.check("wang", ip("192.0.2.1"), t0).is_ok());
    }

    #[test]
    fn a_trusted_browser_is_not_locked_out_by_failures_elsewhere() {
        let t = Throttle::default();
        let t0 = T0;
        // 21 guesses from 7 addresses lock the account for untrusted clients...
        for i in 0..21 {
            t.record_failure("victim", ip(&format!("198.51.100.{}", i % 7)), t0);
        }
        assert!(t.check("victim", ip("203.0.113.9"), t0).is_err());
        // ...and one more whenever the lock ends renews it, but never for the owner's browser.
        for minute in 1..5i64 {
            let later = t0 + 61 * SEC * minute;
            t.record_failure("victim", ip("198.51.100.1"), later);
            assert!(t.check("victim", ip("203.0.113.9"), later).is_err());
            assert!(t.check("victim", Client::Trusted { device: "dev-1" }, later).is_ok());
        }
        // 31 failures from one office address: the colleague's trusted browser there still gets in.
        for i in 0..31 {
            t.record_failure(&format!("user{i}"), ip("192.0.2.7"), t0);
        }
        assert!(t.check("colleague", ip("192.0.2.7"), t0).is_err());
        assert!(t.check("colleague", Client::Trusted { device: "dev-2" }, t0).is_ok());
    }

    #[test]
    fn a_trusted_browser_has_its_own_limit() {
        let t = Throttle::default();
        let t0 = T0;
        let device = Client::Trusted { device: "dev-3" };
        for _ in 0..6 {
            t.record_failure("wang", device, t0);
        }
        assert_eq!(t.check("wang", device, t0), Err(30));
        assert!(t.check("wang", ip("192.0.2.1"), t0).is_ok(), "a trusted browser's failures lock only itself");
    }
}
