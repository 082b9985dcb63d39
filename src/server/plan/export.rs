//! The training record form (培训记录表) as CSV and XLSX, and the schedule as an ICS calendar.

use crate::model::Names;
use crate::server::spreadsheet::{Letterhead, Table};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};

use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Zone};
use crate::model::followup::FollowupState;
use crate::model::plan::Attendance;
use crate::server::auth::guard::CurrentUser;
use crate::server::db::Db;
use std::collections::HashMap;

/// One follow-up on the job on the record form: days after certification, state, score, passed.
pub type FollowupCell = (i64, FollowupState, Option<f64>, Option<bool>);

/// One attendee of one session.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordRow {
    pub plan: String,
    pub topic: String,
    pub day: String,
    pub time: String,
    pub instructor: String,
    pub employee_no: String,
    pub name: String,
    pub attendance: Option<Attendance>,
    /// Plan courses completed, out of the plan's courses.
    pub courses_done: i64,
    pub courses_total: i64,
    /// Best graded post-test of the plan's courses, and whether one was passed.
    pub post_test_percent: Option<f64>,
    pub post_test_passed: Option<bool>,
    /// The person's follow-ups on the job.
    pub followups: Vec<FollowupCell>,
}

/// The record form's rows that `user` may see (see `plan::Viewer`); refused to a plain member.
#[tracing::instrument(skip_all, fields(caller = user.id, plan_id))]
pub async fn record_rows(db: &Db, user: &CurrentUser, plan_id: i64) -> AppResult<Vec<RecordRow>> {
    let viewer = super::require_records(db, user, plan_id).await?;
    let rows = sqlx::query!(
        r#"select p.title as plan, p.title_en as plan_en, s.topic, s.day, s.start_time, s.end_time, u.id as "user_id!", u.team_id,
                  coalesce(i.display_name, '') as "instructor!: String", u.employee_no, u.display_name,
                  a.status as "status?",
                  (select count(*) from plan_courses pc join enrollments e on e.course_id = pc.course_id
                    where pc.plan_id = p.id and e.user_id = u.id and e.completed_at is not null) as "done!: i64",
                  (select count(*) from plan_courses pc where pc.plan_id = p.id) as "total!: i64",
                  (select max(t.percent) from attempts t join quizzes z on z.id = t.quiz_id
                    join plan_courses pc on pc.course_id = z.course_id
                    where pc.plan_id = p.id and z.kind = 'post_test' and t.user_id = u.id
                      and t.status = 'graded') as "post: f64",
                  (select max(t.passed) from attempts t join quizzes z on z.id = t.quiz_id
                    join plan_courses pc on pc.course_id = z.course_id
                    where pc.plan_id = p.id and z.kind = 'post_test' and t.user_id = u.id
                      and t.status = 'graded') = 1 as "post_passed?: bool"
           from training_plans p
           join plan_sessions s on s.plan_id = p.id
           join plan_members m on m.plan_id = p.id
           join users u on u.id = m.user_id
           left join users i on i.id = s.instructor_id
           left join attendance a on a.session_id = s.id and a.user_id = u.id
           where p.id = $1 order by s.day, s.start_time, u.display_name"#,
        plan_id
    )
    .fetch_all(&db.read)
    .await?;
    // Each member's follow-ups on the job (of their current certificates), the same on every
    // session's line.
    let mut followups: HashMap<i64, Vec<FollowupCell>> = HashMap::new();
    for f in crate::server::followup::of_plan_for(db, &viewer, plan_id).await? {
        followups.entry(f.user_id).or_default().push((f.offset_days, f.state, f.percent, f.passed));
    }
    Ok(rows
        .into_iter()
        .filter(|r| viewer.sees(r.user_id, r.team_id))
        .map(|r| RecordRow {
            // Both languages: the form is printed and filed, and read by either.
            plan: Names::new(r.plan, r.plan_en).both(),
            topic: r.topic,
            day: r.day,
            time: format!("{}-{}", r.start_time, r.end_time),
            instructor: r.instructor,
            employee_no: r.employee_no,
            name: r.display_name,
            attendance: r.status.as_deref().and_then(Attendance::parse),
            courses_done: r.done,
            courses_total: r.total,
            post_test_percent: r.post,
            post_test_passed: r.post_passed,
            followups: followups.get(&r.user_id).cloned().unwrap_or_default(),
        })
        .collect())
}

