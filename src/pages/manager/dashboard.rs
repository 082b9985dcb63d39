//! The manager's dashboard on their home page (an admin's covers everyone): each figure links
//! to the roster or report that lists the people behind it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::get_dashboard;
use crate::components::chart::{Bar, PercentChart};
use crate::components::error_note::load_failed;
use crate::i18n::{shown, tr, tr_with};
use crate::model::analytics::{Dashboard, FloorLine, PeriodPass};

fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.0} %")).unwrap_or_else(|| "—".into())
}

#[component]
pub fn ManagerDashboard() -> impl IntoView {
    let url = use_query_map();
    let team = move || url.read().get("team").unwrap_or_default();
    let data = Resource::new(team, get_dashboard);
    view! {
        <section class="dashboard">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => dashboard(d).into_any(),
                        Err(e) => load_failed(e),
                    }
                })}
            </Transition>
        </section>
    }
}

fn dashboard(d: Dashboard) -> impl IntoView {
    // Links keep the picked team, so the people behind a figure are the figure's people.
    let team = d.team.map(|t| t.to_string()).unwrap_or_default();
    let roster = {
        let team = team.clone();
        move |filters: &str| {
            let mut q = filters.to_string();
            if !team.is_empty() {
                q = if q.is_empty() { format!("team={team}") } else { format!("{q}&team={team}") };
            }
            if q.is_empty() {
                "/team/roster".to_string()
            } else {
                format!("/team/roster?{q}")
            }
        }
    };
    // The pass-rate report over the same people, the last 30 days.
    let report = {
        let team = team.clone();
        let since = d.this_period.from;
        move |filters: &str| {
            let from =
                chrono::DateTime::from_timestamp(since, 0).map(|t| t.date_naive().to_string()).unwrap_or_default();
            let mut q = format!("from={from}");
            if !team.is_empty() {
                q.push_str(&format!("&team={team}"));
            }
            if !filters.is_empty() {
                q.push('&');
                q.push_str(filters);
            }
            format!("/reports/pass-rates?{q}")
        }
    };
    // The role-play criteria of the same people over the same 30 days.
    let criteria = {
        let team = team.clone();
        let since = d.this_period.from;
        move || {
            let from =
                chrono::DateTime::from_timestamp(since, 0).map(|t| t.date_naive().to_string()).unwrap_or_default();
            format!("/reports/roleplay-criteria?from={from}&team={team}")
        }
    };
    let options = d
        .teams
        .iter()
        .map(|(id, path)| view! { <option value=id.to_string() selected=d.team == Some(*id)>{shown(path)}</option> })
        .collect_view();
    let tile = |label: String, value: String, href: String| {
        view! {
            <div><dt>{label}</dt><dd><a href=href>{value}</a></dd></div>
        }
    };
    let trend: Vec<Bar> = d
        .trend
        .iter()
        .map(|p| Bar {
            label: p.day[5..].to_string(),
            value: share(p.cleared, p.needed),
            detail: format!("{} / {}", p.cleared, p.needed),
        })
        .collect();
    let all = tr(if d.everyone { "dash.all_teams" } else { "dash.all_my_teams" });
    view! {
        <section class="card">
            <div class="row heading">
                <h2>{tr("dash.floor_today")}</h2>
                <form method="get" class="picker" role="search">
                    <label>{tr("field.team")}
                        <select name="team"><option value="">{all}</option>{options}</select>
                    </label>
                    <button type="submit">{tr("stats.show")}</button>
                </form>
            </div>
            <dl class="figures tiles">
                {tile(tr("dash.cleared"), format!("{} / {}", d.cleared, d.people), roster("status=cleared"))}
                {tile(tr("dash.not_cleared"), (d.people - d.cleared).to_string(), roster("status=not_cleared"))}
                {tile(tr_with("dash.expiring_in", &[("n", "30".into())]), d.expiring[0].to_string(), roster("status=expiring&within=30"))}
                {tile(tr_with("dash.expiring_in", &[("n", "60".into())]), d.expiring[1].to_string(), roster("status=expiring&within=60"))}
                {tile(tr_with("dash.expiring_in", &[("n", "90".into())]), d.expiring[2].to_string(), roster("status=expiring&within=90"))}
                {tile(tr("dash.expired"), d.expired.to_string(), roster("status=not_cleared"))}
                {tile(tr("dash.suspended_revoked"), format!("{} · {}", d.suspended, d.revoked), roster("status=not_cleared"))}
                {tile(tr("dash.reassess"), d.reassess.to_string(), roster("status=not_cleared"))}
                {tile(tr("dash.without_program"), d.without_program.to_string(), roster("status=no_program"))}
            </dl>
            <h3>{tr("dash.trend")}</h3>
            {if trend.len() < 2 {
                view! { <p class="empty">{tr("dash.trend_starts")}</p> }.into_any()
            } else {
                view! { <PercentChart caption=tr("dash.trend_caption") points=trend value_head=tr("dash.cleared_share") detail_head=tr("dash.cleared")/> }.into_any()
            }}
            <div class="columns">
                <FloorTable title=tr("dash.by_position") lines=d.positions.iter().map(|l| (l.clone(), None)).collect()/>
                <FloorTable title=tr("dash.by_program") lines=d.programs.iter().map(|l| (l.clone(), Some(roster(&format!("program={}", l.id))))).collect()/>
            </div>
        </section>
        <section class="card">
            <h2>{tr("dash.pipeline")}</h2>
            <dl class="figures tiles">
                {tile(tr("dash.not_started"), d.not_started.to_string(), roster("status=not_cleared"))}
                {tile(tr("dash.in_training"), d.in_training.to_string(), roster("status=not_cleared"))}
                {tile(tr("dash.median_days"), d.median_days.map(|m| tr_with("dash.days", &[("n", format!("{m:.0}"))])).unwrap_or_else(|| "—".into()), roster("status=cleared"))}
            </dl>
            {(!d.steps.is_empty()).then(|| view! {
                <h3>{tr("dash.steps")}</h3>
                <ul class="steps">
                    {d.steps.iter().map(|s| view! { <li>{shown(&s.name)}" · "<strong>{s.people}</strong></li> }).collect_view()}
                </ul>
            })}
            <div class="columns">
                <MedianTable title=tr("dash.median_by_team") lines=d.median_by_team.clone()/>
                <MedianTable title=tr("dash.median_by_month") lines=d.median_by_month.clone()/>
            </div>
        </section>
        <section class="card">
            <div class="row heading">
                <h2>{tr("dash.pass_rates")}</h2>
                <span>
                    <a href=report("")>{tr("dash.pass_rate_report")}</a>" · "
                    <a href=criteria()>{tr("dash.criteria_report")}</a>
                </span>
            </div>
            <PassRates now=d.this_period before=d.previous/>
            {d.worst_quiz.clone().map(|w| view! {
                <p class="alert warn">
                    <a href=report(&format!("quiz={}&row={}", w.quiz_id, w.quiz_id))>
                        {tr_with("dash.worst_quiz", &[
                            ("quiz", shown(&w.title)), ("rate", format!("{:.0}", w.first_rate)), ("n", w.outcomes.to_string()),
                        ])}
                    </a>
                </p>
            })}
            {d.worst_criterion.clone().map(|w| view! {
                <p class="alert warn">
                    <a href=criteria()>
                        {tr_with("dash.worst_criterion", &[
                            ("criterion", shown(&w.name)),
                            ("mean", format!("{:.0}", w.mean_percent)),
                            ("failing", format!("{:.0}", w.failing_percent)),
                            ("n", w.rated.to_string()),
                        ])}
                    </a>
                </p>
            })}
            <h3>{tr("dash.waiting")}</h3>
            <ul class="todo">
                <li class:done=d.essays_waiting == 0>{tr_with("dash.essays_waiting", &[("n", d.essays_waiting.to_string()), ("late", d.essays_overdue.to_string())])}</li>
                <li class:done=d.roleplays_waiting == 0>{tr_with("dash.roleplays_waiting", &[("n", d.roleplays_waiting.to_string()), ("late", d.roleplays_overdue.to_string())])}</li>
                <li class:done=d.followups.due + d.followups.overdue == 0>
                    <a href="/followups">{tr_with("dash.followups_open", &[("n", d.followups.due.to_string()), ("late", d.followups.overdue.to_string())])}</a>
                </li>
            </ul>
            <h3>{tr("dash.followups")}</h3>
            <p>
                <a href=format!("/reports/on-the-job{}", if team.is_empty() { String::new() } else { format!("?team={team}") })>
                    {if d.followups.completed == 0 {
                        tr("dash.followups_none")
                    } else {
                        tr_with("dash.followups_done", &[
                            ("n", d.followups.completed.to_string()),
                            ("passed", d.followups.passed.to_string()),
                            ("rate", format!("{:.0}", 100.0 * f64::from(d.followups.passed) / f64::from(d.followups.completed))),
                        ])
                    }}
                </a>
            </p>
        </section>
    }
}

