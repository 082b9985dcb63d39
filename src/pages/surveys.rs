//! Evaluation forms (trainers author them), a course's or plan's reaction survey (its authors
//! set it), the trainee's survey to answer, and the results (those authors and admins).

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::api::survey::*;
use crate::components::chart::{Bar, PercentChart};
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::names_input::NamesInput;
use crate::components::owners::OwnersCard;
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{shown, tr, tr_with};
use crate::model::owners::Owned;
use crate::model::survey::{FormItem, ItemKind, ItemResult};
use crate::model::user::{Me, Role};
use crate::model::Names;
use crate::pages::cert::day;
use crate::pages::{done_note, param, percent, succeeded};

const AUTHORS: [Role; 2] = [Role::Trainer, Role::Admin];
/// Managers read their teams' responses.
const READERS: [Role; 3] = [Role::Trainer, Role::Admin, Role::Manager];

/// Spare empty rows under the items, so an item can be added without JavaScript.
const SPARE_ROWS: usize = 3;

/// Links between the survey pages.
fn subnav() -> impl IntoView {
    view! {
        <p class="subnav">
            <a href="/trainer/forms">{tr("nav.forms")}</a>" · "
            <a href="/trainer/surveys">{tr("nav.survey_results")}</a>
        </p>
    }
}

#[component]
pub fn FormsPage() -> impl IntoView {
    view! { <RequireRole roles=AUTHORS.to_vec() view=forms/> }
}

fn forms(_me: Me) -> impl IntoView {
    let list = Resource::new(|| (), |_| list_forms());
    view! {
        <h1>{tr("survey.forms")}</h1>
        {subnav()}
        <p class="hint">{tr("survey.forms_help")}</p>
        <p><a class="button" href="/trainer/forms/new">{tr("survey.new_form")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("survey.no_forms")}</p> }.into_any();
                }
                view! {
                    <table class="list">
                        <thead><tr>
                            <th>{tr("field.title")}</th><th>{tr("roleplay.version")}</th>
                            <th>{tr("survey.items")}</th><th>{tr("survey.courses")}</th><th>{tr("survey.responses")}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|f| view! {
                            <tr>
                                <td><a href=format!("/trainer/forms/{}", f.id)>{shown(&f.title)}</a></td>
                                <td>{f.version_no}</td><td>{f.items}</td><td>{f.courses}</td><td>{f.responses}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn FormEditorPage() -> impl IntoView {
    view! { <RequireRole roles=AUTHORS.to_vec() view=form_editor/> }
}

fn form_editor(_me: Me) -> impl IntoView {
    let id = param("id");
    let save = ServerAction::<SaveForm>::new();
    let form = Resource::new(
        move || save.version().get(),
        move |_| async move {
            if id == 0 {
                Ok(None)
            } else {
                get_form(id).await.map(Some)
            }
        },
    );
    view! {
        {subnav()}
        {done_note("saved", succeeded(save), "survey.saved")}
        <ErrorNote error=action_error(save.value())/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let form = match form.await { Err(e) => return load_failed(e), Ok(f) => f };
                // A new form may always be filled in.
                let (title, version, answered, items, can_change) = match form {
                    Some(f) => (f.title, Some(f.version_no), f.answered, f.items, f.can_change),
                    None => (Names::default(), None, 0, Vec::new(), true),
                };
                let spare = match (can_change, items.is_empty()) {
                    (false, _) => 0,
                    (true, true) => 6,
                    (true, false) => SPARE_ROWS,
                };
                let rows = items
                    .into_iter()
                    .map(Some)
                    .chain(std::iter::repeat_n(None, spare))
                    .enumerate()
                    .map(|(i, item)| item_row(i, item))
                    .collect_view();
                view! {
                    <h1>{if id == 0 { tr("survey.new_form") } else { shown(&title) }}</h1>
                    {version.map(|v| view! { <p class="hint">{tr_with("survey.version_note", &[("n", v.to_string())])}</p> })}
                    {(answered > 0).then(|| view! { <p class="alert">{tr_with("survey.answered_note", &[("n", answered.to_string())])}</p> })}
                    <ActionForm action=save attr:class="stack survey-form">
                        <input type="hidden" name="id" value=id/>
                        <fieldset class="bare" disabled=!can_change>
                            <NamesInput field="title" value=title/>
                            <p class="hint">{tr("survey.editor_help")}</p>
                            {rows}
                        </fieldset>
                        {can_change.then(|| view! { <button type="submit" class="primary">{tr("survey.save")}</button> })}
                    </ActionForm>
                }.into_any()
            })}
        </Suspense>
        {(id != 0).then(|| view! { <OwnersCard what=Owned::Form id=id/> })}
    }
}

