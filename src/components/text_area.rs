//! The one `<textarea>` of the app.
//!
//! Leptos 0.8's server renderer writes a textarea's children raw, like `<script>` (leptos-rs/leptos
//! PR 4730 escaped them, PR 4819 reverted it), so a saved `</textarea><meta ...>` would become live
//! markup. The server escapes the value here; the browser decodes entities inside a textarea, and
//! a render in the browser sets a text node, which needs no escaping. `tests/text_area.rs` fails
//! the build's tests if a `<textarea` appears anywhere else.

use leptos::prelude::*;

/// Attributes go after `{..}`: `<TextArea value=v {..} name="summary" rows="3"/>`. `keep` names the
/// server function and field whose posted text refills it when that post was refused without
/// JavaScript (the page is then rendered in the response: `server::http::refusals`), so a long
/// paste is not lost: `<TextArea keep=(ImportUsers::PATH, "csv") {..} name="csv"/>`.
#[component]
pub fn TextArea(
    #[prop(optional, into)] value: String,
    #[prop(optional)] keep: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    let value = keep
        .and_then(|(action, field)| use_context::<PostedForm>().and_then(|p| p.value(action, field)))
        .unwrap_or(value);
    view! { <textarea>{escaped(value)}</textarea> }
}

/// The fields of a plain form post a server function refused, while its page is rendered again.
#[derive(Debug, Clone, Default)]
pub struct PostedForm {
    /// The server function's path (`/api/import_users`).
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl PostedForm {
    pub fn value(&self, action: &str, field: &str) -> Option<String> {
        (self.action == action).then(|| self.fields.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone())).flatten()
    }
}

#[cfg(feature = "ssr")]
fn escaped(value: String) -> String {
    html_escape::encode_text(&value).into_owned()
}

#[cfg(not(feature = "ssr"))]
fn escaped(value: String) -> String {
    value
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::escaped;

    #[test]
    fn a_breakout_is_text() {
        let s = escaped("</textarea><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">&amp;".into());
        assert!(!s.contains('<'), "{s}");
        assert!(s.starts_with("&lt;/textarea&gt;") && s.ends_with("&amp;amp;"), "{s}");
    }
}
