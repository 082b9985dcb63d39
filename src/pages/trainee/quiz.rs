//! Taking quizzes. Every page is a plain form that works without JavaScript (each button saves
//! the page and moves on); with JavaScript the timer counts down and every change autosaves.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::pages::{param, percent};

use crate::api::quiz::{get_attempt, get_attempt_result, get_quiz_intro, my_quizzes, SaveAttempt, StartAttempt};
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{shown, tr, tr_with, use_locale, use_zone};
use crate::model::quiz::{AttemptResult, AttemptView, ItemView, QuestionKind, ShownAnswer, PER_PAGE};
use crate::model::user::Me;

/// The trainee's quizzes, on the learning page and the home page.
#[component]
pub fn MyQuizzes() -> impl IntoView {
    let list = Resource::new(|| (), |_| my_quizzes());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return ().into_any();
                }
                view! {
                    <h2>{tr("quiz.mine")}</h2>
                    <ul class="quizzes">
                        {list.into_iter().map(|q| {
                            let state = if let Some(a) = q.open_attempt {
                                view! { <a class="button primary" href=format!("/attempt/{a}")>{tr("quiz.resume")}</a> }.into_any()
                            } else if q.passed {
                                view! { <span class="ok">{tr("quiz.passed")}" · "{percent(q.best_percent)}</span> }.into_any()
                            } else if q.awaiting_grading {
                                view! { <span>{tr("attempt.status.awaiting_grading")}</span> }.into_any()
                            } else {
                                view! { <span>{percent(q.best_percent)}</span> }.into_any()
                            };
                            view! {
                                <li class="quiz">
                                    <a href=format!("/quiz/{}", q.id)><strong>{shown(&q.title)}</strong></a>
                                    " · "{tr(q.kind.label_key())}" · "{shown(&q.course_title)}" "
                                    {state}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn QuizIntroPage() -> impl IntoView {
    view! { <RequireRole view=intro/> }
}

fn intro(_me: Me) -> impl IntoView {
    let id = param("id");
    let (locale, zone) = (use_locale(), use_zone());
    let start = ServerAction::<StartAttempt>::new();
    let quiz = Resource::new(move || start.version().get(), move |_| get_quiz_intro(id));
    view! {
        <ErrorNote error=action_error(start.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let q = match quiz.await {
                    Ok(q) => q,
                    Err(e) => return load_failed(e),
                };
                let limit = q.time_limit_minutes
                    .map(|m| tr_with("quiz.minutes", &[("n", m.to_string())]))
                    .unwrap_or_else(|| tr("quiz.no_limit"));
                let attempts = match q.attempts_allowed {
                    Some(n) => format!("{} / {n}", q.attempts_used),
                    None => q.attempts_used.to_string(),
                };
                let action = if let Some(a) = q.open_attempt {
                    view! { <a class="button primary" href=format!("/attempt/{a}")>{tr("quiz.resume")}</a> }.into_any()
                } else if let Some(key) = q.blocked.clone() {
                    let when = q.next_start_at.map(|t| format!(" {}", locale.format_timestamp(zone, t)));
                    let lesson = q.remediation.clone().map(|(id, title)| view! {
                        " "<a href=format!("/learn/lesson/{id}")>{shown(&title)}</a>
                    });
                    view! { <p class="alert" role="status">{tr(&key)}{when}{lesson}</p> }.into_any()
                } else {
                    view! {
                        <ActionForm action=start>
                            <input type="hidden" name="quiz_id" value=q.id/>
                            <button type="submit" class="primary">{tr("quiz.start")}</button>
                        </ActionForm>
                    }.into_any()
                };
                let history = q.history.into_iter().map(|a| view! {
                    <tr>
                        <td>{a.attempt_no}</td>
                        <td>{tr(a.status.label_key())}</td>
                        <td>{locale.format_timestamp(zone, a.started_at)}</td>
                        <td>{percent(a.score_percent)}</td>
                        <td>{match a.passed { Some(true) => tr("quiz.passed"), Some(false) => tr("quiz.failed"), None => String::new() }}</td>
                        <td>{(a.submitted_at.is_some()).then(|| view! { <a href=format!("/attempt/{}/result", a.id)>{tr("quiz.see_result")}</a> })}</td>
                    </tr>
                }).collect_view();
                view! {
                    <p><a href="/learn">{tr("learn.back")}</a></p>
                    <h1>{shown(&q.title)}</h1>
                    <dl class="facts">
                        <dt>{tr("field.kind")}</dt><dd>{tr(q.kind.label_key())}</dd>
                        <dt>{tr("nav.courses")}</dt><dd>{shown(&q.course_title)}</dd>
                        <dt>{tr("quiz.questions")}</dt><dd>{q.question_count}</dd>
                        <dt>{tr("quiz.time_limit")}</dt><dd>{limit}</dd>
                        <dt>{tr("quiz.pass_mark")}</dt><dd>{format!("{}%", q.pass_percent)}</dd>
                        <dt>{tr("quiz.attempts")}</dt><dd>{attempts}</dd>
                        {q.closes_at.map(|t| view! { <dt>{tr("quiz.closes")}</dt><dd>{locale.format_timestamp(zone, t)}</dd> })}
                    </dl>
                    {action}
                    <table class="list">
                        <thead><tr>
                            <th>"#"</th><th>{tr("field.status")}</th><th>{tr("quiz.started")}</th>
                            <th>{tr("quiz.score")}</th><th></th><th></th>
                        </tr></thead>
                        <tbody>{history}</tbody>
                    </table>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn AttemptPage() -> impl IntoView {
    view! { <RequireRole view=attempt/> }
}

fn attempt(_me: Me) -> impl IntoView {
    let id = param("id");
    let page: usize = use_query_map().read_untracked().get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let current = Resource::new(|| (), move |_| get_attempt(id, page));
    let stale = use_query_map().read_untracked().get("problem").is_some_and(|p| p == "stale");
    no_stale_copies();
    view! {
        {stale.then(|| view! { <p class="alert error" role="alert">{tr("quiz.stale_page")}</p> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match current.await {
                    Err(e) => load_failed(e),
                    Ok(None) => view! {
                        <p class="alert" role="status">{tr("quiz.attempt_closed")}</p>
                        <a class="button primary" href=format!("/attempt/{id}/result")>{tr("quiz.see_result")}</a>
                    }.into_any(),
                    Ok(Some(v)) => attempt_form(v).into_any(),
                }
            })}
        </Transition>
    }
}

fn attempt_form(v: AttemptView) -> impl IntoView {
    let (locale, zone) = (use_locale(), use_zone());
    let next_seq = RwSignal::new(v.seq + 1);
    // A save refused as stale (another tab saved later): the page stops saving, and its plain
    // submit carries the refused number, so the server shows the stored answers instead.
    let refused = RwSignal::new(None::<i64>);
    let status = RwSignal::new(None::<&'static str>);
    let (id, page, pages) = (v.id, v.page, v.pages);
    let deadline = v.deadline_at.map(|d| tr_with("quiz.deadline", &[("time", locale.format_timestamp(zone, d))]));
    let pager = (0..pages)
        .map(|p| {
            let answered = v.answered.iter().skip(p * PER_PAGE).take(PER_PAGE);
            let done = answered.clone().filter(|a| **a).count();
            let total = answered.count();
            let label = tr_with("quiz.page_label", &[("n", (p + 1).to_string()), ("done", done.to_string()), ("total", total.to_string())]);
            view! {
                <button type="submit" name="go" value=format!("page-{p}") class="link" aria-current=(p == page).then_some("page")>
                    {label}
                </button>
            }
        })
        .collect_view();
    let items = v.items.into_iter().map(item).collect_view();
    view! {
        <h1>{shown(&v.quiz_title)}</h1>
        <p class="status">
            {tr_with("quiz.attempt_no", &[("n", v.attempt_no.to_string())])}
            {deadline.map(|d| view! { " · "{d} })}
        </p>
        <form method="post" action=SaveAttempt::PATH id="attempt-form" class="stack attempt"
            on:change=move |ev| autosave(ev, id, page, Seq { next: next_seq, refused }, status)>
            <input type="hidden" name="attempt_id" value=id/>
            <input type="hidden" name="seq" value=move || refused.get().unwrap_or_else(|| next_seq.get()).to_string()/>
            <input type="hidden" name="page" value=page/>
            // The first submit button is what Enter in a text box presses: save and stay. The
            // timer rides in the same bar, which stays at the top, so it never covers Save.
            <div class="row actions save-bar">
                <button type="submit" name="go" value=format!("page-{page}")>{tr("quiz.save")}</button>
                <span class="hint" role="status" aria-live="polite">{move || status.get().map(tr)}</span>
                {v.remaining_secs.map(|secs| view! { <Timer secs=secs/> })}
            </div>
            {items}
            <nav class="pager" aria-label=tr("quiz.pages")>{pager}</nav>
            <div class="row actions">
                {(page > 0).then(|| view! { <button type="submit" name="go" value="prev">{tr("quiz.previous")}</button> })}
                {(page + 1 < pages).then(|| view! { <button type="submit" name="go" value="next">{tr("quiz.next")}</button> })}
                <button type="submit" name="go" value="submit" class="primary" id="submit-attempt">{tr("quiz.submit")}</button>
            </div>
        </form>
    }
}

/// An attempt page is never shown from a cache: the browser fetches it again (no-store), and a
/// copy the back button restores from memory reloads at once, so a submitted attempt never comes
/// back looking live.
fn no_stale_copies() {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    }
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener_untyped("pageshow", |ev| {
            let restored = js_sys::Reflect::get(&ev, &"persisted".into()).ok().and_then(|v| v.as_bool());
            if restored == Some(true) {
                let _ = window().location().reload();
            }
        });
        on_cleanup(move || handle.remove());
    }
}

/// The page's save numbers: the next one to send, and the one refused as stale, if any.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
struct Seq {
    next: RwSignal<i64>,
    refused: RwSignal<Option<i64>>,
}

/// Saves the whole page in the background whenever an answer changes; once a save was refused
/// as stale, nothing more is sent from this page.
#[allow(unused_variables)]
fn autosave(ev: leptos::ev::Event, id: i64, page: usize, seq: Seq, status: RwSignal<Option<&'static str>>) {
    #[cfg(feature = "hydrate")]
    {
        if seq.refused.get_untracked().is_some() {
            status.set(Some("quiz.save_stale"));
            return;
        }
        use std::collections::BTreeMap;
        use wasm_bindgen::JsCast;
        let Some(form) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
        let mut answers = BTreeMap::new();
        if let Ok(Some(entries)) = js_sys::try_iter(&data) {
            for entry in entries.flatten() {
                let pair = js_sys::Array::from(&entry);
                let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) else { continue };
                if let Some(key) = name.strip_prefix("answers[").and_then(|n| n.strip_suffix(']')) {
                    answers.insert(key.to_string(), value);
                }
            }
        }
        let n = seq.next.get_untracked();
        seq.next.set(n + 1);
        status.set(Some("quiz.saving"));
        leptos::task::spawn_local(async move {
            let result = crate::api::quiz::save_attempt(id, n, page, "stay".into(), answers).await;
            let shown = match result {
                Ok(_) => "quiz.saved",
                // A later save from this page overtook this one: that one's answer counts.
                Err(crate::error::AppError::Conflict { .. }) if seq.next.get_untracked() > n + 1 => return,
                // This page's latest save was refused: another tab saved later.
                Err(crate::error::AppError::Conflict { .. }) => {
                    seq.refused.set(Some(n));
                    "quiz.save_stale"
                }
                // Submitted meanwhile (the timer, another tab): its result is the page to be on.
                Err(crate::error::AppError::Validation { key, .. }) if key == "error.attempt_closed" => {
                    let _ = window().location().assign(&format!("/attempt/{id}/result"));
                    "quiz.attempt_closed"
                }
                Err(_) => "quiz.save_failed",
            };
            status.set(Some(shown));
        });
    }
}

/// Time left. Without JavaScript it shows the time when the page loaded; with it, it counts down
/// and submits the attempt when time is up (the server enforces the deadline either way).
#[component]
fn Timer(secs: i64) -> impl IntoView {
    let left = RwSignal::new(secs);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                let now = left.get_untracked() - 1;
                left.set(now.max(0));
                if now == 0 {
                    use wasm_bindgen::JsCast;
                    if let Some(button) = document()
                        .get_element_by_id("submit-attempt")
                        .and_then(|b| b.dyn_into::<web_sys::HtmlButtonElement>().ok())
                    {
                        button.click();
                    }
                }
            },
            std::time::Duration::from_secs(1),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    }
    let text = move || {
        let s = left.get();
        tr_with("quiz.time_left", &[("time", format!("{}:{:02}", s / 60, s % 60))])
    };
    view! { <p class=move || if left.get() < 60 { "timer urgent" } else { "timer" } role="timer">{text}</p> }
}

fn chosen(answer: &Option<ShownAnswer>, i: usize) -> bool {
    matches!(answer, Some(ShownAnswer::Choices(c)) if c.contains(&i))
}

fn item(it: ItemView) -> impl IntoView {
    let key = format!("answers[p{}]", it.position);
    let sub = |i: usize| format!("answers[p{}_{}]", it.position, i);
    let text_answer = match &it.answer {
        Some(ShownAnswer::Text(t)) => t.clone(),
        _ => String::new(),
    };
    let input = match it.kind {
        QuestionKind::Single => it.options.iter().enumerate().map(|(i, o)| view! {
            <label class="choice"><input type="radio" name=key.clone() value=i checked=chosen(&it.answer, i)/>" "{o.clone()}</label>
        }).collect_view().into_any(),
        QuestionKind::Multiple => view! {
            <p class="hint">{tr("quiz.pick_all")}</p>
            {it.options.iter().enumerate().map(|(i, o)| view! {
                <label class="choice"><input type="checkbox" name=sub(i) checked=chosen(&it.answer, i)/>" "{o.clone()}</label>
            }).collect_view()}
        }.into_any(),
        QuestionKind::TrueFalse => {
            let given = match it.answer {
                Some(ShownAnswer::Bool(b)) => Some(b),
                _ => None,
            };
            view! {
                <label class="choice"><input type="radio" name=key.clone() value="true" checked=given == Some(true)/>" "{tr("quiz.true")}</label>
                <label class="choice"><input type="radio" name=key.clone() value="false" checked=given == Some(false)/>" "{tr("quiz.false")}</label>
            }.into_any()
        }
        QuestionKind::FillBlank => view! {
            <input name=key.clone() value=text_answer aria-label=tr("quiz.your_answer") autocomplete="off"/>
        }.into_any(),
        QuestionKind::Numeric => view! {
            <input name=key.clone() value=text_answer inputmode="decimal" aria-label=tr("quiz.your_answer") autocomplete="off"/>
        }.into_any(),
        QuestionKind::Description => ().into_any(),
        QuestionKind::Essay => view! {
            <TextArea value={text_answer} {..} name=key.clone() rows="6" aria-label=tr("quiz.your_answer")/>
        }.into_any(),
        QuestionKind::Matching => {
            let picked = match &it.answer {
                Some(ShownAnswer::Matches(m)) => m.clone(),
                _ => vec![],
            };
            it.options.iter().enumerate().map(|(i, left)| {
                let current = picked.get(i).copied().flatten();
                let options = it.rights.iter().enumerate().map(|(j, r)| view! {
                    <option value=j selected=current == Some(j)>{r.clone()}</option>
                }).collect_view();
                view! {
                    <label class="match">{left.clone()}
                        <select name=sub(i)><option value="">"—"</option>{options}</select>
                    </label>
                }
            }).collect_view().into_any()
        }
        QuestionKind::Ordering => {
            let ranks = match &it.answer {
                Some(ShownAnswer::Order(r)) => r.clone(),
                _ => vec![],
            };
            let n = it.options.len();
            view! {
                <p class="hint">{tr_with("quiz.order_help", &[("n", n.to_string())])}</p>
                {it.options.iter().enumerate().map(|(i, o)| {
                    let rank = ranks.get(i).copied().filter(|r| *r > 0).map(|r| r.to_string()).unwrap_or_default();
                    view! {
                        <label class="order"><input type="number" name=sub(i) min="1" max=n value=rank class="rank"/>" "{o.clone()}</label>
                    }
                }).collect_view()}
            }.into_any()
        }
    };
    view! {
        <fieldset class=if it.kind == QuestionKind::Description { "card question description" } else { "card question" }>
            <legend>{match it.number {
                Some(n) => tr_with("quiz.question_n", &[("n", n.to_string()), ("points", it.points.to_string())]),
                None => tr("quiz.information"),
            }}</legend>
            // Rendered from Markdown and sanitized (ammonia) on the server.
            <div class="stem" inner_html=it.stem_html></div>
            {input}
        </fieldset>
    }
}

#[component]
pub fn AttemptResultPage() -> impl IntoView {
    view! { <RequireRole view=result/> }
}

fn result(_me: Me) -> impl IntoView {
    let id = param("id");
    let res = Resource::new(|| (), move |_| get_attempt_result(id));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match res.await {
                    Err(e) => load_failed(e),
                    Ok(r) => result_view(r).into_any(),
                }
            })}
        </Transition>
    }
}

fn result_view(r: AttemptResult) -> impl IntoView {
    let verdict = match r.passed {
        Some(true) => view! { <p class="alert ok verdict">{tr("quiz.passed")}</p> }.into_any(),
        Some(false) => view! { <p class="alert error verdict">{tr("quiz.failed")}</p> }.into_any(),
        None => view! { <p class="alert verdict">{tr("attempt.status.awaiting_grading")}</p> }.into_any(),
    };
    let score = r.score.map(|s| format!("{s} / {}", r.max_score));
    let provisional = r.provisional_score.map(|s| {
        tr_with(
            "quiz.provisional",
            &[("score", format!("{s} / {}", r.max_score)), ("pending", r.pending_items.to_string())],
        )
    });
    let items = r.items.into_iter().map(|i| view! {
        <li class=match i.correct { Some(true) => "review right", Some(false) => "review wrong", None => "review" }>
            <div class="stem" inner_html=i.stem_html></div>
            <p>{tr("quiz.your_answer")}": "{if i.your_answer.is_empty() { tr("quiz.no_answer") } else { i.your_answer }}</p>
            <p>{match i.correct { Some(true) => tr("quiz.right"), Some(false) => tr("quiz.wrong"), None => tr("attempt.status.awaiting_grading") }}</p>
            {i.right_answer.map(|a| view! { <p>{tr("quiz.right_answer")}": "{a}</p> })}
            {i.feedback.map(|f| view! { <p class="hint">{f}</p> })}
            {i.comment.map(|c| view! { <p class="hint">{tr("quiz.trainer_comment")}": "{c}</p> })}
        </li>
    }).collect_view();
    view! {
        <p><a href=format!("/quiz/{}", r.quiz_id)>{tr("quiz.back")}</a></p>
        <h1>{shown(&r.quiz_title)}</h1>
        {r.closed_by_deadline.then(|| view! { <p class="alert">{tr("quiz.closed_by_deadline")}</p> })}
        {verdict}
        <dl class="facts">
            <dt>{tr("quiz.score")}</dt><dd class="score">{percent(r.score_percent)}</dd>
            {score.map(|s| view! { <dt>{tr("quiz.points")}</dt><dd>{s}</dd> })}
            {provisional.map(|p| view! { <dt>{tr("quiz.points")}</dt><dd class="provisional">{p}</dd> })}
            <dt>{tr("quiz.pass_mark")}</dt><dd>{format!("{}%", r.pass_percent)}</dd>
        </dl>
        <ol class="reviews">{items}</ol>
    }
}