fn item_row(i: usize, item: Option<FormItem>) -> impl IntoView {
    let n = |f: &str| format!("items[{i}][{f}]");
    let (kind, text, options, required) = match item {
        Some(it) => (
            it.kind,
            it.text,
            it.options
                .iter()
                .map(|o| if o.zh == o.en || o.en.is_empty() { o.zh.clone() } else { format!("{} | {}", o.zh, o.en) })
                .collect::<Vec<_>>()
                .join("\n"),
            it.required,
        ),
        None => (ItemKind::Scale, Names::default(), String::new(), false),
    };
    let kinds = ItemKind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.as_str() selected=k == kind>{tr(&format!("survey.kind.{}", k.as_str()))}</option> })
        .collect_view();
    view! {
        <fieldset class="criterion">
            <legend>{tr_with("survey.item_n", &[("n", (i + 1).to_string())])}</legend>
            <div class="row">
                <label>{tr("survey.kind_label")}<select name=n("kind")>{kinds}</select></label>
                <label class="check"><input type="checkbox" name=n("required") value="on" checked=required/>" "{tr("survey.required")}</label>
            </div>
            <div class="names-input">
                <label>{format!("{} ({})", tr("survey.item_text"), "中文")}
                    <input name=n("text_zh") value=text.zh.clone() lang="zh-CN" maxlength="1000"/>
                </label>
                <label>{format!("{} ({})", tr("survey.item_text"), "English")}
                    <input name=n("text_en") value=text.en.clone() lang="en" maxlength="1000"/>
                </label>
            </div>
            <label>{tr("survey.options")}
                <TextArea value=options.clone() {..} name=n("options") rows="5" placeholder=tr("survey.options_placeholder")/>
            </label>
        </fieldset>
    }
}

