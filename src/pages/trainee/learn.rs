use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::pages::param;

use crate::api::course::{get_course_outline, get_lesson, my_courses, CompleteLesson};
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr, tr_with, use_locale, use_zone};
use crate::model::course::EnrolledCourse;
use crate::model::user::Me;

/// Done / total as a bar and as words, so it reads without the bar too.
fn progress(done: u32, total: u32) -> impl IntoView {
    view! {
        <div class="progress">
            <progress max=total value=done aria-label=tr("learn.progress")></progress>
            <span>{tr_with("learn.done_of", &[("done", done.to_string()), ("total", total.to_string())])}</span>
        </div>
    }
}

/// The trainee's enrolled courses with progress and a resume link; used on the home page too.
#[component]
pub fn MyCourses() -> impl IntoView {
    let list = Resource::new(|| (), |_| my_courses());
    let (locale, zone) = (use_locale(), use_zone());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => load_failed(e),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{tr("learn.none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="courses">
                            {list.into_iter().map(|c: EnrolledCourse| {
                                let resume = c.next_lesson_id.map(|l| view! {
                                    <a class="button primary" href=format!("/learn/lesson/{l}")>
                                        {tr(if c.done == 0 { "learn.start" } else { "learn.resume" })}
                                    </a>
                                });
                                let finished = c.completed_at.map(|t| view! {
                                    <span class="ok">{tr_with("learn.completed_on", &[("date", locale.format_timestamp(zone, t))])}</span>
                                });
                                view! {
                                    <li class="course">
                                        <a href=format!("/learn/{}", c.course_id)><strong>{shown(&c.title)}</strong></a>
                                        {progress(c.done, c.total)}
                                        {resume}
                                        {finished}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn LearnPage() -> impl IntoView {
    view! {
        <RequireRole view=|_me: Me| view! {
            <h1>{tr("learn.title")}</h1>
            <MyCourses/>
            <crate::pages::trainee::quiz::MyQuizzes/>
        }/>
    }
}

#[component]
pub fn CourseOutlinePage() -> impl IntoView {
    view! { <RequireRole view=outline/> }
}

fn outline(_me: Me) -> impl IntoView {
    let id = param("id");
    let query = use_query_map();
    let finished = move || query.read().get("finished").is_some();
    let course = Resource::new(|| (), move |_| get_course_outline(id));
    view! {
        <p><a href="/learn">{tr("learn.back")}</a></p>
        <Show when=finished>
            <p class="alert ok" role="status">{tr("learn.finished")}</p>
        </Show>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match course.await {
                    Err(e) => load_failed(e),
                    Ok(c) => view! {
                        <h1>{shown(&c.title)}</h1>
                        <p>{c.summary}</p>
                        {progress(c.done, c.total)}
                        {c.next_lesson_id.map(|l| view! {
                            <p><a class="button primary" href=format!("/learn/lesson/{l}")>
                                {tr(if c.done == 0 { "learn.start" } else { "learn.resume" })}
                            </a></p>
                        })}
                        {c.modules.into_iter().map(|m| view! {
                            <section class="card">
                                <h2>{shown(&m.title)}</h2>
                                <ol class="lessons">
                                    {m.lessons.into_iter().map(|l| {
                                        let mark = if l.done { "✓ " } else { "" };
                                        if l.open {
                                            view! { <li class:done=l.done>{mark}<a href=format!("/learn/lesson/{}", l.id)>{shown(&l.title)}</a></li> }.into_any()
                                        } else {
                                            view! { <li class="locked">{shown(&l.title)}" · "{tr("learn.locked")}</li> }.into_any()
                                        }
                                    }).collect_view()}
                                </ol>
                            </section>
                        }).collect_view()}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn LessonPage() -> impl IntoView {
    view! { <RequireRole view=lesson/> }
}

fn lesson(_me: Me) -> impl IntoView {
    let complete = ServerAction::<CompleteLesson>::new();
    let id = Memo::new(move |_| use_params_map().read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let lesson = Resource::new(move || id.get(), get_lesson);
    view! {
        <ErrorNote error=action_error(complete.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match lesson.await {
                    Err(e) => load_failed(e),
                    Ok(l) => view! {
                        <p><a href=format!("/learn/{}", l.course_id)>{shown(&l.course_title)}</a>
                           " · "{tr_with("learn.lesson_n", &[("n", l.number.to_string()), ("total", l.total.to_string())])}</p>
                        <article class="card lesson">
                            <h1>{shown(&l.title)}</h1>
                            // Rendered from Markdown and sanitized (ammonia) on the server.
                            <div class="lesson-body" inner_html=l.html.clone()></div>
                        </article>
                        <div class="row">
                            {l.prev_id.map(|p| view! { <a href=format!("/learn/lesson/{p}")>{tr("learn.previous")}</a> })}
                            <ActionForm action=complete>
                                <input type="hidden" name="course_id" value=l.course_id/>
                                <input type="hidden" name="lesson_id" value=l.id/>
                                <button type="submit" class="primary">
                                    {tr(if l.done { "learn.next" } else { "learn.complete" })}
                                </button>
                            </ActionForm>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
