//! Question banks, quizzes and attempts.
//!
//! Two families of types live here. Authoring types (`QuestionBody`, `QuestionDraft`) carry the
//! answer key and are only ever sent to a course's authors. Delivery types (`AttemptView`,
//! `ItemView`, `AttemptResult`) are what a trainee receives: they hold the text to show and the
//! trainee's own answers in *shown* order, and no field that could reveal correctness before the
//! review policy allows it.

use serde::{Deserialize, Serialize};

use super::Names;

/// Questions per page of an attempt.
pub const PER_PAGE: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuestionKind {
    Single,
    Multiple,
    TrueFalse,
    FillBlank,
    Numeric,
    Matching,
    Ordering,
    Essay,
    /// Text shown among the questions (Moodle's description item): no answer, no points.
    Description,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 9] = [
        QuestionKind::Single,
        QuestionKind::Multiple,
        QuestionKind::TrueFalse,
        QuestionKind::FillBlank,
        QuestionKind::Numeric,
        QuestionKind::Matching,
        QuestionKind::Ordering,
        QuestionKind::Essay,
        QuestionKind::Description,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::TrueFalse => "true_false",
            QuestionKind::FillBlank => "fill_blank",
            QuestionKind::Numeric => "numeric",
            QuestionKind::Matching => "matching",
            QuestionKind::Ordering => "ordering",
            QuestionKind::Essay => "essay",
            QuestionKind::Description => "description",
        }
    }

    pub fn parse(s: &str) -> Option<QuestionKind> {
        QuestionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            QuestionKind::Single => "question.kind.single",
            QuestionKind::Multiple => "question.kind.multiple",
            QuestionKind::TrueFalse => "question.kind.true_false",
            QuestionKind::FillBlank => "question.kind.fill_blank",
            QuestionKind::Numeric => "question.kind.numeric",
            QuestionKind::Matching => "question.kind.matching",
            QuestionKind::Ordering => "question.kind.ordering",
            QuestionKind::Essay => "question.kind.essay",
            QuestionKind::Description => "question.kind.description",
        }
    }
}

/// How a multiple-response question turns picks into credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scoring {
    /// Full credit only for exactly the right set of options.
    AllOrNothing,
    /// The sum of the picked options' weights (wrong options carry negative weights), kept in 0..100%.
    Proportional,
}

/// An option of a choice question. `weight` is the credit for picking it, in percent (-100..=100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub text: String,
    pub weight: f64,
    pub feedback: String,
}

/// An accepted fill-in-the-blank answer and its credit; `*` accepts anything (as in GIFT).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accepted {
    pub text: String,
    pub weight: f64,
    pub feedback: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericAnswer {
    pub value: f64,
    pub tolerance: f64,
    pub weight: f64,
    pub feedback: String,
}

/// One matching pair; an empty `left` is a distractor that only adds a wrong right-hand choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub left: String,
    pub right: String,
}

/// A question's options and its key. Server and authors only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum QuestionBody {
    Single {
        options: Vec<Choice>,
    },
    Multiple {
        options: Vec<Choice>,
        scoring: Scoring,
    },
    TrueFalse {
        answer: bool,
        feedback_wrong: String,
        feedback_right: String,
    },
    FillBlank {
        answers: Vec<Accepted>,
    },
    Numeric {
        answers: Vec<NumericAnswer>,
    },
    Matching {
        pairs: Vec<Pair>,
    },
    /// Items in the right order.
    Ordering {
        items: Vec<String>,
    },
    Essay,
    /// Not a question: shown as text, never graded, worth no points.
    Description,
}

impl QuestionBody {
    pub fn kind(&self) -> QuestionKind {
        match self {
            QuestionBody::Single { .. } => QuestionKind::Single,
            QuestionBody::Multiple { .. } => QuestionKind::Multiple,
            QuestionBody::TrueFalse { .. } => QuestionKind::TrueFalse,
            QuestionBody::FillBlank { .. } => QuestionKind::FillBlank,
            QuestionBody::Numeric { .. } => QuestionKind::Numeric,
            QuestionBody::Matching { .. } => QuestionKind::Matching,
            QuestionBody::Ordering { .. } => QuestionKind::Ordering,
            QuestionBody::Essay => QuestionKind::Essay,
            QuestionBody::Description => QuestionKind::Description,
        }
    }
}

/// A question as imported or edited, before it is stored as a new version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionDraft {
    pub category: String,
    pub tags: Vec<String>,
    pub title: String,
    pub stem: String,
    pub difficulty: i64,
    pub points: i64,
    pub feedback: String,
    pub body: QuestionBody,
}

