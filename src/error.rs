//! The one error type of every server function.
//!
//! Internal causes are logged on the server and never serialized: the client only ever sees
//! the variant and, for validation, which field is wrong and why (as a translation key).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// `field` names the input; `key` is a translation key under `error.`.
    #[error("invalid {field}: {key}")]
    Validation { field: String, key: String },
    /// Rows with per-row problems, e.g. a CSV import; nothing was stored.
    #[error("{} invalid rows", .0.len())]
    Rows(Vec<RowError>),
    #[error("conflict on {field}")]
    Conflict { field: String },
    #[error("too many attempts; retry in {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error")]
    Internal,
    /// Transport-level problems (network, bad arguments) reported by the server-fn layer.
    #[error("request failed")]
    Request(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based line number in the uploaded file, counting the header as line 1.
    pub line: u32,
    pub field: String,
    pub key: String,
    /// The value the row gave, when naming it helps (the unknown employee number itself).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
}

impl AppError {
    pub fn validation(field: &str, key: &str) -> Self {
        AppError::Validation { field: field.into(), key: key.into() }
    }

    /// The translation key of the message shown to the user.
    pub fn message_key(&self) -> &str {
        match self {
            AppError::Unauthorized => "error.unauthorized",
            AppError::Forbidden => "error.forbidden",
            AppError::NotFound => "error.not_found",
            AppError::Validation { key, .. } => key,
            AppError::Rows(_) => "error.rows",
            AppError::Conflict { .. } => "error.conflict",
            AppError::RateLimited { .. } => "error.rate_limited",
            AppError::Internal => "error.internal",
            AppError::Request(_) => "error.request",
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Validation { .. } | AppError::Rows(_) | AppError::Request(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// On the server this is a request whose arguments could not be read (missing, wrongly typed,
    /// out of range, not UTF-8): the caller's fault, so a 400 that says which, never a 500.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server, a body that does not decode is the request's fault too (e.g. not UTF-8).
        let bad_args = matches!(
            value,
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) | ServerFnErrorErr::Deserialization(_)
        ) && cfg!(feature = "ssr");
        let e = AppError::Request(match value {
            ServerFnErrorErr::Args(why) | ServerFnErrorErr::Deserialization(why) if bad_args => {
                format!("args: {}", why.chars().take(200).collect::<String>())
            }
            ServerFnErrorErr::MissingArg(name) => format!("args: missing {name}"),
            ServerFnErrorErr::Request(_) => "network".into(),
            _ => "server".into(),
        });
        #[cfg(feature = "ssr")]
        if bad_args {
            if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(http::StatusCode::BAD_REQUEST);
            }
        }
        e
    }
}

/// Log the cause, hand the client nothing but `Internal`.
#[cfg(feature = "ssr")]
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    tracing::error!(%cause, "internal error");
    AppError::Internal
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        internal(e)
    }
}

pub type AppResult<T> = Result<T, AppError>;
