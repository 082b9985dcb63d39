//! argon2id hashing off the async runtime, and the password policy.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{internal, AppError, AppResult};

/// OWASP's argon2id parameters: m=19456 KiB, t=2, p=1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified against when the account does not exist, so the timing does not tell.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking("not a real password"));

fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password.as_bytes(), &salt).expect("argon2 hashing with valid parameters").to_string()
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// Each argon2 hash allocates a 19 MiB block. glibc raises its mmap threshold after the first
/// such block is freed, so later ones come from per-thread arenas and are never given back: a
/// login burst left the server at 1.2 GB. A fixed threshold keeps every block an mmap of its own,
/// returned to the system when the hash is done. Call once at start, before any thread runs.
pub fn return_hash_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; it is called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// How many hashes may run at once: half the cores (at least one), so that a login burst leaves
/// the other half to the requests that do not hash (saves of people already signed in went from
/// 6 ms to 1.8 s while every core hashed).
pub fn permits_for(cores: usize) -> usize {
    (cores / 2).max(1)
}

/// Each hash takes ~19 MiB and ~20 ms of CPU: a small semaphore keeps a burst of logins from
/// exhausting memory or starving everyone else.
pub struct Passwords {
    permits: Semaphore,
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

impl Passwords {
    pub fn new() -> Passwords {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Passwords { permits: Semaphore::new(permits_for(cores)) }
    }

    #[tracing::instrument(skip_all)]
    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let _permit = self.permits.acquire().await.map_err(internal)?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await.map_err(internal)
    }

    /// `hash` is `None` for an unknown account: a dummy hash is checked so the work is the same.
    #[tracing::instrument(skip_all)]
    pub async fn verify(&self, password: &str, hash: Option<String>) -> AppResult<bool> {
        let _permit = self.permits.acquire().await.map_err(internal)?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || match hash {
            Some(h) => verify_blocking(&password, &h),
            None => {
                verify_blocking(&password, &DUMMY_HASH);
                false
            }
        })
        .await
        .map_err(internal)
    }
}

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 128;

/// Length limits and a refusal of common or guessable passwords (zxcvbn's dictionaries, plus the
/// user's own name and email); no composition rules, as ASVS asks.
pub fn check_policy(password: &str, user_inputs: &[&str]) -> AppResult<()> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(AppError::validation("password", "error.password_too_short"));
    }
    if len > MAX_LEN {
        return Err(AppError::validation("password", "error.password_too_long"));
    }
    if zxcvbn::zxcvbn(password, user_inputs).score() < zxcvbn::Score::Two {
        return Err(AppError::validation("password", "error.password_common"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let p = Passwords::new();
        let h = p.hash("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(p.verify("correct horse battery", Some(h.clone())).await.unwrap());
        assert!(!p.verify("correct horse batterY", Some(h)).await.unwrap());
        assert!(!p.verify("anything", None).await.unwrap());
    }

    #[test]
    fn hashing_leaves_cores_for_everyone_else() {
        assert_eq!([1, 2, 3, 4, 8].map(permits_for), [1, 1, 1, 2, 4]);
    }

    #[test]
    fn policy_refuses_short_and_common_passwords() {
        assert!(check_policy("short1", &[]).is_err());
        assert!(check_policy("password", &[]).is_err());
        assert!(check_policy("12345678", &[]).is_err());
        assert!(check_policy("qwertyuiop", &[]).is_err());
        // The user's own details are as guessable as a dictionary word.
        assert!(check_policy("zhangwei2024", &["zhangwei", "zhangwei@example.com"]).is_err());
        assert!(check_policy("lantern-orbit-maple", &[]).is_ok());
        assert!(check_policy(&"x".repeat(129), &[]).is_err());
    }
}
