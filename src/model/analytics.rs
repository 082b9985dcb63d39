//! What the analytics pages show: Moodle's statistics of a quiz, pass rates, gains.

use serde::{Deserialize, Serialize};

use super::quiz::QuestionKind;
use super::Names;

/// Which graded attempts a quiz's statistics are computed from (Moodle's "calculate from").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum StatsAttempts {
    /// Each person's first graded attempt: what the training taught, before practice on the test.
    #[default]
    First,
    Last,
    Best,
    All,
}

impl StatsAttempts {
    pub const ALL: [StatsAttempts; 4] =
        [StatsAttempts::First, StatsAttempts::Last, StatsAttempts::Best, StatsAttempts::All];

    pub fn as_str(self) -> &'static str {
        match self {
            StatsAttempts::First => "first",
            StatsAttempts::Last => "last",
            StatsAttempts::Best => "best",
            StatsAttempts::All => "all",
        }
    }

    /// An empty value is the default; anything else unknown is `None`.
    pub fn parse(s: &str) -> Option<StatsAttempts> {
        match s.trim() {
            "" => Some(StatsAttempts::First),
            v => StatsAttempts::ALL.into_iter().find(|w| w.as_str() == v),
        }
    }
}

/// The whole test, scores as percentages of the test's maximum.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TestSummary {
    pub attempts: u32,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub sd: Option<f64>,
    pub skewness: Option<f64>,
    pub kurtosis: Option<f64>,
    /// Cronbach's alpha x 100.
    pub cic: Option<f64>,
    pub error_ratio: Option<f64>,
    pub standard_error: Option<f64>,
}

/// One slot of the quiz, Moodle's columns in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotSummary {
    /// 1-based, in authored order.
    pub slot: u32,
    pub kind: Option<QuestionKind>,
    /// The question's title (or the start of its stem); a slot that drew different questions
    /// names how many.
    pub question: String,
    pub variants: u32,
    pub attempts: u32,
    pub facility: f64,
    pub sd: Option<f64>,
    pub random_guess: Option<f64>,
    pub intended_weight: f64,
    pub effective_weight: Option<f64>,
    pub discrimination: Option<f64>,
    pub efficiency: Option<f64>,
    pub flags: SlotWarnings,
    pub options: Vec<OptionPicks>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SlotWarnings {
    /// Discriminative efficiency below 15 %.
    pub weak: bool,
    /// The item moves against the rest of the test.
    pub negative: bool,
    /// Facility outside 30-70 %.
    pub facility: bool,
}

impl SlotWarnings {
    pub fn any(&self) -> bool {
        self.weak || self.negative || self.facility
    }
}

/// How often one option of a choice question was picked (distractor analysis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionPicks {
    /// Which question of the slot, when it drew more than one.
    pub question: String,
    pub option: Picked,
    pub correct: bool,
    pub picks: u32,
    /// Of the attempts that were shown this question.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Picked {
    Text(String),
    True,
    False,
    NoAnswer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizStatistics {
    pub quiz_id: i64,
    pub title: Names,
    pub which: StatsAttempts,
    /// Graded attempts of the quiz in all, whichever are counted.
    pub graded: u32,
    pub people: u32,
    pub test: TestSummary,
    pub slots: Vec<SlotSummary>,
}

/// One week of the cleared-for-floor trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub weeks_ago: u32,
    /// The day counted (YYYY-MM-DD).
    pub day: String,
    pub needed: u32,
    pub cleared: u32,
}

/// People who need a position or program, and how many of them are cleared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FloorLine {
    pub id: i64,
    pub name: Names,
    pub needed: u32,
    pub cleared: u32,
}

/// Quiz outcomes whose first graded attempt fell in a period: passed first time, and by now.
/// Pre-tests are left out: they measure where people start, nobody is meant to pass them.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PeriodPass {
    pub from: i64,
    pub to: i64,
    /// Person x quiz outcomes.
    pub outcomes: u32,
    pub first_passed: u32,
    pub passed: u32,
}

impl PeriodPass {
    pub fn first_rate(&self) -> Option<f64> {
        (self.outcomes > 0).then(|| 100.0 * self.first_passed as f64 / self.outcomes as f64)
    }

    pub fn rate(&self) -> Option<f64> {
        (self.outcomes > 0).then(|| 100.0 * self.passed as f64 / self.outcomes as f64)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorstQuiz {
    pub quiz_id: i64,
    pub title: Names,
    pub outcomes: u32,
    pub first_rate: f64,
}

/// The role-play criterion rated lowest this period, across the scope's final role-plays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorstCriterion {
    pub name: Names,
    /// Final role-plays that rated it.
    pub rated: u32,
    /// The mean deciding level as a share of the top level, in percent.
    pub mean_percent: f64,
    /// Rated below its pass level, in percent.
    pub failing_percent: f64,
}

/// How many people in training are at one step (the first thing their program still misses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub name: Names,
    pub people: u32,
}

/// The median days from hire date to first certificate, for a team or a hire month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedianLine {
    pub label: Names,
    pub people: u32,
    pub median_days: f64,
}

