//! The clearance API for other systems (`/api/v1/clearance`): bearer tokens with a scope and
//! teams, JSON in and out, errors as `{"error": "..."}`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::server::cert::clearance;
use crate::server::state::AppState;

/// A JSON error for API clients: `{"error": "..."}` with the status.
fn api_error(e: AppError) -> Response {
    let mut res = (e.status(), axum::Json(serde_json::json!({ "error": e.to_string() }))).into_response();
    if e == AppError::Unauthorized {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    res
}

async fn api_grant(state: &AppState, headers: &HeaderMap) -> Result<clearance::Grant, Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    clearance::authenticate(&state.db, bearer, clearance::SCOPE_CLEARANCE).await.map_err(api_error)
}

/// `GET /api/v1/clearance/{employee_no}`: one person's clearance, 404 when unknown or outside
/// the token's teams.
pub(super) async fn clearance_one(
    State(state): State<AppState>,
    Path(no): Path<String>,
    headers: HeaderMap,
) -> Response {
    let grant = match api_grant(&state, &headers).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    match clearance::clearance(&state.db, &grant, &[no]).await {
        Ok(mut list) if !list.is_empty() => axum::Json(list.remove(0)).into_response(),
        Ok(_) => api_error(AppError::NotFound),
        Err(e) => api_error(e),
    }
}

#[derive(serde::Deserialize)]
struct BulkQuery {
    employee_nos: Vec<String>,
}

/// `POST /api/v1/clearance` with `{"employee_nos": [...]}` (at most 500): the people found, in
/// the order asked; numbers unknown or outside the token's teams are listed under `not_found`.
pub(super) async fn clearance_bulk(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let grant = match api_grant(&state, &headers).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Ok(q) = serde_json::from_slice::<BulkQuery>(&body) else {
        return api_error(AppError::validation("employee_nos", "error.json_invalid"));
    };
    if q.employee_nos.len() > 500 {
        return api_error(AppError::validation("employee_nos", "error.too_many"));
    }
    match clearance::clearance(&state.db, &grant, &q.employee_nos).await {
        Ok(found) => {
            let not_found: Vec<&String> =
                q.employee_nos.iter().filter(|n| !found.iter().any(|f| &f.employee_no == *n)).collect();
            axum::Json(serde_json::json!({ "people": found, "not_found": not_found })).into_response()
        }
        Err(e) => api_error(e),
    }
}
