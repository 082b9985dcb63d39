//! Certification programs: the list, and the editor (fields, requirements to certify and to renew).

use leptos::prelude::*;

use crate::api::cert::*;
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::names_input::NamesInput;
use crate::components::owners::OwnersCard;
use crate::components::position_picker::PositionPicker;
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr, tr_with, use_locale};
use crate::model::cert::{Phase, ProgramEditor, ReqKind};
use crate::model::owners::Owned;
use crate::model::user::{Me, Role};
use crate::model::Names;
use crate::pages::{cleared_on_success, done_note, param, succeeded};

const AUTHORS: [Role; 2] = [Role::Trainer, Role::Admin];

#[component]
pub fn ProgramsPage() -> impl IntoView {
    view! { <RequireRole roles=AUTHORS.to_vec() view=programs/> }
}

fn programs(_me: Me) -> impl IntoView {
    let locale = use_locale();
    let list = Resource::new(|| (), |_| list_programs());
    view! {
        <h1>{tr("cert.programs")}</h1>
        <p><a class="button" href="/trainer/programs/new">{tr("cert.new_program")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("cert.no_programs_yet")}</p> }.into_any();
                }
                view! {
                    <table class="list">
                        <thead><tr>
                            <th>{tr("field.name")}</th><th>{tr("field.position")}</th><th>{tr("field.level_id")}</th>
                            <th>{tr("cert.requires")}</th><th>{tr("cert.validity_days")}</th>
                            <th>{tr("cert.requirements")}</th><th>{tr("cert.cleared_today")}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|p| view! {
                            <tr>
                                <td><a href=format!("/trainer/programs/{}", p.id)>{shown(&p.name)}</a></td>
                                <td>{p.position.shown(locale).to_string()}</td><td>{shown(&p.level)}</td>
                                <td>{p.requires.as_ref().map(shown).unwrap_or_else(|| "—".into())}</td>
                                <td>{p.validity_days}</td><td>{p.requirements}</td>
                                <td>{format!("{}/{}", p.cleared, p.holders)}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn ProgramEditorPage() -> impl IntoView {
    view! { <RequireRole roles=AUTHORS.to_vec() view=editor/> }
}

fn editor(_me: Me) -> impl IntoView {
    let id = param("id");
    let save = ServerAction::<SaveProgram>::new();
    let add = ServerAction::<AddRequirement>::new();
    let remove = ServerAction::<RemoveRequirement>::new();
    let changes = move || save.version().get() + add.version().get() + remove.version().get();
    let data = Resource::new(changes, move |_| get_program_editor(id));
    view! {
        <p><a href="/trainer/programs">{tr("cert.programs")}</a></p>
        {done_note("saved", succeeded(save), "roleplay.saved")}
        <ErrorNote error=action_error(save.value())/>
        <ErrorNote error=action_error(add.value())/>
        <ErrorNote error=action_error(remove.value())/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_failed(e),
                    Ok(e) => editor_view(e, save, add, remove).into_any(),
                }
            })}
        </Suspense>
        // Outside the boundary above: its resource made inside it broke hydration.
        {(id != 0).then(|| view! { <crate::pages::followups::EvaluationPlanCard program_id=id/> })}
        {(id != 0).then(|| view! { <OwnersCard what=Owned::Program id=id/> })}
    }
}

fn options(list: &[(i64, Names)], selected: Option<i64>) -> impl IntoView {
    list.iter()
        .map(|(id, name)| view! { <option value=*id selected=selected == Some(*id)>{shown(name)}</option> })
        .collect_view()
}

