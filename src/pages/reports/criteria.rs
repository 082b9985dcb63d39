//! Role-play criteria: for each scenario, how its rubric's criteria were rated in the final
//! role-plays of the chosen teams and days, weakest first, with a chart per team and exports.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::get_roleplay_criteria;
use crate::components::chart::{Bar, PercentChart};
use crate::components::error_note::load_failed;
use crate::components::pager::query_string;
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr};
use crate::model::analytics::{CriteriaQuery, CriteriaReport, CRITERIA_COLUMNS, CRITERIA_TRAINER_COLUMNS};
use crate::model::user::{Me, Role};

#[component]
pub fn CriteriaPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Manager, Role::Trainer, Role::Admin] view=page/> }
}

fn page(_me: Me) -> impl IntoView {
    let url = use_query_map();
    let query = move || {
        let m = url.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        CriteriaQuery { team: get("team"), from: get("from"), to: get("to") }
    };
    let data = Resource::new(query, get_roleplay_criteria);
    view! {
        <h1>{tr("criteria.title")}</h1>
        <p class="hint">{tr("criteria.help")}</p>
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

fn pct(v: f64) -> String {
    format!("{v:.0} %")
}

fn report(q: CriteriaQuery, r: CriteriaReport) -> impl IntoView {
    let teams = r
        .teams
        .iter()
        .map(|(id, path)| {
            let selected = r.team == Some(*id);
            view! { <option value=id.to_string() selected=selected>{shown(path)}</option> }
        })
        .collect_view();
    let exports = query_string(&[("team", q.team.clone()), ("from", r.from.clone()), ("to", r.to.clone())], None);
    let bars: Vec<Bar> = r
        .by_team
        .iter()
        .map(|t| Bar {
            label: shown(&t.team),
            value: Some(t.mean_percent),
            detail: format!("{} · {}", pct(t.failing_percent), t.rated),
        })
        .collect();
    let trainer_exports = query_string(
        &[("team", q.team.clone()), ("from", r.from.clone()), ("to", r.to.clone()), ("table", "trainers".into())],
        None,
    );
    let heads: Vec<String> = CRITERIA_COLUMNS.iter().map(|k| tr(k)).collect();
    let trainer_heads: Vec<String> = CRITERIA_TRAINER_COLUMNS.iter().map(|k| tr(k)).collect();
    let trainers = r.by_trainer.clone();
    view! {
        <form method="get" class="filters card" role="search">
            <label>{tr("field.team")}<select name="team"><option value="">{tr("report.all_teams")}</option>{teams}</select></label>
            <label>{tr("field.from")}<input type="date" name="from" value=r.from.clone()/></label>
            <label>{tr("field.to")}<input type="date" name="to" value=r.to.clone()/></label>
            <button type="submit" class="primary">{tr("stats.show")}</button>
        </form>
        {if r.rows.is_empty() {
            view! { <p class="empty">{tr("criteria.none")}</p> }.into_any()
        } else {
            view! {
                <section class="card">
                    <h2>{tr("criteria.by_team")}</h2>
                    <PercentChart caption=tr("criteria.chart_caption") points=bars line=false value_head=tr("criteria.mean") detail_head=tr("criteria.failing_and_rated")/>
                    <p class="downloads">
                        {tr("report.download")}": "
                        <a href=format!("/reports/roleplay-criteria.csv{exports}") rel="external" download>"CSV"</a>" · "
                        <a href=format!("/reports/roleplay-criteria.xlsx{exports}") rel="external" download>"XLSX"</a>
                    </p>
                    <div class="table-scroll" tabindex="0" role="region" aria-label=tr("criteria.title")>
                        <table class="list report criteria">
                            <thead><tr>{heads.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {r.rows.iter().map(|row| {
                                    // Half or more below the pass level: the criterion to train on.
                                    let weak = row.failing_percent >= 50.0;
                                    view! {
                                    <tr class:weak=weak>
                                        <td data-label=heads[0].clone()>{shown(&row.scenario)}</td>
                                        <td data-label=heads[1].clone()>{shown(&row.criterion)}</td>
                                        <td data-label=heads[2].clone() class="num">{row.rated}</td>
                                        <td data-label=heads[3].clone() class="num"><strong>{pct(row.mean_percent)}</strong></td>
                                        <td data-label=heads[4].clone() class="num">{pct(row.failing_percent)}</td>
                                        <td data-label=heads[5].clone() class="num">{row.critical_failed}</td>
                                    </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
                {(!trainers.is_empty()).then(|| view! {
                    <section class="card">
                        <h2>{tr("criteria.by_trainer")}</h2>
                        <p class="hint">{tr("criteria.trainer_help")}</p>
                        <p class="downloads">
                            {tr("report.download")}": "
                            <a href=format!("/reports/roleplay-criteria.csv{trainer_exports}") rel="external" download>"CSV"</a>" · "
                            <a href=format!("/reports/roleplay-criteria.xlsx{trainer_exports}") rel="external" download>"XLSX"</a>
                        </p>
                        <div class="table-scroll" tabindex="0" role="region" aria-label=tr("criteria.by_trainer")>
                            <table class="list report criteria-trainers">
                                <thead><tr>{trainer_heads.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}</tr></thead>
                                <tbody>
                                    {trainers.iter().map(|x| view! {
                                        <tr>
                                            <td data-label=trainer_heads[0].clone()>{x.name.clone()}</td>
                                            <td data-label=trainer_heads[1].clone() class="num">{x.roleplays}</td>
                                            <td data-label=trainer_heads[2].clone() class="num"><strong>{pct(x.mean_percent)}</strong></td>
                                            <td data-label=trainer_heads[3].clone() class="num">{pct(x.failing_percent)}</td>
                                            <td data-label=trainer_heads[4].clone() class="num">{x.critical_failed}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                })}
            }.into_any()
        }}
    }
}
