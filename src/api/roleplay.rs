use leptos::prelude::*;

use crate::error::AppError;
use crate::model::roleplay::{
    CalibrationRow, CriterionInput, RoleplaySummary, RoleplayView, RubricDetail, RubricSummary, ScenarioEditor,
    ScenarioForm, ScenarioSummary, ScoreInput,
};

#[cfg(feature = "ssr")]
use crate::{
    model::owners::Owned,
    model::roleplay::{Channel, Mode, ScenarioFields, SecondRaterRule},
    model::user::Role,
    server::{ctx::Ctx, roleplay as svc},
};

/// Who writes scenarios and rubrics and opens role-plays.
#[cfg(feature = "ssr")]
const AUTHORS: &[Role] = &[Role::Trainer, Role::Admin];

/// The default agreement below which a pair of raters is flagged.
pub const KAPPA_THRESHOLD: f64 = 0.6;

#[cfg(feature = "ssr")]
use super::number;

#[server]
pub async fn list_rubrics() -> Result<Vec<RubricSummary>, AppError> {
    Ctx::serve(async |cx| {
        cx.role(AUTHORS, "list_rubrics")?;
        svc::list_rubrics(&cx.state.db).await
    })
    .await
}

#[server]
pub async fn get_rubric(id: i64) -> Result<RubricDetail, AppError> {
    Ctx::serve(async |cx| {
        let can_change = cx.can_change(Owned::Rubric, id, "get_rubric").await?;
        Ok(RubricDetail { can_change, ..svc::rubric(&cx.state.db, id).await? })
    })
    .await
}

/// Creates a rubric (`id` 0) or saves a new version of one.
#[server]
pub async fn save_rubric(
    id: i64,
    name: String,
    #[server(default)] criteria: Vec<CriterionInput>,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        if id > 0 {
            cx.owner(Owned::Rubric, id, "save_rubric").await?;
        } else {
            cx.role(AUTHORS, "save_rubric")?;
        }
        let id = (id > 0).then_some(id);
        let id = svc::save_rubric(&cx.state.db, cx.actor(), id, &name, &criteria).await?;
        leptos_axum::redirect(&format!("/trainer/rubrics/{id}?saved=1"));
        Ok(())
    })
    .await
}

#[server]
pub async fn list_scenarios() -> Result<Vec<ScenarioSummary>, AppError> {
    Ctx::serve(async |cx| {
        cx.role(AUTHORS, "list_scenarios")?;
        svc::list_scenarios(&cx.state.db).await
    })
    .await
}

/// The scenario editor; `id` 0 gives an empty one for a new scenario.
#[server]
pub async fn get_scenario_editor(id: i64) -> Result<ScenarioEditor, AppError> {
    Ctx::serve(async |cx| {
        cx.role(AUTHORS, "get_scenario_editor")?;
        if id == 0 {
            let (rubrics, courses) = svc::scenario_choices(&cx.state.db).await?;
            let fields = ScenarioFields {
                title: Default::default(),
                channel: Channel::Phone,
                product: String::new(),
                situation: String::new(),
                persona: String::new(),
                mood: String::new(),
                objective: String::new(),
                cues: String::new(),
                facts: String::new(),
                customer_turns: String::new(),
                time_box_minutes: 10,
                rubric_id: rubrics.first().map(|r| r.0).unwrap_or(0),
                pass_percent: 70,
                rule: SecondRaterRule::Average,
                course_ids: Vec::new(),
            };
            return Ok(ScenarioEditor { id, fields, rubrics, courses, can_change: true });
        }
        let can_change = cx.can_change(Owned::Scenario, id, "get_scenario_editor").await?;
        Ok(ScenarioEditor { can_change, ..svc::scenario_editor(&cx.state.db, id).await? })
    })
    .await
}