/// A manager's home page: their teams and everything below (an admin's: everyone).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Dashboard {
    /// The team narrowed to, if any, and the teams that may be picked.
    pub team: Option<i64>,
    pub teams: Vec<(i64, Names)>,
    /// An admin's: everyone, not only teams they manage.
    pub everyone: bool,
    /// People who need a program, and those cleared in one today.
    pub people: u32,
    pub cleared: u32,
    pub without_program: u32,
    pub positions: Vec<FloorLine>,
    pub programs: Vec<FloorLine>,
    pub trend: Vec<TrendPoint>,
    /// People with a certificate expiring within 30, 60 and 90 days.
    pub expiring: [u32; 3],
    pub expired: u32,
    pub suspended: u32,
    pub revoked: u32,
    /// Sent back by a failed follow-up on the job.
    #[serde(default)]
    pub reassess: u32,
    /// New hires (never certified): not started, in training and at which step.
    pub not_started: u32,
    pub in_training: u32,
    pub steps: Vec<Step>,
    pub median_days: Option<f64>,
    pub median_by_team: Vec<MedianLine>,
    pub median_by_month: Vec<MedianLine>,
    pub this_period: PeriodPass,
    pub previous: PeriodPass,
    pub worst_quiz: Option<WorstQuiz>,
    #[serde(default)]
    pub worst_criterion: Option<WorstCriterion>,
    pub essays_waiting: u32,
    pub essays_overdue: u32,
    #[serde(default)]
    pub followups: FollowupFigures,
    pub roleplays_waiting: u32,
    pub roleplays_overdue: u32,
}

/// What the pass-rate report's rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReportGroup {
    #[default]
    Quiz,
    Course,
    /// Teams one level below the picked one (or the sites), each with everything below it.
    Team,
    HireMonth,
    /// Weeks, months or quarters of the first attempt.
    Period,
    /// The course's trainers (its owners).
    Trainer,
    /// Who taught the person: instructors of the plan sessions they attended for that course.
    Instructor,
    /// Cohorts: the training plans the people are members of (someone in two counts in both).
    Plan,
}

impl ReportGroup {
    pub const ALL: [ReportGroup; 8] = [
        ReportGroup::Quiz,
        ReportGroup::Course,
        ReportGroup::Team,
        ReportGroup::HireMonth,
        ReportGroup::Period,
        ReportGroup::Trainer,
        ReportGroup::Instructor,
        ReportGroup::Plan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportGroup::Quiz => "quiz",
            ReportGroup::Course => "course",
            ReportGroup::Team => "team",
            ReportGroup::HireMonth => "hire_month",
            ReportGroup::Period => "period",
            ReportGroup::Trainer => "trainer",
            ReportGroup::Instructor => "instructor",
            ReportGroup::Plan => "plan",
        }
    }

    pub fn parse(s: &str) -> Option<ReportGroup> {
        match s.trim() {
            "" => Some(ReportGroup::Quiz),
            v => ReportGroup::ALL.into_iter().find(|g| g.as_str() == v),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReportPeriod {
    Week,
    #[default]
    Month,
    Quarter,
}

impl ReportPeriod {
    pub const ALL: [ReportPeriod; 3] = [ReportPeriod::Week, ReportPeriod::Month, ReportPeriod::Quarter];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportPeriod::Week => "week",
            ReportPeriod::Month => "month",
            ReportPeriod::Quarter => "quarter",
        }
    }

    pub fn parse(s: &str) -> Option<ReportPeriod> {
        match s.trim() {
            "" => Some(ReportPeriod::Month),
            v => ReportPeriod::ALL.into_iter().find(|p| p.as_str() == v),
        }
    }
}

/// The report's filters as the address carries them (each checked by the server).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub quiz: String,
    #[serde(default)]
    pub team: String,
    /// A row's key: list its people.
    #[serde(default)]
    pub row: String,
}

/// One row: person x quiz outcomes whose first graded attempt is in the filters.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReportRow {
    pub key: String,
    pub label: Names,
    pub outcomes: u32,
    pub people: u32,
    pub attempts: u32,
    pub first_passed: u32,
    pub passed: u32,
    pub mean_first: Option<f64>,
    pub median_first: Option<f64>,
    /// Of those who passed: the attempts it took.
    pub mean_attempts_to_pass: Option<f64>,
}

impl ReportRow {
    pub fn first_rate(&self) -> Option<f64> {
        (self.outcomes > 0).then(|| 100.0 * self.first_passed as f64 / self.outcomes as f64)
    }

    pub fn rate(&self) -> Option<f64> {
        (self.outcomes > 0).then(|| 100.0 * self.passed as f64 / self.outcomes as f64)
    }
}

/// One person's outcome of one quiz, for a row's drill-down.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonOutcome {
    pub user_id: i64,
    pub display_name: String,
    pub employee_no: String,
    pub team: Names,
    pub quiz_id: i64,
    pub quiz: Names,
    pub attempts: u32,
    pub first_percent: f64,
    pub best_percent: f64,
    pub attempts_to_pass: Option<u32>,
    pub first_at: i64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PassRateReport {
    pub group: ReportGroup,
    pub period: ReportPeriod,
    pub rows: Vec<ReportRow>,
    pub total: ReportRow,
    /// What the filters may pick.
    pub teams: Vec<(i64, Names)>,
    /// Quizzes by id, then role-play scenarios as "s" and their id.
    pub quizzes: Vec<(String, Names)>,
    /// The row drilled into, and its people.
    pub row: Option<ReportRow>,
    pub people: Vec<PersonOutcome>,
}

