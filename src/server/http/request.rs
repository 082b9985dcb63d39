//! What every request carries once the middleware has run: the caller (from the session cookie),
//! their address and language; and the cross-site refusal. Server functions read it through
//! `server::ctx::Ctx`, the download, upload and API routes through the [`Caller`] extractor, so
//! both go through the same guards.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::failed;
use crate::error::AppResult;
use crate::i18n::{Locale, Zone};
use crate::model::user::Role;
use crate::server::audit::Actor;
use crate::server::auth::guard::{self, CurrentUser};
use crate::server::auth::session;
use crate::server::state::AppState;

/// Inserted into every request's extensions by [`resolve_request`].
#[derive(Debug, Clone)]
pub struct RequestAuth {
    pub user: Option<CurrentUser>,
    pub ip: String,
    pub locale: Locale,
    /// The caller's site's time zone (see `team::zone_of`).
    pub zone: Zone,
}

/// The signed-in caller of a route outside the server functions; 401 otherwise (the same
/// `guard::require_user` the server functions use).
pub struct Caller {
    pub user: CurrentUser,
    pub ip: String,
    pub locale: Locale,
}

impl Caller {
    pub fn actor(&self) -> Actor<'_> {
        Actor { id: Some(self.user.id), ip: &self.ip }
    }

    /// The caller holds one of `roles` (403 otherwise, logged like a refused server function).
    pub fn require_role(&self, roles: &[Role], what: &str) -> AppResult<()> {
        guard::require_role(Some(&self.user), roles, what).map(|_| ())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let auth = parts.extensions.get::<RequestAuth>().ok_or_else(|| {
            failed(crate::error::internal("RequestAuth missing: resolve_request layer not installed"))
        })?;
        let user = guard::require_user(auth.user.as_ref(), parts.uri.path()).map_err(failed)?;
        Ok(Caller { user: user.clone(), ip: auth.ip.clone(), locale: auth.locale })
    }
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Resolves the caller (session cookie) and the page language once per request.
pub(super) async fn resolve_request(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/pkg/") {
        return next.run(req).await;
    }
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let ip = crate::server::config::client_ip(peer, &forwarded, &state.config.trusted_proxies);
    let user = match cookie_value(req.headers(), state.config.session_cookie_name()) {
        Some(token) => session::resolve(&state.db, &state.config, token).await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "session lookup failed");
            None
        }),
        None => None,
    };
    let locale = user
        .as_ref()
        .map(|u| u.locale)
        .or_else(|| cookie_value(req.headers(), "lang").and_then(Locale::parse))
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default();
    let zone = crate::server::team::zone_of(&state.db, user.as_ref().map(|u| u.id)).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "time zone lookup failed");
        Zone::UTC
    });
    req.extensions_mut().insert(RequestAuth { user, ip, locale, zone });
    next.run(req).await
}

/// Refuses state-changing requests that a browser marks as coming from another site, so a
/// form on an attacker's page cannot post to a server function with the user's cookie.
pub(super) async fn reject_cross_site(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let cross_by_fetch_site = matches!(fetch_site, Some("cross-site" | "same-site"));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let cross_by_origin = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some(origin) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest);
            origin_host.is_none() || origin_host != host
        }
    };
    if cross_by_fetch_site || cross_by_origin {
        tracing::warn!(path = %req.uri().path(), ?fetch_site, "refused cross-site request");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}
