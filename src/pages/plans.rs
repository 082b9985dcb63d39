use crate::components::names_input::NamesInput;
use crate::pages::{cleared_on_success, param, percent};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::course::authored_courses;
use crate::api::plan::*;
use crate::api::team::list_teams;
use crate::components::error_note::{action_error, error_text, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{join_list, shown, tr, tr_with, use_zone};
use crate::model::plan::{Attendance, Method, PlanDetail, PlanFields};
use crate::model::user::{Me, Role};

fn yuan(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[component]
pub fn PlansPage() -> impl IntoView {
    view! { <RequireRole view=plans/> }
}

fn plans(me: Me) -> impl IntoView {
    let create = ServerAction::<CreatePlan>::new();
    let list = Resource::new(|| (), |_| list_plans());
    let author = me.has(Role::Trainer) || me.has(Role::Admin);
    view! {
        <h1>{tr("plans.title")}</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => load_failed(e),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{tr("plans.none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="list">
                            <thead><tr><th>{tr("field.title")}</th><th>{tr("plans.sessions")}</th>
                                <th>{tr("plans.members")}</th><th>{tr("plans.next_session")}</th></tr></thead>
                            <tbody>{list.into_iter().map(|p| view! {
                                <tr>
                                    <td><a href=format!("/plans/{}", p.id)>{shown(&p.title)}</a></td>
                                    <td>{p.sessions}</td><td>{p.members}</td>
                                    <td>{p.next_session.unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Transition>
        {author.then(|| view! {
            <section class="card">
                <h2>{tr("plans.new")}</h2>
                <ErrorNote error=action_error(create.value())/>
                <ActionForm action=create attr:class="stack">
                    <PlanFieldsForm fields=PlanFields { time_zone: use_zone(), ..PlanFields::default() }/>
                    <button type="submit" class="primary">{tr("plans.create")}</button>
                </ActionForm>
            </section>
        })}
    }
}

#[component]
fn PlanFieldsForm(fields: PlanFields) -> impl IntoView {
    let methods = Method::ALL
        .iter()
        .enumerate()
        .map(|(i, m)| {
            view! {
                <label class="check">
                    <input type="checkbox" name=format!("methods[{i}]") value=m.as_str() checked=fields.methods.contains(m)/>
                    {tr(m.label_key())}
                </label>
            }
        })
        .collect_view();
    view! {
        <NamesInput field="title" value=fields.title.clone()/>
        <label>{tr("field.purpose")}<TextArea value=fields.purpose {..} name="purpose" rows="2"/></label>
        <fieldset><legend>{tr("field.methods")}</legend>{methods}</fieldset>
        <label>{tr("field.audience_positions")}<input name="audience_positions" value=fields.audience_positions/></label>
        <div class="row">
            <label>{tr("field.hire_from")}<input type="date" name="hire_from" value=fields.hire_from.unwrap_or_default()/></label>
            <label>{tr("field.hire_to")}<input type="date" name="hire_to" value=fields.hire_to.unwrap_or_default()/></label>
        </div>
        <label>{tr("field.materials")}<TextArea value=fields.materials {..} name="materials" rows="2"/></label>
        <label>{tr("field.venue")}<input name="venue" value=fields.venue/></label>
        <label>{tr("teams.time_zone")}
            <input name="time_zone" value=fields.time_zone.name() required autocomplete="off"/>
            <small class="hint">{tr("plans.time_zone_help")}</small>
        </label>
        <div class="row">
            <label>{tr("field.budget_planned")}<input name="budget_planned" inputmode="decimal" value=yuan(fields.budget_planned_cents)/></label>
            <label>{tr("field.budget_actual")}<input name="budget_actual" inputmode="decimal" value=yuan(fields.budget_actual_cents)/></label>
        </div>
    }
}

#[component]
pub fn PlanPage() -> impl IntoView {
    view! { <RequireRole view=plan/> }
}

fn plan(me: Me) -> impl IntoView {
    let id = param("id");
    let author = me.has(crate::model::user::Role::Trainer) || me.has(crate::model::user::Role::Admin);
    let update = ServerAction::<UpdatePlan>::new();
    let scope = ServerAction::<SetPlanScope>::new();
    let add_session = ServerAction::<AddPlanSession>::new();
    let delete_session = ServerAction::<DeletePlanSession>::new();
    let enroll = ServerAction::<EnrollPlan>::new();
    let changes = move || {
        update.version().get()
            + scope.version().get()
            + add_session.version().get()
            + delete_session.version().get()
            + enroll.version().get()
    };
    let plan = Resource::new(changes, move |_| get_plan(id));
    // Created here, not inside the Suspense below, so server and browser create them in the same
    // order and hydration finds their data.
    let teams = Resource::new(|| (), |_| list_teams());
    let courses = Resource::new(|| (), |_| authored_courses());
    let errors = view! {
        <ErrorNote error=action_error(update.value())/>
        <ErrorNote error=action_error(scope.value())/>
        <ErrorNote error=action_error(add_session.value())/>
        <ErrorNote error=action_error(delete_session.value())/>
        <ErrorNote error=action_error(enroll.value())/>
    };
    let enrolled_note = move || {
        enroll.value().get().and_then(|r| r.ok()).map(|n| {
            view! { <p class="alert ok" role="status">{tr_with("plans.enrolled_now", &[("count", n.to_string())])}</p> }
        })
    };
    view! {
        <p><a href="/plans">{tr("plans.back")}</a></p>
        {errors}
        {enrolled_note}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match plan.await {
                    Err(e) => load_failed(e),
                    Ok(p) => {
                        let forms = PlanForms { update, scope, add_session, delete_session, enroll, teams, courses };
                        plan_view(p, forms).into_any()
                    }
                }
            })}
        </Transition>
        // Outside the boundary above, like its resource; shown to the plan's editors only.
        {author.then(|| view! { <crate::pages::surveys::SurveyCard plan_id=id/> })}
        // Its members' follow-ups on the job: nothing for a member (the plan's records are not theirs).
        <crate::pages::followups::PlanFollowups plan_id=id/>
    }
}

/// The plan page's actions and the lists its forms choose from.
#[derive(Clone, Copy)]
struct PlanForms {
    update: ServerAction<UpdatePlan>,
    scope: ServerAction<SetPlanScope>,
    add_session: ServerAction<AddPlanSession>,
    delete_session: ServerAction<DeletePlanSession>,
    enroll: ServerAction<EnrollPlan>,
    teams: Resource<Result<Vec<crate::model::team::TeamNode>, crate::error::AppError>>,
    courses: Resource<Result<Vec<crate::model::course::CourseSummary>, crate::error::AppError>>,
}

fn plan_view(p: PlanDetail, forms: PlanForms) -> impl IntoView {
    let delete_session = forms.delete_session;
    let id = p.id;
    let f = p.fields.clone();
    let methods = join_list(f.methods.iter().map(|m| tr(m.label_key())));
    let sessions = p
        .sessions
        .iter()
        .map(|s| {
            let s = s.clone();
            view! {
                <tr>
                    <td>{s.day.clone()}" "{s.start_time.clone()}"–"{s.end_time.clone()}</td>
                    <td>{s.topic.clone()}</td>
                    <td>{s.venue.clone()}{(!s.online_link.is_empty()).then(|| view! { " "<a href=s.online_link.clone() rel="noopener noreferrer">{tr("plans.online_link")}</a> })}</td>
                    <td>{s.instructor_name.clone().unwrap_or_default()}</td>
                    <td>
                        <a class="button" href=format!("/plans/{id}/sessions/{}", s.id)>{tr("plans.attendance")}</a>
                        {p.can_edit.then(|| view! {
                            <ActionForm action=delete_session attr:class="inline">
                                <input type="hidden" name="plan_id" value=id/>
                                <input type="hidden" name="session_id" value=s.id/>
                                <button type="submit" class="link">{tr("plans.delete_session")}</button>
                            </ActionForm>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let members = p
        .members
        .iter()
        .map(|m| {
            let post = m.post_test_percent.map(|p| {
                let verdict = tr(if m.post_test_passed == Some(true) { "quiz.passed" } else { "quiz.failed" });
                format!("{p}% {verdict}")
            });
            view! {
                <tr>
                    <td>{m.display_name.clone()}</td><td>{m.employee_no.clone()}</td>
                    <td>{percent(m.attendance_percent)}</td><td class="post-test">{post.unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();
    let courses = p.courses.iter().map(|c| view! { <li>{shown(&c.title)}</li> }).collect_view();
    view! {
        <div class="row">
            <h1>{shown(&f.title)}</h1>
            <div class="row">
                {p.sees_records.then(|| view! {
                    <a class="button" href=format!("/plans/{id}/print")>{tr("plans.print")}</a>
                    <a class="button" href=format!("/plans/{id}/record.csv") download>"CSV"</a>
                    <a class="button" href=format!("/plans/{id}/record.xlsx") download>"XLSX"</a>
                })}
                <a class="button" href=format!("/plans/{id}/schedule.ics") download>{tr("plans.calendar")}</a>
            </div>
        </div>
        <section class="card">
            <dl>
                <dt>{tr("field.purpose")}</dt><dd>{f.purpose.clone()}</dd>
                <dt>{tr("field.methods")}</dt><dd>{methods}</dd>
                <dt>{tr("field.audience_positions")}</dt><dd>{f.audience_positions.clone()}</dd>
                <dt>{tr("field.materials")}</dt><dd>{f.materials.clone()}</dd>
                <dt>{tr("field.venue")}</dt><dd>{f.venue.clone()}</dd>
                {p.sees_records.then(|| view! {
                    <dt>{tr("field.budget_planned")}</dt><dd>{yuan(f.budget_planned_cents)}</dd>
                    <dt>{tr("field.budget_actual")}</dt><dd>{yuan(f.budget_actual_cents)}</dd>
                })}
                <dt>{tr(if p.sees_records { "plans.attendance_rate" } else { "plans.my_attendance" })}</dt>
                <dd class="rate">{percent(p.attendance_percent)}</dd>
            </dl>
            <p class="hint attendance-rule">{tr("plans.attendance_rule")}</p>
            <h3>{tr("plans.courses")}</h3>
            <ul>{courses}</ul>
        </section>
        <h2>{tr("plans.schedule")}</h2>
        <p class="hint">{tr_with("plans.times_in", &[("zone", f.time_zone.name().to_string())])}</p>
        <table class="list sessions">
            <thead><tr><th>{tr("record.date")}</th><th>{tr("record.session")}</th><th>{tr("field.venue")}</th>
                <th>{tr("record.instructor")}</th><th></th></tr></thead>
            <tbody>{sessions}</tbody>
        </table>
        <h2>{tr(if p.sees_records { "plans.members" } else { "plans.my_record" })}</h2>
        <table class="list members">
            <thead><tr><th>{tr("field.display_name")}</th><th>{tr("field.employee_no")}</th><th>{tr("plans.attendance_rate")}</th><th>{tr("quiz.kind.post_test")}</th></tr></thead>
            <tbody>{members}</tbody>
        </table>
        {p.can_edit.then(|| plan_forms(p.clone(), forms))}
    }
}

fn plan_forms(p: PlanDetail, forms: PlanForms) -> impl IntoView {
    let PlanForms { update, scope, add_session, enroll, teams, courses, .. } = forms;
    let id = p.id;
    let chosen_teams = p.team_ids.clone();
    let chosen_courses: Vec<i64> = p.courses.iter().map(|c| c.id).collect();
    view! {
        <section class="card">
            <h2>{tr("plans.add_session")}</h2>
            <ActionForm action=add_session node_ref=cleared_on_success(add_session) attr:class="stack">
                <input type="hidden" name="plan_id" value=id/>
                <label>{tr("record.session")}<input name="topic"/></label>
                <div class="row">
                    <label>{tr("record.date")}<input type="date" name="day" required/></label>
                    <label>{tr("field.start_time")}<input type="time" name="start_time" required/></label>
                    <label>{tr("field.end_time")}<input type="time" name="end_time" required/></label>
                </div>
                <label>{tr("field.venue")}<input name="venue"/></label>
                <label>{tr("field.online_link")}<input type="url" name="online_link"/></label>
                <label>{tr("field.instructor")}<input name="instructor" placeholder="T1001"/></label>
                <button type="submit" class="primary">{tr("plans.add_session")}</button>
            </ActionForm>
        </section>
        <section class="card">
            <h2>{tr("plans.enroll")}</h2>
            <ActionForm action=enroll node_ref=cleared_on_success(enroll) attr:class="stack">
                <input type="hidden" name="plan_id" value=id/>
                <label>{tr("field.employee_numbers")}<TextArea keep=(EnrollPlan::PATH, "employee_numbers") {..} name="employee_numbers" rows="2"/></label>
                <label>{tr("plans.enroll_csv")}<TextArea keep=(EnrollPlan::PATH, "csv") {..} name="csv" rows="3" placeholder="employee_no\nE1001"/></label>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let teams = match teams.await { Ok(v) => v, Err(e) => return load_failed(e) };
                        view! {
                            <label>{tr("courses.enroll_team")}
                                <select name="team_id">
                                    <option value="">{tr("users.no_team")}</option>
                                    {teams.into_iter().map(|t| view! { <option value=t.id>{shown(&t.path)}</option> }).collect_view()}
                                </select>
                            </label>
                        }.into_any()
                    })}
                </Transition>
                <button type="submit">{tr("courses.enroll_submit")}</button>
            </ActionForm>
        </section>
        <details class="card">
            <summary>{tr("plans.audience_and_courses")}</summary>
            <Transition fallback=|| ()>
                {move || {
                    let (chosen_teams, chosen_courses) = (chosen_teams.clone(), chosen_courses.clone());
                    Suspend::new(async move {
                        let teams = match teams.await { Ok(v) => v, Err(e) => return load_failed(e) };
                        let courses = match courses.await { Ok(v) => v, Err(e) => return load_failed(e) };
                        view! {
                            <ActionForm action=scope attr:class="stack">
                                <input type="hidden" name="id" value=id/>
                                <fieldset><legend>{tr("plans.audience_teams")}</legend>
                                    {teams.into_iter().enumerate().map(|(i, t)| view! {
                                        <label class=format!("check depth-{}", t.depth.min(4))>
                                            <input type="checkbox" name=format!("teams[{i}]") value=t.id checked=chosen_teams.contains(&t.id)/>
                                            {shown(&t.name)}
                                        </label>
                                    }).collect_view()}
                                </fieldset>
                                <fieldset><legend>{tr("plans.courses")}</legend>
                                    {courses.into_iter().enumerate().map(|(i, c)| view! {
                                        <label class="check">
                                            <input type="checkbox" name=format!("courses[{i}]") value=c.id checked=chosen_courses.contains(&c.id)/>
                                            {shown(&c.title)}
                                        </label>
                                    }).collect_view()}
                                </fieldset>
                                <button type="submit">{tr("plans.save")}</button>
                            </ActionForm>
                        }.into_any()
                    })
                }}
            </Transition>
        </details>
        <details class="card">
            <summary>{tr("plans.edit")}</summary>
            <ActionForm action=update attr:class="stack">
                <input type="hidden" name="id" value=id/>
                <PlanFieldsForm fields=p.fields.clone()/>
                <button type="submit">{tr("plans.save")}</button>
            </ActionForm>
        </details>
    }
}

/// Attendance for one session, sized for a phone: one row per trainee, one tap per status.
#[component]
pub fn AttendancePage() -> impl IntoView {
    view! { <RequireRole view=attendance/> }
}

fn attendance(_me: Me) -> impl IntoView {
    let session_id = param("sid");
    let mark = ServerAction::<MarkAttendance>::new();
    let sheet = Resource::new(move || mark.version().get(), move |_| get_attendance_sheet(session_id));
    view! {
        <ErrorNote error=action_error(mark.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match sheet.await {
                    Err(e) => load_failed(e),
                    Ok(s) => view! {
                        <p><a href=format!("/plans/{}", s.plan_id)>{shown(&s.plan_title)}</a></p>
                        <h1>{tr("plans.attendance")}</h1>
                        <p>{s.session.day.clone()}" "{s.session.start_time.clone()}"–"{s.session.end_time.clone()}" · "{s.session.topic.clone()}</p>
                        {(!s.started).then(|| view! { <p class="alert warn" role="status">{tr("plans.not_started_yet")}</p> })}
                        <ul class="attendance">
                            {s.rows.into_iter().map(|r| view! {
                                <li class="attendee">
                                    <span class="who">{r.display_name}" · "{r.employee_no}</span>
                                    <ActionForm action=mark attr:class="marks">
                                        <input type="hidden" name="session_id" value=s.session.id/>
                                        <input type="hidden" name="user_id" value=r.user_id/>
                                        {Attendance::ALL.into_iter().map(|a| view! {
                                            <button type="submit" name="status" value=a.as_str() disabled=!s.started
                                                class:chosen=r.status == Some(a) aria-pressed=(r.status == Some(a)).to_string()>
                                                {tr(a.label_key())}
                                            </button>
                                        }).collect_view()}
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The training record form (培训记录表) as a printable A4 page.
#[component]
pub fn PlanPrintPage() -> impl IntoView {
    view! { <RequireRole view=print/> }
}

fn print(_me: Me) -> impl IntoView {
    let id = param("id");
    let plan = Resource::new(|| (), move |_| get_plan(id));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match plan.await {
                    Err(e) => load_failed(e),
                    Ok(p) if !p.sees_records => {
                        view! { <p class="alert error">{error_text(&crate::error::AppError::Forbidden)}</p> }.into_any()
                    }
                    Ok(p) => view! {
                        <article class="print-sheet">
                            <h1>{tr("record.title")}</h1>
                            <h2>{shown(&p.fields.title)}</h2>
                            <p>{tr("field.venue")}": "{p.fields.venue.clone()}" · "{tr("plans.attendance_rate")}": "{percent(p.attendance_percent)}</p>
                            {p.sessions.iter().map(|s| view! {
                                <h3>{s.day.clone()}" "{s.start_time.clone()}"–"{s.end_time.clone()}" "{s.topic.clone()}
                                    " · "{tr("record.instructor")}": "{s.instructor_name.clone().unwrap_or_default()}</h3>
                            }).collect_view()}
                            <table class="list">
                                <thead><tr><th>{tr("field.employee_no")}</th><th>{tr("field.display_name")}</th>
                                    <th>{tr("plans.attendance_rate")}</th><th>{tr("record.signature")}</th></tr></thead>
                                <tbody>{p.members.iter().map(|m| view! {
                                    <tr><td>{m.employee_no.clone()}</td><td>{m.display_name.clone()}</td>
                                        <td>{percent(m.attendance_percent)}</td><td></td></tr>
                                }).collect_view()}</tbody>
                            </table>
                        </article>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
