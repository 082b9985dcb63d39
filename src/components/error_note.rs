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
        AppError::Validation { field, key } => field_message(tr(&format!("field.{field}")), key),
        other => tr(other.message_key()),
    }
}

/// A validation message as one sentence in the reader's language. Most messages are what is wrong
/// with the field ("is not a valid email address") and follow its name; those that are a sentence
/// of their own (their English starts with a capital: "You cannot disable your own account.")
/// stand alone, so no message reads "Field: message".
fn field_message(field: String, key: &str) -> String {
    let whole = rust_i18n::t!(key, locale = "en").chars().next().is_some_and(char::is_uppercase);
    if whole {
        tr(key)
    } else {
        tr_with("error.field_problem", &[("field", field), ("problem", tr(key))])
    }
}

/// One bad row of an import: "Line 3: Employee no. “E9999” is not ...". The bad value itself,
/// when the row gave one, not only the line.
fn row_text(line: u32, field: &str, key: &str, value: &str) -> String {
    let field = match value {
        "" => tr(&format!("field.{field}")),
        v => tr_with("error.field_value", &[("field", tr(&format!("field.{field}"))), ("value", v.into())]),
    };
    let what = field_message(field, key);
    if line == 0 {
        what
    } else {
        tr_with("error.row", &[("line", line.to_string()), ("what", what)])
    }
}

/// How many forms this page has submitted (bumped by `App` on every submit, in the browser).
#[derive(Clone, Copy)]
pub struct Submits(pub RwSignal<u64>);

/// Shows the error of a form's last submission, including every row of a rejected import. It
/// goes away once another form on the page is submitted, so an old refusal does not sit above
/// the next thing the user did.
#[component]
pub fn ErrorNote(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let submits = use_context::<Submits>().map(|s| s.0);
    let count = move || submits.map(|s| s.get()).unwrap_or(0);
    // The submit count when this error arrived (0 for an error rendered by the server).
    let arrived_at = RwSignal::new(0u64);
    Effect::new(move |_| {
        if error.get().is_some() {
            arrived_at.set(submits.map(|s| s.get_untracked()).unwrap_or(0));
        }
    });
    move || {
        error.get().filter(|_| count() == arrived_at.get()).map(|e| {
            let rows = match &e {
                AppError::Rows(rows) => rows
                    .iter()
                    .map(|r| view! { <li>{row_text(r.line, &r.field, &r.key, &r.value)}</li> })
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

/// A page that is not there or not for this person: the right HTTP status, what happened in the
/// reader's language and the way home, and nothing of the page itself.
#[component]
pub fn ErrorPage(status: u16) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR));
    }
    let (title, body) = match status {
        403 => ("error.page_forbidden", "error.page_forbidden_help"),
        404 => ("error.page_not_found", "error.page_not_found_help"),
        _ => ("error.page_internal", "error.internal"),
    };
    view! {
        <section class="card error-page" aria-labelledby="error-title">
            <p class="error-code">{status}</p>
            <h1 id="error-title">{tr(title)}</h1>
            <p>{tr(body)}</p>
            <p><a class="button primary" href="/">{tr("error.go_home")}</a></p>
        </section>
    }
}

/// How every page shows a load that failed, instead of an empty list: the 404 or 403 page when
/// the object is gone or not the reader's, otherwise what went wrong, with its HTTP status.
pub fn load_failed(e: AppError) -> AnyView {
    match e {
        AppError::NotFound => view! { <ErrorPage status=404/> }.into_any(),
        AppError::Forbidden => view! { <ErrorPage status=403/> }.into_any(),
        e => {
            #[cfg(feature = "ssr")]
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(e.status());
            }
            view! { <p class="alert error" role="alert">{error_text(&e)}</p> }.into_any()
        }
    }
}

/// Problems of a rejected file upload, as the upload route put them in the address:
/// `line:field:key[:value]`, comma-separated (line 0: the file as a whole). Only known-looking
/// fields and error keys are shown.
pub fn upload_errors(list: &str) -> impl IntoView + use<> {
    let rows = list
        .split(',')
        .filter_map(|r| {
            let mut parts = r.splitn(4, ':');
            let (line, field, key) = (parts.next()?, parts.next()?, parts.next()?);
            let value = parts.next().unwrap_or_default().trim();
            let safe = |s: &str| s.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
            (safe(field) && safe(key) && key.split('.').next() == Some("error"))
                .then(|| row_text(line.parse().unwrap_or(0), field, key, value))
        })
        .map(|text| view! { <li>{text}</li> })
        .collect_view();
    view! { <div class="alert error" role="alert"><p>{tr("error.rows")}</p><ul>{rows}</ul></div> }
}
