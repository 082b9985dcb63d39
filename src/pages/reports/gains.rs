//! Pre/post gains for managers and trainers: pick a post-test (and a team), see how much the
//! people who took both tests improved, by team, hire month, training plan and instructor.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::get_gains;
use crate::components::error_note::load_failed;
use crate::components::pager::query_string;
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr};
use crate::model::analytics::{GainQuery, GainsPage};
use crate::model::user::{Me, Role};
use crate::pages::trainer::gains::GainSection;

#[component]
pub fn GainsReportPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Manager, Role::Trainer, Role::Admin] view=page/> }
}

fn page(_me: Me) -> impl IntoView {
    let url = use_query_map();
    let query = move || {
        let m = url.read();
        GainQuery { quiz: m.get("quiz").unwrap_or_default(), team: m.get("team").unwrap_or_default() }
    };
    let data = Resource::new(query, get_gains);
    view! {
        <h1>{tr("gain.report_title")}</h1>
        <p class="hint">{tr("gain.report_help")}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let q = query();
                match data.await {
                    Ok(p) => report(q, p).into_any(),
                    Err(e) => load_failed(e),
                }
            })}
        </Transition>
    }
}

fn report(q: GainQuery, p: GainsPage) -> impl IntoView {
    let option = |id: i64, names: &crate::model::Names, picked: Option<i64>| {
        view! { <option value=id.to_string() selected=picked == Some(id)>{shown(names)}</option> }
    };
    let quizzes = p.quizzes.iter().map(|(id, n)| option(*id, n, p.quiz)).collect_view();
    let teams = p.teams.iter().map(|(id, n)| option(*id, n, p.team)).collect_view();
    let exports = |table: &str| {
        let mut pairs = vec![("quiz", q.quiz.clone()), ("team", q.team.clone())];
        if !table.is_empty() {
            pairs.push(("table", table.to_string()));
        }
        query_string(&pairs, None)
    };
    let (groups, people) = (exports(""), exports("people"));
    view! {
        <form method="get" class="filters card" role="search">
            <label>{tr("gain.pick_quiz")}
                <select name="quiz" required>
                    <option value="">{tr("gain.pick")}</option>
                    {quizzes}
                </select>
            </label>
            {(!p.teams.is_empty()).then(|| view! {
                <label>{tr("field.team")}<select name="team"><option value="">{tr("report.all_teams")}</option>{teams}</select></label>
            })}
            <button type="submit" class="primary">{tr("stats.show")}</button>
        </form>
        {match (p.quizzes.is_empty(), p.report) {
            (true, _) => view! { <p class="empty">{tr("gain.none_paired")}</p> }.into_any(),
            (false, None) => view! { <p class="empty">{tr("gain.pick")}</p> }.into_any(),
            (false, Some(g)) => view! {
                <p class="downloads">
                    {tr("gain.download_groups")}": "
                    <a href=format!("/reports/gains.csv{groups}") rel="external" download>"CSV"</a>" · "
                    <a href=format!("/reports/gains.xlsx{groups}") rel="external" download>"XLSX"</a>
                    " · "{tr("gain.download_people")}": "
                    <a href=format!("/reports/gains.csv{people}") rel="external" download>"CSV"</a>" · "
                    <a href=format!("/reports/gains.xlsx{people}") rel="external" download>"XLSX"</a>
                </p>
                <GainSection g=g/>
            }.into_any(),
        }}
    }
}
