//! On-the-job follow-ups (issue 15, level 3): a program's evaluation plan, and the observations
//! made on the floor at 30/60/90 days after certification.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::roleplay::CriterionView;
use super::survey::FormItem;
use super::Names;

/// Who fills in a follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Observer {
    /// The managers of the person's team, nearest first.
    Supervisor,
    Trainer,
    /// The person, as a self-assessment: recorded, never changes the status.
    SelfAssessment,
}

impl Observer {
    pub const ALL: [Observer; 3] = [Observer::Supervisor, Observer::Trainer, Observer::SelfAssessment];

    pub fn as_str(self) -> &'static str {
        match self {
            Observer::Supervisor => "supervisor",
            Observer::Trainer => "trainer",
            Observer::SelfAssessment => "self",
        }
    }

    pub fn parse(s: &str) -> Option<Observer> {
        Observer::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Observer::Supervisor => "followup.observer.supervisor",
            Observer::Trainer => "followup.observer.trainer",
            Observer::SelfAssessment => "followup.observer.self",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FollowupState {
    Scheduled,
    Due,
    Overdue,
    Completed,
    Waived,
}

impl FollowupState {
    pub const ALL: [FollowupState; 5] = [
        FollowupState::Scheduled,
        FollowupState::Due,
        FollowupState::Overdue,
        FollowupState::Completed,
        FollowupState::Waived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowupState::Scheduled => "scheduled",
            FollowupState::Due => "due",
            FollowupState::Overdue => "overdue",
            FollowupState::Completed => "completed",
            FollowupState::Waived => "waived",
        }
    }

    pub fn parse(s: &str) -> Option<FollowupState> {
        FollowupState::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            FollowupState::Scheduled => "followup.state.scheduled",
            FollowupState::Due => "followup.state.due",
            FollowupState::Overdue => "followup.state.overdue",
            FollowupState::Completed => "followup.state.completed",
            FollowupState::Waived => "followup.state.waived",
        }
    }

    /// Still to be done (or waived).
    pub fn open(self) -> bool {
        matches!(self, FollowupState::Scheduled | FollowupState::Due | FollowupState::Overdue)
    }
}

/// What a failed follow-up (by an observer, not a self-assessment) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OnFail {
    /// Recorded only.
    Record,
    /// The person is "re-assessment required" (not cleared) until they pass the program's
    /// role-play again.
    Reassess,
}

impl OnFail {
    pub fn as_str(self) -> &'static str {
        match self {
            OnFail::Record => "record",
            OnFail::Reassess => "reassess",
        }
    }

    pub fn parse(s: &str) -> Option<OnFail> {
        [OnFail::Record, OnFail::Reassess].into_iter().find(|o| o.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            OnFail::Record => "followup.on_fail.record",
            OnFail::Reassess => "followup.on_fail.reassess",
        }
    }
}

/// One step of a program's evaluation plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub id: i64,
    pub offset_days: i64,
    pub observer: Observer,
    pub rubric: Option<(i64, String)>,
    pub form: Option<(i64, Names)>,
    pub pass_percent: i64,
}

/// A program's evaluation plan as its editor shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationPlan {
    pub program_id: i64,
    pub on_fail: OnFail,
    pub grace_days: i64,
    pub escalate_days: i64,
    pub steps: Vec<StepView>,
    pub rubrics: Vec<(i64, String)>,
    pub forms: Vec<(i64, Names)>,
    /// The rubric of the program's (first) role-play requirement: the usual observation body.
    pub program_rubric: Option<i64>,
    /// The caller is an owner or an admin (set by the server function, not the service).
    pub can_change: bool,
}

/// One follow-up in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowupRow {
    pub id: i64,
    pub user_id: i64,
    pub person: String,
    pub employee_no: String,
    pub team: Names,
    pub program: Names,
    pub offset_days: i64,
    pub observer: Observer,
    pub state: FollowupState,
    pub due_at: i64,
    pub overdue_at: i64,
    /// Who is asked (none: any trainer).
    pub assignee: Option<String>,
    pub escalated: bool,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub completed_at: Option<i64>,
}

/// The caller's follow-ups, by what they call for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FollowupLists {
    /// Due or overdue, for the caller to fill in (overdue first).
    pub to_do: Vec<FollowupRow>,
    /// Due within the next two weeks.
    pub coming: Vec<FollowupRow>,
    /// Overdue in the teams the caller manages (whoever is asked), oldest first.
    pub overdue_in_teams: Vec<FollowupRow>,
    /// Completed by the caller, newest first.
    pub done: Vec<FollowupRow>,
    /// The caller's own completed follow-ups (never a draft).
    pub about_me: Vec<FollowupRow>,
}

/// One criterion as it was scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredCriterion {
    pub name: Names,
    pub level: u8,
    pub max_level: u8,
    pub descriptor: String,
    pub comment: String,
    pub critical_failed: bool,
}

