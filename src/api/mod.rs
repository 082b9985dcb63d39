//! Server functions, one file per domain. Each checks who is calling and whether they may touch
//! the object, then calls a plain service in `server::`.

pub mod analytics;
pub mod audit;
pub mod auth;
pub mod cert;
pub mod course;
pub mod followup;
pub mod metric;
pub mod organisation;
pub mod owners;
pub mod plan;
pub mod position;
pub mod quiz;
pub mod roleplay;
pub mod survey;
pub mod team;
pub mod todo;
pub mod user;

/// Numbers arrive as form text; a bad one is named rather than failing the whole request.
#[cfg(feature = "ssr")]
fn number(field: &str, value: &str) -> Result<i64, crate::error::AppError> {
    value.trim().parse().map_err(|_| crate::error::AppError::validation(field, "error.number_invalid"))
}

/// An optional number: empty text is none.
#[cfg(feature = "ssr")]
fn optional_number(field: &str, value: &str) -> Result<Option<i64>, crate::error::AppError> {
    match value.trim() {
        "" => Ok(None),
        v => number(field, v).map(Some),
    }
}
