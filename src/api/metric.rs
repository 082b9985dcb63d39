use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::metric::{BeforeAfter, EntrySheet, Metric, PersonMetrics};

#[cfg(feature = "ssr")]
use crate::{
    model::metric::MetricPeriod,
    model::user::Role,
    model::Names,
    server::{ctx::Ctx, metric as svc},
};

#[cfg(feature = "ssr")]
use super::optional_number;

/// The metrics defined: anyone signed in who may read a report or enter values.
#[server]
pub async fn list_metrics() -> Result<Vec<Metric>, AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin, Role::Manager, Role::Trainer], "list_metrics")?;
        svc::list(&cx.state.db).await
    })
    .await
}

/// Defines a metric (`id` empty) or changes one: admins.
#[server]
pub async fn save_metric(
    #[server(default)] id: String,
    #[server(default)] code: String,
    #[server(default)] name_zh: String,
    #[server(default)] name_en: String,
    #[server(default)] unit: String,
    #[server(default)] higher_is_better: Option<String>,
    #[server(default)] period: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "save_metric")?;
        let id = optional_number("id", &id)?;
        let f = svc::MetricFields {
            code,
            name: Names::new(name_zh, name_en),
            unit,
            higher_is_better: higher_is_better.is_some(),
            period: MetricPeriod::parse(&period),
        };
        svc::save(&cx.state.db, cx.actor(), id, f).await.map(|_| ())
    })
    .await
}

#[server]
pub async fn get_entry_sheet(
    #[server(default)] metric: String,
    #[server(default)] period: String,
) -> Result<EntrySheet, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_entry_sheet")?;
        let metric = optional_number("metric", &metric)?;
        svc::entry_sheet(&cx.state.db, me, metric, &period).await
    })
    .await
}

/// A manager's typed values: `values[u<id>]` per person, blanks left as they were.
#[server]
pub async fn save_metric_entries(
    metric: i64,
    period: String,
    #[server(default)] values: BTreeMap<String, String>,
) -> Result<usize, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("save_metric_entries")?;
        let n = svc::save_entries(&cx.state.db, cx.actor(), me, metric, &period, &values).await?;
        leptos_axum::redirect(&format!("/team/metrics?metric={metric}&period={period}&saved={n}"));
        Ok(n)
    })
    .await
}

#[server]
pub async fn get_person_metrics(user_id: i64) -> Result<PersonMetrics, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("person_metrics")?;
        svc::of_person(&cx.state.db, me, user_id).await
    })
    .await
}

#[server]
pub async fn metrics_before_after(
    #[server(default)] program: String,
    #[server(default)] team: String,
) -> Result<Vec<BeforeAfter>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("metrics_before_after")?;
        let (program, team) = (optional_number("program", &program)?, optional_number("team", &team)?);
        svc::before_after(&cx.state.db, me, program, team).await
    })
    .await
}
