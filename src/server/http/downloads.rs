//! File downloads: a plan's record form and schedule, a bank as GIFT, the floor roster, the
//! question templates and course files. Each checks its caller as the matching page does.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::failed;
use super::request::Caller;
use crate::model::cert::RosterQuery;
use crate::model::user::Role;
use crate::server::state::AppState;
use crate::server::{cert, course, plan, quiz};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

type Downloaded = Result<Response, Response>;

fn download(content_type: &'static str, filename: String, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{filename}\"");
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    res
}

pub(super) async fn plan_record_csv(State(state): State<AppState>, Path(id): Path<i64>, caller: Caller) -> Downloaded {
    let rows = plan::export::record_rows(&state.db, &caller.user, id).await.map_err(failed)?;
    let body = plan::export::csv(caller.locale, &rows).map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", format!("training-record-{id}.csv"), body))
}

pub(super) async fn plan_record_xlsx(State(state): State<AppState>, Path(id): Path<i64>, caller: Caller) -> Downloaded {
    let rows = plan::export::record_rows(&state.db, &caller.user, id).await.map_err(failed)?;
    let letterhead = crate::server::organisation::letterhead(&state.db, caller.locale).await.map_err(failed)?;
    let body = plan::export::xlsx(caller.locale, &rows, &letterhead).map_err(failed)?;
    Ok(download(XLSX, format!("training-record-{id}.xlsx"), body))
}

pub(super) async fn plan_schedule_ics(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    caller: Caller,
) -> Downloaded {
    plan::require_view(&state.db, &caller.user, id).await.map_err(failed)?;
    let body = plan::export::ics(&state.db, id).await.map_err(failed)?;
    Ok(download("text/calendar; charset=utf-8", format!("training-schedule-{id}.ics"), body.into_bytes()))
}

pub(super) async fn bank_export(State(state): State<AppState>, Path(id): Path<i64>, caller: Caller) -> Downloaded {
    quiz::require_bank(&state.db, &caller.user, id).await.map_err(failed)?;
    let (text, skipped) = quiz::export_gift(&state.db, id).await.map_err(failed)?;
    let note = if skipped > 0 {
        format!("// {skipped} ordering question(s) left out: GIFT has no ordering type.\n\n")
    } else {
        String::new()
    };
    Ok(download("text/plain; charset=utf-8", format!("question-bank-{id}.gift.txt"), (note + &text).into_bytes()))
}

/// The roster a manager (their teams) or an admin may export.
async fn roster_rows(
    state: &AppState,
    caller: &Caller,
    q: &RosterQuery,
) -> Result<Vec<crate::model::cert::RosterRow>, Response> {
    caller.require_role(&[Role::Manager, Role::Admin], "roster export").map_err(failed)?;
    // The same filters as the page, every page of them.
    let filter = cert::status::RosterFilter::parse(q).map_err(failed)?;
    cert::status::roster_rows(&state.db, &caller.user, &filter).await.map_err(failed)
}

pub(super) async fn roster_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RosterQuery>,
) -> Downloaded {
    let rows = roster_rows(&state, &caller, &q).await?;
    let body = cert::status::roster_csv(&rows).map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", "floor-roster.csv".into(), body))
}

pub(super) async fn roster_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RosterQuery>,
) -> Downloaded {
    let rows = roster_rows(&state, &caller, &q).await?;
    let body = cert::status::roster_xlsx(&rows).map_err(failed)?;
    Ok(download(XLSX, "floor-roster.xlsx".into(), body))
}

pub(super) async fn bank_template_csv() -> Downloaded {
    let body = quiz::question_sheet::template_csv().map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", "questions-template.csv".into(), body))
}

/// The columns a metrics upload reads, with two example rows (a monthly and a daily metric).
pub(super) async fn metrics_template_csv() -> Downloaded {
    let body = "\u{feff}employee_no,metric,period,value\nE1001,csat,2026-11,92.5\nE1001,qa_score,2026-11-28,88\n";
    Ok(download("text/csv; charset=utf-8", "metrics-template.csv".into(), body.as_bytes().to_vec()))
}

pub(super) async fn bank_template_xlsx() -> Downloaded {
    let body = quiz::question_sheet::template_xlsx().map_err(failed)?;
    Ok(download(XLSX, "questions-template.xlsx".into(), body))
}

