//! Which language a page speaks, and locale-aware formatting.
//!
//! The server decides the locale per request (the user's setting, else a `lang` cookie, else
//! Accept-Language) and writes it into `<html lang>`; the browser reads it back from there when
//! hydrating, so both sides render the same strings without another round trip.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// `key` in this locale, for text the server writes outside a page (a review, an export).
    pub fn t(self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.code()).into_owned()
    }

    /// The name of the language in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::ZhCn => "中文",
            Locale::En => "English",
        }
    }

    pub fn parse(code: &str) -> Option<Locale> {
        let code = code.trim().to_ascii_lowercase();
        if code == "zh" || code.starts_with("zh-") || code.starts_with("zh_") {
            Some(Locale::ZhCn)
        } else if code == "en" || code.starts_with("en-") || code.starts_with("en_") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Picks the best supported language from an Accept-Language header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(locale) = Locale::parse(tag) {
                if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, locale));
                }
            }
        }
        best.map(|(_, l)| l)
    }

    pub fn format_date(self, date: NaiveDate) -> String {
        match self {
            Locale::ZhCn => date.format("%Y年%-m月%-d日").to_string(),
            Locale::En => date.format("%-d %b %Y").to_string(),
        }
    }

    pub fn format_timestamp(self, epoch_secs: i64) -> String {
        let Some(t) = chrono::DateTime::from_timestamp(epoch_secs, 0) else {
            return String::new();
        };
        match self {
            Locale::ZhCn => t.format("%Y年%-m月%-d日 %H:%M UTC").to_string(),
            Locale::En => t.format("%-d %b %Y %H:%M UTC").to_string(),
        }
    }
}

/// The locale of the page being rendered, provided once by `App`.
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}

/// Translates `key` in the page's locale.
pub fn tr(key: &str) -> String {
    rust_i18n::t!(key, locale = use_locale().code()).into_owned()
}

/// Translates `key` in the page's locale, replacing `%{name}` placeholders.
pub fn tr_with(key: &str, args: &[(&str, String)]) -> String {
    let mut s = tr(key);
    for (name, value) in args {
        s = s.replace(&format!("%{{{name}}}"), value);
    }
    s
}

/// A list in the page's language: "讲授、案例分析" in Chinese, "Lecture, case study" in English.
pub fn join_list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(&tr("app.list_separator"))
}

/// Reads the locale the server wrote into `<html lang>`.
#[cfg(feature = "hydrate")]
pub fn locale_from_document() -> Locale {
    document()
        .document_element()
        .and_then(|el| el.get_attribute("lang"))
        .and_then(|l| Locale::parse(&l))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_q() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Some(Locale::En));
        assert_eq!(Locale::from_accept_language("fr;q=1, zh-TW;q=0.5, en;q=0.3"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_accept_language("fr, de"), None);
        assert_eq!(Locale::from_accept_language("en;q=0"), None);
    }

    #[test]
    fn dates_follow_the_locale() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(Locale::ZhCn.format_date(d), "2026年3月5日");
        assert_eq!(Locale::En.format_date(d), "5 Mar 2026");
    }
}
