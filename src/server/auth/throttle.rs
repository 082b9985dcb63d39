//! Login throttling in memory, per client address, per account and per (account, address).
//!
//! The pair limit stops one client guessing one account quickly; the address limit stops one
//! client spraying many accounts; the account limit slows a distributed attack on one account,
//! but its lock is short (at most a minute) so an attacker cannot keep a real user out for long.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
struct Rule {
    /// Failures allowed inside `window` before a lock starts.
    free: u32,
    window: Duration,
    /// First lock; doubles with each further failure, up to `max_lock`.
    base_lock: Duration,
    max_lock: Duration,
}

const PAIR: Rule = Rule {
    free: 5,
    window: Duration::from_secs(15 * 60),
    base_lock: Duration::from_secs(30),
    max_lock: Duration::from_secs(15 * 60),
};
const ADDRESS: Rule = Rule {
    free: 30,
    window: Duration::from_secs(15 * 60),
    base_lock: Duration::from_secs(60),
    max_lock: Duration::from_secs(15 * 60),
};
const ACCOUNT: Rule = Rule {
    free: 20,
    window: Duration::from_secs(15 * 60),
    base_lock: Duration::from_secs(10),
    max_lock: Duration::from_secs(60),
};

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    first_failure: Instant,
    locked_until: Option<Instant>,
}

#[derive(Default)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
}

/// Keeps memory bounded under a flood of distinct keys.
const MAX_ENTRIES: usize = 100_000;

impl Throttle {
    fn keys(login: &str, ip: &str) -> [(String, Rule); 3] {
        let login = login.trim().to_lowercase();
        [
            (format!("p\u{0}{login}\u{0}{ip}"), PAIR),
            (format!("a\u{0}{ip}"), ADDRESS),
            (format!("u\u{0}{login}"), ACCOUNT),
        ]
    }

    /// `Err(seconds)` when a login attempt must wait that long.
    pub fn check(&self, login: &str, ip: &str, now: Instant) -> Result<(), u64> {
        let entries = self.entries.lock().expect("throttle lock");
        let wait = Self::keys(login, ip)
            .iter()
            .filter_map(|(k, _)| entries.get(k)?.locked_until)
            .filter(|until| *until > now)
            .map(|until| until.duration_since(now))
            .max();
        match wait {
            Some(w) => Err((w.as_secs() + u64::from(w.subsec_nanos() > 0)).max(1)),
            None => Ok(()),
        }
    }

    pub fn record_failure(&self, login: &str, ip: &str, now: Instant) {
        let mut entries = self.entries.lock().expect("throttle lock");
        if entries.len() > MAX_ENTRIES {
            entries.retain(|_, e| {
                now.duration_since(e.first_failure) < ADDRESS.window || e.locked_until.is_some_and(|u| u > now)
            });
        }
        for (key, rule) in Self::keys(login, ip) {
            let e = entries.entry(key).or_insert(Entry { failures: 0, first_failure: now, locked_until: None });
            let lock_active = e.locked_until.is_some_and(|u| u > now);
            if now.duration_since(e.first_failure) > rule.window && !lock_active {
                *e = Entry { failures: 0, first_failure: now, locked_until: None };
            }
            e.failures += 1;
            if e.failures > rule.free {
                let doublings = (e.failures - rule.free - 1).min(16);
                let lock = rule.base_lock.saturating_mul(1 << doublings).min(rule.max_lock);
                e.locked_until = Some(now + lock);
            }
        }
    }

    /// A correct password clears this account's counters (not the address's: a sprayer who
    /// owns one account must not reset their budget with it).
    pub fn record_success(&self, login: &str, ip: &str) {
        let mut entries = self.entries.lock().expect("throttle lock");
        let [pair, _, account] = Self::keys(login, ip);
        entries.remove(&pair.0);
        entries.remove(&account.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_free_failures_then_a_growing_lock() {
        let t = Throttle::default();
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(t.check("li.na@example.com", "10.0.0.1", t0).is_ok());
            t.record_failure("li.na@example.com", "10.0.0.1", t0);
        }
        assert!(t.check("li.na@example.com", "10.0.0.1", t0).is_ok());
        t.record_failure("LI.NA@example.com ", "10.0.0.1", t0);
        assert_eq!(t.check("li.na@example.com", "10.0.0.1", t0), Err(30));
        // Another address is not held back by the pair lock.
        assert!(t.check("li.na@example.com", "10.0.0.2", t0).is_ok());
        t.record_failure("li.na@example.com", "10.0.0.1", t0);
        assert_eq!(t.check("li.na@example.com", "10.0.0.1", t0), Err(60));
        assert!(t.check("li.na@example.com", "10.0.0.1", t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn a_distributed_attack_locks_an_account_only_briefly() {
        let t = Throttle::default();
        let t0 = Instant::now();
        for i in 0..40 {
            t.record_failure("victim", &format!("198.51.100.{i}"), t0);
        }
        let wait = t.check("victim", "203.0.113.9", t0).unwrap_err();
        assert!(wait <= 60, "account lock must stay short, was {wait}s");
        assert!(t.check("victim", "203.0.113.9", t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn one_address_spraying_accounts_is_stopped() {
        let t = Throttle::default();
        let t0 = Instant::now();
        for i in 0..31 {
            t.record_failure(&format!("user{i}"), "192.0.2.7", t0);
        }
        assert!(t.check("someone-new", "192.0.2.7", t0).is_err());
        assert!(t.check("someone-new", "192.0.2.8", t0).is_ok());
    }

    #[test]
    fn success_clears_the_account_but_not_the_address() {
        let t = Throttle::default();
        let t0 = Instant::now();
        for _ in 0..6 {
            t.record_failure("wang", "192.0.2.1", t0);
        }
        assert!(t.check("wang", "192.0.2.1", t0).is_err());
        t.record_success("wang", "192.0.2.1");
        assert!(t.check("wang", "192.0.2.1", t0).is_ok());
    }
}