/// Uploaded files are served as inert downloads: sniffed type, no scripts even if a browser
/// disagreed with our sniffing, images shown inline and everything else saved.
pub(super) async fn course_file(
    State(state): State<AppState>,
    Path((id, _name)): Path<(i64, String)>,
    caller: Caller,
) -> Downloaded {
    let (file, bytes) =
        course::files::read(&state.db, &state.config.data_dir, &caller.user, id).await.map_err(failed)?;
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let disposition = if file.is_image() { "inline" } else { "attachment" };
    let encoded = percent_encoding::utf8_percent_encode(&file.name, percent_encoding::NON_ALPHANUMERIC);
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    Ok(res)
}

/// The organisation's logo or seal: public (the sign-in page and the certificate verification
/// page show them), cached for good since a changed image gets a new address.
pub(super) async fn org_image(State(state): State<AppState>, Path(which): Path<String>) -> Downloaded {
    let which =
        crate::model::organisation::OrgImage::parse(&which).ok_or_else(|| failed(crate::error::AppError::NotFound))?;
    let (kind, bytes) = crate::server::organisation::image(&state.db, which).await.map_err(failed)?;
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&kind) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(res)
}

#[derive(serde::Deserialize)]
pub(super) struct StatsQuery {
    #[serde(default)]
    attempts: String,
}

/// A quiz's grades sheet (each counted attempt's mark per slot), for those who may author it.
async fn grades_table(
    state: &AppState,
    caller: &Caller,
    id: i64,
    q: &StatsQuery,
) -> Result<crate::server::spreadsheet::Table, Response> {
    caller.require_role(&[Role::Trainer, Role::Admin], "quiz grades export").map_err(failed)?;
    quiz::authoring::require_quiz_author(&state.db, &caller.user, id).await.map_err(failed)?;
    let which = crate::model::analytics::StatsAttempts::parse(&q.attempts)
        .ok_or(crate::error::AppError::validation("attempts", "error.choice_unknown"))
        .map_err(failed)?;
    let zone = crate::server::team::zone_of(&state.db, Some(caller.user.id)).await.map_err(failed)?;
    crate::server::analytics::quiz_stats::grades_sheet(&state.db, id, which, caller.locale, zone).await.map_err(failed)
}

pub(super) async fn quiz_grades_csv(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    caller: Caller,
    Query(q): Query<StatsQuery>,
) -> Downloaded {
    let body = grades_table(&state, &caller, id, &q).await?.csv().map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", format!("quiz-{id}-grades.csv"), body))
}

pub(super) async fn quiz_grades_xlsx(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    caller: Caller,
    Query(q): Query<StatsQuery>,
) -> Downloaded {
    let body = grades_table(&state, &caller, id, &q).await?.xlsx().map_err(failed)?;
    Ok(download(XLSX, format!("quiz-{id}-grades.xlsx"), body))
}

/// The pass-rate report (or a row's people) with the page's filters.
async fn pass_rate_table(
    state: &AppState,
    caller: &Caller,
    q: &crate::model::analytics::ReportQuery,
) -> Result<crate::server::spreadsheet::Table, Response> {
    use crate::server::analytics::report;
    caller.require_role(&[Role::Manager, Role::Trainer, Role::Admin], "pass-rate export").map_err(failed)?;
    let zone = crate::server::team::zone_of(&state.db, Some(caller.user.id)).await.map_err(failed)?;
    let f = report::Filter::parse(q, zone).map_err(failed)?;
    let r = report::report(&state.db, &caller.user, &f, zone).await.map_err(failed)?;
    Ok(report::table(&r, caller.locale, zone))
}

pub(super) async fn pass_rates_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<crate::model::analytics::ReportQuery>,
) -> Downloaded {
    let body = pass_rate_table(&state, &caller, &q).await?.csv().map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", "pass-rates.csv".into(), body))
}

pub(super) async fn pass_rates_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<crate::model::analytics::ReportQuery>,
) -> Downloaded {
    let body = pass_rate_table(&state, &caller, &q).await?.xlsx().map_err(failed)?;
    Ok(download(XLSX, "pass-rates.xlsx".into(), body))
}

/// The criteria report's download: `table=trainers` for the figures per trainer.
#[derive(serde::Deserialize)]
pub(super) struct CriteriaDownload {
    #[serde(flatten)]
    q: crate::model::analytics::CriteriaQuery,
    #[serde(default)]
    table: String,
}

