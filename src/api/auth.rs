use leptos::prelude::*;

use crate::error::AppError;
use crate::model::user::Me;

#[cfg(feature = "ssr")]
use crate::server::{auth::login as svc, ctx::Ctx};

/// The signed-in user, or `None`.
#[server]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    let cx = Ctx::get()?;
    Ok(cx.auth.user.as_ref().map(|u| u.me()))
}

/// Only same-site paths are followed after login, never another host.
#[cfg(feature = "ssr")]
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/",
    }
}

#[server]
pub async fn login(login: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let cx = Ctx::get()?;
    let ua = cx.header(http::header::USER_AGENT).to_string();
    let request = svc::LoginRequest {
        login: &login,
        password: &password,
        ip: &cx.auth.ip,
        user_agent: &ua,
        previous_session: cx.auth.user.as_ref().map(|u| u.session_id),
    };
    let token = cx.fail_with(svc::login(&cx.state, request).await)?;
    let res = expect_context::<leptos_axum::ResponseOptions>();
    let cookie = crate::server::auth::session::cookie(&cx.state.config, Some(&token));
    res.insert_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(crate::error::internal)?);
    leptos_axum::redirect(safe_next(next.as_deref()));
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    let cx = Ctx::get()?;
    if let Some(u) = &cx.auth.user {
        cx.fail_with(svc::logout(&cx.state, u.id, u.session_id, &cx.auth.ip).await)?;
    }
    let res = expect_context::<leptos_axum::ResponseOptions>();
    let cookie = crate::server::auth::session::cookie(&cx.state.config, None);
    res.insert_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(crate::error::internal)?);
    leptos_axum::redirect("/login");
    Ok(())
}

#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let cx = Ctx::get()?;
    let me = cx.user("change_password")?;
    if new_password != confirm_password {
        return cx.fail_with(Err(AppError::validation("confirm_password", "error.password_mismatch")));
    }
    cx.fail_with(
        svc::change_password(&cx.state, me.id, me.session_id, &current_password, &new_password, &cx.auth.ip).await,
    )?;
    leptos_axum::redirect("/account?changed=1");
    Ok(())
}

/// Switches the language: stored on the account when signed in, else in a cookie.
#[server]
pub async fn set_language(locale: String) -> Result<(), AppError> {
    let cx = Ctx::get()?;
    let locale =
        crate::i18n::Locale::parse(&locale).ok_or_else(|| AppError::validation("locale", "error.locale_invalid"));
    let locale = cx.fail_with(locale)?;
    if let Some(u) = &cx.auth.user {
        cx.fail_with(crate::server::user::set_locale(&cx.state.db, u.id, locale).await)?;
    }
    let res = expect_context::<leptos_axum::ResponseOptions>();
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", locale.code());
    res.insert_header(http::header::SET_COOKIE, http::HeaderValue::from_str(&cookie).map_err(crate::error::internal)?);
    // Back to the page the switch was clicked on.
    let back = cx.header(http::header::REFERER).to_string();
    let path = back.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]));
    leptos_axum::redirect(safe_next(path));
    Ok(())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/admin/users?q=li")), "/admin/users?q=li");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