/// The reaction survey of a course (on its authoring page) or of a training plan (on its page).
#[component]
pub fn SurveyCard(#[prop(optional)] course_id: i64, #[prop(optional)] plan_id: i64) -> impl IntoView {
    let save = ServerAction::<SaveSurveySettings>::new();
    let data = Resource::new(move || save.version().get(), move |_| get_survey_settings(course_id, plan_id));
    let help = if plan_id > 0 { "survey.plan_survey_help" } else { "survey.course_survey_help" };
    // Nothing at all when it cannot be read: the editor above says why (403, 404). Only those
    // who may change it can read it.
    view! {
        {done_note("survey", succeeded(save), "survey.settings_saved")}
        <ErrorNote error=action_error(save.value())/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(s) = data.await else { return ().into_any() };
                let picked = if s.active { s.form_id } else { None };
                let options = s.forms.iter().map(|(id, title)| {
                    view! { <option value=*id selected=picked == Some(*id)>{shown(title)}</option> }
                }).collect_view();
                view! {
                    <section class="card" id="survey">
                        <h2>{tr("survey.course_survey")}</h2>
                        <p class="hint">{tr(help)}</p>
                        <ActionForm action=save attr:class="stack">
                            <input type="hidden" name="course_id" value=course_id/>
                            <input type="hidden" name="plan_id" value=plan_id/>
                            <label>{tr("survey.form")}
                                <select name="form_id">
                                    <option value="" selected=picked.is_none()>{tr("survey.no_survey")}</option>
                                    {options}
                                </select>
                            </label>
                            <label class="check"><input type="checkbox" name="anonymous" value="on" checked=s.anonymous/>" "{tr("survey.anonymous")}</label>
                            <label>{tr("field.due_days")}<input type="number" name="due_days" min="1" max="90" value=s.due_days/></label>
                            <button type="submit">{tr("survey.save_settings")}</button>
                        </ActionForm>
                        {s.survey_id.map(|id| view! { <p><a href=format!("/trainer/surveys/{id}")>{tr("survey.see_results")}</a></p> })}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn MySurveysPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| my_surveys());
    view! {
        <h1>{tr("survey.my")}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("survey.none_waiting")}</p> }.into_any();
                }
                view! {
                    <ul class="surveys">{list.into_iter().map(|s| view! {
                        <li class="card">
                            <a href=format!("/surveys/{}", s.request_id)>{shown(&s.subject)}</a>
                            {s.session.map(|d| view! { <span>" · "{d}</span> })}
                            <span class="hint">" · "{tr_with("survey.due", &[("date", day(s.due_at))])}</span>
                        </li>
                    }).collect_view()}</ul>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn SurveyPage() -> impl IntoView {
    let id = param("id");
    let submit = ServerAction::<SubmitSurvey>::new();
    let data = Resource::new(move || submit.version().get(), move |_| get_survey(id));
    view! {
        {done_note("sent", succeeded(submit), "survey.sent")}
        <ErrorNote error=action_error(submit.value())/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match data.await { Ok(s) => s, Err(e) => return load_failed(e) };
                let title = tr_with("survey.answer_title", &[("course", shown(&s.subject))]);
                let about = s.session.clone().map(|d| {
                    let by = s.instructor.clone().map(|i| tr_with("survey.instructor_is", &[("name", i)])).unwrap_or_default();
                    view! { <p class="about">{tr_with("survey.about_session", &[("session", d)])}" "{by}</p> }
                });
                if s.answered {
                    return view! {
                        <h1>{title}</h1>
                        <p class="empty">{tr("survey.already")}</p>
                        <p><a href="/surveys">{tr("survey.my")}</a></p>
                    }.into_any();
                }
                let none = BTreeMap::new();
                let items = s.items.into_iter().enumerate().map(|(i, item)| answer_item(i, item, &none)).collect_view();
                view! {
                    <h1>{title}</h1>
                    {about}
                    <p class="hint">
                        {tr(if s.anonymous { "survey.anonymous_note" } else { "survey.named_note" })}" "
                        {tr_with("survey.due", &[("date", day(s.due_at))])}
                    </p>
                    <ActionForm action=submit attr:class="stack survey">
                        <input type="hidden" name="request_id" value=id/>
                        {items}
                        <button type="submit" class="primary">{tr("survey.send")}</button>
                    </ActionForm>
                }.into_any()
            })}
        </Suspense>
    }
}

