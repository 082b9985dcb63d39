use leptos::prelude::*;

use crate::error::AppError;
use crate::model::analytics::QuizStatistics;

#[cfg(feature = "ssr")]
use crate::{
    model::analytics::StatsAttempts,
    model::user::Role,
    server::{analytics as svc, ctx::Ctx, quiz::authoring::require_quiz_author},
};

/// A quiz's statistics, for those who may author it (its course's trainers, admins).
#[server]
pub async fn get_quiz_statistics(id: i64, #[server(default)] attempts: String) -> Result<QuizStatistics, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Trainer, Role::Admin], "quiz_statistics")?;
        require_quiz_author(&cx.state.db, me, id).await?;
        let which = StatsAttempts::parse(&attempts).ok_or(AppError::validation("attempts", "error.choice_unknown"))?;
        svc::quiz_stats::statistics(&cx.state.db, id, which).await
    })
    .await
}

/// The manager's dashboard for their teams (admins: everyone), narrowed to a team if picked.
#[server]
pub async fn get_dashboard(#[server(default)] team: String) -> Result<crate::model::analytics::Dashboard, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Manager, Role::Admin], "dashboard")?;
        let team = super::optional_number("team", &team)?;
        svc::dashboard::dashboard(&cx.state.db, me, team, crate::server::now()).await
    })
    .await
}

/// The pass-rate report: managers their people, trainers their quizzes, admins everything.
#[server]
pub async fn get_pass_rates(
    #[server(flatten)] q: crate::model::analytics::ReportQuery,
) -> Result<crate::model::analytics::PassRateReport, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Manager, Role::Trainer, Role::Admin], "pass_rates")?;
        let zone = crate::server::team::zone_of(&cx.state.db, Some(me.id)).await?;
        let f = svc::report::Filter::parse(&q, zone)?;
        svc::report::report(&cx.state.db, me, &f, zone).await
    })
    .await
}

/// The role-play criteria report: managers their teams, trainers their scenarios, admins all.
#[server]
pub async fn get_roleplay_criteria(
    #[server(flatten)] q: crate::model::analytics::CriteriaQuery,
) -> Result<crate::model::analytics::CriteriaReport, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Manager, Role::Trainer, Role::Admin], "roleplay_criteria")?;
        let f = svc::criteria::Filter::parse(&q, crate::server::now())?;
        svc::criteria::report(&cx.state.db, me, &f).await
    })
    .await
}

/// The pre/post gains report: a post-test's trainers and admins see everyone who took it,
/// managers their teams' people.
#[server]
pub async fn get_gains(
    #[server(flatten)] q: crate::model::analytics::GainQuery,
) -> Result<crate::model::analytics::GainsPage, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Manager, Role::Trainer, Role::Admin], "gains")?;
        let f = svc::gain::GainFilter::parse(&q)?;
        svc::gain::gains_page(&cx.state.db, me, &f).await
    })
    .await
}
