//! Role-play rubrics (issue 5). The scoring and agreement math lives in `server::roleplay`.

use serde::{Deserialize, Serialize};

use super::Names;

/// One weighted rubric criterion with ordered levels `0..=max_level`, each with a descriptor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// Stored as one string before names had two languages.
    #[serde(deserialize_with = "super::names_or_text")]
    pub name: Names,
    pub weight: f64,
    /// Descriptors for levels 0, 1, ..., in order; the highest index is the best level.
    pub levels: Vec<String>,
    /// Scoring below `pass_level` on a critical criterion fails the role-play whatever the total.
    pub critical: bool,
    pub pass_level: u8,
}

impl Criterion {
    pub fn max_level(&self) -> u8 {
        self.levels.len().saturating_sub(1) as u8
    }
}

/// How two raters' scores of one performance become the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondRaterRule {
    /// The mean of the two (per criterion, so a critical criterion fails on the mean level).
    Average,
    /// The lower of the two totals, with that rater's critical failures.
    Lower,
}

impl SecondRaterRule {
    pub const ALL: [SecondRaterRule; 2] = [SecondRaterRule::Average, SecondRaterRule::Lower];

    pub fn as_str(self) -> &'static str {
        match self {
            SecondRaterRule::Average => "average",
            SecondRaterRule::Lower => "lower",
        }
    }

    pub fn parse(s: &str) -> Option<SecondRaterRule> {
        SecondRaterRule::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            SecondRaterRule::Average => "roleplay.rule.average",
            SecondRaterRule::Lower => "roleplay.rule.lower",
        }
    }
}

/// Where the simulated customer contact happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    Phone,
    Counter,
    Onsite,
    Chat,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Phone, Channel::Counter, Channel::Onsite, Channel::Chat];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Counter => "counter",
            Channel::Onsite => "onsite",
            Channel::Chat => "chat",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Channel::Phone => "roleplay.channel.phone",
            Channel::Counter => "roleplay.channel.counter",
            Channel::Onsite => "roleplay.channel.onsite",
            Channel::Chat => "roleplay.channel.chat",
        }
    }
}

/// Live: a trainer plays the customer and scores while watching. Written: the trainee types replies
/// to the customer's turns and a trainer scores the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    Live,
    Written,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Written => "written",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        [Mode::Live, Mode::Written].into_iter().find(|m| m.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Mode::Live => "roleplay.mode.live",
            Mode::Written => "roleplay.mode.written",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Written mode, waiting for the trainee's replies.
    AwaitingTranscript,
    /// Waiting for the rater(s).
    Open,
    Final,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::AwaitingTranscript => "awaiting_transcript",
            Status::Open => "open",
            Status::Final => "final",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::AwaitingTranscript, Status::Open, Status::Final].into_iter().find(|m| m.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Status::AwaitingTranscript => "roleplay.status.awaiting_transcript",
            Status::Open => "roleplay.status.open",
            Status::Final => "roleplay.status.final",
        }
    }
}

/// One criterion row of the rubric form (`criteria[i][name]` ...): text as typed, checked on the
/// server. Rows with an empty name are ignored, so the form can offer spare rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CriterionInput {
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub weight: String,
    #[serde(default)]
    pub critical: Option<String>,
    #[serde(default)]
    pub pass_level: String,
    /// One descriptor per line, lowest level first.
    #[serde(default)]
    pub levels: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricSummary {
    pub id: i64,
    pub name: String,
    pub version_no: i64,
    pub criteria: usize,
    pub scenarios: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricDetail {
    pub id: i64,
    pub name: String,
    pub version_no: i64,
    pub criteria: Vec<Criterion>,
    /// The caller is an owner or an admin (set by the server function, not the service).
    pub can_change: bool,
}

/// A scenario's authored fields, as edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFields {
    pub title: Names,
    pub channel: Channel,
    pub product: String,
    pub situation: String,
    pub persona: String,
    pub mood: String,
    pub objective: String,
    pub cues: String,
    pub facts: String,
    pub customer_turns: String,
    pub time_box_minutes: i64,
    pub rubric_id: i64,
    pub pass_percent: i64,
    pub rule: SecondRaterRule,
    pub course_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub id: i64,
    pub title: Names,
    pub channel: Channel,
    pub rubric_name: String,
    pub courses: Vec<Names>,
    pub roleplays: i64,
    pub passed: i64,
}

