//! Certification programs and the cleared-for-floor status (issue 6).

use serde::{Deserialize, Serialize};

use super::Names;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertStatus {
    NotStarted,
    InTraining,
    Certified,
    Expiring,
    Expired,
    Suspended,
    Revoked,
    /// A failed on-the-job follow-up sent the person back: not cleared until they pass the
    /// program's role-play again.
    Reassess,
}

impl CertStatus {
    pub const ALL: [CertStatus; 8] = [
        CertStatus::NotStarted,
        CertStatus::InTraining,
        CertStatus::Certified,
        CertStatus::Expiring,
        CertStatus::Expired,
        CertStatus::Suspended,
        CertStatus::Revoked,
        CertStatus::Reassess,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertStatus::NotStarted => "not_started",
            CertStatus::InTraining => "in_training",
            CertStatus::Certified => "certified",
            CertStatus::Expiring => "expiring",
            CertStatus::Expired => "expired",
            CertStatus::Suspended => "suspended",
            CertStatus::Revoked => "revoked",
            CertStatus::Reassess => "reassess",
        }
    }

    pub fn parse(s: &str) -> Option<CertStatus> {
        CertStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            CertStatus::NotStarted => "cert.status.not_started",
            CertStatus::InTraining => "cert.status.in_training",
            CertStatus::Certified => "cert.status.certified",
            CertStatus::Expiring => "cert.status.expiring",
            CertStatus::Expired => "cert.status.expired",
            CertStatus::Suspended => "cert.status.suspended",
            CertStatus::Revoked => "cert.status.revoked",
            CertStatus::Reassess => "cert.status.reassess",
        }
    }

    /// Cleared for the floor: certified, including inside the renewal window.
    pub fn cleared(self) -> bool {
        matches!(self, CertStatus::Certified | CertStatus::Expiring)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// To become certified.
    Initial,
    /// To renew inside the window before expiry.
    Recert,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Initial => "initial",
            Phase::Recert => "recert",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        [Phase::Initial, Phase::Recert].into_iter().find(|p| p.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Phase::Initial => "cert.phase.initial",
            Phase::Recert => "cert.phase.recert",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReqKind {
    Course,
    Quiz,
    Roleplay,
    Attendance,
    /// The on-the-job follow-up at an offset (days after certification), passed: renewal only.
    Followup,
}

impl ReqKind {
    pub const ALL: [ReqKind; 5] =
        [ReqKind::Course, ReqKind::Quiz, ReqKind::Roleplay, ReqKind::Attendance, ReqKind::Followup];

    pub fn as_str(self) -> &'static str {
        match self {
            ReqKind::Course => "course",
            ReqKind::Quiz => "quiz",
            ReqKind::Roleplay => "roleplay",
            ReqKind::Attendance => "attendance",
            ReqKind::Followup => "followup",
        }
    }

    pub fn parse(s: &str) -> Option<ReqKind> {
        ReqKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ReqKind::Course => "cert.kind.course",
            ReqKind::Quiz => "cert.kind.quiz",
            ReqKind::Roleplay => "cert.kind.roleplay",
            ReqKind::Attendance => "cert.kind.attendance",
            ReqKind::Followup => "cert.kind.followup",
        }
    }
}

/// A manual decision by a manager or admin; every one needs a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Certify without the requirements (an exemption).
    Exempt,
    Suspend,
    Revoke,
    /// Lift a suspension or revocation.
    Reinstate,
}

