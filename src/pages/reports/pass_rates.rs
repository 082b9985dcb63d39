//! The pass-rate report: rows by quiz, course, team, hire month, period or trainer, a chart of
//! the first-attempt pass rate, exports, and each row's people.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::get_pass_rates;
use crate::components::chart::{Bar, PercentChart};
use crate::components::error_note::load_failed;
use crate::components::pager::query_string;
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr, tr_with, use_locale, use_zone};
use crate::model::analytics::{PassRateReport, ReportGroup, ReportPeriod, ReportQuery, ReportRow};
use crate::model::user::{Me, Role};

#[component]
pub fn PassRatesPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Manager, Role::Trainer, Role::Admin] view=page/> }
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1} %")).unwrap_or_else(|| "—".into())
}

fn filters(q: &ReportQuery) -> Vec<(&'static str, String)> {
    vec![
        ("group", q.group.clone()),
        ("period", q.period.clone()),
        ("from", q.from.clone()),
        ("to", q.to.clone()),
        ("quiz", q.quiz.clone()),
        ("team", q.team.clone()),
    ]
}

fn page(_me: Me) -> impl IntoView {
    let url = use_query_map();
    let query = move || {
        let m = url.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        ReportQuery {
            group: get("group"),
            period: get("period"),
            from: get("from"),
            to: get("to"),
            quiz: get("quiz"),
            team: get("team"),
            row: get("row"),
        }
    };
    let data = Resource::new(query, get_pass_rates);
    view! {
        <h1>{tr("report.title")}</h1>
        <p class="hint">{tr("report.help")}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let q = query();
                match data.await {
                    Ok(r) => report(q, r).into_any(),
                    Err(e) => load_failed(e),
                }
            })}
        </Transition>
    }
}

fn report(q: ReportQuery, r: PassRateReport) -> impl IntoView {
    let opt = |value: String, label: String, current: &str| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    let group = r.group.as_str().to_string();
    let period = r.period.as_str().to_string();
    let groups = ReportGroup::ALL
        .into_iter()
        .map(|g| opt(g.as_str().into(), tr(&format!("report.group.{}", g.as_str())), &group))
        .collect_view();
    let periods = ReportPeriod::ALL
        .into_iter()
        .map(|p| opt(p.as_str().into(), tr(&format!("report.period.{}", p.as_str())), &period))
        .collect_view();
    let teams = r.teams.iter().map(|(id, path)| opt(id.to_string(), shown(path), &q.team)).collect_view();
    let quizzes = r.quizzes.iter().map(|(id, name)| opt(id.clone(), shown(name), &q.quiz)).collect_view();
    let base = filters(&q);
    let exports = {
        let mut f = base.clone();
        f.push(("row", q.row.clone()));
        query_string(&f, None)
    };
    let bars: Vec<Bar> = r
        .rows
        .iter()
        .map(|row| Bar {
            label: shown(&row.label),
            value: row.first_rate(),
            detail: format!("{} / {}", row.first_passed, row.outcomes),
        })
        .collect();
    let line = r.group == ReportGroup::Period;
    view! {
        <form method="get" class="filters card" role="search">
            <label>{tr("field.group")}<select name="group">{groups}</select></label>
            <label>{tr("field.period")}<select name="period">{periods}</select></label>
            <label>{tr("field.from")}<input type="date" name="from" value=q.from.clone()/></label>
            <label>{tr("field.to")}<input type="date" name="to" value=q.to.clone()/></label>
            <label>{tr("report.quiz")}<select name="quiz"><option value="">{tr("report.all_quizzes")}</option>{quizzes}</select></label>
            <label>{tr("field.team")}<select name="team"><option value="">{tr("report.all_teams")}</option>{teams}</select></label>
            <button type="submit" class="primary">{tr("stats.show")}</button>
        </form>
        {if r.rows.is_empty() {
            view! { <p class="empty">{tr("report.none")}</p> }.into_any()
        } else {
            view! {
                <section class="card">
                    <PercentChart caption=tr("report.chart_caption") points=bars line=line value_head=tr("report.first_rate") detail_head=tr("report.outcomes")/>
                    <p class="downloads">
                        {tr("report.download")}": "
                        <a href=format!("/reports/pass-rates.csv{exports}") rel="external" download>"CSV"</a>" · "
                        <a href=format!("/reports/pass-rates.xlsx{exports}") rel="external" download>"XLSX"</a>
                    </p>
                    <RowsTable group=r.group rows=r.rows.clone() total=r.total.clone() base=base.clone()/>
                </section>
            }.into_any()
        }}
        {r.row.clone().map(|row| view! { <People row=row people=r.people.clone()/> })}
    }
}

