//! Role-play authoring for trainers: rubrics (versioned), scenarios, opening a role-play for a
//! trainee, and the rater calibration report.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::roleplay::*;
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::names_input::NamesInput;
use crate::components::owners::OwnersCard;
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{shown, tr, tr_with};
use crate::model::owners::Owned;
use crate::model::roleplay::{Channel, Criterion, SecondRaterRule, CALIBRATION_MIN_N};
use crate::model::user::{Me, Role};
use crate::model::Names;
use crate::pages::{done_note, param, percent, succeeded};

const AUTHORS: [Role; 2] = [Role::Trainer, Role::Admin];

/// Links between the role-play pages.
pub fn subnav() -> impl IntoView {
    view! {
        <p class="subnav">
            <a href="/trainer/scenarios">{tr("nav.scenarios")}</a>" · "
            <a href="/trainer/rubrics">{tr("nav.rubrics")}</a>" · "
            <a href="/roleplays">{tr("nav.roleplays")}</a>" · "
            <a href="/trainer/calibration">{tr("nav.calibration")}</a>
        </p>
    }
}

#[component]
pub fn RubricsPage() -> impl IntoView {
    view! { <RequireRole roles=AUTHORS.to_vec() view=rubrics/> }
}

fn rubrics(_me: Me) -> impl IntoView {
    let list = Resource::new(|| (), |_| list_rubrics());
    view! {
        <h1>{tr("roleplay.rubrics")}</h1>
        {subnav()}
        <p><a class="button" href="/trainer/rubrics/new">{tr("roleplay.new_rubric")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("roleplay.no_rubrics")}</p> }.into_any();
                }
                view! {
                    <table class="list">
                        <thead><tr>
                            <th>{tr("field.name")}</th><th>{tr("roleplay.version")}</th>
                            <th>{tr("roleplay.criteria")}</th><th>{tr("nav.scenarios")}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|r| view! {
                            <tr>
                                <td><a href=format!("/trainer/rubrics/{}", r.id)>{r.name}</a></td>
                                <td>{r.version_no}</td><td>{r.criteria}</td><td>{r.scenarios}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn RubricEditorPage() -> impl IntoView {
    view! { <RequireRole roles=AUTHORS.to_vec() view=rubric_editor/> }
}

/// Spare empty rows under the criteria, so a criterion can be added without JavaScript.
const SPARE_ROWS: usize = 3;

fn rubric_editor(_me: Me) -> impl IntoView {
    let id = param("id");
    let save = ServerAction::<SaveRubric>::new();
    let rubric = Resource::new(
        move || save.version().get(),
        move |_| async move {
            if id == 0 {
                Ok(None)
            } else {
                get_rubric(id).await.map(Some)
            }
        },
    );
    view! {
        {subnav()}
        {done_note("saved", succeeded(save), "roleplay.saved")}
        <ErrorNote error=action_error(save.value())/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let rubric = match rubric.await {
                    Err(e) => return load_failed(e),
                    Ok(r) => r,
                };
                let (name, version, criteria, can_change) = rubric
                    .map(|r| (r.name, Some(r.version_no), r.criteria, r.can_change))
                    .unwrap_or((String::new(), None, Vec::new(), true));
                let spare = match (can_change, criteria.is_empty()) {
                    (false, _) => 0,
                    (true, true) => 6,
                    (true, false) => SPARE_ROWS,
                };
                let rows = criteria
                    .into_iter()
                    .map(Some)
                    .chain(std::iter::repeat_n(None, spare))
                    .enumerate()
                    .map(|(i, c)| criterion_row(i, c))
                    .collect_view();
                view! {
                    <h1>{if id == 0 { tr("roleplay.new_rubric") } else { name.clone() }}</h1>
                    {version.map(|v| view! { <p class="hint">{tr_with("roleplay.version_note", &[("n", v.to_string())])}</p> })}
                    <ActionForm action=save attr:class="stack rubric">
                        <input type="hidden" name="id" value=id/>
                        <fieldset class="bare" disabled=!can_change>
                            <label>{tr("field.name")}<input name="name" value=name required maxlength="200"/></label>
                            <p class="hint">{tr("roleplay.rubric_help")}</p>
                            {rows}
                        </fieldset>
                        {can_change.then(|| view! { <button type="submit" class="primary">{tr("roleplay.save")}</button> })}
                    </ActionForm>
                }.into_any()
            })}
        </Suspense>
        // Outside the boundary above: its resource made inside it broke hydration.
        {(id != 0).then(|| view! { <OwnersCard what=Owned::Rubric id=id/> })}
    }
}

