//! Evaluation forms and reaction surveys: what trainers author, what a trainee answers and what
//! the results show.

use serde::{Deserialize, Serialize};

use crate::model::Names;

/// The kinds of item a form holds. A section only heads the items after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Section,
    /// 2-11 points, one label per point (e.g. a 1-5 Likert scale).
    Scale,
    Single,
    Multiple,
    /// 0-10 likelihood to recommend.
    Nps,
    YesNo,
    Number,
    ShortText,
    LongText,
}

impl ItemKind {
    pub const ALL: [ItemKind; 9] = [
        ItemKind::Section,
        ItemKind::Scale,
        ItemKind::Single,
        ItemKind::Multiple,
        ItemKind::Nps,
        ItemKind::YesNo,
        ItemKind::Number,
        ItemKind::ShortText,
        ItemKind::LongText,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Section => "section",
            ItemKind::Scale => "scale",
            ItemKind::Single => "single",
            ItemKind::Multiple => "multiple",
            ItemKind::Nps => "nps",
            ItemKind::YesNo => "yes_no",
            ItemKind::Number => "number",
            ItemKind::ShortText => "short_text",
            ItemKind::LongText => "long_text",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Whether the item takes options (a scale's are its points' labels).
    pub fn has_options(self) -> bool {
        matches!(self, ItemKind::Scale | ItemKind::Single | ItemKind::Multiple)
    }

    /// Whether answers are text, shown as they were written.
    pub fn is_text(self) -> bool {
        matches!(self, ItemKind::ShortText | ItemKind::LongText)
    }
}

/// One item of a form version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormItem {
    pub kind: ItemKind,
    pub text: Names,
    #[serde(default)]
    pub options: Vec<Names>,
    #[serde(default)]
    pub required: bool,
}

/// One item row of the form editor (`items[i][text_zh]` ...): text as typed, checked on the
/// server. Rows with no text are ignored, so the editor can offer spare rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormItemInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub text_zh: String,
    #[serde(default)]
    pub text_en: String,
    /// One option per line, "中文 | English" (or one text for both).
    #[serde(default)]
    pub options: String,
    #[serde(default)]
    pub required: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormSummary {
    pub id: i64,
    pub title: Names,
    pub version_no: i64,
    pub items: u32,
    pub responses: u32,
    /// Courses whose survey uses it.
    pub courses: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormDetail {
    pub id: i64,
    pub title: Names,
    pub version_no: i64,
    pub items: Vec<FormItem>,
    /// Responses to the current version: saving then makes a new version.
    pub answered: u32,
    pub can_change: bool,
}

/// What a reaction survey is attached to: a course (asked on completing it) or a training plan
/// (asked after each session attended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SurveyOf {
    Course(i64),
    Plan(i64),
}

impl SurveyOf {
    /// (course, plan): one of them.
    pub fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            SurveyOf::Course(c) => (Some(c), None),
            SurveyOf::Plan(p) => (None, Some(p)),
        }
    }
}

/// A course's or plan's reaction survey as its authors set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveySettings {
    pub survey_id: Option<i64>,
    pub form_id: Option<i64>,
    pub anonymous: bool,
    pub due_days: i64,
    pub active: bool,
    /// The forms that may be picked.
    pub forms: Vec<(i64, Names)>,
}

/// A survey waiting for the caller's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyTodo {
    pub request_id: i64,
    /// The course, or the training plan.
    pub subject: Names,
    /// A plan's session: its day and topic.
    pub session: Option<String>,
    pub due_at: i64,
}

/// A survey to answer: its form and, after a failed submit, nothing else (answers stay in the
/// browser's form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyToAnswer {
    pub request_id: i64,
    /// The course, or the training plan.
    pub subject: Names,
    /// A plan's session (day and topic) and who taught it.
    pub session: Option<String>,
    pub instructor: Option<String>,
    pub anonymous: bool,
    pub due_at: i64,
    pub answered: bool,
    pub items: Vec<FormItem>,
}

/// One answer as stored: the item's place in the form version, and a choice (by option), a
/// number or a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub item: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// One item's results over the responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    pub kind: ItemKind,
    pub text: Names,
    /// Responses that answered it.
    pub answered: u32,
    /// Scales (points from 1), NPS (0-10) and numbers.
    pub mean: Option<f64>,
    /// Per option or point: its label and how many picked it.
    pub counts: Vec<(Names, u32)>,
    /// Promoters minus detractors, in percent of those who answered.
    pub nps: Option<f64>,
    /// Free text, without names, in a random order.
    pub texts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyResults {
    pub survey_id: i64,
    /// The course, or the training plan.
    pub subject: Names,
    /// A plan's sessions and instructors, to narrow the results to one (each view needs K).
    pub sessions: Vec<(i64, String)>,
    pub instructors: Vec<(i64, String)>,
    pub session: Option<i64>,
    pub instructor: Option<i64>,
    pub form: Names,
    pub anonymous: bool,
    pub asked: u32,
    pub responses: u32,
    /// Results are shown from this many responses.
    pub min_responses: u32,
    /// Empty while there are fewer responses than `min_responses`.
    pub items: Vec<ItemResult>,
}

impl SurveyResults {
    pub fn response_rate(&self) -> Option<f64> {
        (self.asked > 0).then(|| 100.0 * f64::from(self.responses) / f64::from(self.asked))
    }

    pub fn shown(&self) -> bool {
        self.responses >= self.min_responses
    }
}

/// A survey in the authors' list of results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveySummary {
    pub survey_id: i64,
    /// The course, or the training plan.
    pub subject: Names,
    pub plan: bool,
    pub form: Names,
    pub anonymous: bool,
    pub asked: u32,
    pub responses: u32,
}