#[component]
fn RowsTable(
    group: ReportGroup,
    rows: Vec<ReportRow>,
    total: ReportRow,
    base: Vec<(&'static str, String)>,
) -> impl IntoView {
    let heads: Vec<String> = [
        format!("report.group.{}", group.as_str()),
        "report.outcomes".into(),
        "report.people".into(),
        "report.attempts".into(),
        "report.first_rate".into(),
        "report.rate".into(),
        "report.mean_first".into(),
        "report.median_first".into(),
        "report.mean_attempts_to_pass".into(),
    ]
    .iter()
    .map(|k| tr(k))
    .collect();
    let cells = move |row: &ReportRow, label: AnyView, h: &[String]| {
        view! {
            <td data-label=h[0].clone()>{label}</td>
            <td data-label=h[1].clone() class="num">{row.outcomes}</td>
            <td data-label=h[2].clone() class="num">{row.people}</td>
            <td data-label=h[3].clone() class="num">{row.attempts}</td>
            <td data-label=h[4].clone() class="num"><strong>{pct(row.first_rate())}</strong></td>
            <td data-label=h[5].clone() class="num">{pct(row.rate())}</td>
            <td data-label=h[6].clone() class="num">{pct(row.mean_first)}</td>
            <td data-label=h[7].clone() class="num">{pct(row.median_first)}</td>
            <td data-label=h[8].clone() class="num">{row.mean_attempts_to_pass.map(|m| format!("{m:.2}")).unwrap_or_else(|| "—".into())}</td>
        }
    };
    let body = rows
        .iter()
        .map(|row| {
            let mut f = base.clone();
            f.push(("row", row.key.clone()));
            let href = format!("/reports/pass-rates{}", query_string(&f, None));
            let label = if row.label.zh.is_empty() && row.label.en.is_empty() {
                tr("report.unknown")
            } else {
                shown(&row.label)
            };
            view! { <tr>{cells(row, view! { <a href=href>{label}</a> }.into_any(), &heads)}</tr> }
        })
        .collect_view();
    view! {
        // Focusable, so a keyboard can scroll a wide table sideways.
        <div class="table-scroll" tabindex="0" role="region" aria-label=tr("report.title")>
            <table class="list report">
                <thead><tr>{heads.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>{body}</tbody>
                <tfoot><tr class="total">{cells(&total, view! { {tr("report.total")} }.into_any(), &heads)}</tr></tfoot>
            </table>
        </div>
    }
}

#[component]
fn People(row: ReportRow, people: Vec<crate::model::analytics::PersonOutcome>) -> impl IntoView {
    let (locale, zone) = (use_locale(), use_zone());
    let label =
        if row.label.zh.is_empty() && row.label.en.is_empty() { tr("report.unknown") } else { shown(&row.label) };
    view! {
        <section class="card people" id="people">
            <h2>{tr_with("report.people_of", &[("row", label), ("n", people.len().to_string())])}</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label=tr("report.people")>
                <table class="list">
                    <thead><tr>
                        <th scope="col">{tr("field.display_name")}</th><th scope="col">{tr("field.team")}</th>
                        <th scope="col">{tr("report.quiz")}</th><th scope="col">{tr("report.attempts")}</th>
                        <th scope="col">{tr("report.first_score")}</th><th scope="col">{tr("report.best_score")}</th>
                        <th scope="col">{tr("report.attempts_to_pass")}</th><th scope="col">{tr("report.first_at")}</th>
                    </tr></thead>
                    <tbody>
                        {people.into_iter().map(|p| view! {
                            <tr>
                                <td><a href=format!("/people/{}/certification", p.user_id)>{p.display_name}</a>" "<span class="hint">{p.employee_no}</span></td>
                                <td data-label=tr("field.team")>{shown(&p.team)}</td>
                                <td data-label=tr("report.quiz")>{shown(&p.quiz)}</td>
                                <td data-label=tr("report.attempts") class="num">{p.attempts}</td>
                                <td data-label=tr("report.first_score") class="num">{format!("{:.1} %", p.first_percent)}</td>
                                <td data-label=tr("report.best_score") class="num">{format!("{:.1} %", p.best_percent)}</td>
                                <td data-label=tr("report.attempts_to_pass") class="num">{p.attempts_to_pass.map(|n| n.to_string()).unwrap_or_else(|| tr("report.not_passed"))}</td>
                                <td data-label=tr("report.first_at")>{locale.format_timestamp(zone, p.first_at)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
