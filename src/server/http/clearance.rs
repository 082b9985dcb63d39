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

#[derive(serde::Deserialize)]
struct MetricsBody {
    values: Vec<crate::server::metric::MetricValueInput>,
}

/// `POST /api/v1/metrics` with `{"values": [{"employee_no", "metric", "period", "value"}, ...]}`
/// and a `metrics:write` token: stored all or none, each replacing the value of its person,
/// metric and period (sending the same batch twice changes nothing). A bad batch is a 422 with
/// each bad value named by its place in the list (from 1).
pub(super) async fn metrics_write(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let grant = match clearance::authenticate(&state.db, bearer, clearance::SCOPE_METRICS).await {
        Ok(g) => g,
        Err(e) => return api_error(e),
    };
    let Ok(b) = serde_json::from_slice::<MetricsBody>(&body) else {
        return api_error(AppError::validation("values", "error.json_invalid"));
    };
    match crate::server::metric::api_write(&state.db, grant.token_id, grant.teams, &b.values).await {
        Ok(n) => axum::Json(serde_json::json!({ "stored": n })).into_response(),
        Err(AppError::Rows(rows)) => {
            let rows: Vec<_> = rows
                .iter()
                .map(|r| serde_json::json!({ "index": r.line, "field": r.field, "error": r.key, "value": r.value }))
                .collect();
            let body = serde_json::json!({ "error": "invalid values; nothing was stored", "rows": rows });
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
        }
        Err(e) => api_error(e),
    }
}
