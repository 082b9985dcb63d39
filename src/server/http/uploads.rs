//! Plain multipart form posts (they work without JavaScript): a question file into a bank, a
//! file into a course, the organisation's pictures, a CSV of people. Each answers with a redirect back to its page, carrying the outcome in the
//! query for the page to show.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::failed;
use super::request::Caller;
use crate::error::AppError;
use crate::model::organisation::OrgImage;
use crate::model::user::Role;
use crate::server::state::AppState;
use crate::server::{course, organisation, quiz};

/// A question file: GIFT, CSV or XLSX. The problems travel as `line:field:key`, the first 50.
pub(super) async fn bank_import(
    State(state): State<AppState>,
    Path(bank_id): Path<i64>,
    caller: Caller,
    multipart: Multipart,
) -> Response {
    if let Err(e) = quiz::require_bank(&state.db, &caller.user, bank_id).await {
        return failed(e);
    }
    let outcome = match read_file_field(multipart).await {
        Ok((name, bytes)) => quiz::import_file(&state.db, caller.actor(), bank_id, &name, &bytes).await,
        Err(e) => Err(e),
    };
    match import_outcome(outcome.map(|n| n as usize), false) {
        Ok(query) => see_other(&format!("/trainer/banks/{bank_id}?{query}")),
        Err(e) => failed(e),
    }
}

/// A course file, back to the course editor.
pub(super) async fn upload_course_file(
    State(state): State<AppState>,
    Path(course_id): Path<i64>,
    caller: Caller,
    multipart: Multipart,
) -> Response {
    let back = |query: String| see_other(&format!("/trainer/courses/{course_id}?{query}"));
    if let Err(e) = course::require_author(&state.db, &caller.user, course_id).await {
        return failed(e);
    }
    let outcome = match read_file_field(multipart).await {
        Ok((name, bytes)) => {
            course::files::upload(&state.db, &state.config.data_dir, caller.actor(), course_id, &name, &bytes).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => back(format!("uploaded={id}")),
        Err(AppError::Validation { key, .. }) => back(format!("file_error={key}")),
        Err(e) => failed(e),
    }
}

/// The organisation's logo or seal, back to its admin page.
pub(super) async fn upload_org_image(
    State(state): State<AppState>,
    Path(which): Path<String>,
    caller: Caller,
    multipart: Multipart,
) -> Response {
    if let Err(e) = caller.require_role(&[Role::Admin], "upload_org_image") {
        return failed(e);
    }
    let Some(which) = OrgImage::parse(&which) else { return failed(AppError::NotFound) };
    let outcome = match read_file_field(multipart).await {
        Ok((_, bytes)) => organisation::set_image(&state.db, caller.actor(), which, &bytes).await,
        Err(e) => Err(e),
    };
    let back = |query: String| see_other(&format!("/admin/organisation?{query}"));
    match outcome {
        Ok(()) => back(format!("uploaded={}", which.as_str())),
        Err(AppError::Validation { key, .. }) => back(format!("file_error={key}")),
        Err(e) => failed(e),
    }
}

/// A CSV file of people: imported like pasted text. A refusal renders the users page with every
/// row's problem and the file's text in the paste box, as if it had been pasted.
pub(super) async fn upload_users_csv(State(state): State<AppState>, caller: Caller, req: Request) -> Response {
    if let Err(e) = caller.require_role(&[Role::Admin], "upload_users_csv") {
        return failed(e);
    }
    let (parts, body) = req.into_parts();
    let multipart = match Multipart::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let text = match read_file_field(multipart).await {
        Ok((_, bytes)) => spreadsheet_text(&bytes),
        Err(e) => return failed(e),
    };
    match crate::server::user::import_csv(&state.db, &state.passwords, caller.actor(), text.as_bytes()).await {
        Ok(report) => see_other(&format!("/admin/users?imported={}", report.created)),
        Err(e @ (AppError::Rows(_) | AppError::Validation { .. })) => {
            use leptos::server_fn::ServerFn;
            let path = crate::api::user::ImportUsers::PATH;
            super::refusals::render_as_posted(state, parts, "/admin/users", path, "csv", text, e).await
        }
        Err(e) => failed(e),
    }
}

/// A CSV file's text: UTF-8 (with or without Excel's byte-order mark), else GB18030, which is
/// what Excel on a Chinese Windows saves.
fn spreadsheet_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// Where a plain form post sends the browser afterwards (the page reads the outcome from the query).
fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

async fn read_file_field(mut multipart: Multipart) -> Result<(String, Vec<u8>), AppError> {
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::validation("file", "error.file_too_large")
        } else {
            AppError::validation("file", "error.file_empty")
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            let bytes = field.bytes().await.map_err(too_large)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::validation("file", "error.file_empty"))
}

/// On-the-job metric values, CSV or XLSX: all stored or, with any bad row, none. The problems
/// travel as `line:field:key:value`, the first 50.
pub(super) async fn metrics_import(State(state): State<AppState>, caller: Caller, multipart: Multipart) -> Response {
    if let Err(e) = caller.require_role(&[Role::Admin], "metrics_import") {
        return failed(e);
    }
    let outcome = match read_file_field(multipart).await {
        Ok((name, bytes)) => {
            let xlsx = bytes.starts_with(b"PK\x03\x04") || name.to_lowercase().ends_with(".xlsx");
            let data = if xlsx { bytes } else { spreadsheet_text(&bytes).into_bytes() };
            crate::server::metric::import_file(&state.db, caller.actor(), &caller.user, &name, &data).await
        }
        Err(e) => Err(e),
    };
    match import_outcome(outcome, true) {
        Ok(query) => see_other(&format!("/admin/metrics?{query}")),
        Err(e) => failed(e),
    }
}

/// An import's outcome as the page's address carries it: `imported=N`, or the first 50 problems
/// as `import_errors=line:field:key[:value]` (`components::error_note::upload_errors` reads it;
/// the value, when asked for, short and without the list's separators). Other errors are errors.
fn import_outcome(outcome: Result<usize, AppError>, with_value: bool) -> Result<String, AppError> {
    let value = |s: &str| s.chars().map(|c| if matches!(c, ',' | ':') { ' ' } else { c }).take(40).collect::<String>();
    match outcome {
        Ok(n) => Ok(format!("imported={n}")),
        Err(AppError::Rows(rows)) => {
            let list: Vec<String> = rows
                .iter()
                .take(50)
                .map(|r| match with_value {
                    true => format!("{}:{}:{}:{}", r.line, r.field, r.key, value(&r.value)),
                    false => format!("{}:{}:{}", r.line, r.field, r.key),
                })
                .collect();
            let list = list.join(",");
            Ok(format!(
                "import_errors={}",
                percent_encoding::utf8_percent_encode(&list, percent_encoding::NON_ALPHANUMERIC)
            ))
        }
        Err(AppError::Validation { field, key }) => Ok(format!("import_errors=0:{field}:{key}")),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_text;

    #[test]
    fn csv_files_from_excel_read_in_either_encoding() {
        assert_eq!(spreadsheet_text("\u{feff}工号,姓名".as_bytes()), "工号,姓名");
        let (gbk, _, _) = encoding_rs::GB18030.encode("工号,姓名\nE1,王芳");
        assert_eq!(spreadsheet_text(&gbk), "工号,姓名\nE1,王芳");
    }
}
