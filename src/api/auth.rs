use leptos::prelude::*;

use crate::error::AppError;
use crate::model::user::Me;

#[cfg(feature = "ssr")]
use crate::server::{auth::login as svc, ctx::Ctx};

/// The signed-in user, or `None`.
#[server]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    Ctx::serve(async |cx| Ok(cx.auth.user.as_ref().map(|u| u.me()))).await
}

/// Only same-site paths are followed after login: a path that starts with one `/`, with no
/// control characters or whitespace (browsers drop tabs and newlines, so `/\t/evil.example` is
/// `//evil.example`) and no `\`, in its raw form or percent-decoded (the browser decodes). A bad
/// one goes home, never into a header.
#[cfg(feature = "ssr")]
fn safe_next(next: Option<&str>) -> &str {
    fn acceptable(path: &str, raw: bool) -> bool {
        let mut chars = path.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/'))
            && !path.chars().any(|c| c.is_control() || c == '\\' || (raw && c.is_whitespace()))
    }
    let Some(n) = next.filter(|n| n.len() <= 2000 && acceptable(n, true)) else { return "/" };
    // Decoded until it stops changing, so `%252F` counts as the `/` it becomes.
    let mut decoded = n.to_string();
    for _ in 0..4 {
        let once = percent_encoding::percent_decode_str(&decoded).decode_utf8_lossy().into_owned();
        if once == decoded {
            return n;
        }
        if !acceptable(&once, false) {
            return "/";
        }
        decoded = once;
    }
    "/"
}

#[server]
pub async fn login(login: String, password: String, next: Option<String>) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let ua = cx.header(http::header::USER_AGENT).to_string();
        let request = svc::LoginRequest {
            login: &login,
            password: &password,
            ip: &cx.auth.ip,
            user_agent: &ua,
            previous_session: cx.auth.user.as_ref().map(|u| u.session_id),
            device: cx.cookie(crate::server::auth::device::cookie_name(&cx.state.config)),
        };
        let signed_in = svc::login(&cx.state, request).await?;
        let res = expect_context::<leptos_axum::ResponseOptions>();
        let cookie = crate::server::auth::session::cookie(&cx.state.config, Some(&signed_in.session));
        res.insert_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&cookie).map_err(crate::error::internal)?,
        );
        if let Some(device) = &signed_in.new_device {
            let cookie = crate::server::auth::device::cookie(&cx.state.config, device);
            res.append_header(
                http::header::SET_COOKIE,
                http::HeaderValue::from_str(&cookie).map_err(crate::error::internal)?,
            );
        }
        leptos_axum::redirect(safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        if let Some(u) = &cx.auth.user {
            svc::logout(&cx.state, u.id, u.session_id, &cx.auth.ip).await?;
        }
        let res = expect_context::<leptos_axum::ResponseOptions>();
        let cookie = crate::server::auth::session::cookie(&cx.state.config, None);
        res.insert_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&cookie).map_err(crate::error::internal)?,
        );
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

#[server]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("change_password")?;
        if new_password != confirm_password {
            return Err(AppError::validation("confirm_password", "error.password_mismatch"));
        }
        svc::change_password(&cx.state, me.id, me.session_id, &current_password, &new_password, &cx.auth.ip).await?;
        leptos_axum::redirect("/account?changed=1");
        Ok(())
    })
    .await
}

/// Switches the language: stored on the account when signed in, else in a cookie.
#[server]
pub async fn set_language(locale: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let locale =
            crate::i18n::Locale::parse(&locale).ok_or_else(|| AppError::validation("locale", "error.locale_invalid"));
        let locale = locale?;
        if let Some(u) = &cx.auth.user {
            crate::server::user::set_locale(&cx.state.db, u.id, locale).await?;
        }
        let res = expect_context::<leptos_axum::ResponseOptions>();
        let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", locale.code());
        res.insert_header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_str(&cookie).map_err(crate::error::internal)?,
        );
        // Back to the page the switch was clicked on.
        let back = cx.header(http::header::REFERER).to_string();
        let path = back.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]));
        leptos_axum::redirect(safe_next(path));
        Ok(())
    })
    .await
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/admin/users?q=li")), "/admin/users?q=li");
        assert_eq!(safe_next(Some("/admin/users?q=%E6%9D%8E")), "/admin/users?q=%E6%9D%8E");
        assert_eq!(safe_next(Some("/admin/users?q=li%20na")), "/admin/users?q=li%20na");
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "",
            "/x\r\nSet-Cookie: a=b",
            "/x%0D%0ASet-Cookie:%20a=b",
            "/\t/evil.example/",
            "/%09/evil.example/",
            "/%2F/evil.example/",
            "/%2f%2fevil.example/",
            "/%5Cevil.example",
            "/%252F%252Fevil.example",
            "/a b",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(3000)))), "/");
        assert_eq!(safe_next(None), "/");
    }
}