/// One item as it is answered (a survey, or a follow-up's extra items), refilled from `prefill`
/// (posted field name to value: an observer's draft); a section is a heading.
pub fn answer_item(i: usize, item: FormItem, prefill: &BTreeMap<String, String>) -> impl IntoView {
    let name = format!("answers[a{i}]");
    let before = prefill.get(&name).cloned().unwrap_or_default();
    let text = shown(&item.text);
    let required = item.required;
    let legend = view! {
        <legend>{text.clone()}{required.then(|| view! { <span class="required" title=tr("survey.required")>" *"</span> })}</legend>
    };
    let choice = |k: usize, label: String, kind: &'static str| {
        let (name, value) = match kind {
            "checkbox" => (format!("answers[a{i}_{k}]"), "on".to_string()),
            _ => (format!("answers[a{i}]"), k.to_string()),
        };
        let checked = prefill.get(&name).is_some_and(|v| *v == value);
        view! { <label class="choice"><input type=kind name=name value=value checked=checked required=required && kind == "radio"/>" "{label}</label> }
    };
    match item.kind {
        ItemKind::Section => view! { <h2>{text}</h2> }.into_any(),
        ItemKind::Scale => {
            let points = item.options.iter().enumerate().map(|(k, o)| {
                choice(k, format!("{} {}", k + 1, shown(o)), "radio")
            }).collect_view();
            view! { <fieldset class="question scale">{legend}<div class="points">{points}</div></fieldset> }.into_any()
        }
        ItemKind::Single | ItemKind::Multiple => {
            let kind = if item.kind == ItemKind::Single { "radio" } else { "checkbox" };
            let options = item.options.iter().enumerate().map(|(k, o)| choice(k, shown(o), kind)).collect_view();
            view! { <fieldset class="question">{legend}{options}</fieldset> }.into_any()
        }
        ItemKind::Nps => {
            let points = (0..=10).map(|k| choice(k, k.to_string(), "radio")).collect_view();
            view! {
                <fieldset class="question nps">{legend}
                    <div class="points">{points}</div>
                    <p class="hint ends"><span>{tr("survey.nps_low")}</span><span>{tr("survey.nps_high")}</span></p>
                </fieldset>
            }.into_any()
        }
        ItemKind::YesNo => view! {
            <fieldset class="question">{legend}
                <label class="choice"><input type="radio" name=name.clone() value="yes" checked=before == "yes" required=required/>" "{tr("survey.yes")}</label>
                <label class="choice"><input type="radio" name=name value="no" checked=before == "no"/>" "{tr("survey.no")}</label>
            </fieldset>
        }.into_any(),
        ItemKind::Number => view! {
            <label class="question">{text}<input name=name inputmode="decimal" value=before required=required/></label>
        }.into_any(),
        ItemKind::ShortText => view! {
            <label class="question">{text}<input name=name maxlength="1000" value=before required=required/></label>
        }.into_any(),
        ItemKind::LongText => view! {
            <label class="question">{text}<TextArea value=before.clone() {..} name=name rows="4" maxlength="5000" required=required/></label>
        }.into_any(),
    }
}

#[component]
pub fn SurveyResultsListPage() -> impl IntoView {
    view! { <RequireRole roles=READERS.to_vec() view=results_list/> }
}

