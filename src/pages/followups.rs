//! On-the-job follow-ups: "My follow-ups" (to observe, coming up, overdue in my teams, done, my
//! own), one follow-up (observe and score on a phone, or read the result), a person's follow-ups
//! on their certification page, and a program's evaluation plan in its editor.

use leptos::prelude::*;

use crate::api::followup::*;
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{shown, tr, tr_with};
use crate::model::followup::{
    EvaluationPlan, FollowupLists, FollowupResult, FollowupRow, FollowupState, FollowupView, Observer, OnFail,
};
use crate::model::user::Me;
use crate::pages::cert::day;
use crate::pages::surveys::answer_item;
use crate::pages::{cleared_on_success, done_note, param, succeeded};

pub fn state_badge(state: FollowupState) -> impl IntoView {
    let class = match state {
        FollowupState::Completed => "badge status-ok",
        FollowupState::Due => "badge status-warn",
        FollowupState::Overdue => "badge status-bad",
        FollowupState::Scheduled | FollowupState::Waived => "badge",
    };
    view! { <span class=class>{tr(state.label_key())}</span> }
}

/// "Passed 82%", "Failed 55%", or the state.
fn outcome(r: &FollowupRow) -> AnyView {
    match (r.state, r.percent, r.passed) {
        (FollowupState::Completed, Some(p), Some(ok)) => view! {
            <span class=if ok { "badge status-ok" } else { "badge status-bad" }>
                {tr_with(if ok { "followup.passed_pct" } else { "followup.failed_pct" }, &[("percent", format!("{p:.0}"))])}
            </span>
        }
        .into_any(),
        (state, _, _) => state_badge(state).into_any(),
    }
}

fn title(offset_days: i64) -> String {
    tr_with("followup.title_days", &[("days", offset_days.to_string())])
}

/// One follow-up as a card: who, which program and offset, when, and its state.
fn row_card(r: FollowupRow, show_person: bool) -> impl IntoView {
    let when = match (r.state, r.completed_at) {
        (FollowupState::Completed, Some(at)) => tr_with("followup.completed_on", &[("date", day(at))]),
        (FollowupState::Overdue, _) => tr_with("followup.was_due", &[("date", day(r.due_at))]),
        _ => tr_with("followup.due_on", &[("date", day(r.due_at))]),
    };
    let person = show_person.then(|| {
        view! { <strong>{r.person.clone()}</strong>" "<span class="hint">{r.employee_no.clone()}" · "{shown(&r.team)}</span> }
    });
    view! {
        <li class="card followup" class:overdue=r.state == FollowupState::Overdue>
            <a class="stretch" href=format!("/followups/{}", r.id)>
                <span class="who">{person}</span>
                <span>{shown(&r.program)}" · "{title(r.offset_days)}" · "{tr(r.observer.label_key())}</span>
                <span class="hint">{when}{r.assignee.clone().filter(|_| show_person).map(|a| format!(" · {}", tr_with("followup.asked", &[("name", a)])))}</span>
            </a>
            <span class="state">{outcome(&r)}{(r.escalated && r.state.open()).then(|| view! { " "<span class="badge warn">{tr("followup.escalated")}</span> })}</span>
        </li>
    }
}

