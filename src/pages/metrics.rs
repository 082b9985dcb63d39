//! On-the-job metrics: the admin's definitions and upload, a manager's entry sheet, and a
//! person's metrics over time with the day they were certified marked.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::metric::*;
use crate::components::chart::{Bar, ValueChart};
use crate::components::error_note::{action_error, load_failed, upload_errors, ErrorNote};
use crate::components::names_input::NamesInput;
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr, tr_with};
use crate::model::metric::{EntrySheet, Metric, MetricPeriod, PersonMetrics};
use crate::model::user::{Me, Role};
use crate::model::Names;
use crate::pages::{cleared_on_success, done_note, succeeded};

#[component]
pub fn MetricsAdminPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=admin_page/> }
}

/// The fields of a metric, empty for a new one.
fn metric_form(save: ServerAction<SaveMetric>, m: Option<Metric>) -> impl IntoView {
    let id = m.as_ref().map(|m| m.id.to_string()).unwrap_or_default();
    let name = m.as_ref().map(|m| m.name.clone()).unwrap_or_default();
    let code = m.as_ref().map(|m| m.code.clone()).unwrap_or_default();
    let unit = m.as_ref().map(|m| m.unit.clone()).unwrap_or_default();
    let better = m.as_ref().is_none_or(|m| m.higher_is_better);
    let period = m.as_ref().map(|m| m.period).unwrap_or(MetricPeriod::Month);
    let new = m.is_none();
    let form = view! {
        <input type="hidden" name="id" value=id/>
        <NamesInput field="name" value=name/>
        <label>{tr("field.code")}
            <input name="code" value=code required pattern="[a-z0-9_]{1,40}" maxlength="40" readonly=!new/>
        </label>
        <p class="hint">{tr("metric.code_help")}</p>
        <label>{tr("metric.unit")}<input name="unit" value=unit maxlength="40"/></label>
        <label>{tr("field.period")}
            <select name="period">
                {[MetricPeriod::Month, MetricPeriod::Day].into_iter().map(|p| view! {
                    <option value=p.as_str() selected=p == period>{tr(p.label_key())}</option>
                }).collect_view()}
            </select>
        </label>
        <label class="check"><input type="checkbox" name="higher_is_better" checked=better/>" "{tr("metric.higher_is_better")}</label>
        <button type="submit" class=if new { "primary" } else { "" }>{tr(if new { "metric.add" } else { "roleplay.save" })}</button>
    };
    if new {
        view! { <ActionForm action=save node_ref=cleared_on_success(save) attr:class="stack">{form}</ActionForm> }
            .into_any()
    } else {
        view! { <ActionForm action=save attr:class="stack">{form}</ActionForm> }.into_any()
    }
}

fn admin_page(_me: Me) -> impl IntoView {
    let save = ServerAction::<SaveMetric>::new();
    let data = Resource::new(move || save.version().get(), |_| list_metrics());
    let query = use_query_map();
    let imported = move || {
        query.read().get("imported").map(|n| {
            view! { <p class="alert ok" role="status">{tr_with("metric.imported", &[("n", n)])}</p> }
        })
    };
    let errors = move || query.read().get("import_errors").map(|list| upload_errors(&list));
    view! {
        <h1>{tr("metric.title")}</h1>
        <p class="hint">{tr("metric.help")}</p>
        {done_note("saved", succeeded(save), "roleplay.saved")}
        <ErrorNote error=action_error(save.value())/>
        {imported}
        {errors}
        <section class="card">
            <h2>{tr("metric.upload")}</h2>
            <p class="hint">{tr("metric.upload_help")}" "<a href="/admin/metrics/template.csv" rel="external" download>{tr("metric.template")}</a></p>
            <form method="post" action="/admin/metrics/import" enctype="multipart/form-data" class="row">
                <input type="file" name="file" required aria-label=tr("metric.upload")
                    accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>
                <button type="submit" class="primary">{tr("metric.upload_submit")}</button>
            </form>
            <p class="hint">{tr("metric.api_help")}" "<a href="/admin/tokens">{tr("nav.tokens")}</a></p>
        </section>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match data.await { Ok(l) => l, Err(e) => return load_failed(e) };
                view! {
                    <section class="card">
                        <h2>{tr("metric.defined")}</h2>
                        {if list.is_empty() {
                            view! { <p class="empty">{tr("metric.none_defined")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="metrics">{list.into_iter().map(|m| {
                                    let summary = format!("{} · {} · {} · {}", m.code, m.unit,
                                        tr(m.period.label_key()), tr(if m.higher_is_better { "metric.higher_better" } else { "metric.lower_better" }));
                                    view! {
                                        <li><details>
                                            <summary><strong>{shown(&m.name)}</strong>" "<span class="hint">{summary}</span></summary>
                                            {metric_form(save, Some(m))}
                                        </details></li>
                                    }
                                }).collect_view()}</ul>
                            }.into_any()
                        }}
                    </section>
                    <section class="card">
                        <h2>{tr("metric.new")}</h2>
                        {metric_form(save, None)}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn MetricEntryPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Manager, Role::Admin] view=entry_page/> }
}

fn entry_page(_me: Me) -> impl IntoView {
    let url = use_query_map();
    let save = ServerAction::<SaveMetricEntries>::new();
    let query = move || {
        let m = url.read();
        (m.get("metric").unwrap_or_default(), m.get("period").unwrap_or_default())
    };
    let data = Resource::new(move || (query(), save.version().get()), |((m, p), _)| get_entry_sheet(m, p));
    let saved = move || {
        let n = save.value().get().and_then(|r| r.ok()).map(|n| n.to_string()).or_else(|| url.read().get("saved"));
        n.map(|n| view! { <p class="alert ok" role="status">{tr_with("metric.saved", &[("n", n)])}</p> })
    };
    view! {
        <h1>{tr("metric.entry")}</h1>
        <p class="hint">{tr("metric.entry_help")}</p>
        {saved}
        <ErrorNote error=action_error(save.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(s) => sheet(s, save).into_any(),
                    Err(e) => load_failed(e),
                }
            })}
        </Transition>
    }
}

