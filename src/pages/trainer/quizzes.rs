//! Quizzes for trainers: list and create, the editor (settings, questions, draws, publishing),
//! results with pass rate and pre/post gain, and the essay grading queue.

use crate::components::names_input::NamesInput;
use crate::model::Names;
use crate::pages::{cleared_on_success, param, percent};
use leptos::prelude::*;

use crate::api::course::authored_courses;
use crate::api::quiz::*;
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr, tr_with, use_locale, use_zone};
use crate::model::quiz::{QuizFields, QuizKind, ReviewPolicy};
use crate::model::user::{Me, Role};

#[component]
pub fn QuizzesPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=quizzes/> }
}

fn quizzes(_me: Me) -> impl IntoView {
    let create = ServerAction::<CreateQuiz>::new();
    let list = Resource::new(|| (), |_| authored_quizzes());
    let courses = Resource::new(|| (), |_| authored_courses());
    view! {
        <h1>{tr("quiz.title")}</h1>
        <p><a href="/trainer/banks">{tr("nav.banks")}</a>" · "<a href="/trainer/grading">{tr("nav.grading")}</a></p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("quiz.none")}</p> }.into_any();
                }
                view! {
                    <table class="list quizzes">
                        <thead><tr>
                            <th>{tr("field.title")}</th><th>{tr("nav.courses")}</th><th>{tr("field.kind")}</th>
                            <th>{tr("field.status")}</th><th>{tr("quiz.questions")}</th><th>{tr("quiz.pass_rate")}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|q| view! {
                            <tr>
                                <td><a href=format!("/trainer/quizzes/{}", q.id)>{shown(&q.title)}</a></td>
                                <td>{shown(&q.course_title)}</td>
                                <td>{tr(q.kind.label_key())}</td>
                                <td>{tr(if q.published { "quiz.published" } else { "quiz.draft" })}</td>
                                <td>{q.question_count}</td>
                                <td>
                                    <a href=format!("/trainer/quizzes/{}/results", q.id)>
                                        {if q.attempts == 0 { "—".to_string() } else { format!("{}/{}", q.passed, q.attempts) }}
                                    </a>
                                </td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Transition>
        <section class="card">
            <h2>{tr("quiz.new")}</h2>
            <ErrorNote error=action_error(create.value())/>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let courses = match courses.await { Ok(v) => v, Err(e) => return load_failed(e) };
                    // The pre-tests a new post-test may pair with, named with their course (the
                    // server checks the pair shares the course).
                    let pre_tests = match list.await { Ok(v) => v, Err(e) => return load_failed(e) }
                        .into_iter()
                        .filter(|q| q.kind == QuizKind::PreTest)
                        .map(|q| (q.id, format!("{} · {}", shown(&q.title), shown(&q.course_title))))
                        .collect::<Vec<_>>();
                    view! {
                        <ActionForm action=create attr:class="stack">
                            <label>{tr("nav.courses")}
                                <select name="course_id" required>
                                    {courses.into_iter().map(|c| view! { <option value=c.id>{shown(&c.title)}</option> }).collect_view()}
                                </select>
                            </label>
                            <QuizFieldsForm fields=None siblings=pre_tests/>
                            <button type="submit" class="primary">{tr("quiz.create")}</button>
                        </ActionForm>
                    }.into_any()
                })}
            </Transition>
        </section>
    }
}

