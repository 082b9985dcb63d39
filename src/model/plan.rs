use serde::{Deserialize, Serialize};

/// How a plan trains: the methods named in the companies' own training plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    Lecture,
    CaseStudy,
    RolePlay,
    Drill,
    Online,
}

impl Method {
    pub const ALL: [Method; 5] = [Method::Lecture, Method::CaseStudy, Method::RolePlay, Method::Drill, Method::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Lecture => "lecture",
            Method::CaseStudy => "case_study",
            Method::RolePlay => "role_play",
            Method::Drill => "drill",
            Method::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Method::Lecture => "plan.method.lecture",
            Method::CaseStudy => "plan.method.case_study",
            Method::RolePlay => "plan.method.role_play",
            Method::Drill => "plan.method.drill",
            Method::Online => "plan.method.online",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Attendance {
    Present,
    Late,
    Absent,
    Excused,
}

impl Attendance {
    pub const ALL: [Attendance; 4] = [Attendance::Present, Attendance::Late, Attendance::Absent, Attendance::Excused];

    pub fn as_str(self) -> &'static str {
        match self {
            Attendance::Present => "present",
            Attendance::Late => "late",
            Attendance::Absent => "absent",
            Attendance::Excused => "excused",
        }
    }

    pub fn parse(s: &str) -> Option<Attendance> {
        Attendance::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Attendance::Present => "attendance.present",
            Attendance::Late => "attendance.late",
            Attendance::Absent => "attendance.absent",
            Attendance::Excused => "attendance.excused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PlanFields {
    pub title: super::Names,
    pub purpose: String,
    pub methods: Vec<Method>,
    pub materials: String,
    pub venue: String,
    pub audience_positions: String,
    pub hire_from: Option<String>,
    pub hire_to: Option<String>,
    pub budget_planned_cents: i64,
    pub budget_actual_cents: i64,
    /// Whose clock the sessions' days and times are on.
    pub time_zone: crate::i18n::Zone,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: i64,
    pub title: super::Names,
    pub sessions: i64,
    pub members: i64,
    /// The first session from today on, as "YYYY-MM-DD HH:MM".
    pub next_session: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSession {
    pub id: i64,
    pub topic: String,
    pub day: String,
    pub start_time: String,
    pub end_time: String,
    pub venue: String,
    pub online_link: String,
    pub instructor_id: Option<i64>,
    pub instructor_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanMember {
    pub user_id: i64,
    pub display_name: String,
    pub employee_no: String,
    /// Present or late, out of the sessions marked for them (excused ones do not count).
    pub attendance_percent: Option<u32>,
    /// Best graded post-test of the plan's courses, and whether any post-test was passed.
    pub post_test_percent: Option<u32>,
    pub post_test_passed: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCourse {
    pub id: i64,
    pub title: super::Names,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDetail {
    pub id: i64,
    pub fields: PlanFields,
    pub team_ids: Vec<i64>,
    pub courses: Vec<PlanCourse>,
    pub sessions: Vec<PlanSession>,
    pub members: Vec<PlanMember>,
    pub attendance_percent: Option<u32>,
    /// Whether the caller may edit the plan (the page hides forms otherwise; the server checks again).
    pub can_edit: bool,
    /// Whether the caller sees other members' records, the budget and the record form; a member
    /// who does not gets only their own row in `members`, and no budget.
    pub sees_records: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceRow {
    pub user_id: i64,
    pub display_name: String,
    pub employee_no: String,
    pub status: Option<Attendance>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceSheet {
    pub plan_id: i64,
    pub plan_title: super::Names,
    pub session: PlanSession,
    /// Attendance can be marked once the session has started.
    pub started: bool,
    pub rows: Vec<AttendanceRow>,
}

/// The training plan form as posted: every field is the text typed, so one parse (in `api::plan`)
/// names each bad value's field. Unchecked boxes and empty fields may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    pub title_zh: String,
    pub title_en: String,
    pub purpose: String,
    pub materials: String,
    pub venue: String,
    pub audience_positions: String,
    pub hire_from: String,
    pub hire_to: String,
    pub budget_planned: String,
    pub budget_actual: String,
    /// An IANA name; empty means the caller's own site's zone.
    pub time_zone: String,
}

/// The plan session form as posted: every field is the text typed, so one parse (in `api::plan`)
/// names each bad value's field. Unchecked boxes and empty fields may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionForm {
    pub topic: String,
    pub day: String,
    pub start_time: String,
    pub end_time: String,
    pub venue: String,
    pub online_link: String,
    pub instructor: String,
}

/// A person's attendance in a plan, by the one definition the plan page and the certification
/// check share: sessions attended (present or late) out of all the plan's sessions except those
/// they were excused from. A session still to come counts as not attended yet, so 75% of four
/// sessions is met once three have been attended; a session held but never marked counts as missed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceRate {
    pub attended: i64,
    pub counted: i64,
}

impl AttendanceRate {
    /// Rounded to a whole percent, for showing; none when no session counts.
    pub fn percent(self) -> Option<u32> {
        (self.counted > 0).then(|| ((self.attended * 100 + self.counted / 2) / self.counted) as u32)
    }

    /// At least `min` percent, exactly (66.7% does not meet 67%).
    pub fn meets(self, min: i64) -> bool {
        self.counted > 0 && self.attended * 100 >= min * self.counted
    }
}

impl std::ops::Add for AttendanceRate {
    type Output = AttendanceRate;
    fn add(self, o: AttendanceRate) -> AttendanceRate {
        AttendanceRate { attended: self.attended + o.attended, counted: self.counted + o.counted }
    }
}

#[cfg(test)]
mod attendance_tests {
    use super::AttendanceRate;

    #[test]
    fn a_rate_rounds_for_showing_and_compares_exactly() {
        let two_of_three = AttendanceRate { attended: 2, counted: 3 };
        assert_eq!(two_of_three.percent(), Some(67));
        assert!(!two_of_three.meets(67) && two_of_three.meets(66));
        assert_eq!(AttendanceRate::default().percent(), None);
        assert!(!AttendanceRate::default().meets(0), "no session counted meets nothing");
    }
}