/// A trainee's answer in authored terms (option indices as authored), as stored and graded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    Choices(Vec<usize>),
    Bool(bool),
    Text(String),
    /// For each left item (authored order), the authored index of the chosen right item.
    Matches(Vec<Option<usize>>),
    /// Authored item indices in the order the trainee put them.
    Order(Vec<usize>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuizKind {
    PreTest,
    PostTest,
    Practice,
    Refresher,
}

impl QuizKind {
    pub const ALL: [QuizKind; 4] = [QuizKind::PreTest, QuizKind::PostTest, QuizKind::Practice, QuizKind::Refresher];

    pub fn as_str(self) -> &'static str {
        match self {
            QuizKind::PreTest => "pre_test",
            QuizKind::PostTest => "post_test",
            QuizKind::Practice => "practice",
            QuizKind::Refresher => "refresher",
        }
    }

    pub fn parse(s: &str) -> Option<QuizKind> {
        QuizKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            QuizKind::PreTest => "quiz.kind.pre_test",
            QuizKind::PostTest => "quiz.kind.post_test",
            QuizKind::Practice => "quiz.kind.practice",
            QuizKind::Refresher => "quiz.kind.refresher",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewPolicy {
    ScoreOnly,
    ScoreAndWrong,
    FullAfterClose,
}

impl ReviewPolicy {
    pub const ALL: [ReviewPolicy; 3] =
        [ReviewPolicy::ScoreOnly, ReviewPolicy::ScoreAndWrong, ReviewPolicy::FullAfterClose];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewPolicy::ScoreOnly => "score_only",
            ReviewPolicy::ScoreAndWrong => "score_and_wrong",
            ReviewPolicy::FullAfterClose => "full_after_close",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewPolicy> {
        ReviewPolicy::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ReviewPolicy::ScoreOnly => "quiz.policy.score_only",
            ReviewPolicy::ScoreAndWrong => "quiz.policy.score_and_wrong",
            ReviewPolicy::FullAfterClose => "quiz.policy.full_after_close",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttemptStatus {
    InProgress,
    AwaitingGrading,
    Graded,
}

impl AttemptStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::InProgress => "in_progress",
            AttemptStatus::AwaitingGrading => "awaiting_grading",
            AttemptStatus::Graded => "graded",
        }
    }

    pub fn parse(s: &str) -> Option<AttemptStatus> {
        [AttemptStatus::InProgress, AttemptStatus::AwaitingGrading, AttemptStatus::Graded]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            AttemptStatus::InProgress => "attempt.status.in_progress",
            AttemptStatus::AwaitingGrading => "attempt.status.awaiting_grading",
            AttemptStatus::Graded => "attempt.status.graded",
        }
    }
}

/// The quiz settings a trainer edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizFields {
    pub title: Names,
    pub kind: QuizKind,
    pub pass_percent: i64,
    pub time_limit_minutes: Option<i64>,
    /// Local date-times as `YYYY-MM-DDTHH:MM` (the form's datetime-local), read in server time.
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub attempts_allowed: Option<i64>,
    pub cooloff_minutes: i64,
    pub review_policy: ReviewPolicy,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub pre_test_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankSummary {
    pub id: i64,
    pub name: String,
    pub course_id: Option<i64>,
    pub course_title: Option<Names>,
    pub question_count: i64,
}

