//! What a server function knows about its request: the app state, the caller and their address.
//! The HTTP layer resolves these once per request (see `http::request`).

use http::request::Parts;
use http::{header, HeaderValue};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::audit::Actor;
use super::auth::guard::{self, CurrentUser};
use super::http::request::{cookie_value, RequestAuth};
use super::state::AppState;
use crate::error::{AppError, AppResult};
use crate::model::user::Role;

pub struct Ctx {
    pub state: AppState,
    pub auth: RequestAuth,
    parts: Parts,
}

impl Ctx {
    /// The one way a server function runs: `body` gets the request's context, and whatever error
    /// it returns leaves with its HTTP status (401, 403, 404, 422, 429 with Retry-After, ...), so
    /// no fallible line inside can forget it.
    pub async fn serve<T>(body: impl AsyncFnOnce(&Ctx) -> AppResult<T>) -> AppResult<T> {
        let cx = Ctx::get()?;
        let result = body(&cx).await;
        cx.set_status(&result);
        result
    }

    fn get() -> AppResult<Ctx> {
        let state = use_context::<AppState>().ok_or_else(|| crate::error::internal("AppState missing from context"))?;
        let parts =
            use_context::<Parts>().ok_or_else(|| crate::error::internal("request Parts missing from context"))?;
        let auth = parts
            .extensions
            .get::<RequestAuth>()
            .cloned()
            .ok_or_else(|| crate::error::internal("RequestAuth missing: resolve_request layer not installed"))?;
        Ok(Ctx { state, auth, parts })
    }

    pub fn user(&self, what: &str) -> AppResult<&CurrentUser> {
        guard::require_user(self.auth.user.as_ref(), what)
    }

    pub fn role(&self, roles: &[Role], what: &str) -> AppResult<&CurrentUser> {
        guard::require_role(self.auth.user.as_ref(), roles, what)
    }

    /// A trainer or admin who may change this program, rubric, scenario or shared bank.
    pub async fn owner(&self, what: crate::model::owners::Owned, id: i64, what_fn: &str) -> AppResult<&CurrentUser> {
        let me = self.role(&[Role::Trainer, Role::Admin], what_fn)?;
        super::owners::require_change(&self.state.db, me, what, id).await?;
        Ok(me)
    }

    /// Whether the caller may change an owned object; editors show it read-only otherwise. A new
    /// one (`id` 0) may be created by anyone with the role.
    pub async fn can_change(&self, what: crate::model::owners::Owned, id: i64, what_fn: &str) -> AppResult<bool> {
        let me = self.role(&[Role::Trainer, Role::Admin], what_fn)?;
        if id == 0 {
            return Ok(true);
        }
        super::owners::can_change(&self.state.db, me, what, id).await
    }

    pub fn actor(&self) -> Actor<'_> {
        Actor { id: self.auth.user.as_ref().map(|u| u.id), ip: &self.auth.ip }
    }

    pub fn header(&self, name: header::HeaderName) -> &str {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        cookie_value(&self.parts.headers, name)
    }

    /// A browser form posted without JavaScript: leptos_axum answers it with a redirect back to
    /// the page (carrying the error), so the status code must stay a redirect.
    pub fn is_plain_form(&self) -> bool {
        self.header(header::ACCEPT).contains("text/html")
    }

    /// Gives an error its HTTP status before it is returned.
    fn set_status<T>(&self, result: &AppResult<T>) {
        if let Err(e) = result {
            if !self.is_plain_form() {
                if let Some(res) = use_context::<ResponseOptions>() {
                    res.set_status(e.status());
                    if let AppError::RateLimited { retry_after_secs } = e {
                        res.insert_header(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                    }
                }
            }
        }
    }
}
