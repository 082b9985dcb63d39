use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{tr, tr_with};

/// The message a user reads for an error: what is wrong, in their language.
pub fn error_text(e: &AppError) -> String {
    match e {
        AppError::RateLimited { retry_after_secs } => {
            tr_with("error.rate_limited", &[("secs", retry_after_secs.to_string())])
        }
        AppError::Conflict { field } => tr_with("error.conflict", &[("field", tr(&format!("field.{field}")))]),
        AppError::Validation { field, key } => {
            format!("{}: {}", tr(&format!("field.{field}")), tr(key))
        }
        other => tr(other.message_key()),
    }
}

/// Shows the error of a form's last submission, including every row of a rejected import.
#[component]
pub fn ErrorNote(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let rows = match &e {
                AppError::Rows(rows) => rows
                    .iter()
                    .map(|r| {
                        let text = tr_with(
                            "error.row",
                            &[
                                ("line", r.line.to_string()),
                                ("field", tr(&format!("field.{}", r.field))),
                                ("problem", tr(&r.key)),
                            ],
                        );
                        view! { <li>{text}</li> }
                    })
                    .collect_view(),
                _ => Vec::new(),
            };
            view! {
                <div class="alert error" role="alert">
                    <p>{error_text(&e)}</p>
                    <ul>{rows}</ul>
                </div>
            }
        })
    }
}

/// The error held by a server action's last result.
pub fn action_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
}