/// The settings shared by the create and edit forms.
#[component]
fn QuizFieldsForm(fields: Option<QuizFields>, siblings: Vec<(i64, String)>) -> impl IntoView {
    let f = fields.unwrap_or(QuizFields {
        title: Names::default(),
        kind: QuizKind::PreTest,
        pass_percent: 80,
        time_limit_minutes: Some(30),
        opens_at: None,
        closes_at: None,
        attempts_allowed: Some(2),
        cooloff_minutes: 0,
        review_policy: ReviewPolicy::ScoreAndWrong,
        shuffle_questions: true,
        shuffle_options: true,
        pre_test_id: None,
    });
    let kinds = QuizKind::ALL
        .iter()
        .map(|k| view! { <option value=k.as_str() selected=*k == f.kind>{tr(k.label_key())}</option> })
        .collect_view();
    let reviews = ReviewPolicy::ALL
        .iter()
        .map(|r| view! { <option value=r.as_str() selected=*r == f.review_policy>{tr(r.label_key())}</option> })
        .collect_view();
    let pre = f.pre_test_id;
    let pre_tests = siblings
        .into_iter()
        .map(|(id, title)| view! { <option value=id selected=pre == Some(id)>{title}</option> })
        .collect_view();
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    // Windows are typed on the trainer's clock, the zone named beside them.
    let zone = use_zone();
    let local = move |t: Option<i64>| t.map(|t| zone.input_value(t)).unwrap_or_default();
    view! {
        <NamesInput field="title" value=f.title/>
        <label>{tr("field.kind")}<select name="kind">{kinds}</select></label>
        <label>{tr("quiz.pre_test")}<select name="pre_test_id"><option value="">"—"</option>{pre_tests}</select></label>
        <label>{tr("quiz.pass_mark")}" (%)"<input type="number" name="pass_percent" min="0" max="100" value=f.pass_percent/></label>
        <label>{tr("quiz.time_limit")}" ("{tr("quiz.minutes_unit")}")"
            <input type="number" name="time_limit_minutes" min="1" max="600" value=opt(f.time_limit_minutes)/>
        </label>
        <label>{format!("{} ({})", tr("quiz.opens"), zone.name())}<input type="datetime-local" name="opens_at" value=local(f.opens_at)/></label>
        <label>{format!("{} ({})", tr("quiz.closes"), zone.name())}<input type="datetime-local" name="closes_at" value=local(f.closes_at)/></label>
        <label>{tr("quiz.attempts_allowed")}<input type="number" name="attempts_allowed" min="1" max="100" value=opt(f.attempts_allowed)/></label>
        <label>{tr("quiz.cooloff")}" ("{tr("quiz.minutes_unit")}")"
            <input type="number" name="cooloff_minutes" min="0" value=f.cooloff_minutes/>
        </label>
        <label>{tr("field.review_policy")}<select name="review_policy">{reviews}</select></label>
        <label class="check"><input type="checkbox" name="shuffle_questions" checked=f.shuffle_questions/>" "{tr("quiz.shuffle_questions")}</label>
        <label class="check"><input type="checkbox" name="shuffle_options" checked=f.shuffle_options/>" "{tr("quiz.shuffle_options")}</label>
    }
}

#[component]
pub fn QuizEditorPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=editor/> }
}