fn criterion_row(i: usize, c: Option<Criterion>) -> impl IntoView {
    let n = |f: &str| format!("criteria[{i}][{f}]");
    let c = c.unwrap_or(Criterion {
        name: Names::default(),
        weight: 1.0,
        levels: Vec::new(),
        critical: false,
        pass_level: 0,
    });
    // The pass level is picked from the criterion's own levels, counted from 1 as raters see them
    // (stored from 0); a criterion without levels yet offers the numbers.
    let pass = c.pass_level as usize;
    let pass_options = if c.levels.is_empty() {
        (0..11).map(|l| (l, tr_with("roleplay.level_n", &[("n", (l + 1).to_string())]))).collect::<Vec<_>>()
    } else {
        c.levels.iter().enumerate().map(|(l, d)| (l, format!("{}. {d}", l + 1))).collect()
    };
    let pass_options = pass_options
        .into_iter()
        .map(|(l, label)| view! { <option value=l selected=l == pass>{label}</option> })
        .collect_view();
    view! {
        <fieldset class="criterion">
            <legend>{tr_with("roleplay.criterion_n", &[("n", (i + 1).to_string())])}</legend>
            <div class="names-input">
                <label>{format!("{} ({})", tr("roleplay.criterion_name"), "中文")}
                    <input name=n("name_zh") value=c.name.zh.clone() lang="zh-CN" maxlength="200"/>
                </label>
                <label>{format!("{} ({})", tr("roleplay.criterion_name"), "English")}
                    <input name=n("name_en") value=c.name.en.clone() lang="en" maxlength="200"/>
                </label>
            </div>
            <div class="row">
                <label>{tr("roleplay.weight")}<input name=n("weight") value=c.weight.to_string() inputmode="decimal" size="4"/></label>
                <label class="check"><input type="checkbox" name=n("critical") value="on" checked=c.critical/>" "{tr("roleplay.critical")}</label>
                <label>{tr("roleplay.pass_level")}<select name=n("pass_level")>{pass_options}</select></label>
            </div>
            <label>{tr("roleplay.levels")}
                <TextArea value=c.levels.join("\n") {..} name=n("levels") rows="5" placeholder=tr("roleplay.levels_placeholder")/>
            </label>
        </fieldset>
    }
}

#[component]
pub fn ScenariosPage() -> impl IntoView {
    view! { <RequireRole roles=AUTHORS.to_vec() view=scenarios/> }
}

