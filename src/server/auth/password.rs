//! argon2id hashing off the async runtime, and the password policy.

use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::error::{internal, AppError, AppResult};

/// OWASP's argon2id parameters: m=19456 KiB, t=2, p=1.
fn params() -> Params {
    Params::new(19_456, 2, 1, None).expect("valid argon2 parameters")
}

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified against when the account does not exist, so the timing does not tell.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_with("not a real password", &mut vec![Block::default(); params().block_count()]));

/// A new hash, computed in `blocks` (the hashing thread's own memory, reused from hash to hash).
fn hash_with(password: &str, blocks: &mut [Block]) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let mut raw = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut raw).expect("a generated salt decodes");
    let params = params();
    let hash = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2(params.clone())
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut *blocks)
            .map_err(|_| argon2::password_hash::Error::Password)
    })
    .expect("argon2 hashing with valid parameters");
    PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("argon2 parameters print"),
        salt: Some(salt.as_salt()),
        hash: Some(hash),
    }
    .to_string()
}

/// Checks `password` against a stored hash. Hashes with today's parameters are recomputed in
/// `blocks`; others (older parameters) take argon2's own path, which allocates its memory.
fn verify_with(password: &str, hash: &str, blocks: &mut [Block]) -> bool {
    let Ok(h) = PasswordHash::new(hash) else { return false };
    let ours = params();
    let (Ok(p), Some(salt), Some(expected)) = (Params::try_from(&h), h.salt, h.hash) else { return false };
    let same = h.algorithm == argon2::ARGON2ID_IDENT
        && h.version == Some(Version::V0x13.into())
        && (p.m_cost(), p.t_cost(), p.p_cost()) == (ours.m_cost(), ours.t_cost(), ours.p_cost());
    if !same {
        return Argon2::default().verify_password(password.as_bytes(), &h).is_ok();
    }
    let mut raw = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut raw) else { return false };
    Output::init_with(expected.len(), |out| {
        argon2(p)
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut *blocks)
            .map_err(|_| argon2::password_hash::Error::Password)
    })
    // `Output`'s equality is constant-time.
    .is_ok_and(|computed| computed == expected)
}

/// Allocator tuning for `main`, called once at start: big allocations
/// outside the hashing threads (argon2's own path for older hashes) are mmapped and returned to
/// the system instead of growing glibc's arenas. (Capping the arenas at one per core was
/// measured too: the suite's peak stayed at 233 MB, so it is not set; so was mimalloc, see
/// bench/README.md.)
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning and takes glibc's own locks, so the runtime's
    // threads may already run.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Returns the allocator's free memory to the system (glibc keeps freed memory in its arenas).
pub fn trim_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// Password hashing on threads of its own: one per core, each with one argon2 memory block
/// buffer (19 MiB) allocated once and reused, at a lower scheduling priority.
///
/// - Memory stays at cores x 19 MiB however many people sign in (a fresh block per hash left
///   glibc's arenas at 1.2 GB after a burst, and mapping each block anew cost 30 % of throughput).
/// - Every core may hash when nothing else runs, but a request that does not hash (an answer save)
///   is scheduled first: a burst of logins no longer takes the cores from people already signed in.
pub struct Passwords {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

/// How long a hashing thread keeps its block with nothing to hash.
const KEEP_BLOCKS: std::time::Duration = std::time::Duration::from_secs(20);

/// The nice value of the hashing threads (0 is normal; higher yields to others).
const HASHING_NICE: i32 = 10;

impl Passwords {
    pub fn new() -> Passwords {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self::with_threads(cores)
    }

    pub fn with_threads(threads: usize) -> Passwords {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority();
                    // Allocated at the first hash: an idle server, or a test's, holds none.
                    let mut blocks = Vec::new();
                    loop {
                        // The lock is held only while waiting for the next job, not while hashing.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv_timeout(KEEP_BLOCKS),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => {
                                if blocks.is_empty() {
                                    blocks = vec![Block::default(); params().block_count()];
                                }
                                job(&mut blocks)
                            }
                            // Quiet for a while: give the block back (an mmap of its own, see
                            // `tune_allocator`), so an idle server is back to its idle size.
                            Err(mpsc::RecvTimeoutError::Timeout) => blocks = Vec::new(),
                            Err(mpsc::RecvTimeoutError::Disconnected) => return,
                        }
                    }
                })
                .expect("start a password hashing thread");
        }
        Passwords { jobs: Mutex::new(tx) }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut [Block]) -> T + Send + 'static) -> AppResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |blocks| {
            let _ = reply.send(work(blocks));
        });
        self.jobs.lock().map_err(internal)?.send(job).map_err(internal)?;
        answer.await.map_err(internal)
    }

    #[tracing::instrument(skip_all)]
    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let password = password.to_owned();
        self.run(move |blocks| hash_with(&password, blocks)).await
    }

    /// `hash` is `None` for an unknown account: a dummy hash is checked so the work is the same.
    #[tracing::instrument(skip_all)]
    pub async fn verify(&self, password: &str, hash: Option<String>) -> AppResult<bool> {
        let password = password.to_owned();
        self.run(move |blocks| match hash {
            Some(h) => verify_with(&password, &h, blocks),
            None => {
                verify_with(&password, &DUMMY_HASH, blocks);
                false
            }
        })
        .await
    }
}

/// Lowers the calling thread's priority (on Linux the nice value is per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's id; raising the nice value needs no privilege.
    unsafe {
        let tid = libc::gettid();
        if libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, HASHING_NICE) != 0 {
            tracing::warn!("could not lower the password hashing threads' priority");
        }
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
    fn reused_memory_reads_and_writes_the_standard_format() {
        use argon2::password_hash::PasswordHasher;
        let mut blocks = vec![Block::default(); params().block_count()];
        // A hash stored before the hashing threads existed (argon2's own path) still verifies.
        let salt = SaltString::generate(&mut OsRng);
        let stored = argon2(params()).hash_password(b"lantern-orbit-maple", &salt).unwrap().to_string();
        assert!(verify_with("lantern-orbit-maple", &stored, &mut blocks));
        assert!(!verify_with("lantern-orbit-mapl", &stored, &mut blocks));
        // And a hash made in reused memory verifies through argon2's own path.
        let made = hash_with("lantern-orbit-maple", &mut blocks);
        let parsed = PasswordHash::new(&made).unwrap();
        assert!(Argon2::default().verify_password(b"lantern-orbit-maple", &parsed).is_ok());
        // Other parameters (an older policy) take argon2's own path.
        let small = Params::new(4096, 1, 1, None).unwrap();
        let old = argon2(small).hash_password(b"lantern-orbit-maple", &salt).unwrap().to_string();
        assert!(verify_with("lantern-orbit-maple", &old, &mut blocks));
        assert!(!verify_with("lantern", &old, &mut blocks));
        assert!(!verify_with("lantern-orbit-maple", "not a hash", &mut blocks));
    }

    #[tokio::test]
    async fn hashing_threads_reuse_their_memory_and_yield_to_requests() {
        let p = Passwords::with_threads(1);
        let first = p.run(|blocks: &mut [Block]| blocks.as_ptr() as usize).await.unwrap();
        p.verify("anything", None).await.unwrap();
        let again = p.run(|blocks: &mut [Block]| blocks.as_ptr() as usize).await.unwrap();
        assert_eq!(first, again, "one buffer per thread, not one per hash");
        #[cfg(target_os = "linux")]
        {
            // SAFETY: getpriority on the calling thread's id.
            let nice =
                p.run(|_: &mut [Block]| unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) });
            assert_eq!(nice.await.unwrap(), HASHING_NICE);
        }
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