/// One extra item as answered, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShownAnswer {
    pub question: Names,
    pub choices: Vec<Names>,
    pub number: Option<f64>,
    pub yes_no: Option<bool>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowupResult {
    pub observer_name: String,
    pub completed_at: i64,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub criteria: Vec<ScoredCriterion>,
    pub answers: Vec<ShownAnswer>,
    pub overall: String,
    /// This follow-up sent the person back to re-assessment.
    pub sent_back: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiver {
    /// None: closed by the system (a renewal started a new cycle, or the certificate ended).
    pub by: Option<String>,
    pub at: i64,
    pub reason: String,
}

/// One follow-up as its page shows it to whoever may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowupView {
    pub id: i64,
    pub user_id: i64,
    pub person: String,
    pub employee_no: String,
    pub team: Names,
    pub program: Names,
    pub offset_days: i64,
    pub observer: Observer,
    pub state: FollowupState,
    pub certified_at: i64,
    pub due_at: i64,
    pub overdue_at: i64,
    /// The form can be filled in from this moment (a week before the due day).
    pub opens_at: i64,
    /// Before `opens_at` now.
    pub not_open_yet: bool,
    pub assignee: Option<String>,
    pub escalated_to: Option<String>,
    pub pass_percent: i64,
    /// The observation form: the rubric's criteria (with weights and critical flags for the
    /// observer) and the extra items. Empty for anyone who may not fill it in.
    pub criteria: Vec<CriterionView>,
    pub items: Vec<FormItem>,
    /// The observer's saved draft (field name to value); only ever sent to an observer.
    pub draft: BTreeMap<String, String>,
    pub can_observe: bool,
    pub can_waive: bool,
    pub result: Option<FollowupResult>,
    pub waiver: Option<Waiver>,
}

/// How the training-transfer table groups people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferGroup {
    Everyone,
    Plan,
    Team,
    HireMonth,
}

impl TransferGroup {
    pub const ALL: [TransferGroup; 4] =
        [TransferGroup::Everyone, TransferGroup::Plan, TransferGroup::Team, TransferGroup::HireMonth];

    pub fn as_str(self) -> &'static str {
        match self {
            TransferGroup::Everyone => "",
            TransferGroup::Plan => "plan",
            TransferGroup::Team => "team",
            TransferGroup::HireMonth => "hire_month",
        }
    }

    pub fn parse(s: &str) -> Option<TransferGroup> {
        TransferGroup::ALL.into_iter().find(|g| g.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            TransferGroup::Everyone => "transfer.group.everyone",
            TransferGroup::Plan => "transfer.group.plan",
            TransferGroup::Team => "transfer.group.team",
            TransferGroup::HireMonth => "transfer.group.hire_month",
        }
    }
}

/// Follow-ups at one offset, by state, with the results of the completed ones (observers only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OffsetFigures {
    pub offset_days: i64,
    pub scheduled: i64,
    pub due: i64,
    pub overdue: i64,
    pub completed: i64,
    pub waived: i64,
    pub passed: i64,
    pub mean_percent: Option<f64>,
}

/// A score per criterion as a share of its top level (0-100), over `n` people.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub mean: Option<f64>,
    pub n: i64,
}

/// One criterion: in training (the role-play) beside on the job at each offset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferRow {
    pub criterion: Names,
    pub training: Scored,
    /// One per offset of [`TransferReport::offsets`].
    pub floor: Vec<Scored>,
    /// People with both a role-play and a follow-up score for it.
    pub matched: i64,
    /// Of those, met it in the role-play and missed it on the job (at any offset).
    pub lost: i64,
    /// `lost` is at least a fifth of `matched`: the training does not hold on the floor.
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferCohort {
    /// Empty for everyone.
    pub label: Names,
    pub people: i64,
    pub rows: Vec<TransferRow>,
}

/// One person's levels: the role-play's and each offset's, per criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonTransfer {
    pub user_id: i64,
    pub person: String,
    pub employee_no: String,
    /// Per criterion: (role-play level, level at each offset).
    pub levels: Vec<(Option<f64>, Vec<Option<f64>>)>,
}

/// The on-the-job results of one program: follow-up figures, and training transfer per criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferReport {
    pub program_id: i64,
    pub programs: Vec<(i64, Names)>,
    pub teams: Vec<(i64, Names)>,
    pub team: Option<i64>,
    pub group: TransferGroup,
    pub figures: Vec<OffsetFigures>,
    /// The observed offsets with a rubric (the table's columns).
    pub offsets: Vec<i64>,
    /// (criterion, top level, the level it counts as met from).
    pub criteria: Vec<(Names, u8, u8)>,
    pub cohorts: Vec<TransferCohort>,
    pub people: Vec<PersonTransfer>,
}
