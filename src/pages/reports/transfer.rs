//! On-the-job results of a program: its follow-ups by offset and state, training transfer per
//! criterion (the role-play beside the floor at 30/60/90 days, by cohort and by person), and each
//! on-the-job metric before and after certification.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::followup::get_transfer_report;
use crate::api::metric::metrics_before_after;
use crate::components::error_note::load_failed;
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr, tr_with};
use crate::model::followup::{Scored, TransferGroup, TransferReport};
use crate::model::metric::BeforeAfter;
use crate::model::user::{Me, Role};

#[component]
pub fn TransferPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Manager, Role::Trainer, Role::Admin] view=page/> }
}

fn page(_me: Me) -> impl IntoView {
    let url = use_query_map();
    let query = move || {
        let m = url.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        (get("program"), get("team"), get("group"))
    };
    let data = Resource::new(query, |(p, t, g)| get_transfer_report(p, t, g));
    // Made here, not inside the report's boundary: a resource made inside one breaks hydration.
    let metrics = Resource::new(query, |(p, t, _)| metrics_before_after(p, t));
    view! {
        <h1>{tr("transfer.title")}</h1>
        <p class="hint">{tr("transfer.help")}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => report(r, metrics).into_any(),
                    Err(e) => load_failed(e),
                }
            })}
        </Transition>
    }
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0}%")).unwrap_or_else(|| "—".into())
}

fn scored(s: &Scored) -> impl IntoView {
    view! { <td class="num">{pct(s.mean)}<span class="hint">{format!(" n={}", s.n)}</span></td> }
}