fn scenarios(_me: Me) -> impl IntoView {
    let list = Resource::new(|| (), |_| list_scenarios());
    view! {
        <h1>{tr("roleplay.scenarios")}</h1>
        {subnav()}
        <p><a class="button" href="/trainer/scenarios/new">{tr("roleplay.new_scenario")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("roleplay.no_scenarios")}</p> }.into_any();
                }
                view! {
                    <table class="list">
                        <thead><tr>
                            <th>{tr("field.title")}</th><th>{tr("roleplay.channel_label")}</th><th>{tr("roleplay.rubric")}</th>
                            <th>{tr("nav.courses")}</th><th>{tr("quiz.pass_rate")}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|s| view! {
                            <tr>
                                <td><a href=format!("/trainer/scenarios/{}", s.id)>{shown(&s.title)}</a></td>
                                <td>{tr(s.channel.label_key())}</td>
                                <td>{s.rubric_name}</td>
                                <td>{s.courses.iter().map(shown).collect::<Vec<_>>().join(" · ")}</td>
                                <td>{if s.roleplays == 0 { "—".to_string() } else { format!("{}/{}", s.passed, s.roleplays) }}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn ScenarioEditorPage() -> impl IntoView {
    view! { <RequireRole roles=AUTHORS.to_vec() view=scenario_editor/> }
}

fn scenario_editor(_me: Me) -> impl IntoView {
    let id = param("id");
    let save = ServerAction::<SaveScenario>::new();
    let open = ServerAction::<OpenRoleplay>::new();
    let archive = ServerAction::<ArchiveScenario>::new();
    let editor = Resource::new(move || save.version().get(), move |_| get_scenario_editor(id));
    view! {
        {subnav()}
        {done_note("saved", succeeded(save), "roleplay.saved")}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let e = match editor.await {
                    Err(e) => return load_failed(e),
                    Ok(e) => e,
                };
                let f = e.fields;
                let can_change = e.can_change;
                let channels = Channel::ALL
                    .iter()
                    .map(|c| view! { <option value=c.as_str() selected=*c == f.channel>{tr(c.label_key())}</option> })
                    .collect_view();
                let rules = SecondRaterRule::ALL
                    .iter()
                    .map(|r| view! { <option value=r.as_str() selected=*r == f.rule>{tr(r.label_key())}</option> })
                    .collect_view();
                let rubric_id = f.rubric_id;
                let rubrics = e.rubrics
                    .into_iter()
                    .map(|(rid, name)| view! { <option value=rid selected=rid == rubric_id>{name}</option> })
                    .collect_view();
                let linked = f.course_ids.clone();
                let courses = e.courses
                    .into_iter()
                    .enumerate()
                    .map(|(i, (cid, title))| view! {
                        <label class="check">
                            <input type="checkbox" name=format!("course_ids[{i}]") value=cid checked=linked.contains(&cid)/>" "{shown(&title)}
                        </label>
                    })
                    .collect_view();
                let area = |name: &'static str, label: &'static str, value: String, rows: &'static str| view! {
                    <label>{tr(label)}<TextArea value={value} {..} name=name rows=rows/></label>
                };
                view! {
                    <h1>{if id == 0 { tr("roleplay.new_scenario") } else { shown(&f.title) }}</h1>
                    <ErrorNote error=action_error(save.value())/>
                    <ActionForm action=save attr:class="stack scenario">
                        <input type="hidden" name="id" value=id/>
                        <fieldset class="bare" disabled=!can_change>
                        <NamesInput field="title" value=f.title.clone()/>
                        <label>{tr("roleplay.channel_label")}<select name="channel">{channels}</select></label>
                        <label>{tr("roleplay.product")}<input name="product" value=f.product maxlength="200"/></label>
                        {area("situation", "roleplay.situation", f.situation, "4")}
                        {area("persona", "roleplay.persona", f.persona, "3")}
                        <label>{tr("roleplay.mood")}<input name="mood" value=f.mood maxlength="200"/></label>
                        {area("objective", "roleplay.objective", f.objective, "3")}
                        {area("cues", "roleplay.cues", f.cues, "4")}
                        {area("facts", "roleplay.facts", f.facts, "4")}
                        {area("customer_turns", "roleplay.customer_turns", f.customer_turns, "5")}
                        <p class="hint">{tr("roleplay.customer_turns_help")}</p>
                        <label>{tr("roleplay.time_box")}<input type="number" name="time_box_minutes" min="1" max="240" value=f.time_box_minutes/></label>
                        <label>{tr("roleplay.rubric")}<select name="rubric_id" required>{rubrics}</select></label>
                        <label>{tr("quiz.pass_mark")}" (%)"<input type="number" name="pass_percent" min="0" max="100" value=f.pass_percent/></label>
                        <label>{tr("roleplay.rule_label")}<select name="rule">{rules}</select></label>
                        <fieldset><legend>{tr("nav.courses")}</legend>{courses}</fieldset>
                        </fieldset>
                        {can_change.then(|| view! { <button type="submit" class="primary">{tr("roleplay.save")}</button> })}
                    </ActionForm>
                    {(id != 0).then(|| view! {
                        <section class="card">
                            <h2>{tr("roleplay.open")}</h2>
                            <ErrorNote error=action_error(open.value())/>
                            <ActionForm action=open attr:class="stack">
                                <input type="hidden" name="scenario_id" value=id/>
                                <label>{tr("field.employee_no")}<input name="employee_no" required maxlength="50"/></label>
                                <label>{tr("roleplay.mode_label")}
                                    <select name="mode">
                                        <option value="live">{tr("roleplay.mode.live")}</option>
                                        <option value="written">{tr("roleplay.mode.written")}</option>
                                    </select>
                                </label>
                                <label>{tr("roleplay.rater")}<input name="rater" maxlength="50" placeholder="T1001"/></label>
                                <label>{tr("roleplay.second_rater")}<input name="second_rater" maxlength="50" placeholder="T1002"/></label>
                                <button type="submit" class="primary">{tr("roleplay.open_button")}</button>
                            </ActionForm>
                        </section>
                        {can_change.then(|| view! {
                            <ActionForm action=archive attr:class="inline">
                                <input type="hidden" name="id" value=id/>
                                <button type="submit" class="danger">{tr("roleplay.archive")}</button>
                            </ActionForm>
                        })}
                    })}
                }.into_any()
            })}
        </Suspense>
        // Outside the boundary above: its resource made inside it broke hydration.
        {(id != 0).then(|| view! { <OwnersCard what=Owned::Scenario id=id/> })}
    }
}