/// A question as listed for its authors (key included: authors may see it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionRow {
    pub id: i64,
    pub version_no: i64,
    pub category: String,
    pub tags: Vec<String>,
    pub draft: QuestionDraft,
    /// The same question in GIFT, for editing and copying.
    pub gift: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankDetail {
    pub id: i64,
    pub name: String,
    pub course_id: Option<i64>,
    pub questions: Vec<QuestionRow>,
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotView {
    pub id: i64,
    pub position: i64,
    /// A fixed question's title/stem, or a draw rule described.
    pub question_id: Option<i64>,
    pub question_label: String,
    pub bank_id: Option<i64>,
    pub bank_name: String,
    pub category: String,
    pub tag: String,
    pub draw_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizSummary {
    pub id: i64,
    pub course_id: i64,
    pub course_title: Names,
    pub title: Names,
    pub kind: QuizKind,
    pub published: bool,
    pub question_count: i64,
    pub attempts: i64,
    pub passed: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizEditor {
    pub id: i64,
    pub course_id: i64,
    pub fields: QuizFields,
    pub published: bool,
    pub slots: Vec<SlotView>,
    pub banks: Vec<BankSummary>,
    /// Other quizzes of the course, to pair a post-test with its pre-test.
    pub siblings: Vec<(i64, Names)>,
    /// The lesson to re-read after a failed attempt before a retake, and the lessons to choose from.
    pub remediation_lesson_id: Option<i64>,
    pub lessons: Vec<(i64, Names)>,
}

/// A trainee's view of a quiz before and between attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizIntro {
    pub id: i64,
    pub title: Names,
    pub kind: QuizKind,
    pub course_title: Names,
    pub question_count: i64,
    pub pass_percent: i64,
    pub time_limit_minutes: Option<i64>,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub attempts_allowed: Option<i64>,
    pub attempts_used: i64,
    pub open_attempt: Option<i64>,
    /// Why a new attempt cannot start now (translation key), if it cannot.
    pub blocked: Option<String>,
    /// When the cool-off ends, if that is what blocks.
    pub next_start_at: Option<i64>,
    /// The lesson to re-read before a retake, when that is what blocks: (id, title).
    pub remediation: Option<(i64, Names)>,
    pub history: Vec<AttemptSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptSummary {
    pub id: i64,
    pub attempt_no: i64,
    pub status: AttemptStatus,
    pub started_at: i64,
    pub submitted_at: Option<i64>,
    pub score_percent: Option<f64>,
    pub passed: Option<bool>,
}

/// One question as the trainee sees it: text, options in shown order, their own answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemView {
    pub position: usize,
    /// The question number shown; `None` for a description.
    pub number: Option<usize>,
    pub kind: QuestionKind,
    pub stem_html: String,
    pub points: i64,
    /// Choice options, matching's left items, or ordering's items, in shown order.
    pub options: Vec<String>,
    /// Matching's right-hand choices in shown order.
    pub rights: Vec<String>,
    pub answer: Option<ShownAnswer>,
}

/// A trainee's answer in shown positions (never authored indices).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ShownAnswer {
    Choices(Vec<usize>),
    Bool(bool),
    Text(String),
    Matches(Vec<Option<usize>>),
    Order(Vec<usize>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptView {
    pub id: i64,
    pub quiz_id: i64,
    pub quiz_title: Names,
    pub attempt_no: i64,
    pub seq: i64,
    pub deadline_at: Option<i64>,
    pub remaining_secs: Option<i64>,
    pub page: usize,
    pub pages: usize,
    pub answered: Vec<bool>,
    pub items: Vec<ItemView>,
}

/// What the review policy lets a trainee see about one question after submitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemReview {
    pub position: usize,
    pub stem_html: String,
    pub your_answer: String,
    /// With "score and which were wrong" or full review.
    pub correct: Option<bool>,
    /// With full review only.
    pub right_answer: Option<String>,
    pub feedback: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptResult {
    pub id: i64,
    pub quiz_id: i64,
    pub quiz_title: Names,
    pub status: AttemptStatus,
    pub closed_by_deadline: bool,
    pub score: Option<f64>,
    pub max_score: f64,
    pub score_percent: Option<f64>,
    pub passed: Option<bool>,
    pub pass_percent: i64,
    /// While items wait for a trainer: the points of those already graded.
    pub provisional_score: Option<f64>,
    pub pending_items: u32,
    pub items: Vec<ItemReview>,
}

/// An attempt in the trainer's list of a quiz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRow {
    pub id: i64,
    pub display_name: String,
    pub employee_no: String,
    pub attempt_no: i64,
    pub status: AttemptStatus,
    pub submitted_at: Option<i64>,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizResults {
    pub quiz_id: i64,
    pub title: Names,
    /// One page of attempts (`RESULTS_PER_PAGE`), by name and attempt number.
    pub attempts: Vec<AttemptRow>,
    /// Over every graded attempt, not only this page's.
    pub pass_rate: Option<f64>,
    pub total: i64,
    /// 0-based.
    pub page: u32,
    pub pages: u32,
}

/// Attempts per page of a quiz's results: a quiz taken ten thousand times sent 2 MB at once.
pub const RESULTS_PER_PAGE: i64 = 100;

/// An essay answer waiting for a trainer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradingItem {
    pub attempt_id: i64,
    pub position: usize,
    pub quiz_title: Names,
    pub display_name: String,
    pub employee_no: String,
    pub stem_html: String,
    pub answer: String,
    pub points: i64,
}

/// A quiz on a trainee's list: where they stand with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyQuiz {
    pub id: i64,
    pub title: Names,
    pub kind: QuizKind,
    pub course_title: Names,
    pub best_percent: Option<f64>,
    pub passed: bool,
    pub open_attempt: Option<i64>,
    pub awaiting_grading: bool,
}

/// The quiz settings form as posted: every field is the text typed, so one parse (in `api::quiz`)
/// names each bad value's field. Unchecked boxes and empty fields may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuizForm {
    pub title_zh: String,
    pub title_en: String,
    pub kind: String,
    pub pass_percent: String,
    pub time_limit_minutes: String,
    pub opens_at: String,
    pub closes_at: String,
    pub attempts_allowed: String,
    pub cooloff_minutes: String,
    pub review_policy: String,
    pub shuffle_questions: Option<String>,
    pub shuffle_options: Option<String>,
    pub pre_test_id: String,
}