fn section(
    title_key: &'static str,
    rows: Vec<FollowupRow>,
    empty_key: &'static str,
    show_person: bool,
) -> impl IntoView {
    view! {
        <section class="followups">
            <h2>{tr(title_key)}" "<span class="count">{rows.len()}</span></h2>
            {if rows.is_empty() {
                view! { <p class="empty">{tr(empty_key)}</p> }.into_any()
            } else {
                view! { <ul class="followups">{rows.into_iter().map(|r| row_card(r, show_person)).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn MyFollowupsPage() -> impl IntoView {
    view! { <RequireRole view=my_followups_page/> }
}

fn my_followups_page(me: Me) -> impl IntoView {
    let data = Resource::new(|| (), |_| my_followups());
    let oversees = me.has(crate::model::user::Role::Manager) || me.has(crate::model::user::Role::Admin);
    view! {
        <h1>{tr("followup.my")}</h1>
        <p class="hint">{tr("followup.my_help")}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let l: FollowupLists = match data.await { Ok(l) => l, Err(e) => return load_failed(e) };
                let observer = !l.to_do.is_empty() || !l.coming.is_empty() || !l.done.is_empty();
                view! {
                    {section("followup.to_do", l.to_do, "followup.none_to_do", true)}
                    {(!l.coming.is_empty()).then(|| section("followup.coming", l.coming, "followup.none", true))}
                    {oversees.then(|| section("followup.overdue_in_teams", l.overdue_in_teams, "followup.none_overdue", true))}
                    {observer.then(|| section("followup.done", l.done, "followup.none", true))}
                    {section("followup.about_me", l.about_me, "followup.none_about_me", false)}
                }.into_any()
            })}
        </Suspense>
    }
}

/// A person's follow-ups, on their certification page.
#[component]
pub fn PersonFollowups(user_id: i64) -> impl IntoView {
    let data = Resource::new(move || user_id, person_followups);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let rows = match data.await { Ok(r) => r, Err(_) => return ().into_any() };
                if rows.is_empty() {
                    return ().into_any();
                }
                view! {
                    <section class="card">
                        <h2>{tr("followup.history")}</h2>
                        <ul class="followups">{rows.into_iter().map(|r| row_card(r, false)).collect_view()}</ul>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn FollowupPage() -> impl IntoView {
    view! { <RequireRole view=followup_page/> }
}

fn followup_page(_me: Me) -> impl IntoView {
    let id = param("id");
    let submit = ServerAction::<SubmitFollowup>::new();
    let waive = ServerAction::<WaiveFollowup>::new();
    let data = Resource::new(move || submit.version().get() + waive.version().get(), move |_| get_followup(id));
    view! {
        <p><a href="/followups">{tr("followup.my")}</a></p>
        // The same form completes or keeps a draft: the answer says which happened.
        {done_note("sent", Signal::derive(move || matches!(submit.value().get(), Some(Ok(FollowupState::Completed)))), "followup.sent")}
        {done_note("kept", Signal::derive(move || matches!(submit.value().get(), Some(Ok(s)) if s.open())), "followup.kept")}
        {done_note("waived", succeeded(waive), "followup.waived_note")}
        <ErrorNote error=action_error(submit.value())/>
        <ErrorNote error=action_error(waive.value())/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_failed(e),
                    Ok(f) => followup_view(f, submit, waive).into_any(),
                }
            })}
        </Suspense>
    }
}

fn followup_view(
    f: FollowupView,
    submit: ServerAction<SubmitFollowup>,
    waive: ServerAction<WaiveFollowup>,
) -> impl IntoView {
    let opens = f.not_open_yet;
    let facts = view! {
        <dl class="facts">
            <dt>{tr("followup.person")}</dt><dd>{f.person.clone()}" "<span class="hint">{f.employee_no.clone()}" · "{shown(&f.team)}</span></dd>
            <dt>{tr("followup.program")}</dt><dd>{shown(&f.program)}</dd>
            <dt>{tr("followup.certified_on")}</dt><dd>{day(f.certified_at)}</dd>
            <dt>{tr("followup.due")}</dt><dd>{day(f.due_at)}" "<span class="hint">{tr_with("followup.overdue_from", &[("date", day(f.overdue_at))])}</span></dd>
            <dt>{tr("followup.observer_label")}</dt>
            <dd>{tr(f.observer.label_key())}{f.assignee.clone().map(|a| format!(" · {a}"))}</dd>
            {f.escalated_to.clone().map(|e| view! { <dt>{tr("followup.escalated")}</dt><dd>{e}</dd> })}
        </dl>
    }
    .into_any();
    let waiver = f.waiver.clone().map(|w| {
        let by = match w.by {
            Some(ref by) => tr_with("followup.waived_by", &[("name", by.clone()), ("date", day(w.at))]),
            None => tr_with("followup.closed_by_system", &[("date", day(w.at))]),
        };
        // A person's reason as written; the system's closing note is the text above.
        let reason = w.by.is_some().then(|| format!(" — {}", w.reason));
        view! { <p class="alert">{by}{reason}</p> }.into_any()
    });
    // Each part erased to AnyView: nested, their types overflow rustc's query depth in the wasm build.
    let result = f.result.clone().map(|r| result_view(r).into_any());
    let form = (f.can_observe && !opens).then(|| observe_form(&f, submit).into_any());
    let not_yet = (f.can_observe && opens).then(|| {
        view! { <p class="alert">{tr_with("followup.opens_on", &[("date", day(f.opens_at))])}</p> }
    });
    let waive_form = f.can_waive.then(|| {
        view! {
            <details class="card">
                <summary>{tr("followup.waive")}</summary>
                <ActionForm action=waive attr:class="stack">
                    <input type="hidden" name="id" value=f.id/>
                    <label>{tr("followup.waive_reason")}<TextArea {..} name="reason" rows="2" maxlength="1000" required=true/></label>
                    <p class="hint">{tr("followup.waive_help")}</p>
                    <button type="submit">{tr("followup.waive")}</button>
                </ActionForm>
            </details>
        }
        .into_any()
    });
    view! {
        <h1>{title(f.offset_days)}" "{state_badge(f.state)}</h1>
        {facts}
        {waiver}
        {result}
        {not_yet}
        {form}
        {waive_form}
    }
}

fn result_view(r: FollowupResult) -> impl IntoView {
    let verdict = match (r.percent, r.passed) {
        (Some(p), Some(ok)) => Some(view! {
            <p class=if ok { "alert ok" } else { "alert error" }>
                {tr_with(if ok { "followup.result_passed" } else { "followup.result_failed" }, &[("percent", format!("{p:.0}"))])}
            </p>
        }),
        _ => None,
    };
    let criteria = r
        .criteria
        .into_iter()
        .map(|c| {
            view! {
                <tr class:flagged=c.critical_failed>
                    <td>{shown(&c.name)}{c.critical_failed.then(|| view! { " "<span class="badge warn">{tr("followup.critical_failed")}</span> })}</td>
                    <td class="num">{format!("{}/{}", c.level, c.max_level)}</td>
                    <td>{c.descriptor}{(!c.comment.is_empty()).then(|| view! { <br/><span class="hint">{c.comment}</span> })}</td>
                </tr>
            }
        })
        .collect_view();
    let answers = r
        .answers
        .into_iter()
        .map(|a| {
            let value = if !a.choices.is_empty() {
                a.choices.iter().map(shown).collect::<Vec<_>>().join(", ")
            } else if let Some(yes) = a.yes_no {
                tr(if yes { "survey.yes" } else { "survey.no" })
            } else if let Some(n) = a.number {
                format!("{n}")
            } else {
                a.text.clone()
            };
            view! { <dt>{shown(&a.question)}</dt><dd class="pre">{value}</dd> }
        })
        .collect_view();
    view! {
        <section class="card result">
            <h2>{tr("followup.result")}</h2>
            <p class="hint">{tr_with("followup.observed_by", &[("name", r.observer_name), ("date", day(r.completed_at))])}</p>
            {verdict}
            {r.sent_back.then(|| view! { <p class="alert error">{tr("followup.sent_back")}</p> })}
            <table class="list">
                <thead><tr><th>{tr("followup.criterion")}</th><th>{tr("followup.level")}</th><th>{tr("followup.descriptor")}</th></tr></thead>
                <tbody>{criteria}</tbody>
            </table>
            <dl class="answers">{answers}</dl>
            {(!r.overall.is_empty()).then(|| view! { <h3>{tr("roleplay.overall")}</h3><p class="pre">{r.overall}</p> })}
        </section>
    }
}

/// The observation form: each criterion's levels with descriptors (big enough for a thumb), a
/// comment, the extra items, an overall comment; keep as a draft or submit.
fn observe_form(f: &FollowupView, submit: ServerAction<SubmitFollowup>) -> impl IntoView {
    let draft = f.draft.clone();
    let rows = f
        .criteria
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, c)| {
            let name = format!("scores[{i}][level]");
            let chosen = draft.get(&name).cloned();
            let flag = c.critical.unwrap_or(false).then(|| {
                view! { <span class="badge warn">{tr_with("roleplay.critical_min", &[("n", c.pass_level.unwrap_or(0).to_string())])}</span> }
            });
            let levels = c
                .levels
                .into_iter()
                .enumerate()
                .map(|(level, text)| {
                    let checked = chosen.as_deref() == Some(level.to_string().as_str());
                    view! {
                        <label class="level">
                            <input type="radio" name=name.clone() value=level checked=checked required/>
                            <strong>{level}</strong>" "{text}
                        </label>
                    }
                })
                .collect_view();
            let comment = draft.get(&format!("scores[{i}][comment]")).cloned().unwrap_or_default();
            view! {
                <fieldset class="criterion">
                    <legend>{shown(&c.name)}" "{flag}</legend>
                    <div class="levels">{levels}</div>
                    <label>{tr("roleplay.comment")}<TextArea value=comment.clone() {..} name=format!("scores[{i}][comment]") rows="2" maxlength="2000"/></label>
                </fieldset>
            }
        })
        .collect_view();
    let items = f.items.iter().cloned().enumerate().map(|(i, item)| answer_item(i, item, &draft)).collect_view();
    let overall = draft.get("overall").cloned().unwrap_or_default();
    let help = if f.observer == Observer::SelfAssessment { "followup.self_help" } else { "followup.observe_help" };
    let pass_mark =
        (!f.criteria.is_empty()).then(|| tr_with("followup.pass_mark", &[("percent", f.pass_percent.to_string())]));
    let id = f.id;
    view! {
        <section class="card score observe">
            <h2>{tr("followup.observe")}</h2>
            <p class="hint">{tr(help)}" "{pass_mark}</p>
            <ActionForm action=submit attr:class="stack survey">
                <input type="hidden" name="id" value=id/>
                {rows}
                {items}
                <label>{tr("roleplay.overall")}<TextArea value=overall.clone() {..} name="overall" rows="3" maxlength="4000"/></label>
                <div class="actions">
                    <button type="submit" class="primary">{tr("followup.submit")}</button>
                    <button type="submit" name="draft" value="1" formnovalidate>{tr("followup.keep_draft")}</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// A program's evaluation plan, in its editor: the steps, what a failed follow-up does, and the
/// overdue and escalation delays.
#[component]
pub fn EvaluationPlanCard(program_id: i64) -> impl IntoView {
    let settings = ServerAction::<SaveEvaluationSettings>::new();
    let add = ServerAction::<AddFollowupStep>::new();
    let remove = ServerAction::<RemoveFollowupStep>::new();
    let changes = move || settings.version().get() + add.version().get() + remove.version().get();
    let data = Resource::new(changes, move |_| get_evaluation_plan(program_id));
    view! {
        <section class="card evaluation-plan" id="evaluation-plan">
            <h2>{tr("followup.plan")}</h2>
            <p class="hint">{tr("followup.plan_help")}</p>
            {done_note("plan_saved", succeeded(settings), "roleplay.saved")}
            <ErrorNote error=action_error(settings.value())/>
            <ErrorNote error=action_error(add.value())/>
            <ErrorNote error=action_error(remove.value())/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => load_failed(e),
                        Ok(p) => plan_view(p, settings, add, remove).into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn plan_view(
    p: EvaluationPlan,
    settings: ServerAction<SaveEvaluationSettings>,
    add: ServerAction<AddFollowupStep>,
    remove: ServerAction<RemoveFollowupStep>,
) -> impl IntoView {
    let can = p.can_change;
    let id = p.program_id;
    let steps = p
        .steps
        .iter()
        .map(|s| {
            let sid = s.id;
            let body = [s.rubric.as_ref().map(|(_, n)| n.clone()), s.form.as_ref().map(|(_, n)| shown(n))]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" + ");
            view! {
                <tr>
                    <td>{title(s.offset_days)}</td>
                    <td>{tr(s.observer.label_key())}</td>
                    <td>{body}</td>
                    <td class="num">{format!("{}%", s.pass_percent)}</td>
                    <td>{can.then(|| view! {
                        <ActionForm action=remove attr:class="inline">
                            <input type="hidden" name="program_id" value=id/>
                            <input type="hidden" name="step_id" value=sid/>
                            <button type="submit" class="link">{tr("cert.remove")}</button>
                        </ActionForm>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    let used: Vec<i64> = p.steps.iter().filter(|s| s.observer == Observer::Supervisor).map(|s| s.offset_days).collect();
    let next = [30, 60, 90].into_iter().find(|d| !used.contains(d)).unwrap_or(180);
    let rubric = p.program_rubric;
    let rubrics = p
        .rubrics
        .iter()
        .map(|(rid, name)| view! { <option value=*rid selected=Some(*rid) == rubric>{name.clone()}</option> })
        .collect_view();
    let forms = p.forms.iter().map(|(fid, name)| view! { <option value=*fid>{shown(name)}</option> }).collect_view();
    let observers = Observer::ALL
        .into_iter()
        .map(|o| view! { <option value=o.as_str()>{tr(o.label_key())}</option> })
        .collect_view();
    let on_fail = p.on_fail;
    let fail_choice = move |o: OnFail| {
        view! {
            <label class="choice"><input type="radio" name="on_fail" value=o.as_str() checked=on_fail == o/>" "{tr(o.label_key())}</label>
        }
    };
    view! {
        {if p.steps.is_empty() {
            view! { <p class="empty">{tr("followup.no_steps")}</p> }.into_any()
        } else {
            view! {
                <table class="list">
                    <thead><tr><th>{tr("followup.when")}</th><th>{tr("followup.observer_label")}</th><th>{tr("followup.body")}</th><th>{tr("followup.pass_percent")}</th><th></th></tr></thead>
                    <tbody>{steps}</tbody>
                </table>
            }.into_any()
        }}
        {can.then(|| view! {
            <details open=p.steps.is_empty()>
                <summary>{tr("followup.add_step")}</summary>
                <ActionForm action=add node_ref=cleared_on_success(add) attr:class="stack">
                    <input type="hidden" name="program_id" value=id/>
                    <label>{tr("followup.offset_days")}<input type="number" name="offset_days" min="1" max="730" value=next required/></label>
                    <label>{tr("followup.observer_label")}<select name="observer">{observers}</select></label>
                    <label>{tr("followup.rubric")}<select name="rubric_id"><option value="">"—"</option>{rubrics}</select></label>
                    <label>{tr("followup.form")}<select name="form_id"><option value="">"—"</option>{forms}</select></label>
                    <p class="hint">{tr("followup.body_help")}</p>
                    <label>{tr("followup.pass_percent")}<input type="number" name="pass_percent" min="0" max="100" value="70" required/></label>
                    <button type="submit">{tr("followup.add_step")}</button>
                </ActionForm>
            </details>
        })}
        <ActionForm action=settings attr:class="stack">
            <input type="hidden" name="program_id" value=id/>
            <fieldset class="bare" disabled=!can>
                <fieldset>
                    <legend>{tr("followup.on_fail_label")}</legend>
                    {fail_choice(OnFail::Record)}
                    {fail_choice(OnFail::Reassess)}
                </fieldset>
                <label>{tr("followup.grace_days")}<input type="number" name="grace_days" min="0" max="90" value=p.grace_days/></label>
                <label>{tr("followup.escalate_days")}<input type="number" name="escalate_days" min="1" max="90" value=p.escalate_days/></label>
            </fieldset>
            {can.then(|| view! { <button type="submit">{tr("roleplay.save")}</button> })}
        </ActionForm>
    }
}

/// A training plan's members' follow-ups on the job, one line per member and program; nothing for
/// those who may not see the plan's records.
#[component]
pub fn PlanFollowups(plan_id: i64) -> impl IntoView {
    let data = Resource::new(move || plan_id, plan_followups);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let rows = match data.await { Ok(r) if !r.is_empty() => r, _ => return ().into_any() };
                let offsets: Vec<i64> = {
                    let mut o: Vec<i64> = rows.iter().map(|r| r.offset_days).collect();
                    o.sort_unstable();
                    o.dedup();
                    o
                };
                // One line per person and program, in the order the rows come (by name).
                let mut lines: Vec<(i64, String, String, crate::model::Names, Vec<FollowupRow>)> = Vec::new();
                for r in rows {
                    match lines.last_mut() {
                        Some(l) if l.0 == r.user_id && l.3 == r.program => l.4.push(r),
                        _ => lines.push((r.user_id, r.person.clone(), r.employee_no.clone(), r.program.clone(), vec![r])),
                    }
                }
                let heads = offsets.iter().map(|o| view! { <th scope="col">{title(*o)}</th> }).collect_view();
                let body = lines.into_iter().map(|(user_id, person, no, program, list)| {
                    let cells = offsets.iter().map(|o| {
                        let cell = list.iter().find(|f| f.offset_days == *o).cloned();
                        view! { <td>{cell.map(|f| view! { <a href=format!("/followups/{}", f.id)>{outcome(&f)}</a> })}</td> }
                    }).collect_view();
                    view! {
                        <tr>
                            <td><a href=format!("/people/{user_id}/certification")>{person}</a><span class="hint">{format!(" {no}")}</span></td>
                            <td>{shown(&program)}</td>
                            {cells}
                        </tr>
                    }
                }).collect_view();
                view! {
                    <section class="card">
                        <h2>{tr("followup.plan_title")}</h2>
                        <p class="hint">{tr("followup.plan_members_help")}</p>
                        <div class="table-scroll" tabindex="0" role="region" aria-label=tr("followup.plan_title")>
                            <table class="list report">
                                <thead><tr><th scope="col">{tr("followup.person")}</th><th scope="col">{tr("followup.program")}</th>{heads}</tr></thead>
                                <tbody>{body}</tbody>
                            </table>
                        </div>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