/// Creates a scenario (`id` 0) or updates one.
#[server]
pub async fn save_scenario(
    id: i64,
    #[server(flatten)] form: ScenarioForm,
    #[server(default)] course_ids: Vec<i64>,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        if id > 0 {
            cx.owner(Owned::Scenario, id, "save_scenario").await?;
        } else {
            cx.role(AUTHORS, "save_scenario")?;
        }
        let ScenarioForm {
            title_zh,
            title_en,
            channel,
            product,
            situation,
            persona,
            mood,
            objective,
            cues,
            facts,
            customer_turns,
            time_box_minutes,
            rubric_id,
            pass_percent,
            rule,
        } = form;
        let fields = (|| -> Result<_, AppError> {
            Ok(ScenarioFields {
                title: crate::model::Names::new(title_zh, title_en),
                channel: Channel::parse(&channel)
                    .ok_or_else(|| AppError::validation("channel", "error.choice_unknown"))?,
                product,
                situation,
                persona,
                mood,
                objective,
                cues,
                facts,
                customer_turns,
                time_box_minutes: number("time_box_minutes", &time_box_minutes)?,
                rubric_id: number("rubric_id", &rubric_id)?,
                pass_percent: number("pass_percent", &pass_percent)?,
                rule: SecondRaterRule::parse(&rule)
                    .ok_or_else(|| AppError::validation("rule", "error.choice_unknown"))?,
                course_ids,
            })
        })()?;
        let id = (id > 0).then_some(id);
        let id = svc::save_scenario(&cx.state.db, cx.actor(), id, fields).await?;
        leptos_axum::redirect(&format!("/trainer/scenarios/{id}?saved=1"));
        Ok(())
    })
    .await
}

#[server]
pub async fn archive_scenario(id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.owner(Owned::Scenario, id, "archive_scenario").await?;
        svc::archive_scenario(&cx.state.db, cx.actor(), id).await?;
        leptos_axum::redirect("/trainer/scenarios");
        Ok(())
    })
    .await
}

#[server]
pub async fn open_roleplay(
    scenario_id: i64,
    employee_no: String,
    mode: String,
    #[server(default)] rater: String,
    #[server(default)] second_rater: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(AUTHORS, "open_roleplay")?;
        let mode = Mode::parse(&mode).ok_or_else(|| AppError::validation("mode", "error.choice_unknown"))?;
        let raters = svc::attempt::Raters { first: Some(&rater), second: Some(&second_rater) };
        let id = svc::attempt::open(&cx.state.db, cx.actor(), me, scenario_id, &employee_no, mode, raters).await?;
        leptos_axum::redirect(&format!("/roleplay/{id}"));
        Ok(())
    })
    .await
}

/// The role-plays the caller may see (trainers all, managers their teams', trainees their own).
#[server]
pub async fn list_roleplays() -> Result<Vec<RoleplaySummary>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("list_roleplays")?;
        svc::attempt::list(&cx.state.db, me).await
    })
    .await
}

#[server]
pub async fn get_roleplay(id: i64) -> Result<RoleplayView, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_roleplay")?;
        svc::attempt::view(&cx.state.db, me, id).await
    })
    .await
}

/// A rating by one of the raters the role-play names, never by its trainee.
#[server]
pub async fn rate_roleplay(
    id: i64,
    #[server(default)] scores: Vec<ScoreInput>,
    #[server(default)] overall: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Trainer], "rate_roleplay")?;
        svc::attempt::rate(&cx.state.db, cx.actor(), me, id, &scores, &overall).await?;
        leptos_axum::redirect(&format!("/roleplay/{id}?rated=1"));
        Ok(())
    })
    .await
}

#[server]
pub async fn self_assess_roleplay(
    id: i64,
    #[server(default)] scores: Vec<ScoreInput>,
    #[server(default)] overall: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("self_assess_roleplay")?;
        svc::attempt::self_assess(&cx.state.db, cx.actor(), me, id, &scores, &overall).await?;
        leptos_axum::redirect(&format!("/roleplay/{id}"));
        Ok(())
    })
    .await
}

/// The trainee's written replies to the customer's turns.
#[server]
pub async fn reply_roleplay(id: i64, #[server(default)] replies: Vec<String>) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("reply_roleplay")?;
        svc::attempt::reply(&cx.state.db, cx.actor(), me, id, &replies).await?;
        leptos_axum::redirect(&format!("/roleplay/{id}"));
        Ok(())
    })
    .await
}

/// Rater agreement of all pairs pooled, month by month.
#[server]
pub async fn get_agreement_trend() -> Result<Vec<crate::model::roleplay::AgreementPoint>, AppError> {
    Ctx::serve(async |cx| {
        cx.role(AUTHORS, "get_agreement_trend")?;
        svc::calibration::trend(&cx.state.db).await
    })
    .await
}

/// Rater agreement; `threshold` empty means the default.
#[server]
pub async fn get_calibration(#[server(default)] threshold: String) -> Result<Vec<CalibrationRow>, AppError> {
    Ctx::serve(async |cx| {
        cx.role(AUTHORS, "get_calibration")?;
        let threshold = match threshold.trim() {
            "" => KAPPA_THRESHOLD,
            t => t
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|t| (-1.0..=1.0).contains(t))
                .ok_or_else(|| AppError::validation("threshold", "error.threshold_invalid"))?,
        };
        svc::calibration::report(&cx.state.db, threshold).await
    })
    .await
}
