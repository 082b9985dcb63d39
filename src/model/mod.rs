//! Types that cross the wire between server and browser. Nothing here may carry a secret.

pub mod cert;
pub mod course;
pub mod organisation;
pub mod owners;
pub mod plan;
pub mod position;
pub mod quiz;
pub mod roleplay;
pub mod team;
pub mod todo;
pub mod user;

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

/// A name written in both languages (a position, and in time every authored title): the screen
/// shows the reader's language and falls back to the other when that one is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    pub zh: String,
    pub en: String,
}

impl Names {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Names {
        Names { zh: zh.into(), en: en.into() }
    }

    /// Both languages, for exports read by either ("售后服务专员 / After-sales specialist").
    pub fn both(&self) -> String {
        match (self.zh.trim(), self.en.trim()) {
            (zh, en) if en.is_empty() || zh == en => zh.to_string(),
            ("", en) => en.to_string(),
            (zh, en) => format!("{zh} / {en}"),
        }
    }

    pub fn shown(&self, locale: Locale) -> &str {
        let (first, other) = match locale {
            Locale::ZhCn => (&self.zh, &self.en),
            Locale::En => (&self.en, &self.zh),
        };
        if first.trim().is_empty() {
            other
        } else {
            first
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Names;
    use crate::i18n::Locale;

    #[test]
    fn a_name_shows_the_readers_language_and_falls_back_to_the_other() {
        let n = Names::new("售后服务专员", "After-sales specialist");
        assert_eq!((n.shown(Locale::ZhCn), n.shown(Locale::En)), ("售后服务专员", "After-sales specialist"));
        let only_zh = Names::new("培训师", " ");
        assert_eq!(only_zh.shown(Locale::En), "培训师");
    }
}