/// Pre/post gain over matched pairs (see `server::analytics::gain`); gains are fractions.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct GainSummary {
    pub pairs: u32,
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    pub class_gain: Option<f64>,
    pub mean_gain: Option<f64>,
    pub gain_pairs: u32,
    pub mean_change: Option<f64>,
    pub change_pairs: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GainLine {
    pub label: Names,
    pub summary: GainSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GainPerson {
    pub display_name: String,
    pub employee_no: String,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub change: Option<f64>,
}

/// One question asked in both tests, over the matched pairs shown it both times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionGain {
    pub question: String,
    pub pairs: u32,
    pub right_before: f64,
    pub right_after: f64,
    pub wrong_to_right: u32,
    pub right_to_wrong: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GainReport {
    pub pre_test: Names,
    pub summary: GainSummary,
    /// People left out: with a pre-test only, and with a post-test only.
    pub pre_only: u32,
    pub post_only: u32,
    pub by_team: Vec<GainLine>,
    pub by_hire_month: Vec<GainLine>,
    /// Cohorts by training plan, and by who taught the sessions attended in plans with the course.
    pub by_plan: Vec<GainLine>,
    pub by_instructor: Vec<GainLine>,
    pub people: Vec<GainPerson>,
    pub questions: Vec<QuestionGain>,
}

/// The gains report's filters as the page's query string has them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GainQuery {
    #[serde(default)]
    pub quiz: String,
    #[serde(default)]
    pub team: String,
}

/// The gains report page: what may be picked, and the post-test picked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GainsPage {
    pub quiz: Option<i64>,
    pub team: Option<i64>,
    /// Post-tests paired with a pre-test.
    pub quizzes: Vec<(i64, Names)>,
    pub teams: Vec<(i64, Names)>,
    pub report: Option<GainReport>,
}

/// A manager's weekly digest, as the notice keeps it: the dashboard's headline figures for all
/// their teams at the start of the week.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Digest {
    /// The ISO week, e.g. 2026-W49.
    pub week: String,
    pub people: u32,
    pub cleared: u32,
    pub expiring_30: u32,
    pub expired: u32,
    pub suspended_or_revoked: u32,
    pub this_period: PeriodPass,
    pub previous: PeriodPass,
    pub worst_quiz: Option<WorstQuiz>,
    pub essays_overdue: u32,
    pub roleplays_overdue: u32,
}

/// The role-play criteria report's filters, as the page's address carries them: a team (and
/// everything below it), and the days role-plays became final, from and to (YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CriteriaQuery {
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// The criteria report's columns (translation keys), on the page and in its exports alike.
pub const CRITERIA_COLUMNS: [&str; 6] = [
    "criteria.scenario",
    "criteria.criterion",
    "criteria.rated",
    "criteria.mean",
    "criteria.failing",
    "criteria.critical",
];

/// One criterion of one scenario over the final role-plays in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionRow {
    pub scenario_id: i64,
    pub scenario: Names,
    pub criterion: Names,
    pub rated: u32,
    /// The mean deciding level as a share of the top level, in percent.
    pub mean_percent: f64,
    /// Rated below its pass level, in percent.
    pub failing_percent: f64,
    /// Times a critical criterion fell below its pass level (each fails the role-play).
    pub critical_failed: u32,
}

/// A team's criteria taken together, with its weakest one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriteriaTeam {
    pub team_id: i64,
    pub team: Names,
    pub rated: u32,
    pub mean_percent: f64,
    pub failing_percent: f64,
    pub critical_failed: u32,
}

/// The same figures per trainer who rated the role-plays; one rated by two trainers counts for
/// each of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriteriaTrainer {
    pub rater_id: i64,
    pub name: String,
    pub roleplays: u32,
    pub mean_percent: f64,
    /// The share of criterion ratings below their pass level.
    pub failing_percent: f64,
    /// Role-plays failed on a critical criterion.
    pub critical_failed: u32,
}

pub const CRITERIA_TRAINER_COLUMNS: [&str; 5] =
    ["criteria.trainer", "criteria.roleplays", "criteria.mean", "criteria.failing", "criteria.critical_roleplays"];

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CriteriaReport {
    pub team: Option<i64>,
    pub teams: Vec<(i64, Names)>,
    /// The days covered, as dates.
    pub from: String,
    pub to: String,
    pub rows: Vec<CriterionRow>,
    pub by_team: Vec<CriteriaTeam>,
    pub by_trainer: Vec<CriteriaTrainer>,
}

/// The dashboard's follow-ups on the job: open ones by state, and those completed this period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FollowupFigures {
    pub due: u32,
    pub overdue: u32,
    pub completed: u32,
    pub passed: u32,
}