#[component]
pub fn CalibrationPage() -> impl IntoView {
    view! { <RequireRole roles=AUTHORS.to_vec() view=calibration/> }
}

fn calibration(_me: Me) -> impl IntoView {
    let threshold = use_query_map().read_untracked().get("threshold").unwrap_or_default();
    let typed = if threshold.is_empty() { KAPPA_THRESHOLD.to_string() } else { threshold.clone() };
    let report = Resource::new(|| (), move |_| get_calibration(threshold.clone()));
    let trend = Resource::new(|| (), |_| crate::api::roleplay::get_agreement_trend());
    view! {
        <h1>{tr("roleplay.calibration")}</h1>
        {subnav()}
        <p class="hint">{tr("roleplay.calibration_help")}" "{tr_with("roleplay.min_n_help", &[("n", CALIBRATION_MIN_N.to_string())])}</p>
        <form method="get" class="inline">
            <label>{tr("roleplay.threshold")}" "<input name="threshold" value=typed inputmode="decimal" size="5"/></label>
            " "<button type="submit">{tr("roleplay.show")}</button>
        </form>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let rows = match report.await {
                    Err(e) => return load_failed(e),
                    Ok(r) => r,
                };
                if rows.is_empty() {
                    return view! { <p class="empty">{tr("roleplay.no_pairs")}</p> }.into_any();
                }
                view! {
                    <table class="list calibration">
                        <thead><tr>
                            <th>{tr("roleplay.raters")}</th><th>{tr("roleplay.criterion")}</th><th>"n"</th>
                            <th>"κ"</th><th>{tr("roleplay.exact")}</th><th>{tr("roleplay.adjacent")}</th><th></th>
                        </tr></thead>
                        <tbody>{rows.into_iter().map(|r| {
                            let overall = r.criterion.is_none();
                            view! {
                                <tr class:overall=overall class:flagged=r.flagged>
                                    <td>{format!("{} · {}", r.rater_a, r.rater_b)}</td>
                                    <td>{r.criterion.as_ref().map(shown).unwrap_or_else(|| tr("roleplay.all_criteria"))}</td>
                                    <td>{r.n}</td>
                                    <td>{r.kappa.map(|k| format!("{k:.2}")).unwrap_or_else(|| tr("roleplay.kappa_undefined"))}</td>
                                    <td>{percent(Some(r.exact_percent))}</td>
                                    <td>{percent(Some(r.adjacent_percent))}</td>
                                    <td>
                                        {r.flagged.then(|| view! { <span class="badge warn">{tr("roleplay.below_threshold")}</span> })}
                                        {r.too_few.then(|| view! { <span class="hint">{tr("roleplay.too_few")}</span> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let points = match trend.await {
                    Err(e) => return load_failed(e),
                    Ok(p) => p,
                };
                // A trend needs two months at least.
                (points.len() >= 2).then(|| {
                    let bars: Vec<crate::components::chart::Bar> = points
                        .iter()
                        .map(|p| crate::components::chart::Bar {
                            label: p.month.clone(),
                            value: Some(p.exact_percent),
                            detail: format!(
                                "κ {} · n {}",
                                p.kappa.map(|k| format!("{k:.2}")).unwrap_or_else(|| "—".into()),
                                p.n
                            ),
                        })
                        .collect();
                    view! {
                        <section class="card agreement-trend">
                            <h2>{tr("roleplay.agreement_trend")}</h2>
                            <crate::components::chart::PercentChart caption=tr("roleplay.agreement_caption") points=bars value_head=tr("roleplay.exact") detail_head="κ · n".to_string()/>
                        </section>
                    }
                }).into_any()
            })}
        </Suspense>
    }
}