fn editor_view(
    e: ProgramEditor,
    save: ServerAction<SaveProgram>,
    add: ServerAction<AddRequirement>,
    remove: ServerAction<RemoveRequirement>,
) -> impl IntoView {
    let f = e.fields.clone();
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let id = e.id;
    let can_change = e.can_change;
    let others: Vec<(i64, Names)> = e.programs.iter().filter(|(p, _)| *p != id).cloned().collect();
    let group = |kind: ReqKind, list: &[(i64, Names)]| {
        let items = list
            .iter()
            .map(|(tid, name)| view! { <option value=format!("{}:{tid}", kind.as_str())>{shown(name)}</option> })
            .collect_view();
        view! { <optgroup label=tr(kind.label_key())>{items}</optgroup> }
    };
    let requirements = e
        .requirements
        .iter()
        .map(|r| {
            let rid = r.id;
            view! {
                <tr>
                    <td>{tr(r.phase.label_key())}</td>
                    <td>{tr(r.kind.label_key())}</td>
                    <td>{shown(&r.target)}</td>
                    <td>{r.min_percent.map(|m| format!("≥ {m}%")).unwrap_or_default()}</td>
                    <td>
                        {can_change.then(|| view! {
                            <ActionForm action=remove attr:class="inline">
                                <input type="hidden" name="program_id" value=id/>
                                <input type="hidden" name="requirement_id" value=rid/>
                                <button type="submit" class="link">{tr("cert.remove")}</button>
                            </ActionForm>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1>{if id == 0 { tr("cert.new_program") } else { shown(&f.name) }}</h1>
        <ActionForm action=save attr:class="stack card">
            <input type="hidden" name="id" value=id/>
            <fieldset class="bare" disabled=!can_change>
            <NamesInput field="name" value=f.name.clone()/>
            <label>{tr("field.position")}
                <PositionPicker positions=e.positions.clone() selected=(f.position_id > 0).then_some(f.position_id) required=true/>
            </label>
            <p class="hint">{tr("cert.position_help")}</p>
            <label>{tr("field.level_id")}<select name="level_id">{options(&e.levels, Some(f.level_id))}</select></label>
            <label>{tr("cert.requires")}
                <select name="requires_program_id"><option value="">"—"</option>{options(&others, f.requires_program_id)}</select>
            </label>
            <label>{tr("cert.validity_days")}<input type="number" name="validity_days" min="1" max="3650" value=f.validity_days/></label>
            <label>{tr("cert.window_days")}<input type="number" name="window_days" min="0" max="365" value=f.window_days/></label>
            <label>{tr("cert.veteran_cycle_days")}<input type="number" name="veteran_cycle_days" min="1" max="3650" value=opt(f.veteran_cycle_days)/></label>
            <label>{tr("cert.manager_cycle_days")}<input type="number" name="manager_cycle_days" min="1" max="3650" value=opt(f.manager_cycle_days)/></label>
            <p class="hint">{tr("cert.cycle_help")}</p>
            </fieldset>
            {can_change.then(|| view! { <button type="submit" class="primary">{tr("roleplay.save")}</button> })}
        </ActionForm>
        {(id != 0).then(|| view! {
            <section class="card">
                <h2>{tr("cert.requirements")}</h2>
                <p class="hint">{tr("cert.requirements_help")}</p>
                <table class="list">
                    <thead><tr><th>{tr("cert.phase_label")}</th><th>{tr("cert.kind_label")}</th><th>{tr("cert.target")}</th><th>{tr("cert.min_percent")}</th><th></th></tr></thead>
                    <tbody>{requirements}</tbody>
                </table>
                {can_change.then(|| view! {
                <ActionForm action=add node_ref=cleared_on_success(add) attr:class="stack">
                    <input type="hidden" name="program_id" value=id/>
                    <label>{tr("cert.phase_label")}
                        <select name="phase">
                            <option value=Phase::Initial.as_str()>{tr(Phase::Initial.label_key())}</option>
                            <option value=Phase::Recert.as_str()>{tr(Phase::Recert.label_key())}</option>
                        </select>
                    </label>
                    <label>{tr("cert.target")}
                        <select name="target" required>
                            {group(ReqKind::Course, &e.courses)}
                            {group(ReqKind::Quiz, &e.quizzes)}
                            {group(ReqKind::Roleplay, &e.scenarios)}
                            {group(ReqKind::Attendance, &e.plans)}
                            {(!e.followups.is_empty()).then(|| group(ReqKind::Followup, &e.followups))}
                        </select>
                    </label>
                    <label>{tr("cert.min_percent")}<input type="number" name="min_percent" min="0" max="100"/></label>
                    <p class="hint">{tr_with("cert.min_percent_help", &[])}</p>
                    <button type="submit">{tr("cert.add_requirement")}</button>
                </ActionForm>
                })}
            </section>
        })}
    }
}
