//! A form posted without JavaScript that a server function refuses. Leptos answers such a post
//! with a redirect back that carries the error in the address (`?__path=..&__err=..`): a large
//! import's row errors made a 155 KB Location header, browsers answered HTTP 414, and what was
//! pasted was lost. Here the page the form came from is rendered in the response instead, with
//! the refusal shown where the form is ([`ErrorNote`] reads it as the action's value) and the
//! posted text kept ([`PostedForm`]).
//!
//! [`ErrorNote`]: crate::components::error_note::ErrorNote

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;
use leptos::server::ServerActionError;
use leptos::server_fn::error::ServerFnUrlError;

use super::MAX_BODY_BYTES;
use crate::app::shell;
use crate::components::text_area::PostedForm;
use crate::error::AppError;
use crate::server::state::AppState;

/// Around every route (Leptos registers each server function at its own path): a refused plain
/// form post to a server function becomes the page it came from.
pub(super) async fn render_refusals(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let path = req.uri().path();
    let plain_form = req.method() == Method::POST
        && path.starts_with("/api/")
        && !path.starts_with("/api/v1/")
        && headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !plain_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
    let res = next.run(Request::from_parts(parts.clone(), Body::from(bytes))).await;
    let Some(refusal) = refusal_of(&res) else { return res };
    let status = ServerFnUrlError::<AppError>::decode_err(&refusal.err).status();
    let Ok(page) = refusal.page.parse() else { return res };
    let posted = PostedForm { action: refusal.path.clone(), fields };
    let error = ServerActionError::new(&refusal.path, &refusal.err);
    render_page(state, parts, page, error, posted, status).await
}

/// A refused upload of what could also be pasted (a CSV file instead of its text): rendered
/// exactly as if the text had been pasted into `field` of the server function at `fn_path`, so
/// the refusal shows in the same place and the text stays in the box for fixing.
pub(super) async fn render_as_posted(
    state: AppState,
    parts: axum::http::request::Parts,
    page: &str,
    fn_path: &str,
    field: &str,
    text: String,
    err: AppError,
) -> Response {
    let status = err.status();
    // The error travels to the page the way Leptos encodes it in a redirect.
    let encoded = ServerFnUrlError::new(fn_path, err)
        .to_url("http://floorready.invalid/")
        .ok()
        .and_then(|u| u.query_pairs().find(|(k, _)| k == "__err").map(|(_, v)| v.into_owned()))
        .unwrap_or_default();
    let Ok(page) = page.parse() else { return StatusCode::BAD_REQUEST.into_response() };
    let posted = PostedForm { action: fn_path.to_string(), fields: vec![(field.to_string(), text)] };
    render_page(state, parts, page, ServerActionError::new(fn_path, &encoded), posted, status).await
}

/// The page at `page`, asked for again by the same browser (its session and language), with the
/// refusal and the posted text in its context.
async fn render_page(
    state: AppState,
    parts: axum::http::request::Parts,
    page: axum::http::Uri,
    error: ServerActionError,
    posted: PostedForm,
    status: StatusCode,
) -> Response {
    let mut get = Request::from_parts(parts, Body::empty());
    *get.method_mut() = Method::GET;
    *get.uri_mut() = page.clone();
    get.headers_mut().remove(header::CONTENT_TYPE);
    get.headers_mut().remove(header::CONTENT_LENGTH);
    let options = state.leptos_options.clone();
    let refused = crate::app::Refused {
        page: page.to_string(),
        fn_path: posted.action.clone(),
        err: error.err().to_string(),
        // For the browser to refill kept text areas; a password never goes back into the page.
        posted: form_urlencoded::Serializer::new(String::new())
            .extend_pairs(posted.fields.iter().filter(|(k, _)| !k.contains("password")))
            .finish(),
    };
    let render = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            provide_context(error.clone());
            provide_context(posted.clone());
            provide_context(refused.clone());
        },
        move || shell(options.clone()),
    );
    let mut rendered = render(get).await;
    *rendered.status_mut() = status;
    rendered
}

/// The refusal a server function's redirect carries: its path, the encoded error and the page
/// (path and query, without the two error parameters) the form was on.
struct Refusal {
    path: String,
    err: String,
    page: String,
}

fn refusal_of(res: &Response) -> Option<Refusal> {
    if !res.status().is_redirection() {
        return None;
    }
    let location = res.headers().get(header::LOCATION)?.to_str().ok()?;
    // An absolute URL (the Referer) or a path: keep from the path on.
    let from_path = match location.find("://") {
        Some(i) => &location[location[i + 3..].find('/').map(|j| i + 3 + j)?..],
        None => location,
    };
    let (path, query) = from_path.split_once('?')?;
    let mut fn_path = None;
    let mut err = None;
    let mut rest = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match &*k {
            "__path" => fn_path = Some(v.into_owned()),
            "__err" => err = Some(v.into_owned()),
            _ => {
                rest.append_pair(&k, &v);
            }
        }
    }
    let rest = rest.finish();
    let page = if rest.is_empty() { path.to_string() } else { format!("{path}?{rest}") };
    Some(Refusal { path: fn_path?, err: err?, page })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(to: &str) -> Response {
        let mut res = StatusCode::FOUND.into_response();
        res.headers_mut().insert(header::LOCATION, to.parse().unwrap());
        res
    }

    #[test]
    fn a_refusal_is_read_back_from_leptos_redirect() {
        let r = refusal_of(&redirect("http://127.0.0.1:3000/admin/users?q=li&__path=%2Fapi%2Fimport_users&__err=eyJ9"))
            .unwrap();
        assert_eq!(
            (r.path.as_str(), r.err.as_str(), r.page.as_str()),
            ("/api/import_users", "eyJ9", "/admin/users?q=li")
        );
        assert!(refusal_of(&redirect("/admin/users?imported=3")).is_none(), "a success is left alone");
        assert!(refusal_of(&StatusCode::OK.into_response()).is_none());
    }
}