fn results_list(_me: Me) -> impl IntoView {
    let list = Resource::new(|| (), |_| list_survey_results());
    view! {
        <h1>{tr("nav.survey_results")}</h1>
        {subnav()}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("survey.no_surveys")}</p> }.into_any();
                }
                view! {
                    <table class="list">
                        <thead><tr>
                            <th>{tr("survey.subject")}</th><th>{tr("survey.form")}</th>
                            <th>{tr("survey.asked")}</th><th>{tr("survey.responses")}</th><th>{tr("survey.kind_anonymous")}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|s| view! {
                            <tr>
                                <td>
                                    <a href=format!("/trainer/surveys/{}", s.survey_id)>{shown(&s.subject)}</a>
                                    " "<span class="hint">{tr(if s.plan { "survey.of_plan" } else { "survey.of_course" })}</span>
                                </td>
                                <td>{shown(&s.form)}</td><td>{s.asked}</td><td>{s.responses}</td>
                                <td>{tr(if s.anonymous { "survey.yes" } else { "survey.no" })}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn SurveyResultsPage() -> impl IntoView {
    view! { <RequireRole roles=READERS.to_vec() view=results_page/> }
}

fn results_page(_me: Me) -> impl IntoView {
    let id = param("id");
    let query = leptos_router::hooks::use_query_map();
    let picked = move |k: &str| query.read().get(k).unwrap_or_default();
    let data = Resource::new(
        move || (picked("session"), picked("instructor")),
        move |(session, instructor)| get_survey_results(id, session, instructor),
    );
    view! {
        {subnav()}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let r = match data.await { Ok(r) => r, Err(e) => return load_failed(e) };
                let figures = tr_with("survey.figures", &[
                    ("asked", r.asked.to_string()),
                    ("responses", r.responses.to_string()),
                    ("rate", percent(r.response_rate())),
                ]);
                let narrowed = match (r.session, r.instructor) {
                    (Some(s), _) => format!("?session={s}"),
                    (None, Some(i)) => format!("?instructor={i}"),
                    _ => String::new(),
                };
                let filter = (!r.sessions.is_empty()).then(|| results_filter(&r));
                let body = if r.shown() {
                    let items = r.items.into_iter().filter(|i| i.kind != ItemKind::Section).map(item_result).collect_view();
                    view! {
                        <p class="downloads">
                            {tr("survey.download")}" "
                            <a href=format!("/trainer/surveys/{id}/results.csv{narrowed}") rel="external" download>"CSV"</a>" · "
                            <a href=format!("/trainer/surveys/{id}/results.xlsx{narrowed}") rel="external" download>"XLSX"</a>
                        </p>
                        {items}
                    }.into_any()
                } else {
                    view! {
                        <p class="empty">{tr_with("survey.below_k", &[("k", r.min_responses.to_string()), ("n", r.responses.to_string())])}</p>
                    }.into_any()
                };
                view! {
                    <h1>{shown(&r.subject)}</h1>
                    <p class="hint">{shown(&r.form)}" · "{tr(if r.anonymous { "survey.kind_anonymous" } else { "survey.kind_named" })}</p>
                    {filter}
                    <p>{figures}</p>
                    {body}
                }.into_any()
            })}
        </Suspense>
    }
}

/// A plan's results for all its sessions, one session, or one instructor: a plain GET form.
fn results_filter(r: &crate::model::survey::SurveyResults) -> impl IntoView {
    let sessions = r
        .sessions
        .iter()
        .map(|(id, label)| view! { <option value=*id selected=r.session == Some(*id)>{label.clone()}</option> })
        .collect_view();
    let instructors = r
        .instructors
        .iter()
        .map(|(id, name)| view! { <option value=*id selected=r.instructor == Some(*id)>{name.clone()}</option> })
        .collect_view();
    view! {
        <form method="get" class="row filters">
            <label>{tr("survey.session")}
                <select name="session"><option value="">{tr("survey.all_sessions")}</option>{sessions}</select>
            </label>
            <label>{tr("survey.instructor")}
                <select name="instructor"><option value="">{tr("survey.all_instructors")}</option>{instructors}</select>
            </label>
            <button type="submit">{tr("survey.show")}</button>
        </form>
    }
}

fn item_result(r: ItemResult) -> impl IntoView {
    let mut facts = vec![tr_with("survey.answered_n", &[("n", r.answered.to_string())])];
    if let Some(m) = r.mean {
        facts.push(tr_with("survey.mean_is", &[("mean", format!("{m:.2}"))]));
    }
    if let Some(n) = r.nps {
        facts.push(tr_with("survey.nps_is", &[("nps", format!("{n:+.0}"))]));
    }
    let total = r.answered.max(1) as f64;
    let bars: Vec<Bar> = r
        .counts
        .iter()
        .map(|(label, n)| Bar {
            label: shown(label),
            value: Some(100.0 * f64::from(*n) / total),
            detail: n.to_string(),
        })
        .collect();
    let chart = (!bars.is_empty()).then(|| view! {
        <PercentChart caption=shown(&r.text) points=bars line=false value_head=tr("survey.share") detail_head=tr("survey.count")/>
    });
    let texts = (!r.texts.is_empty()).then(|| {
        view! {
            <h4>{tr("survey.comments")}</h4>
            <ul class="comments">{r.texts.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
        }
    });
    view! {
        <section class="card item-result">
            <h3>{shown(&r.text)}</h3>
            <p class="hint">{facts.join(" · ")}</p>
            {chart}
            {texts}
        </section>
    }
}
