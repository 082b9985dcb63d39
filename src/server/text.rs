//! Limits on what people type. Every text field has a length limit (a 100,000-character session
//! topic or rubric name was accepted once); single-line fields refuse control characters (a NUL
//! cuts text short in spreadsheets and C tools); multi-line fields allow only line breaks and
//! tabs. Too long is an error that names the field, never a silent cut.

use crate::error::{AppError, AppResult};

/// Names and titles.
pub const NAME: usize = 200;
/// One line of free text: a venue, a position, a link.
pub const LINE: usize = 1_000;
/// A paragraph or a list: a purpose, a summary, a scenario's facts.
pub const TEXT: usize = 20_000;
/// A search box.
pub const SEARCH: usize = 200;

fn check(field: &str, value: &str, max: usize, multi_line: bool) -> AppResult<()> {
    if value.chars().count() > max {
        return Err(AppError::validation(field, "error.text_too_long"));
    }
    let allowed = |c: char| multi_line && matches!(c, '\n' | '\r' | '\t');
    if value.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(AppError::validation(field, "error.control_characters"));
    }
    Ok(())
}

/// A single-line field, trimmed.
pub fn line(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    check(field, v, max, false)?;
    Ok(v.to_string())
}

/// A multi-line field, trimmed at both ends.
pub fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    check(field, v, max, true)?;
    Ok(v.to_string())
}

/// A required one-line name (non-empty, at most `max` characters, no control characters), for
/// the services that answer a bad one with their own message.
pub fn is_name(value: &str, max: usize) -> bool {
    !value.is_empty() && check("", value, max, false).is_ok()
}

/// A name in both languages (a list entry: category, level, position), trimmed; each side must be
/// a name of at most `max` characters, and a bad one is named `name_zh` or `name_en`.
pub fn names(name_zh: &str, name_en: &str, max: usize) -> crate::error::AppResult<(String, String)> {
    let (zh, en) = (name_zh.trim(), name_en.trim());
    if !is_name(zh, max) {
        return Err(crate::error::AppError::validation("name_zh", "error.name_invalid"));
    }
    if !is_name(en, max) {
        return Err(crate::error::AppError::validation("name_en", "error.name_invalid"));
    }
    Ok((zh.to_string(), en.to_string()))
}

/// An authored name (a title, a program's or a team's name) in each language: either may be left
/// empty, not both; a bad one is named `{field}_zh` or `{field}_en` (the form's two inputs).
pub fn authored(name: &crate::model::Names, field: &str, max: usize) -> crate::error::AppResult<crate::model::Names> {
    use crate::error::AppError;
    let name = name.cleaned().ok_or_else(|| AppError::validation(&format!("{field}_zh"), "error.names_both_empty"))?;
    for (lang, text) in [("zh", &name.zh), ("en", &name.en)] {
        if !text.is_empty() && !is_name(text, max) {
            return Err(AppError::validation(&format!("{field}_{lang}"), "error.title_invalid"));
        }
    }
    Ok(name)
}

/// `value` as a `like` pattern that matches it literally, for `like $1 escape '\'`.
pub fn like_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_control_characters() {
        assert_eq!(line("topic", "  投诉处理 ", NAME).unwrap(), "投诉处理");
        assert!(line("topic", &"长".repeat(NAME + 1), NAME).is_err());
        assert_eq!(line("topic", "a\0b", NAME), Err(AppError::validation("topic", "error.control_characters")));
        assert!(line("topic", "a\nb", NAME).is_err());
        assert_eq!(text("purpose", "one\r\n\ttwo", TEXT).unwrap(), "one\r\n\ttwo");
        assert!(text("purpose", "one\0", TEXT).is_err());
        assert_eq!(like_literal("50%_a\\"), "50\\%\\_a\\\\");
    }
}
