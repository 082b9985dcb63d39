//! Login throttling in memory, per client address, per account and per (account, address), for
//! untrusted clients; per device for browsers trusted for the account (`device`).
//!
//! The pair limit stops one client guessing one account quickly; the address limit stops one
//! client spraying many accounts; the account limit slows a distributed attack on one account.
//! None of them applies to a browser where the account's owner signed in before: it carries a
//! device cookie and is throttled only by its own failures, so an attacker can neither keep a
//! real user locked out by renewing the account lock, nor lock out everyone behind one office
//! address (OWASP "Slow Down Online Guessing Attacks with Device Cookies").

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

#[derive(Default)]
pub struct Throttle {
    entries: Mutex<HashMap<String, Entry>>,
}

/// Keeps memory bounded under a flood of distinct keys.
const MAX_ENTRIES: usize = 100_000;

impl Throttle {
    fn keys(login: &str, client: Client<'_>) -> Vec<(String, Rule)> {
        let login = login.trim().to_lowercase();
        match client {
            Client::Trusted { device } => vec![(format!("d\u{0}{device}"), PAIR)],
            Client::Untrusted { ip } => vec![
                (format!("p\u{0}{login}\u{0}{ip}"), PAIR),
                (format!("a\u{0}{ip}"), ADDRESS),
                (format!("u\u{0}{login}"), ACCOUNT),
            ],
        }
    }

    /// `Err(seconds)` when a login attempt must wait that long.
    pub fn check(&self, login: &str, client: Client<'_>, now: Instant) -> Result<(), u64> {
        let entries = self.entries.lock().expect("throttle lock");
        let wait = Self::keys(login, client)
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

    pub fn record_failure(&self, login: &str, client: Client<'_>, now: Instant) {
        let mut entries = self.entries.lock().expect("throttle lock");
        if entries.len() > MAX_ENTRIES {
            entries.retain(|_, e| {
                now.duration_since(e.first_failure) < ADDRESS.window || e.locked_until.is_some_and(|u| u > now)
            });
        }
        for (key, rule) in Self::keys(login, client) {
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

    /// A correct password clears this client's counters for the account (not the address's: a
    /// sprayer who owns one account must not reset their budget with it).
    pub fn record_success(&self, login: &str, client: Client<'_>) {
        let mut entries = self.entries.lock().expect("throttle lock");
        for (key, _) in Self::keys(login, client) {
            if !key.starts_with("a\u{0}") {
                entries.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(ip: &str) -> Client<'_> {
        Client::Untrusted { ip }
    }

    #[test]
    fn five_free_failures_then_a_growing_lock() {
        let t = Throttle::default();
        let t0 = Instant::now();
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
        assert!(t.check("li.na@example.com", ip("10.0.0.1"), t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn a_distributed_attack_locks_an_account_only_briefly() {
        let t = Throttle::default();
        let t0 = Instant::now();
        for i in 0..40 {
            t.record_failure("victim", ip(&format!("198.51.100.{i}")), t0);
        }
        let wait = t.check("victim", ip("203.0.113.9"), t0).unwrap_err();
        assert!(wait <= 60, "account lock must stay short, was {wait}s");
        assert!(t.check("victim", ip("203.0.113.9"), t0 + Duration::from_secs(61)).is_ok());
    }

    #[test]
    fn one_address_spraying_accounts_is_stopped() {
        let t = Throttle::default();
        let t0 = Instant::now();
        for i in 0..31 {
            t.record_failure(&format!("user{i}"), ip("192.0.2.7"), t0);
        }
        assert!(t.check("someone-new", ip("192.0.2.7"), t0).is_err());
        assert!(t.check("someone-new", ip("192.0.2.8"), t0).is_ok());
    }

    #[test]
    fn success_clears_the_account_but_not_the_address() {
        let t = Throttle::default();
        let t0 = Instant::now();
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
        let t0 = Instant::now();
        // 21 guesses from 7 addresses lock the account for untrusted clients...
        for i in 0..21 {
            t.record_failure("victim", ip(&format!("198.51.100.{}", i % 7)), t0);
        }
        assert!(t.check("victim", ip("203.0.113.9"), t0).is_err());
        // ...and one more whenever the lock ends renews it, but never for the owner's browser.
        for minute in 1..5 {
            let later = t0 + Duration::from_secs(61 * minute);
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
        let t0 = Instant::now();
        let device = Client::Trusted { device: "dev-3" };
        for _ in 0..6 {
            t.record_failure("wang", device, t0);
        }
        assert_eq!(t.check("wang", device, t0), Err(30));
        assert!(t.check("wang", ip("192.0.2.1"), t0).is_ok(), "a trusted browser's failures lock only itself");
    }
}
