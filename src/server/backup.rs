//! `floorready backup DEST` and `floorready restore SRC` for the embedded (SQLite) database.
//!
//! A backup is one directory: `floorready.db`, a consistent copy made with `VACUUM INTO` while
//! the server keeps serving (it reads one snapshot; writers are not held up); `files/`, the
//! uploaded files the copy refers to, each checked against its SHA-256 on the way; and
//! `backup.txt`, what it holds. A restore checks all of that before it replaces anything, and
//! refuses while a server is using the data directory.

use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;

use crate::server::course::files::{blob_path, sha256_hex};
use crate::server::db::Db;

pub const DB_FILE: &str = "floorready.db";
const MANIFEST: &str = "backup.txt";
/// Held shared by every `serve` on a data directory, exclusively by `restore`.
const LOCK_FILE: &str = "floorready.lock";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists and is not empty: a backup goes into a new or empty directory")]
    DestinationNotEmpty(PathBuf),
    #[error("{0} is not a backup: it has no {DB_FILE}")]
    NotABackup(PathBuf),
    #[error("the backup's database is damaged: {0}")]
    Damaged(String),
    #[error("uploaded file {0} is missing from {1}")]
    MissingFile(String, PathBuf),
    #[error("uploaded file {0} in {1} does not match its SHA-256: it is damaged")]
    BadFile(String, PathBuf),
    #[error("a Floorready server is using {0}: stop it first, then restore")]
    InUse(PathBuf),
    #[error("{0} already holds data: pass --replace to overwrite it with the backup")]
    TargetNotEmpty(PathBuf),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// What a backup or restore carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub users: i64,
    pub attempts: i64,
    pub audit_entries: i64,
    pub files: usize,
    pub db_bytes: u64,
}

/// Copies the live database and its uploaded files into `dest` (new or empty).
pub async fn backup(db: &Db, data_dir: &Path, dest: &Path) -> Result<Summary, BackupError> {
    if dest.exists() && std::fs::read_dir(dest)?.next().is_some() {
        return Err(BackupError::DestinationNotEmpty(dest.to_path_buf()));
    }
    std::fs::create_dir_all(dest)?;
    let copy = dest.join(DB_FILE);
    // One snapshot, read on a reader connection: the writer is not held up.
    sqlx::query("vacuum into ?").bind(copy.to_string_lossy().to_string()).execute(&db.read).await?;
    let summary = check_and_copy_files(&copy, data_dir, dest).await?;
    std::fs::write(dest.join(MANIFEST), manifest(&summary))?;
    Ok(summary)
}

/// Checks the backup in `src`, then puts it in place of the database at `db_path` and adds its
/// files to `data_dir/files`. Without `replace`, a database that already has users is kept.
pub async fn restore(src: &Path, data_dir: &Path, db_path: &Path, replace: bool) -> Result<Summary, BackupError> {
    let copy = src.join(DB_FILE);
    if !copy.is_file() {
        return Err(BackupError::NotABackup(src.to_path_buf()));
    }
    std::fs::create_dir_all(data_dir)?;
    let _lock = ServingLock::take(data_dir, true)?;
    if !replace && has_users(db_path).await? {
        return Err(BackupError::TargetNotEmpty(db_path.to_path_buf()));
    }
    // Everything is checked before anything is replaced (files are only ever added).
    let summary = check_and_copy_files(&copy, src, data_dir).await?;

    // The new file is complete and on disk before it takes the old one's name; the old one's
    // write-ahead log goes with it (applied to the restored file, it would corrupt it).
    let staged = db_path.with_extension("db.restoring");
    std::fs::copy(&copy, &staged)?;
    std::fs::File::open(&staged)?.sync_all()?;
    for side in ["db-wal", "db-shm"] {
        match std::fs::remove_file(db_path.with_extension(side)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&staged, db_path)?;
    if let Some(dir) = db_path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(summary)
}

/// The data directory's lock: shared while serving, exclusive while restoring. Released when
/// dropped, or when the process ends however it ends.
pub struct ServingLock {
    _file: std::fs::File,
}

impl ServingLock {
    pub fn take(data_dir: &Path, exclusive: bool) -> Result<ServingLock, BackupError> {
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(data_dir.join(LOCK_FILE))?;
        let how = if exclusive { libc::LOCK_EX } else { libc::LOCK_SH };
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&file), how | libc::LOCK_NB) } != 0 {
            return Err(BackupError::InUse(data_dir.to_path_buf()));
        }
        Ok(ServingLock { _file: file })
    }
}

