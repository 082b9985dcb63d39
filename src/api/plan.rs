use leptos::prelude::*;

use crate::error::AppError;
use crate::model::plan::{AttendanceSheet, PlanDetail, PlanForm, PlanSummary, SessionForm};

#[cfg(feature = "ssr")]
use crate::{
    model::plan::{Attendance, Method, PlanFields},
    model::user::Role,
    server::{ctx::Ctx, plan as svc},
};

/// "1234.5" yuan to 123450 fen; a bad amount names its field.
#[cfg(feature = "ssr")]
pub fn money_cents(field: &str, value: &str) -> Result<i64, AppError> {
    let v = value.trim().replace([',', '，', '¥', '￥'], "");
    if v.is_empty() {
        return Ok(0);
    }
    let bad = || AppError::validation(field, "error.money_invalid");
    let (whole, frac) = v.split_once('.').unwrap_or((&v, ""));
    if frac.len() > 2
        || whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(bad)
}

#[cfg(feature = "ssr")]
fn fields(cx: &Ctx, form: PlanForm, methods: Vec<String>) -> Result<PlanFields, AppError> {
    let PlanForm {
        title_zh,
        title_en,
        purpose,
        materials,
        venue,
        audience_positions,
        hire_from,
        hire_to,
        budget_planned,
        budget_actual,
        time_zone,
    } = form;
    let methods = methods
        .iter()
        .map(|m| Method::parse(m).ok_or_else(|| AppError::validation("methods", "error.choice_unknown")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PlanFields {
        title: crate::model::Names::new(title_zh, title_en),
        purpose,
        methods,
        materials,
        venue,
        audience_positions,
        hire_from: Some(hire_from),
        hire_to: Some(hire_to),
        budget_planned_cents: money_cents("budget_planned", &budget_planned)?,
        budget_actual_cents: money_cents("budget_actual", &budget_actual)?,
        time_zone: match time_zone.trim() {
            "" => cx.auth.zone,
            name => crate::i18n::Zone::parse(name)
                .ok_or_else(|| AppError::validation("time_zone", "error.time_zone_unknown"))?,
        },
    })
}

#[server]
pub async fn list_plans() -> Result<Vec<PlanSummary>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("list_plans")?;
        svc::list_for(&cx.state.db, me, cx.auth.zone).await
    })
    .await
}

#[server]
pub async fn create_plan(
    #[server(flatten)] form: PlanForm,
    #[server(default)] methods: Vec<String>,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Trainer, Role::Admin], "create_plan")?;
        let f = fields(cx, form, methods)?;
        let id = svc::create(&cx.state.db, cx.actor(), me.id, &f).await?;
        leptos_axum::redirect(&format!("/plans/{id}"));
        Ok(())
    })
    .await
}

#[server]
pub async fn get_plan(id: i64) -> Result<PlanDetail, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_plan")?;
        svc::detail(&cx.state.db, me, id).await
    })
    .await
}

#[cfg(feature = "ssr")]
async fn editor(cx: &Ctx, id: i64, what: &str) -> Result<(), AppError> {
    let me = cx.user(what)?;
    svc::require_edit(&cx.state.db, me, id).await
}

#[server]
pub async fn update_plan(
    id: i64,
    #[server(flatten)] form: PlanForm,
    #[server(default)] methods: Vec<String>,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        editor(cx, id, "update_plan").await?;
        let f = fields(cx, form, methods)?;
        svc::update(&cx.state.db, id, &f).await
    })
    .await
}

#[server]
pub async fn set_plan_scope(
    id: i64,
    #[server(default)] teams: Vec<i64>,
    #[server(default)] courses: Vec<i64>,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        editor(cx, id, "set_plan_scope").await?;
        svc::set_teams_and_courses(&cx.state.db, id, &teams, &courses).await
    })
    .await
}

#[server]
pub async fn add_plan_session(plan_id: i64, #[server(flatten)] form: SessionForm) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        editor(cx, plan_id, "add_plan_session").await?;
        let SessionForm { topic, day, start_time, end_time, venue, online_link, instructor } = form;
        let input = svc::SessionInput {
            topic,
            day,
            start_time,
            end_time,
            venue,
            online_link,
            instructor_employee_no: instructor,
        };
        svc::add_session(&cx.state.db, plan_id, &input).await.map(|_| ())
    })
    .await
}

#[server]
pub async fn delete_plan_session(plan_id: i64, session_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        editor(cx, plan_id, "delete_plan_session").await?;
        svc::delete_session(&cx.state.db, plan_id, session_id).await
    })
    .await
}

/// Enrolls by pasted employee numbers, a pasted CSV (with an `employee_no` column) or a team.
#[server]
pub async fn enroll_plan(
    plan_id: i64,
    #[server(default)] employee_numbers: String,
    #[server(default)] csv: String,
    #[server(default)] team_id: String,
) -> Result<u32, AppError> {
    Ctx::serve(async |cx| {
        editor(cx, plan_id, "enroll_plan").await?;
        let db = &cx.state.db;
        let mut added = 0;
        if !employee_numbers.trim().is_empty() {
            added += svc::enroll_numbers(db, cx.actor(), plan_id, &employee_numbers).await?;
        }
        if !csv.trim().is_empty() {
            added += svc::enroll_csv(db, cx.actor(), plan_id, csv.as_bytes()).await?;
        }
        if let Some(team) = Some(team_id.trim()).filter(|t| !t.is_empty()) {
            let team = team.parse().map_err(|_| AppError::validation("team_id", "error.team_unknown"))?;
            added += svc::enroll_team(db, cx.actor(), plan_id, team).await?;
        }
        if employee_numbers.trim().is_empty() && csv.trim().is_empty() && team_id.trim().is_empty() {
            return Err(AppError::validation("employee_numbers", "error.list_empty"));
        }
        Ok(added)
    })
    .await
}

#[server]
pub async fn get_attendance_sheet(session_id: i64) -> Result<AttendanceSheet, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_attendance_sheet")?;
        svc::require_mark(&cx.state.db, me, session_id).await?;
        svc::attendance_sheet(&cx.state.db, session_id).await
    })
    .await
}

#[server]
pub async fn mark_attendance(session_id: i64, user_id: i64, status: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("mark_attendance")?;
        svc::require_mark(&cx.state.db, me, session_id).await?;
        let status =
            Attendance::parse(&status).ok_or_else(|| AppError::validation("status", "error.choice_unknown"))?;
        svc::mark(&cx.state.db, cx.actor(), session_id, user_id, status).await
    })
    .await
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::money_cents;

    #[test]
    fn money_parses_yuan_to_fen() {
        assert_eq!(money_cents("b", "1234.5").unwrap(), 123_450);
        assert_eq!(money_cents("b", "¥12,000").unwrap(), 1_200_000);
        assert_eq!(money_cents("b", "").unwrap(), 0);
        assert_eq!(money_cents("b", "0.05").unwrap(), 5);
        for bad in ["1.234", "-5", "abc", "1e3", ".5"] {
            assert!(money_cents("b", bad).is_err(), "{bad}");
        }
    }
}