async fn criteria_table(
    state: &AppState,
    caller: &Caller,
    d: &CriteriaDownload,
) -> Result<crate::server::spreadsheet::Table, Response> {
    use crate::server::analytics::criteria;
    caller.require_role(&[Role::Manager, Role::Trainer, Role::Admin], "role-play criteria export").map_err(failed)?;
    let f = criteria::Filter::parse(&d.q, crate::server::now()).map_err(failed)?;
    let r = criteria::report(&state.db, &caller.user, &f).await.map_err(failed)?;
    Ok(criteria::table(&r, d.table == "trainers", caller.locale))
}

pub(super) async fn roleplay_criteria_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CriteriaDownload>,
) -> Downloaded {
    let body = criteria_table(&state, &caller, &q).await?.csv().map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", "roleplay-criteria.csv".into(), body))
}

pub(super) async fn roleplay_criteria_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CriteriaDownload>,
) -> Downloaded {
    let body = criteria_table(&state, &caller, &q).await?.xlsx().map_err(failed)?;
    Ok(download(XLSX, "roleplay-criteria.xlsx".into(), body))
}

/// The gains report's download: `table=people` for each matched person, else every grouping.
#[derive(serde::Deserialize)]
pub(super) struct GainDownload {
    #[serde(default)]
    quiz: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    table: String,
}

async fn gain_table(
    state: &AppState,
    caller: &Caller,
    q: &GainDownload,
) -> Result<crate::server::spreadsheet::Table, Response> {
    use crate::server::analytics::gain;
    caller.require_role(&[Role::Manager, Role::Trainer, Role::Admin], "gains export").map_err(failed)?;
    let query = crate::model::analytics::GainQuery { quiz: q.quiz.clone(), team: q.team.clone() };
    let f = gain::GainFilter::parse(&query).map_err(failed)?;
    if f.quiz.is_none() {
        return Err(failed(crate::error::AppError::validation("quiz", "error.text_required")));
    }
    let page = gain::gains_page(&state.db, &caller.user, &f).await.map_err(failed)?;
    let report = page.report.ok_or_else(|| failed(crate::error::AppError::NotFound))?;
    Ok(gain::table(&report, q.table == "people", caller.locale))
}

pub(super) async fn gains_csv(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<GainDownload>,
) -> Downloaded {
    let body = gain_table(&state, &caller, &q).await?.csv().map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", "gains.csv".into(), body))
}

pub(super) async fn gains_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<GainDownload>,
) -> Downloaded {
    let body = gain_table(&state, &caller, &q).await?.xlsx().map_err(failed)?;
    Ok(download(XLSX, "gains.xlsx".into(), body))
}

/// A survey's results, narrowed as the page is (`session`, `instructor`): admins, the course's
/// authors, the plan's editors; nothing item by item below K.
#[derive(serde::Deserialize)]
pub(super) struct SurveyDownload {
    session: Option<i64>,
    instructor: Option<i64>,
}

async fn survey_table(
    state: &AppState,
    caller: &Caller,
    id: i64,
    q: &SurveyDownload,
) -> Result<crate::server::spreadsheet::Table, Response> {
    use crate::server::survey;
    caller.require_role(&[Role::Trainer, Role::Admin, Role::Manager], "survey results export").map_err(failed)?;
    let scope = survey::require_results(&state.db, &caller.user, id).await.map_err(failed)?;
    let r = survey::results(&state.db, &scope, id, q.session, q.instructor).await.map_err(failed)?;
    Ok(survey::table(&r, caller.locale))
}

pub(super) async fn survey_results_csv(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    caller: Caller,
    Query(q): Query<SurveyDownload>,
) -> Downloaded {
    let body = survey_table(&state, &caller, id, &q).await?.csv().map_err(failed)?;
    Ok(download("text/csv; charset=utf-8", format!("survey-{id}-results.csv"), body))
}

pub(super) async fn survey_results_xlsx(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    caller: Caller,
    Query(q): Query<SurveyDownload>,
) -> Downloaded {
    let body = survey_table(&state, &caller, id, &q).await?.xlsx().map_err(failed)?;
    Ok(download(XLSX, format!("survey-{id}-results.xlsx"), body))
}
