use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::followup::{EvaluationPlan, FollowupLists, FollowupRow, FollowupState, FollowupView, TransferReport};
use crate::model::roleplay::ScoreInput;

#[cfg(feature = "ssr")]
use crate::{
    model::followup::{Observer, OnFail, TransferGroup},
    model::owners::Owned,
    server::{ctx::Ctx, followup as svc},
};

#[cfg(feature = "ssr")]
use super::{number, optional_number};

/// A program's evaluation plan: whoever may read the program editor (trainers, admins).
#[server]
pub async fn get_evaluation_plan(program_id: i64) -> Result<EvaluationPlan, AppError> {
    Ctx::serve(async |cx| {
        let can_change = cx.can_change(Owned::Program, program_id, "get_evaluation_plan").await?;
        Ok(EvaluationPlan { can_change, ..svc::plan(&cx.state.db, program_id).await? })
    })
    .await
}

#[server]
pub async fn save_evaluation_settings(
    program_id: i64,
    on_fail: String,
    grace_days: String,
    escalate_days: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.owner(Owned::Program, program_id, "save_evaluation_settings").await?;
        let on_fail = OnFail::parse(&on_fail).ok_or_else(|| AppError::validation("on_fail", "error.choice_unknown"))?;
        let (grace, escalate) = (number("grace_days", &grace_days)?, number("escalate_days", &escalate_days)?);
        svc::save_settings(&cx.state.db, cx.actor(), program_id, on_fail, grace, escalate).await
    })
    .await
}

#[server]
pub async fn add_followup_step(
    program_id: i64,
    offset_days: String,
    observer: String,
    #[server(default)] rubric_id: String,
    #[server(default)] form_id: String,
    pass_percent: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.owner(Owned::Program, program_id, "add_followup_step").await?;
        let step = svc::StepInput {
            offset_days: number("offset_days", &offset_days)?,
            observer: Observer::parse(&observer)
                .ok_or_else(|| AppError::validation("observer", "error.choice_unknown"))?,
            rubric_id: optional_number("rubric_id", &rubric_id)?,
            form_id: optional_number("form_id", &form_id)?,
            pass_percent: number("pass_percent", &pass_percent)?,
        };
        svc::add_step(&cx.state.db, cx.actor(), program_id, step).await.map(|_| ())
    })
    .await
}

#[server]
pub async fn remove_followup_step(program_id: i64, step_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.owner(Owned::Program, program_id, "remove_followup_step").await?;
        svc::remove_step(&cx.state.db, cx.actor(), program_id, step_id).await
    })
    .await
}

#[server]
pub async fn my_followups() -> Result<FollowupLists, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("my_followups")?;
        svc::mine(&cx.state.db, me).await
    })
    .await
}

#[server]
pub async fn person_followups(user_id: i64) -> Result<Vec<FollowupRow>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("person_followups")?;
        svc::of_person(&cx.state.db, me, user_id).await
    })
    .await
}

#[server]
pub async fn get_followup(id: i64) -> Result<FollowupView, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_followup")?;
        svc::view(&cx.state.db, me, id).await
    })
    .await
}

/// Saves the observation as a draft (`draft` set) or completes it.
#[server]
pub async fn submit_followup(
    id: i64,
    #[server(default)] scores: Vec<ScoreInput>,
    #[server(default)] answers: BTreeMap<String, String>,
    #[server(default)] overall: String,
    #[server(default)] draft: String,
) -> Result<FollowupState, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("submit_followup")?;
        let o = svc::Observation { scores, answers, overall, draft: !draft.is_empty() };
        let state = svc::submit(&cx.state.db, cx.actor(), me, id, &o).await?;
        leptos_axum::redirect(&format!("/followups/{id}?{}=1", if o.draft { "kept" } else { "sent" }));
        Ok(state)
    })
    .await
}

#[server]
pub async fn waive_followup(id: i64, #[server(default)] reason: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("waive_followup")?;
        svc::waive(&cx.state.db, cx.actor(), me, id, &reason).await?;
        leptos_axum::redirect(&format!("/followups/{id}?waived=1"));
        Ok(())
    })
    .await
}

/// A program's on-the-job results: follow-ups by offset and state, and training transfer per
/// criterion. Managers (their teams), trainers and admins.
#[server]
pub async fn get_transfer_report(
    #[server(default)] program: String,
    #[server(default)] team: String,
    #[server(default)] group: String,
) -> Result<TransferReport, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_transfer_report")?;
        let group =
            TransferGroup::parse(&group).ok_or_else(|| AppError::validation("group", "error.choice_unknown"))?;
        let (program, team) = (optional_number("program", &program)?, optional_number("team", &team)?);
        crate::server::transfer::report(&cx.state.db, me, program, team, group).await
    })
    .await
}

/// A training plan's members' follow-ups on the job: those who may see the plan's records.
#[server]
pub async fn plan_followups(plan_id: i64) -> Result<Vec<FollowupRow>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("plan_followups")?;
        svc::of_plan(&cx.state.db, me, plan_id).await
    })
    .await
}
