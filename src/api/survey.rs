use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::survey::{
    FormDetail, FormItemInput, FormSummary, SurveyResults, SurveySettings, SurveySummary, SurveyToAnswer, SurveyTodo,
};

#[cfg(feature = "ssr")]
use crate::{
    model::owners::Owned,
    model::survey::SurveyOf,
    model::user::Role,
    model::Names,
    server::{ctx::Ctx, survey as svc},
};

/// Who authors evaluation forms.
#[cfg(feature = "ssr")]
const AUTHORS: &[Role] = &[Role::Trainer, Role::Admin];
/// Who reads survey results: authors, and managers (their teams' responses).
#[cfg(feature = "ssr")]
const READERS: &[Role] = &[Role::Trainer, Role::Admin, Role::Manager];

#[server]
pub async fn list_forms() -> Result<Vec<FormSummary>, AppError> {
    Ctx::serve(async |cx| {
        cx.role(AUTHORS, "list_forms")?;
        svc::list_forms(&cx.state.db).await
    })
    .await
}

#[server]
pub async fn get_form(id: i64) -> Result<FormDetail, AppError> {
    Ctx::serve(async |cx| {
        cx.role(AUTHORS, "get_form")?;
        let can_change = cx.can_change(Owned::Form, id, "get_form").await?;
        Ok(FormDetail { can_change, ..svc::form(&cx.state.db, id).await? })
    })
    .await
}

/// Creates a form (`id` 0) or saves it (a new version once it has been answered).
#[server]
pub async fn save_form(
    id: i64,
    title_zh: String,
    title_en: String,
    #[server(default)] items: Vec<FormItemInput>,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        if id > 0 {
            cx.owner(Owned::Form, id, "save_form").await?;
        } else {
            cx.role(AUTHORS, "save_form")?;
        }
        let title = Names::new(title_zh, title_en);
        let id = svc::save_form(&cx.state.db, cx.actor(), (id > 0).then_some(id), &title, &items).await?;
        leptos_axum::redirect(&format!("/trainer/forms/{id}?saved=1"));
        Ok(())
    })
    .await
}

/// A course's survey (`course_id`) or a plan's (`plan_id`; the other is 0), for those who may
/// change it: the course's authors, the plan's editors, admins.
#[cfg(feature = "ssr")]
async fn survey_of(cx: &Ctx, course_id: i64, plan_id: i64, what: &str) -> Result<SurveyOf, AppError> {
    let me = cx.role(AUTHORS, what)?;
    match (course_id, plan_id) {
        (c, 0) if c > 0 => {
            crate::server::course::require_author(&cx.state.db, me, c).await?;
            Ok(SurveyOf::Course(c))
        }
        (0, p) if p > 0 => {
            if !crate::server::plan::can_edit(&cx.state.db, me, p).await? {
                tracing::warn!(user_id = me.id, plan_id = p, "denied: not the plan's editor");
                return Err(AppError::Forbidden);
            }
            Ok(SurveyOf::Plan(p))
        }
        _ => Err(AppError::NotFound),
    }
}

#[server]
pub async fn get_survey_settings(
    #[server(default)] course_id: i64,
    #[server(default)] plan_id: i64,
) -> Result<SurveySettings, AppError> {
    Ctx::serve(async |cx| {
        let of = survey_of(cx, course_id, plan_id, "get_survey_settings").await?;
        svc::settings(&cx.state.db, of).await
    })
    .await
}

/// Sets a course's or plan's survey (`form_id` empty: none).
#[server]
pub async fn save_survey_settings(
    #[server(default)] course_id: i64,
    #[server(default)] plan_id: i64,
    #[server(default)] form_id: String,
    #[server(default)] anonymous: Option<String>,
    #[server(default)] due_days: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let of = survey_of(cx, course_id, plan_id, "save_survey_settings").await?;
        let form = super::optional_number("form_id", &form_id)?;
        let due = match due_days.trim() {
            "" => 7,
            d => super::number("due_days", d)?,
        };
        let anonymous = anonymous.is_some_and(|a| !a.is_empty() && a != "false");
        svc::save_settings(&cx.state.db, cx.actor(), of, form, anonymous, due).await?;
        if cx.is_plain_form() {
            match of {
                SurveyOf::Course(c) => leptos_axum::redirect(&format!("/trainer/courses/{c}?survey=1")),
                SurveyOf::Plan(p) => leptos_axum::redirect(&format!("/plans/{p}?survey=1")),
            }
        }
        Ok(())
    })
    .await
}

#[server]
pub async fn my_surveys() -> Result<Vec<SurveyTodo>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("my_surveys")?;
        svc::waiting(&cx.state.db, me.id).await
    })
    .await
}

/// A survey to answer: the person asked only.
#[server]
pub async fn get_survey(request_id: i64) -> Result<SurveyToAnswer, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_survey")?;
        svc::to_answer(&cx.state.db, me.id, request_id).await
    })
    .await
}

#[server]
pub async fn submit_survey(
    request_id: i64,
    #[server(default)] answers: BTreeMap<String, String>,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("submit_survey")?;
        svc::submit(&cx.state.db, me.id, request_id, &answers).await?;
        leptos_axum::redirect(&format!("/surveys/{request_id}?sent=1"));
        Ok(())
    })
    .await
}

#[server]
pub async fn list_survey_results() -> Result<Vec<SurveySummary>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(READERS, "list_survey_results")?;
        svc::list_results(&cx.state.db, me).await
    })
    .await
}

/// A survey's results: admins, the course's authors or plan's editors, and managers for their teams.
#[server]
pub async fn get_survey_results(
    survey_id: i64,
    #[server(default)] session: String,
    #[server(default)] instructor: String,
) -> Result<SurveyResults, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(READERS, "get_survey_results")?;
        let scope = svc::require_results(&cx.state.db, me, survey_id).await?;
        let session = super::optional_number("session", &session)?;
        let instructor = super::optional_number("instructor", &instructor)?;
        svc::results(&cx.state.db, &scope, survey_id, session, instructor).await
    })
    .await
}