const HEADER_KEYS: [&str; 10] = [
    "record.plan",
    "record.session",
    "record.date",
    "record.time",
    "record.instructor",
    "field.employee_no",
    "field.display_name",
    "record.attendance",
    "record.result",
    "record.followups",
];

fn t(locale: Locale, key: &str) -> String {
    rust_i18n::t!(key, locale = locale.code()).into_owned()
}

fn cells(locale: Locale, r: &RecordRow) -> [String; 10] {
    let attendance = r.attendance.map(|a| t(locale, a.label_key())).unwrap_or_default();
    let mut result = format!("{} {}/{}", t(locale, "record.courses"), r.courses_done, r.courses_total);
    if let Some(p) = r.post_test_percent {
        let verdict = t(locale, if r.post_test_passed == Some(true) { "quiz.passed" } else { "quiz.failed" });
        result.push_str(&format!("; {} {p:.0}% {verdict}", t(locale, "quiz.kind.post_test")));
    }
    // "30天 通过 82%; 60天 已逾期"
    let followups = r
        .followups
        .iter()
        .map(|(days, state, percent, passed)| {
            let when = rust_i18n::t!("followup.title_days", locale = locale.code(), days = days).into_owned();
            match (percent, passed) {
                (Some(p), Some(ok)) => {
                    format!("{when} {} {p:.0}%", t(locale, if *ok { "quiz.passed" } else { "quiz.failed" }))
                }
                _ => format!("{when} {}", t(locale, state.label_key())),
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    [
        r.plan.clone(),
        r.topic.clone(),
        r.day.clone(),
        r.time.clone(),
        r.instructor.clone(),
        r.employee_no.clone(),
        r.name.clone(),
        attendance,
        result,
        followups,
    ]
}

fn table(locale: Locale, rows: &[RecordRow]) -> Table {
    Table {
        sheet: t(locale, "record.sheet"),
        header: HEADER_KEYS.iter().map(|k| t(locale, k)).collect(),
        rows: rows.iter().map(|r| cells(locale, r).to_vec()).collect(),
    }
}

pub fn csv(locale: Locale, rows: &[RecordRow]) -> AppResult<Vec<u8>> {
    table(locale, rows).csv()
}

/// The record form, printed on the organisation's letterhead (name, logo, seal).
pub fn xlsx(locale: Locale, rows: &[RecordRow], letterhead: &Letterhead) -> AppResult<Vec<u8>> {
    table(locale, rows).xlsx_with(letterhead)
}

/// The sessions as calendar events on the plan's clock (DTSTART;TZID=Asia/Shanghai:...), so a
/// calendar in another zone moves them to the right hour.
#[tracing::instrument(skip_all, fields(plan_id))]
pub async fn ics(db: &Db, plan_id: i64) -> AppResult<String> {
    let p = sqlx::query!("select title, title_en, time_zone from training_plans where id = $1", plan_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    let (plan, tzid) = (Names::new(p.title, p.title_en).both(), Zone::parse(&p.time_zone).unwrap_or(Zone::UTC).name());
    let sessions = sqlx::query!(
        r#"select s.id as "id!", s.topic, s.day, s.start_time, s.end_time, s.venue, s.online_link,
                  u.display_name as "instructor?"
           from plan_sessions s left join users u on u.id = s.instructor_id where s.plan_id = $1 order by s.day, s.start_time"#,
        plan_id
    )
    .fetch_all(&db.read)
    .await?;
    let mut cal = Calendar::new();
    cal.name(&plan);
    for s in sessions {
        let at = |time: &str| {
            chrono::NaiveDateTime::parse_from_str(&format!("{} {time}", s.day), "%Y-%m-%d %H:%M")
                .map(|date_time| CalendarDateTime::WithTimezone { date_time, tzid: tzid.to_string() })
        };
        let (Ok(start), Ok(end)) = (at(&s.start_time), at(&s.end_time)) else { continue };
        let summary = if s.topic.is_empty() { plan.clone() } else { format!("{plan}: {}", s.topic) };
        let mut description = s.instructor.map(|i| format!("Instructor / 讲师: {i}")).unwrap_or_default();
        if !s.online_link.is_empty() {
            description.push_str(&format!("\n{}", s.online_link));
        }
        let event = Event::new()
            .uid(&format!("floorready-plan-{plan_id}-session-{}", s.id))
            .summary(&summary)
            .starts(start)
            .ends(end)
            .location(&s.venue)
            .description(&description)
            .done();
        cal.push(event);
    }
    Ok(cal.done().to_string())
}