#[component]
fn FloorTable(title: String, lines: Vec<(FloorLine, Option<String>)>) -> impl IntoView {
    view! {
        <div>
            <h3>{title}</h3>
            {if lines.is_empty() {
                view! { <p class="empty">"—"</p> }.into_any()
            } else {
                view! {
                    <table class="list floor-lines">
                        <tbody>
                            {lines.into_iter().map(|(l, link)| {
                                let rate = share(l.cleared, l.needed).unwrap_or(0.0);
                                let name = if l.name.zh.is_empty() && l.name.en.is_empty() { tr("dash.no_position") } else { shown(&l.name) };
                                // Each line opens the roster of its people where the roster can filter by it.
                                let name = match link {
                                    Some(href) => view! { <a href=href>{name}</a> }.into_any(),
                                    None => name.into_any(),
                                };
                                view! {
                                    <tr>
                                        <td>{name}</td>
                                        <td class="num">{format!("{} / {}", l.cleared, l.needed)}</td>
                                        <td class="bar-cell"><progress class="share" max="100" value=format!("{rate:.0}") aria-hidden="true"></progress>{format!("{rate:.0} %")}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn MedianTable(title: String, lines: Vec<crate::model::analytics::MedianLine>) -> impl IntoView {
    (!lines.is_empty()).then(|| {
        view! {
            <div>
                <h3>{title}</h3>
                <table class="list">
                    <tbody>
                        {lines.into_iter().map(|l| view! {
                            <tr>
                                <td>{shown(&l.label)}</td>
                                <td class="num">{tr_with("dash.days", &[("n", format!("{:.0}", l.median_days))])}</td>
                                <td class="num hint">{tr_with("dash.people", &[("n", l.people.to_string())])}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    })
}

/// This period's first-attempt and eventual pass rates beside the previous period's.
#[component]
fn PassRates(now: PeriodPass, before: PeriodPass) -> impl IntoView {
    let delta = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => {
            let d = a - b;
            let class = if d > 0.5 {
                "delta up"
            } else if d < -0.5 {
                "delta down"
            } else {
                "delta"
            };
            view! { <span class=class>{format!(" ({d:+.0})")}</span> }.into_any()
        }
        _ => ().into_any(),
    };
    view! {
        <table class="list pass-rates">
            <thead><tr>
                <th scope="col"></th>
                <th scope="col">{tr_with("dash.last_days", &[("n", "30".into())])}</th>
                <th scope="col">{tr("dash.previous_days")}</th>
            </tr></thead>
            <tbody>
                <tr>
                    <th scope="row">{tr("dash.first_attempt_rate")}</th>
                    <td data-label=tr_with("dash.last_days", &[("n", "30".into())])>{pct(now.first_rate())}{delta(now.first_rate(), before.first_rate())}</td>
                    <td data-label=tr("dash.previous_days")>{pct(before.first_rate())}</td>
                </tr>
                <tr>
                    <th scope="row">{tr("dash.eventual_rate")}</th>
                    <td data-label=tr_with("dash.last_days", &[("n", "30".into())])>{pct(now.rate())}{delta(now.rate(), before.rate())}</td>
                    <td data-label=tr("dash.previous_days")>{pct(before.rate())}</td>
                </tr>
                <tr>
                    <th scope="row">{tr("dash.outcomes")}</th>
                    <td data-label=tr_with("dash.last_days", &[("n", "30".into())])>{now.outcomes}</td>
                    <td data-label=tr("dash.previous_days")>{before.outcomes}</td>
                </tr>
            </tbody>
        </table>
    }
}