fn sheet(s: EntrySheet, save: ServerAction<SaveMetricEntries>) -> impl IntoView {
    let Some(metric) = s.metric_id.and_then(|id| s.metrics.iter().find(|m| m.id == id)).cloned() else {
        return view! { <p class="empty">{tr("metric.none_defined")}</p> }.into_any();
    };
    let choices = s
        .metrics
        .iter()
        .map(|m| view! { <option value=m.id.to_string() selected=m.id == metric.id>{shown(&m.name)}</option> })
        .collect_view();
    let (kind, hint) = match metric.period {
        MetricPeriod::Day => ("date", "YYYY-MM-DD"),
        MetricPeriod::Month => ("month", "YYYY-MM"),
    };
    let rows = s
        .people
        .iter()
        .map(|p| {
            let value = p.value.map(|v| v.to_string()).unwrap_or_default();
            view! {
                <tr>
                    <td data-label=tr("followup.person")>{p.display_name.clone()}<span class="hint">{format!(" {}", p.employee_no)}</span></td>
                    <td data-label=tr("field.team")>{shown(&p.team)}</td>
                    <td data-label=tr("field.values")>
                        <input name=format!("values[u{}]", p.user_id) value=value inputmode="decimal" class="num"
                            aria-label=format!("{} {}", p.display_name, shown(&metric.name))/>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <form method="get" class="filters card" role="search">
            <label>{tr("field.metric")}<select name="metric">{choices}</select></label>
            <label>{tr("field.period")}<input type=kind name="period" value=s.period.clone() placeholder=hint/></label>
            <button type="submit">{tr("stats.show")}</button>
        </form>
        <ActionForm action=save attr:class="card">
            <input type="hidden" name="metric" value=metric.id/>
            <input type="hidden" name="period" value=s.period.clone()/>
            <h2>{shown(&metric.name)}" · "{s.period.clone()}{(!metric.unit.is_empty()).then(|| format!(" ({})", metric.unit))}</h2>
            <div class="table-scroll">
                <table class="list entry">
                    <thead><tr><th scope="col">{tr("followup.person")}</th><th scope="col">{tr("field.team")}</th><th scope="col">{tr("field.values")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="hint">{tr("metric.entry_blank")}</p>
            <button type="submit" class="primary">{tr("roleplay.save")}</button>
        </ActionForm>
    }
    .into_any()
}

/// A person's metrics, each over time with their certification days marked.
#[component]
pub fn PersonMetricsCard(user_id: i64) -> impl IntoView {
    let data = Resource::new(move || user_id, get_person_metrics);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let m: PersonMetrics = match data.await { Ok(m) => m, Err(_) => return ().into_any() };
                if m.series.is_empty() {
                    return ().into_any();
                }
                let charts = m.series.into_iter().map(|s| {
                    let points: Vec<Bar> = s.points.iter().map(|(p, v)| Bar { label: p.clone(), value: Some(*v), detail: String::new() }).collect();
                    // Each certification before the first period it precedes.
                    let marks: Vec<(usize, String)> = m.certified.iter().filter_map(|(day, program): &(String, Names)| {
                        let i = s.points.iter().position(|(p, _)| p.as_str() >= &day[..p.len().min(day.len())])?;
                        Some((i, tr_with("metric.certified_mark", &[("program", shown(program)), ("date", day.clone())])))
                    }).collect();
                    let caption = format!("{} ({})", shown(&s.metric.name), s.metric.unit);
                    view! {
                        <h3>{shown(&s.metric.name)}" "<span class="hint">{tr(if s.metric.higher_is_better { "metric.higher_better" } else { "metric.lower_better" })}</span></h3>
                        <ValueChart caption=caption points=points unit=s.metric.unit.clone() marks=marks value_head=tr("field.values")/>
                    }
                    .into_any()
                }).collect_view();
                view! {
                    <section class="card">
                        <h2>{tr("metric.person_title")}</h2>
                        {charts}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