impl Decision {
    pub const ALL: [Decision; 4] = [Decision::Exempt, Decision::Suspend, Decision::Revoke, Decision::Reinstate];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Exempt => "exempt",
            Decision::Suspend => "suspend",
            Decision::Revoke => "revoke",
            Decision::Reinstate => "reinstate",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Decision::Exempt => "cert.decision.exempt",
            Decision::Suspend => "cert.decision.suspend",
            Decision::Revoke => "cert.decision.revoke",
            Decision::Reinstate => "cert.decision.reinstate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramFields {
    pub name: Names,
    pub position_id: i64,
    pub level_id: i64,
    pub requires_program_id: Option<i64>,
    pub validity_days: i64,
    pub window_days: i64,
    pub veteran_cycle_days: Option<i64>,
    pub manager_cycle_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramSummary {
    pub id: i64,
    pub name: Names,
    pub position: Names,
    pub level: Names,
    pub requires: Option<Names>,
    pub validity_days: i64,
    pub requirements: i64,
    pub cleared: i64,
    pub holders: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementView {
    pub id: i64,
    pub phase: Phase,
    pub kind: ReqKind,
    pub target: Names,
    pub min_percent: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramEditor {
    pub id: i64,
    pub fields: ProgramFields,
    pub requirements: Vec<RequirementView>,
    pub levels: Vec<(i64, Names)>,
    pub positions: Vec<super::position::Position>,
    pub programs: Vec<(i64, Names)>,
    pub courses: Vec<(i64, Names)>,
    pub quizzes: Vec<(i64, Names)>,
    pub scenarios: Vec<(i64, Names)>,
    pub plans: Vec<(i64, Names)>,
    /// The offsets of the evaluation plan's observed follow-ups (for "follow-up passed").
    pub followups: Vec<(i64, Names)>,
    /// The caller is an owner or an admin (set by the server function, not the service).
    pub can_change: bool,
}

/// One requirement checked for one person: met or not, why, and a link to the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub kind: ReqKind,
    pub title: Names,
    pub met: bool,
    /// What was found, as a translation key and its arguments ("86%, at least 80%").
    pub detail_key: String,
    pub detail_args: Vec<(String, String)>,
    pub link: Option<String>,
    pub at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateRef {
    pub number: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub exempted: bool,
}

/// One person's status in one program, with the reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusView {
    pub program_id: i64,
    pub program: Names,
    pub level: Names,
    pub position: Names,
    pub status: CertStatus,
    pub certificate: Option<CertificateRef>,
    pub hold_reason: String,
    /// The requirements that matter now: to certify, or to renew inside the window.
    pub phase: Phase,
    pub checks: Vec<Check>,
    /// The lower-level program this one requires, and whether it is cleared.
    pub prerequisite: Option<(Names, bool)>,
    pub window_opens_at: Option<i64>,
    /// Sent back by a failed follow-up: (the follow-up, when); the checks are then what passes
    /// the person again.
    #[serde(default)]
    pub reassess: Option<(i64, i64)>,
}

impl StatusView {
    pub fn met(&self) -> usize {
        self.checks.iter().filter(|c| c.met).count()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusEvent {
    pub at: i64,
    pub actor: Option<String>,
    pub program: Names,
    pub before: Option<CertStatus>,
    pub after: CertStatus,
    /// The cause as the audit log stores it ("program changed", "manual: revoke"): a fixed
    /// English phrase per cause, translated when shown (see `pages::cert::why_text`).
    pub why: String,
    /// A manual decision's reason, as the person deciding wrote it.
    pub reason: String,
}

/// A person's path to the floor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonStatus {
    pub user_id: i64,
    pub display_name: String,
    pub employee_no: String,
    pub position: Names,
    pub team: Names,
    pub programs: Vec<StatusView>,
    pub history: Vec<StatusEvent>,
    /// The caller may make manual decisions (a manager of the person's team, or an admin).
    pub can_decide: bool,
}

/// What the roster is narrowed to, as its GET form sends it (so a filtered roster is a link).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RosterQuery {
    /// A team id: that team and every team below it.
    pub team: String,
    pub program: String,
    /// `cleared`, `not_cleared`, `expiring` or `no_program`; empty for everyone.
    pub status: String,
    /// Part of a name or employee number.
    pub q: String,
    /// With `expiring`: within this many days (30 by default).
    pub within: String,
    pub page: String,
}

/// One person on the roster, with each program that applies to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterPerson {
    pub user_id: i64,
    pub display_name: String,
    pub employee_no: String,
    /// The team's path ("上海 / 售后服务部 / 客服一组"), so two teams of one name differ.
    pub team: Names,
    pub team_id: Option<i64>,
    pub position: Names,
    pub programs: Vec<RosterProgram>,
}

impl RosterPerson {
    /// Cleared for the floor today in at least one of their programs.
    pub fn cleared(&self) -> bool {
        self.programs.iter().any(|p| p.status.cleared())
    }

    /// Needs a program and has none: no position, or none of the programs is for it.
    pub fn without_program(&self) -> bool {
        self.programs.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterProgram {
    pub program_id: i64,
    pub program: Names,
    pub level: Names,
    pub status: CertStatus,
    pub expires_at: Option<i64>,
    /// The requirements still missing (titles), when not cleared.
    pub missing: Vec<Names>,
    pub hold_reason: String,
}

/// One page of the roster and the counts of everyone the filters keep (people, not rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Roster {
    pub people: Vec<RosterPerson>,
    pub total: u32,
    pub cleared: u32,
    pub without_program: u32,
    pub page: u32,
    pub pages: u32,
    /// The choices of the filter form: the caller's teams (as paths) and the live programs.
    pub teams: Vec<(i64, Names)>,
    pub programs: Vec<(i64, Names)>,
}

/// A person x program line of the roster's CSV and XLSX export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosterRow {
    pub user_id: i64,
    pub display_name: String,
    pub employee_no: String,
    pub team: Names,
    pub position: Names,
    pub program: Names,
    pub level: Names,
    pub status: CertStatus,
    pub expires_at: Option<i64>,
    /// The requirements still missing (titles), when not cleared.
    pub missing: Vec<Names>,
    pub hold_reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateView {
    pub number: String,
    pub holder: String,
    pub employee_no: String,
    pub program: Names,
    pub level: Names,
    pub position: Names,
    pub issued_at: i64,
    pub expires_at: i64,
    pub exempted: bool,
    pub status: CertStatus,
    pub verify_path: String,
    /// The QR code of the verification address, as SVG markup made on the server.
    pub qr_svg: String,
}

/// What the public verification page shows: only what is needed to verify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub number: String,
    pub holder: String,
    pub program: Names,
    pub issued_at: i64,
    pub expires_at: i64,
    pub status: CertStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub team: Option<Names>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    /// Past its expiry (told on the server, whose clock decides).
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i64,
    pub kind: String,
    pub holder: String,
    pub program: Names,
    pub expires_at: i64,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
    /// A manager's weekly digest (then holder, program and expiry are empty).
    pub digest: Option<crate::model::analytics::Digest>,
}

/// The program form as posted: every field is the text typed, so one parse (in `api::cert`)
/// names each bad value's field. Unchecked boxes and empty fields may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgramForm {
    pub name_zh: String,
    pub name_en: String,
    pub position_id: String,
    pub level_id: String,
    pub requires_program_id: String,
    pub validity_days: String,
    pub window_days: String,
    pub veteran_cycle_days: String,
    pub manager_cycle_days: String,
}