/// The scenario editor: the fields plus the choices for its selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioEditor {
    pub id: i64,
    pub fields: ScenarioFields,
    pub rubrics: Vec<(i64, String)>,
    pub courses: Vec<(i64, Names)>,
    /// The caller is an owner or an admin (set by the server function, not the service).
    pub can_change: bool,
}

/// A criterion as a viewer may see it. The trainee gets names and level descriptors (for the
/// self-assessment) but not weights, critical flags or pass levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionView {
    pub name: Names,
    pub levels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_level: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingView {
    pub rater: String,
    pub is_self: bool,
    pub levels: Vec<u8>,
    pub comments: Vec<String>,
    pub overall: String,
    /// The weighted total. Absent from a self-assessment until the result is final: with the
    /// levels it would reveal the rubric's hidden weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    pub submitted_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleplayResult {
    pub percent: f64,
    pub passed: bool,
    pub critical_failed: Vec<Names>,
    /// The level per criterion that decided the result (the mean of two raters, or the lower one's).
    pub levels: Vec<f64>,
}

/// What the caller may do on a role-play's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    Trainee,
    Rater,
    /// A manager of the trainee's team, or an admin: results only.
    Observer,
}

/// One role-play as its viewer may see it. Fields the viewer may not see yet are empty: the
/// trainee gets no cues, facts, weights or ratings before the result is final; a rater sees only
/// their own rating until every required rating is in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleplayView {
    pub id: i64,
    pub viewer: Viewer,
    pub scenario_id: i64,
    pub title: Names,
    pub channel: Channel,
    pub product: String,
    pub situation: String,
    pub persona: String,
    pub mood: String,
    pub objective: String,
    pub time_box_minutes: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cues: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<String>,
    pub trainee: String,
    pub employee_no: String,
    pub mode: Mode,
    pub status: Status,
    pub raters_required: i64,
    pub ratings_in: i64,
    pub customer_turns: Vec<String>,
    pub replies: Vec<String>,
    pub criteria: Vec<CriterionView>,
    pub can_rate: bool,
    pub can_reply: bool,
    pub can_self_assess: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_percent: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<SecondRaterRule>,
    pub ratings: Vec<RatingView>,
    pub self_rating: Option<RatingView>,
    pub result: Option<RoleplayResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleplaySummary {
    pub id: i64,
    pub title: Names,
    pub trainee: String,
    pub employee_no: String,
    pub mode: Mode,
    pub status: Status,
    pub raters_required: i64,
    pub ratings_in: i64,
    pub i_rated: bool,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub opened_at: i64,
}

/// Agreement of one pair of raters, on one criterion or (criterion `None`) all of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRow {
    pub rater_a: String,
    pub rater_b: String,
    pub criterion: Option<Names>,
    pub n: usize,
    pub kappa: Option<f64>,
    pub exact_percent: f64,
    pub adjacent_percent: f64,
    /// Kappa below the threshold, on at least [`CALIBRATION_MIN_N`] scores.
    pub flagged: bool,
    /// Fewer scores than [`CALIBRATION_MIN_N`]: too few to judge the pair.
    pub too_few: bool,
}

/// Agreement of all pairs of raters pooled, for the role-plays that became final in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementPoint {
    /// YYYY-MM (UTC).
    pub month: String,
    pub n: usize,
    pub kappa: Option<f64>,
    pub exact_percent: f64,
}

/// Below this many paired scores a kappa says little (one role-play of three criteria is three):
/// such a pair is shown, not flagged.
pub const CALIBRATION_MIN_N: usize = 10;

/// One criterion row of a rating form (`scores[i][level]`, `scores[i][comment]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreInput {
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub comment: String,
}

/// The scenario form as posted: every field is the text typed, so one parse (in `api::roleplay`)
/// names each bad value's field. Unchecked boxes and empty fields may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScenarioForm {
    pub title_zh: String,
    pub title_en: String,
    pub channel: String,
    pub product: String,
    pub situation: String,
    pub persona: String,
    pub mood: String,
    pub objective: String,
    pub cues: String,
    pub facts: String,
    pub customer_turns: String,
    pub time_box_minutes: String,
    pub rubric_id: String,
    pub pass_percent: String,
    pub rule: String,
}
