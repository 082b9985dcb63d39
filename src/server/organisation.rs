//! The organisation's name, logo and seal, set by an admin.

use crate::error::{AppError, AppResult};
use crate::model::organisation::{OrgImage, Organisation};
use crate::model::Names;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::spreadsheet::Letterhead;
use crate::server::{now, text};

/// Logos and seals are small pictures; a larger file is almost certainly the wrong one.
pub const MAX_IMAGE_BYTES: usize = 512 * 1024;

#[tracing::instrument(skip_all)]
pub async fn get(db: &Db) -> AppResult<Organisation> {
    let r = sqlx::query!(
        r#"select name_zh, name_en, logo is not null as "has_logo!: bool", seal is not null as "has_seal!: bool",
                  updated_at, survey_min_responses from organisation where id = 1"#
    )
    .fetch_optional(&db.read)
    .await?;
    Ok(r.map(|r| Organisation {
        name: Names::new(r.name_zh, r.name_en),
        has_logo: r.has_logo,
        has_seal: r.has_seal,
        updated_at: r.updated_at,
        survey_min_responses: r.survey_min_responses as u32,
    })
    .unwrap_or_default())
}

/// How many responses a survey needs before its results appear (1 to 100). Fewer makes one
/// person's answers easier to pick out; an admin decides, and the audit log says who.
#[tracing::instrument(skip_all, fields(actor = ?actor.id, k))]
pub async fn save_survey_threshold(db: &Db, actor: Actor<'_>, k: i64) -> AppResult<()> {
    if !(1..=100).contains(&k) {
        return Err(crate::error::AppError::validation("survey_min_responses", "error.survey_k_invalid"));
    }
    let mut tx = db.begin().await?;
    sqlx::query!("update organisation set survey_min_responses = $1 where id = 1", k).execute(&mut *tx).await?;
    audit::record(&mut tx, Event::by(actor, "survey_threshold_set", "organisation", 1).detail(k.to_string())).await?;
    tx.commit().await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id))]
pub async fn save_name(db: &Db, actor: Actor<'_>, name_zh: &str, name_en: &str) -> AppResult<()> {
    let zh = text::line("name_zh", name_zh, text::NAME)?;
    let en = text::line("name_en", name_en, text::NAME)?;
    let now = now();
    let mut tx = db.begin().await?;
    sqlx::query!("update organisation set name_zh = $1, name_en = $2, updated_at = $3 where id = 1", zh, en, now)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event::by(actor, "organisation_updated", "organisation", 1).detail(Names::new(zh, en).both()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The picture's type from its first bytes, not from what the browser claims: only PNG and JPEG
/// (an SVG could carry script).
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, which = which.as_str()))]
pub async fn set_image(db: &Db, actor: Actor<'_>, which: OrgImage, bytes: &[u8]) -> AppResult<()> {
    if bytes.is_empty() {
        return Err(AppError::validation("file", "error.file_empty"));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(AppError::validation("file", "error.image_too_large"));
    }
    let kind = image_type(bytes).ok_or(AppError::validation("file", "error.image_type"))?;
    store(db, actor, which, Some((bytes, kind))).await
}

#[tracing::instrument(skip_all, fields(actor = ?actor.id, which = which.as_str()))]
pub async fn remove_image(db: &Db, actor: Actor<'_>, which: OrgImage) -> AppResult<()> {
    store(db, actor, which, None).await
}

async fn store(db: &Db, actor: Actor<'_>, which: OrgImage, image: Option<(&[u8], &str)>) -> AppResult<()> {
    let (bytes, kind) = image.unzip();
    let now = now();
    let mut tx = db.begin().await?;
    match which {
        OrgImage::Logo => {
            sqlx::query!(
                "update organisation set logo = $1, logo_type = $2, updated_at = $3 where id = 1",
                bytes,
                kind,
                now
            )
            .execute(&mut *tx)
            .await?
        }
        OrgImage::Seal => {
            sqlx::query!(
                "update organisation set seal = $1, seal_type = $2, updated_at = $3 where id = 1",
                bytes,
                kind,
                now
            )
            .execute(&mut *tx)
            .await?
        }
    };
    let action = if image.is_some() { "organisation_image_set" } else { "organisation_image_removed" };
    audit::record(&mut tx, Event::by(actor, action, "organisation", 1).detail(which.as_str())).await?;
    tx.commit().await?;
    Ok(())
}

/// The organisation as a printed sheet's letterhead, named in the reader's language.
#[tracing::instrument(skip_all)]
pub async fn letterhead(db: &Db, locale: crate::i18n::Locale) -> AppResult<Letterhead> {
    let org = get(db).await?;
    let picture = |which| async move { image(db, which).await.ok().map(|(_, bytes)| bytes) };
    Ok(Letterhead {
        name: org.name.shown(locale).to_string(),
        logo: if org.has_logo { picture(OrgImage::Logo).await } else { None },
        seal: if org.has_seal { picture(OrgImage::Seal).await } else { None },
    })
}

/// The stored picture and its type.
#[tracing::instrument(skip_all, fields(which = which.as_str()))]
pub async fn image(db: &Db, which: OrgImage) -> AppResult<(String, Vec<u8>)> {
    let row = match which {
        OrgImage::Logo => {
            sqlx::query!(r#"select logo as "bytes?", logo_type as "kind?" from organisation where id = 1"#)
                .fetch_optional(&db.read)
                .await?
                .map(|r| (r.kind, r.bytes))
        }
        OrgImage::Seal => {
            sqlx::query!(r#"select seal as "bytes?", seal_type as "kind?" from organisation where id = 1"#)
                .fetch_optional(&db.read)
                .await?
                .map(|r| (r.kind, r.bytes))
        }
    };
    match row {
        Some((Some(kind), Some(bytes))) => Ok((kind, bytes)),
        _ => Err(AppError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::image_type;

    #[test]
    fn only_png_and_jpeg_are_pictures() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(&[0xff, 0xd8, 0xff, 0xe0]), Some("image/jpeg"));
        assert_eq!(image_type(b"<svg onload=alert(1)>"), None);
        assert_eq!(image_type(b"GIF89a"), None);
    }
}
