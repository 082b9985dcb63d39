//! Types that cross the wire between server and browser. Nothing here may carry a secret.

pub mod analytics;
pub mod audit;
pub mod cert;
pub mod course;
pub mod followup;
pub mod metric;
pub mod organisation;
pub mod owners;
pub mod plan;
pub mod position;
pub mod quiz;
pub mod roleplay;
pub mod survey;
pub mod team;
pub mod todo;
pub mod user;

use serde::{Deserialize, Serialize};

use crate::i18n::Locale;

/// A name written in both languages (positions, teams, programs, courses, quizzes...): the screen
/// shows the reader's language and falls back to the other when that one is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

    /// The same text in both fields: a name stored as one string whose language is not known (a
    /// status-history entry written before 0015).
    pub fn same(text: impl Into<String>) -> Names {
        let text = text.into();
        Names { zh: text.clone(), en: text }
    }

    /// Each language's path of segments ("上海 / 售后服务部", "Shanghai / After-sales"), a segment
    /// without a name in one language taking its other.
    pub fn path<'a>(segments: impl IntoIterator<Item = &'a Names>) -> Names {
        let (mut zh, mut en) = (Vec::new(), Vec::new());
        for s in segments {
            zh.push(s.shown(Locale::ZhCn));
            en.push(s.shown(Locale::En));
        }
        Names { zh: zh.join(" / "), en: en.join(" / ") }
    }

    /// One name in whichever language it is written: with a Chinese character it is the Chinese
    /// name, else the English one (the rule migration 0015 used on names written before).
    pub fn written(text: &str) -> Names {
        let text = text.trim();
        if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            Names::new(text, "")
        } else {
            Names::new("", text)
        }
    }

    /// Trimmed, as a form sends it; `None` when both are empty.
    pub fn cleaned(&self) -> Option<Names> {
        let n = Names::new(self.zh.trim(), self.en.trim());
        (!n.zh.is_empty() || !n.en.is_empty()).then_some(n)
    }

    /// Either language, any case (how an import names a team or a program).
    pub fn answers_to(&self, name: &str) -> bool {
        let name = name.trim().to_lowercase();
        !name.is_empty() && (self.zh.trim().to_lowercase() == name || self.en.trim().to_lowercase() == name)
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

/// For `#[serde(deserialize_with)]`: a name stored before it had two languages (a plain string,
/// read as [`Names::written`]) as well as one with both.
pub fn names_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Names, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Text(String),
        Both(Names),
    }
    Ok(match Stored::deserialize(d)? {
        Stored::Text(text) => Names::written(&text),
        Stored::Both(names) => names,
    })
}

#[cfg(feature = "ssr")]
impl Names {
    /// A JSON list of names as stored (plain strings before 0015, both languages since).
    pub fn list_from_json(json: &str) -> Vec<Names> {
        #[derive(Deserialize)]
        struct Item(#[serde(deserialize_with = "names_or_text")] Names);
        serde_json::from_str::<Vec<Item>>(json).unwrap_or_default().into_iter().map(|i| i.0).collect()
    }
}

impl From<&str> for Names {
    fn from(text: &str) -> Names {
        Names::written(text)
    }
}

#[cfg(test)]
mod tests {
    use super::Names;
    use crate::i18n::Locale;
    use serde::Deserialize;

    #[test]
    fn a_name_shows_the_readers_language_and_falls_back_to_the_other() {
        let n = Names::new("售后服务专员", "After-sales specialist");
        assert_eq!((n.shown(Locale::ZhCn), n.shown(Locale::En)), ("售后服务专员", "After-sales specialist"));
        let only_zh = Names::new("培训师", " ");
        assert_eq!(only_zh.shown(Locale::En), "培训师");
        let path = Names::path(&[Names::new("上海", "Shanghai"), Names::new("", "Counter")]);
        assert_eq!(path, Names::new("上海 / Counter", "Shanghai / Counter"));
        assert_eq!(Names::new(" ", "").cleaned(), None);
        assert!(Names::new("客服组", "Desk").answers_to(" desk "));
        assert_eq!(Names::from("客服一组"), Names::new("客服一组", ""));
        assert_eq!(Names::from(" Desk "), Names::new("", "Desk"));
        #[derive(Deserialize)]
        struct Row {
            #[serde(deserialize_with = "super::names_or_text")]
            name: Names,
        }
        let old: Row = serde_json::from_str(r#"{"name": "Empathy"}"#).unwrap();
        let new: Row = serde_json::from_str(r#"{"name": {"zh": "同理心", "en": "Empathy"}}"#).unwrap();
        assert_eq!((old.name, new.name), (Names::new("", "Empathy"), Names::new("同理心", "Empathy")));
    }
}