/// Checks the database copy at `copy`, then copies the uploaded files it refers to from the
/// data directory (or backup) `from` into `to`; says what the copy holds.
async fn check_and_copy_files(copy: &Path, from: &Path, to: &Path) -> Result<Summary, BackupError> {
    let pool = open_read_only(copy).await?;
    let result = async {
        check_integrity(&pool).await?;
        let files = copy_files(&pool, from, to).await?;
        summarise(&pool, files, copy).await
    }
    .await;
    pool.close().await;
    result
}

async fn open_read_only(path: &Path) -> Result<SqlitePool, BackupError> {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    Ok(SqlitePoolOptions::new().max_connections(1).connect_with(options).await?)
}

async fn check_integrity(pool: &SqlitePool) -> Result<(), BackupError> {
    let problems: Vec<String> = sqlx::query_scalar("pragma integrity_check").fetch_all(pool).await.map_err(|e| {
        // A file that is not a database at all fails here, not with a row.
        BackupError::Damaged(e.to_string())
    })?;
    if problems != ["ok"] {
        return Err(BackupError::Damaged(problems.join("; ")));
    }
    Ok(())
}

async fn has_users(db_path: &Path) -> Result<bool, BackupError> {
    if !db_path.is_file() {
        return Ok(false);
    }
    let pool = open_read_only(db_path).await?;
    let n: Result<i64, _> = sqlx::query_scalar("select count(*) from users").fetch_one(&pool).await;
    pool.close().await;
    // No users table: an empty or foreign file, nothing of ours to keep.
    Ok(n.unwrap_or(0) > 0)
}

/// Copies every uploaded file the database refers to, from one data directory (or backup) to
/// another, checking each one's content against its name (the SHA-256); a file already at the
/// destination with the right content is kept.
async fn copy_files(pool: &SqlitePool, from: &Path, to: &Path) -> Result<usize, BackupError> {
    let hashes: Vec<String> =
        sqlx::query_scalar("select distinct sha256 from course_files order by sha256").fetch_all(pool).await?;
    for sha in &hashes {
        let (src, dst) = (blob_path(from, sha), blob_path(to, sha));
        let bytes = std::fs::read(&src).map_err(|_| BackupError::MissingFile(sha.clone(), from.join("files")))?;
        if sha256_hex(&bytes) != *sha {
            return Err(BackupError::BadFile(sha.clone(), from.join("files")));
        }
        if std::fs::read(&dst).is_ok_and(|b| b == bytes) {
            continue;
        }
        std::fs::create_dir_all(dst.parent().expect("a blob path has a parent"))?;
        std::fs::write(&dst, &bytes)?;
    }
    Ok(hashes.len())
}

async fn summarise(pool: &SqlitePool, files: usize, copy: &Path) -> Result<Summary, BackupError> {
    let count = |table: &'static str| {
        let sql = format!("select count(*) from {table}");
        async move { sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await }
    };
    Ok(Summary {
        users: count("users").await?,
        attempts: count("attempts").await?,
        audit_entries: count("audit_log").await?,
        files,
        db_bytes: std::fs::metadata(copy)?.len(),
    })
}

fn manifest(s: &Summary) -> String {
    format!(
        "Floorready backup\nmade: {}\ndatabase: {DB_FILE} ({} bytes)\nusers: {}\nquiz attempts: {}\naudit entries: {}\nuploaded files: {}\n\
         restore with: floorready restore <this directory>\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC"),
        s.db_bytes,
        s.users,
        s.attempts,
        s.audit_entries,
        s.files
    )
}
