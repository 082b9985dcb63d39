//! Which language a page speaks, and locale-aware formatting.
//!
//! The server decides the locale per request (the user's setting, else a `lang` cookie, else
//! Accept-Language) and writes it into `<html lang>`; the browser reads it back from there when
//! hydrating, so both sides render the same strings without another round trip. The viewer's
//! time zone (their site's) travels the same way, in `<html data-tz>`.

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

    /// A moment as the clock in `zone` shows it, with the zone named.
    pub fn format_timestamp(self, zone: Zone, epoch_secs: i64) -> String {
        let Some(t) = zone.local(epoch_secs) else {
            return String::new();
        };
        let shown = match self {
            Locale::ZhCn => t.format("%Y年%-m月%-d日 %H:%M"),
            Locale::En => t.format("%-d %b %Y %H:%M"),
        };
        format!("{shown} {}", zone.name())
    }
}

/// A time zone by its IANA name. Each site (a top-level team) has one; people see and type times
/// in their site's zone, and a plan's sessions are in the plan's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Zone(pub chrono_tz::Tz);

impl Zone {
    pub const UTC: Zone = Zone(chrono_tz::Tz::UTC);

    /// An IANA name such as "Asia/Shanghai" (any case), else `None`.
    pub fn parse(name: &str) -> Option<Zone> {
        chrono_tz::Tz::from_str_insensitive(name.trim()).ok().map(Zone)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    pub fn local(self, epoch_secs: i64) -> Option<chrono::DateTime<chrono_tz::Tz>> {
        chrono::DateTime::from_timestamp(epoch_secs, 0).map(|t| t.with_timezone(&self.0))
    }

    /// The local date-time `t` in this zone as a moment. A time skipped when clocks go forward
    /// is `None`; a time that happens twice (clocks go back) is the earlier one.
    pub fn moment(self, t: chrono::NaiveDateTime) -> Option<i64> {
        use chrono::TimeZone;
        self.0.from_local_datetime(&t).earliest().map(|t| t.timestamp())
    }

    /// The `datetime-local` text for a moment, in this zone.
    pub fn input_value(self, epoch_secs: i64) -> String {
        self.local(epoch_secs).map(|t| t.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default()
    }

    /// Today's date on this zone's clock.
    pub fn today(self, epoch_secs: i64) -> Option<NaiveDate> {
        self.local(epoch_secs).map(|t| t.date_naive())
    }
}

impl Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Zone, D::Error> {
        let name = String::deserialize(d)?;
        Zone::parse(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown time zone {name:?}")))
    }
}

/// The viewer's time zone, provided once by `App`.
pub fn use_zone() -> Zone {
    use_context::<Zone>().unwrap_or_default()
}

/// A moment in the page's language and the viewer's time zone.
pub fn show_time(epoch_secs: i64) -> String {
    use_locale().format_timestamp(use_zone(), epoch_secs)
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

/// An authored name in the page's language (falling back to the other one).
pub fn shown(n: &crate::model::Names) -> String {
    n.shown(use_locale()).to_string()
}

/// A list in the page's language: "讲授、案例分析" in Chinese, "Lecture, case study" in English.
pub fn join_list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(&tr("app.list_separator"))
}

/// Reads the time zone the server wrote into `<html data-tz>`.
#[cfg(feature = "hydrate")]
pub fn zone_from_document() -> Zone {
    document()
        .document_element()
        .and_then(|el| el.get_attribute("data-tz"))
        .and_then(|z| Zone::parse(&z))
        .unwrap_or_default()
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

    #[test]
    fn times_are_shown_and_typed_on_the_zone_clock() {
        let shanghai = Zone::parse("asia/shanghai").unwrap();
        // 2026-03-05 06:00 UTC is 14:00 in Shanghai.
        let t = 1_772_690_400;
        assert_eq!(Locale::En.format_timestamp(shanghai, t), "5 Mar 2026 14:00 Asia/Shanghai");
        assert_eq!(Locale::ZhCn.format_timestamp(Zone::UTC, t), "2026年3月5日 06:00 UTC");
        assert_eq!(shanghai.input_value(t), "2026-03-05T14:00");
        let typed = chrono::NaiveDateTime::parse_from_str("2026-03-05T14:00", "%Y-%m-%dT%H:%M").unwrap();
        assert_eq!(shanghai.moment(typed), Some(t));
        // 02:30 on the day Berlin's clocks jump from 02:00 to 03:00 never happens.
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let gap = chrono::NaiveDateTime::parse_from_str("2026-03-29T02:30", "%Y-%m-%dT%H:%M").unwrap();
        assert_eq!(berlin.moment(gap), None);
        assert_eq!(Zone::parse("Mars/Olympus"), None);
    }
}
