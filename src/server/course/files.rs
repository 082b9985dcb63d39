//! Images and attachments for lessons. The type is decided by the file's bytes, never by the name or
//! the browser's claim; only a short list of types is kept, and SVG/HTML (which can carry scripts)
//! are never among them. Files are stored content-addressed under `<data dir>/files`.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::model::course::CourseFile;
use crate::model::user::Role;
use crate::server::audit::Actor;
use crate::server::audit::{self, Event};
use crate::server::auth::guard::CurrentUser;
use crate::server::db::Db;
use crate::server::now;

/// Below the request body limit, so the limit is reported as this clear error rather than a 413.
pub const MAX_FILE_BYTES: usize = 3 * 1024 * 1024;
const MAX_NAME_CHARS: usize = 120;

/// Sniffed MIME types we accept, with the extension the stored name gets.
const ALLOWED: &[(&str, &str)] = &[
    ("image/png", "png"),
    ("image/jpeg", "jpg"),
    ("image/gif", "gif"),
    ("image/webp", "webp"),
    ("application/pdf", "pdf"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
];

/// The accepted type of `bytes`, or a validation error naming the problem.
pub fn sniff(bytes: &[u8]) -> AppResult<(&'static str, &'static str)> {
    if bytes.is_empty() {
        return Err(AppError::validation("file", "error.file_empty"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::validation("file", "error.file_too_large"));
    }
    let found = infer::get(bytes).map(|t| t.mime_type());
    ALLOWED
        .iter()
        .find(|(mime, _)| Some(*mime) == found)
        .copied()
        .ok_or_else(|| AppError::validation("file", "error.file_type"))
}

/// A display and URL name: no path parts or odd characters, and the extension of the real type.
pub fn clean_name(original: &str, extension: &str) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.rsplit_once('.').map(|(s, _)| s).unwrap_or(base);
    let mut cleaned = String::new();
    for c in stem.chars() {
        let c = if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' };
        if !(c == '-' && cleaned.ends_with('-')) {
            cleaned.push(c);
        }
    }
    let stem: String = cleaned.trim_matches('-').chars().take(MAX_NAME_CHARS - 1 - extension.len()).collect();
    let stem = if stem.is_empty() { "file".to_string() } else { stem };
    format!("{stem}.{extension}")
}

/// Where an uploaded file lives under a data directory (or a backup): named by its SHA-256.
pub(crate) fn blob_path(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir.join("files").join(&sha256[..2]).join(sha256)
}

/// Checks and stores an upload; returns the new file's id.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, course_id))]
pub async fn upload(
    db: &Db,
    data_dir: &Path,
    actor: Actor<'_>,
    course_id: i64,
    original_name: &str,
    bytes: &[u8],
) -> AppResult<i64> {
    let (mime, ext) = sniff(bytes)?;
    let name = clean_name(original_name, ext);
    let sha256 = sha256_hex(bytes);
    let path = blob_path(data_dir, &sha256);
    if tokio::fs::metadata(&path).await.is_err() {
        // Write then rename, so a crash never leaves a partial file under the final name.
        let dir = path.parent().expect("blob path has a parent");
        tokio::fs::create_dir_all(dir).await.map_err(crate::error::internal)?;
        let tmp = dir.join(format!(".{sha256}.{}", std::process::id()));
        tokio::fs::write(&tmp, bytes).await.map_err(crate::error::internal)?;
        tokio::fs::rename(&tmp, &path).await.map_err(crate::error::internal)?;
    }
    let size = bytes.len() as i64;
    let at = now();
    let mut tx = db.begin().await?;
    let id = sqlx::query_scalar!(
        r#"insert into course_files (course_id, name, content_type, size_bytes, sha256, uploaded_by, created_at)
           values ($1, $2, $3, $4, $5, $6, $7) returning id as "id!""#,
        course_id,
        name,
        mime,
        size,
        sha256,
        actor.id,
        at
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event::by(actor, "course_file_uploaded", "course", course_id).detail(format!("{id} {name}")),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[tracing::instrument(skip_all, fields(course_id))]
pub async fn list(db: &Db, course_id: i64) -> AppResult<Vec<CourseFile>> {
    Ok(sqlx::query_as!(
        CourseFile,
        r#"select id as "id!", name, content_type, size_bytes, created_at from course_files where course_id = $1 order by id"#,
        course_id
    )
    .fetch_all(&db.read)
    .await?)
}

/// Deletes a file no lesson of any version links to; a linked file would break a published lesson.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, course_id, file_id))]
pub async fn delete(db: &Db, actor: Actor<'_>, course_id: i64, file_id: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let exists = sqlx::query_scalar!(
        "select count(*) as \"n!\" from course_files where id = $1 and course_id = $2",
        file_id,
        course_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if exists == 0 {
        return Err(AppError::NotFound);
    }
    let link = format!("%/files/{file_id}/%");
    let used = sqlx::query_scalar!(
        "select count(*) as \"n!\" from lessons l join course_modules m on m.id = l.module_id
         join course_versions v on v.id = m.version_id where v.course_id = $1 and l.body_md like $2",
        course_id,
        link
    )
    .fetch_one(&mut *tx)
    .await?;
    if used > 0 {
        return Err(AppError::validation("file", "error.file_in_use"));
    }
    sqlx::query!("delete from course_files where id = $1", file_id).execute(&mut *tx).await?;
    audit::record(&mut tx, Event::by(actor, "course_file_deleted", "course", course_id).detail(file_id.to_string()))
        .await?;
    tx.commit().await?;
    // The blob stays: another row (or course) may share the same content.
    Ok(())
}

/// A file and its bytes, for a caller who may read the course: an author, or someone enrolled.
#[tracing::instrument(skip_all, fields(caller = user.id, file_id))]
pub async fn read(db: &Db, data_dir: &Path, user: &CurrentUser, file_id: i64) -> AppResult<(CourseFile, Vec<u8>)> {
    let row = sqlx::query!(
        r#"select id as "id!", course_id, name, content_type, size_bytes, created_at, sha256
           from course_files where id = $1"#,
        file_id
    )
    .fetch_optional(&db.read)
    .await?
    .ok_or(AppError::NotFound)?;
    let enrolled = sqlx::query_scalar!(
        "select count(*) as \"n!\" from enrollments where course_id = $1 and user_id = $2",
        row.course_id,
        user.id
    )
    .fetch_one(&db.read)
    .await?;
    if enrolled == 0 && !user.has(Role::Admin) {
        // Not found rather than forbidden: the id alone says nothing about a course one cannot see.
        super::require_author(db, user, row.course_id).await.map_err(|_| AppError::NotFound)?;
    }
    let bytes = tokio::fs::read(blob_path(data_dir, &row.sha256)).await.map_err(crate::error::internal)?;
    let file = CourseFile {
        id: row.id,
        name: row.name,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
        created_at: row.created_at,
    };
    Ok((file, bytes))
}

/// An uploaded file's name: the SHA-256 of its content, in hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    #[test]
    fn type_comes_from_the_bytes() {
        assert_eq!(sniff(PNG).unwrap().0, "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap().0, "application/pdf");
        let refused: [&[u8]; 3] = [
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0",
        ];
        for bytes in refused {
            assert_eq!(sniff(bytes).unwrap_err(), AppError::validation("file", "error.file_type"));
        }
        assert_eq!(sniff(b"").unwrap_err(), AppError::validation("file", "error.file_empty"));
        let big = [PNG, &vec![0u8; MAX_FILE_BYTES]].concat();
        assert_eq!(sniff(&big).unwrap_err(), AppError::validation("file", "error.file_too_large"));
    }

    #[test]
    fn names_are_cleaned_and_get_the_real_extension() {
        assert_eq!(clean_name("../../etc/passwd.png", "png"), "passwd.png");
        assert_eq!(clean_name("C:\\Users\\x\\三包 规定 (2024).jpeg", "jpg"), "三包-规定-2024.jpg");
        assert_eq!(clean_name("page.html", "pdf"), "page.pdf");
        assert_eq!(clean_name("<>\"'.png", "png"), "file.png");
        assert!(clean_name(&"a".repeat(500), "png").chars().count() <= MAX_NAME_CHARS);
    }
}