fn editor(_me: Me) -> impl IntoView {
    let id = param("id");
    let update = ServerAction::<UpdateQuiz>::new();
    let add_question = ServerAction::<AddQuizQuestion>::new();
    let add_draw = ServerAction::<AddQuizDraw>::new();
    let remove = ServerAction::<RemoveQuizSlot>::new();
    let publish = ServerAction::<PublishQuiz>::new();
    let remediation = ServerAction::<SetQuizRemediation>::new();
    let changes = move || {
        update.version().get()
            + add_question.version().get()
            + add_draw.version().get()
            + remove.version().get()
            + publish.version().get()
            + remediation.version().get()
    };
    let quiz = Resource::new(changes, move |_| get_quiz_editor(id));
    view! {
        <p><a href="/trainer/quizzes">{tr("quiz.back_list")}</a></p>
        <ErrorNote error=action_error(update.value())/>
        <ErrorNote error=action_error(add_question.value())/>
        <ErrorNote error=action_error(add_draw.value())/>
        <ErrorNote error=action_error(remove.value())/>
        <ErrorNote error=action_error(publish.value())/>
        <ErrorNote error=action_error(remediation.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let q = match quiz.await {
                    Ok(q) => q,
                    Err(e) => return load_failed(e),
                };
                let qid = q.id;
                let slots = q.slots.clone().into_iter().map(|s| {
                    let what = match s.question_id {
                        Some(_) => format!("{} ({})", s.question_label, s.bank_name),
                        None => {
                            let mut d = format!("{} × {}", s.draw_count, s.bank_name);
                            if !s.category.is_empty() { d.push_str(&format!(" / {}", s.category)); }
                            if !s.tag.is_empty() { d.push_str(&format!(" #{}", s.tag)); }
                            d
                        }
                    };
                    view! {
                        <li class="slot">
                            {tr(if s.question_id.is_some() { "quiz.slot_fixed" } else { "quiz.slot_draw" })}": "{what}
                            <ActionForm action=remove attr:class="inline">
                                <input type="hidden" name="quiz_id" value=qid/>
                                <input type="hidden" name="slot_id" value=s.id/>
                                <button type="submit" class="link danger">{tr("quiz.remove")}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view();
                let banks = q.banks.clone();
                let bank_options = move || banks.iter().map(|b| view! {
                    <option value=b.id>{format!("{} ({})", b.name, b.question_count)}</option>
                }).collect_view();
                let bank_links = q.banks.iter().map(|b| view! {
                    <a href=format!("/trainer/banks/{}", b.id)>{b.name.clone()}</a>" "
                }).collect_view();
                view! {
                    <div class="row">
                        <h1>{shown(&q.fields.title)}</h1>
                        <a class="button" href=format!("/trainer/quizzes/{qid}/results")>{tr("quiz.results")}</a>
                        <a class="button" href=format!("/trainer/quizzes/{qid}/statistics")>{tr("stats.link")}</a>
                    </div>
                    <p class="status">{tr(if q.published { "quiz.published" } else { "quiz.draft" })}</p>
                    <section class="card">
                        <ActionForm action=publish>
                            <input type="hidden" name="id" value=qid/>
                            <input type="hidden" name="published" value=(!q.published).to_string()/>
                            <button type="submit" class=if q.published { "" } else { "primary" }>
                                {tr(if q.published { "quiz.unpublish" } else { "quiz.publish" })}
                            </button>
                        </ActionForm>
                    </section>
                    <section class="card">
                        <h2>{tr("quiz.remediation")}</h2>
                        <p class="hint">{tr("quiz.remediation_help")}</p>
                        <ActionForm action=remediation attr:class="row">
                            <input type="hidden" name="id" value=qid/>
                            <label>{tr("field.lesson_id")}
                                <select name="lesson_id">
                                    <option value="">"—"</option>
                                    {q.lessons.iter().map(|(lid, title)| view! {
                                        <option value=*lid selected=q.remediation_lesson_id == Some(*lid)>{shown(title)}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                            <button type="submit">{tr("roleplay.save")}</button>
                        </ActionForm>
                    </section>
                    <section class="card">
                        <h2>{tr("quiz.questions")}</h2>
                        <ol class="slots">{slots}</ol>
                        <ActionForm action=add_draw node_ref=cleared_on_success(add_draw) attr:class="row">
                            <input type="hidden" name="quiz_id" value=qid/>
                            <label>{tr("quiz.bank")}<select name="bank_id">{bank_options()}</select></label>
                            <label>{tr("quiz.category")}<input name="category" placeholder="售后/三包"/></label>
                            <label>{tr("quiz.tag")}<input name="tag"/></label>
                            <label>{tr("quiz.draw_count")}<input type="number" name="draw_count" min="1" max="200" value="5"/></label>
                            <button type="submit">{tr("quiz.add_draw")}</button>
                        </ActionForm>
                        <ActionForm action=add_question node_ref=cleared_on_success(add_question) attr:class="row">
                            <input type="hidden" name="quiz_id" value=qid/>
                            <label>{tr("quiz.question_id")}<input name="question_id" inputmode="numeric" required/></label>
                            <button type="submit">{tr("quiz.add_fixed")}</button>
                        </ActionForm>
                        <p class="hint">{tr("quiz.banks_hint")}" "{bank_links}</p>
                    </section>
                    <details class="card">
                        <summary>{tr("quiz.settings")}</summary>
                        <ActionForm action=update attr:class="stack">
                            <input type="hidden" name="id" value=qid/>
                            <QuizFieldsForm fields=Some(q.fields.clone()) siblings=q.siblings.iter().map(|(id, t)| (*id, shown(t))).collect()/>
                            <button type="submit">{tr("courses.save")}</button>
                        </ActionForm>
                    </details>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn QuizResultsPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=results/> }
}

fn results(_me: Me) -> impl IntoView {
    let id = param("id");
    let (locale, zone) = (use_locale(), use_zone());
    // The page lives in the address (`?page=2`, 1-based), so paging works without JavaScript.
    let url = leptos_router::hooks::use_query_map();
    let page = move || url.read().get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1).saturating_sub(1);
    let data = Resource::new(page, move |page| get_quiz_results(id, page));
    view! {
        <p>
            <a href=format!("/trainer/quizzes/{id}")>{tr("quiz.back_editor")}</a>" · "
            <a href=format!("/trainer/quizzes/{id}/statistics")>{tr("stats.link")}</a>
        </p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let (r, gains) = match data.await {
                    Ok(d) => d,
                    Err(e) => return load_failed(e),
                };
                let rows = r.attempts.into_iter().map(|a| view! {
                    <tr>
                        <td>{a.display_name}</td><td>{a.employee_no}</td><td>{a.attempt_no}</td>
                        <td>{tr(a.status.label_key())}</td>
                        <td>{a.submitted_at.map(|t| locale.format_timestamp(zone, t)).unwrap_or_default()}</td>
                        <td>{percent(a.percent)}</td>
                        <td>{match a.passed { Some(true) => tr("quiz.passed"), Some(false) => tr("quiz.failed"), None => String::new() }}</td>
                    </tr>
                }).collect_view();

                view! {
                    <h1>{shown(&r.title)}</h1>
                    <p class="status">
                        {tr("quiz.pass_rate")}": "<strong class="pass-rate">{percent(r.pass_rate)}</strong>" · "
                        {tr_with("quiz.attempt_count", &[("count", r.total.to_string())])}
                    </p>
                    <table class="list attempts">
                        <thead><tr>
                            <th>{tr("field.display_name")}</th><th>{tr("field.employee_no")}</th><th>"#"</th>
                            <th>{tr("field.status")}</th><th>{tr("quiz.submitted")}</th><th>{tr("quiz.score")}</th><th></th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <crate::components::pager::Pager path=format!("/trainer/quizzes/{id}/results") filters=vec![] page=r.page pages=r.pages/>
                    {gains.map(|g| view! { <crate::pages::trainer::gains::GainSection g=g/> }.into_any())}
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn GradingPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=grading/> }
}

fn grading(_me: Me) -> impl IntoView {
    let grade = ServerAction::<GradeEssay>::new();
    let queue = Resource::new(move || grade.version().get(), |_| grading_queue());
    view! {
        <h1>{tr("grading.title")}</h1>
        <ErrorNote error=action_error(grade.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let queue = match queue.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if queue.is_empty() {
                    return view! { <p class="empty">{tr("grading.none")}</p> }.into_any();
                }
                queue.into_iter().map(|g| view! {
                    <section class="card essay">
                        <h2>{shown(&g.quiz_title)}" · "{g.display_name}" ("{g.employee_no}")"</h2>
                        <div class="stem" inner_html=g.stem_html></div>
                        <blockquote class="answer">{g.answer}</blockquote>
                        <ActionForm action=grade attr:class="row">
                            <input type="hidden" name="attempt_id" value=g.attempt_id/>
                            <input type="hidden" name="position" value=g.position/>
                            <label>{tr("grading.awarded")}" (0–"{g.points}")"
                                <input name="awarded" inputmode="decimal" required size="4"/>
                            </label>
                            <label>{tr("grading.comment")}<input name="comment"/></label>
                            <button type="submit" class="primary">{tr("grading.save")}</button>
                        </ActionForm>
                    </section>
                }).collect_view().into_any()
            })}
        </Transition>
    }
}