fn report(r: TransferReport, metrics: Resource<Result<Vec<BeforeAfter>, crate::error::AppError>>) -> impl IntoView {
    let programs = r
        .programs
        .iter()
        .map(|(id, n)| view! { <option value=id.to_string() selected=*id == r.program_id>{shown(n)}</option> })
        .collect_view();
    let teams = r
        .teams
        .iter()
        .map(|(id, n)| view! { <option value=id.to_string() selected=r.team == Some(*id)>{shown(n)}</option> })
        .collect_view();
    let groups = TransferGroup::ALL
        .into_iter()
        .map(|g| view! { <option value=g.as_str() selected=g == r.group>{tr(g.label_key())}</option> })
        .collect_view();
    let figures = r
        .figures
        .iter()
        .map(|f| {
            view! {
                <tr>
                    <td>{tr_with("followup.title_days", &[("days", f.offset_days.to_string())])}</td>
                    <td class="num">{f.scheduled}</td>
                    <td class="num">{f.due}</td>
                    <td class=if f.overdue == 0 { "num" } else { "num bad" }>{f.overdue}</td>
                    <td class="num">{f.completed}</td>
                    <td class="num">{f.passed}</td>
                    <td class="num">{pct(f.mean_percent)}</td>
                    <td class="num">{f.waived}</td>
                </tr>
            }
        })
        .collect_view();
    let offsets = r.offsets.clone();
    let heads = move || {
        offsets
            .iter()
            .map(|o| view! { <th scope="col">{tr_with("transfer.at_days", &[("days", o.to_string())])}</th> })
            .collect_view()
    };
    let cohorts = r
        .cohorts
        .iter()
        .map(|c| {
            let rows = c
                .rows
                .iter()
                .map(|row| {
                    view! {
                        <tr class:flagged=row.flagged>
                            <td>{shown(&row.criterion)}{row.flagged.then(|| view! { " "<span class="badge warn">{tr("transfer.not_holding")}</span> })}</td>
                            {scored(&row.training)}
                            {row.floor.iter().map(scored).collect_view()}
                            <td class="num">{format!("{} / {}", row.lost, row.matched)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let label = if c.label == Default::default() { tr("transfer.group.everyone") } else { shown(&c.label) };
            view! {
                <h3>{label}" "<span class="hint">{tr_with("transfer.people_n", &[("n", c.people.to_string())])}</span></h3>
                <div class="table-scroll" tabindex="0" role="region" aria-label=tr("transfer.table")>
                    <table class="list report transfer">
                        <thead><tr>
                            <th scope="col">{tr("followup.criterion")}</th>
                            <th scope="col">{tr("transfer.training")}</th>
                            {heads()}
                            <th scope="col">{tr("transfer.lost")}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
        .collect_view();
    let criteria = r.criteria.clone();
    let people = r
        .people
        .iter()
        .map(|p| {
            let cells = p
                .levels
                .iter()
                .zip(&criteria)
                .map(|((training, floor), (_, max, met))| {
                    let show = |l: Option<f64>| l.map(|l| format!("{l:.1}").trim_end_matches(".0").to_string()).unwrap_or_else(|| "—".into());
                    let lost = training.is_some_and(|t| t >= f64::from(*met)) && floor.iter().flatten().any(|l| *l < f64::from(*met));
                    let floor = floor.iter().map(|l| show(*l)).collect::<Vec<_>>().join(" · ");
                    view! { <td class=if lost { "num bad" } else { "num" }>{format!("{} → {} /{max}", show(*training), floor)}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <td><a href=format!("/people/{}/certification", p.user_id)>{p.person.clone()}</a><span class="hint">{format!(" {}", p.employee_no)}</span></td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <form method="get" class="filters card" role="search">
            <label>{tr("cert.program")}<select name="program">{programs}</select></label>
            <label>{tr("field.team")}<select name="team"><option value="">{tr("report.all_teams")}</option>{teams}</select></label>
            <label>{tr("transfer.group_by")}<select name="group">{groups}</select></label>
            <button type="submit" class="primary">{tr("stats.show")}</button>
        </form>
        <section class="card">
            <h2>{tr("transfer.followups")}</h2>
            {if r.figures.is_empty() {
                view! { <p class="empty">{tr("transfer.no_followups")}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label=tr("transfer.followups")>
                        <table class="list report">
                            <thead><tr>
                                <th scope="col">{tr("followup.when")}</th>
                                <th scope="col">{tr("followup.state.scheduled")}</th>
                                <th scope="col">{tr("followup.state.due")}</th>
                                <th scope="col">{tr("followup.state.overdue")}</th>
                                <th scope="col">{tr("followup.state.completed")}</th>
                                <th scope="col">{tr("transfer.passed")}</th>
                                <th scope="col">{tr("transfer.mean")}</th>
                                <th scope="col">{tr("followup.state.waived")}</th>
                            </tr></thead>
                            <tbody>{figures}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        <section class="card">
            <h2>{tr("transfer.table")}</h2>
            <p class="hint">{tr("transfer.table_help")}</p>
            {if r.people.is_empty() {
                view! { <p class="empty">{tr("transfer.none")}</p> }.into_any()
            } else {
                view! {
                    {cohorts}
                    <details>
                        <summary>{tr("transfer.by_person")}</summary>
                        <div class="table-scroll" tabindex="0" role="region" aria-label=tr("transfer.by_person")>
                            <table class="list report transfer-people">
                                <thead><tr>
                                    <th scope="col">{tr("followup.person")}</th>
                                    {r.criteria.iter().map(|(c, _, _)| view! { <th scope="col">{shown(c)}</th> }).collect_view()}
                                </tr></thead>
                                <tbody>{people}</tbody>
                            </table>
                        </div>
                        <p class="hint">{tr("transfer.by_person_help")}</p>
                    </details>
                }.into_any()
            }}
        </section>
        <section class="card">
            <h2>{tr("metric.before_after")}</h2>
            <p class="hint">{tr("metric.before_after_help")}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match metrics.await {
                        Ok(list) => before_after(list).into_any(),
                        Err(e) => load_failed(e),
                    }
                })}
            </Transition>
        </section>
    }
}

fn before_after(list: Vec<BeforeAfter>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">{tr("metric.none_defined")}</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|b| {
            let change = b.change().map(|c| format!("{c:+.1}")).unwrap_or_else(|| "—".into());
            let class = match b.improved() {
                Some(true) => "num good",
                Some(false) => "num bad",
                None => "num",
            };
            let unit = b.metric.unit.clone();
            let v = move |x: Option<f64>| x.map(|x| format!("{x:.1} {unit}")).unwrap_or_else(|| "—".into());
            view! {
                <tr>
                    <td>{shown(&b.metric.name)}<span class="hint">{format!(" ({})", tr(if b.metric.higher_is_better { "metric.higher_better" } else { "metric.lower_better" }))}</span></td>
                    <td class="num">{v(b.before)}</td>
                    <td class="num">{v(b.after)}</td>
                    <td class=class>{change}</td>
                    <td class="num">{b.people}</td>
                    <td class="num">{b.one_sided}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=tr("metric.before_after")>
            <table class="list report">
                <thead><tr>
                    <th scope="col">{tr("field.metric")}</th>
                    <th scope="col">{tr("metric.before")}</th>
                    <th scope="col">{tr("metric.after")}</th>
                    <th scope="col">{tr("metric.change")}</th>
                    <th scope="col">{tr("metric.people")}</th>
                    <th scope="col">{tr("metric.one_sided")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
