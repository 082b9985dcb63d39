//! A quiz's statistics, as Moodle's report gives them: the test as a whole, each slot's facility,
//! weights and discrimination with warnings on weak items, and how often each option was picked.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::analytics::get_quiz_statistics;
use crate::components::error_note::load_failed;
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr, tr_with};
use crate::model::analytics::{Picked, SlotSummary, StatsAttempts, TestSummary};
use crate::model::user::{Me, Role};
use crate::pages::param;

#[component]
pub fn QuizStatisticsPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=statistics/> }
}

/// A figure with `d` decimals, or a dash where it cannot be computed (too few attempts).
fn num(v: Option<f64>, d: usize) -> String {
    v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "—".into())
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2} %")).unwrap_or_else(|| "—".into())
}

fn statistics(_me: Me) -> impl IntoView {
    let id = param("id");
    let url = use_query_map();
    let attempts = move || url.read().get("attempts").unwrap_or_default();
    let data = Resource::new(attempts, move |a| get_quiz_statistics(id, a));
    view! {
        <p>
            <a href=format!("/trainer/quizzes/{id}")>{tr("quiz.back_editor")}</a>" · "
            <a href=format!("/trainer/quizzes/{id}/results")>{tr("quiz.results")}</a>
        </p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let s = match data.await { Ok(s) => s, Err(e) => return load_failed(e) };
                let which = s.which.as_str();
                let options = StatsAttempts::ALL.into_iter().map(|w| view! {
                    <option value=w.as_str() selected=w == s.which>{tr(&format!("stats.which.{}", w.as_str()))}</option>
                }).collect_view();
                let download = |ext: &str| format!("/trainer/quizzes/{id}/grades.{ext}?attempts={which}");
                view! {
                    <h1>{shown(&s.title)}" · "{tr("stats.title")}</h1>
                    <form method="get" class="filters card">
                        <label>{tr("stats.which_label")}<select name="attempts">{options}</select></label>
                        <button type="submit">{tr("stats.show")}</button>
                        <p class="hint">{tr_with("stats.counted", &[
                            ("n", s.test.attempts.to_string()), ("graded", s.graded.to_string()), ("people", s.people.to_string()),
                        ])}</p>
                    </form>
                    {if s.test.attempts == 0 {
                        view! { <p class="empty">{tr("stats.none")}</p> }.into_any()
                    } else {
                        view! {
                            <TestFigures t=s.test.clone()/>
                            <p class="downloads">
                                {tr("stats.grades_download")}": "
                                <a href=download("csv") rel="external" download>"CSV"</a>" · "
                                <a href=download("xlsx") rel="external" download>"XLSX"</a>
                            </p>
                            <SlotTable slots=s.slots.clone()/>
                            <Distractors slots=s.slots/>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn TestFigures(t: TestSummary) -> impl IntoView {
    let figure = |key: &'static str, value: String| {
        view! {
            <div><dt>{tr(key)}</dt><dd>{value}</dd></div>
        }
    };
    view! {
        <section class="card">
            <h2>{tr("stats.test")}</h2>
            <dl class="figures">
                {figure("stats.attempts", t.attempts.to_string())}
                {figure("stats.mean", pct(t.mean))}
                {figure("stats.median", pct(t.median))}
                {figure("stats.sd", pct(t.sd))}
                {figure("stats.skewness", num(t.skewness, 4))}
                {figure("stats.kurtosis", num(t.kurtosis, 4))}
                {figure("stats.cic", pct(t.cic))}
                {figure("stats.error_ratio", pct(t.error_ratio))}
                {figure("stats.standard_error", pct(t.standard_error))}
            </dl>
            <p class="hint">{tr("stats.test_help")}</p>
        </section>
    }
}

/// The question a slot asks, or that it drew one of several.
fn slot_title(s: &SlotSummary) -> String {
    if s.variants > 1 {
        tr_with("stats.random_slot", &[("n", s.variants.to_string())])
    } else {
        s.question.clone()
    }
}

#[component]
fn SlotTable(slots: Vec<SlotSummary>) -> impl IntoView {
    let heads = [
        "stats.slot",
        "stats.question",
        "stats.kind",
        "stats.attempts",
        "stats.facility",
        "stats.sd",
        "stats.random_guess",
        "stats.intended_weight",
        "stats.effective_weight",
        "stats.discrimination",
        "stats.efficiency",
        "stats.warnings",
    ];
    let labels: Vec<String> = heads.iter().map(|k| tr(k)).collect();
    let rows = slots.into_iter().map(|s| {
        let l = labels.clone();
        let warnings: Vec<String> = [
            (s.flags.facility, "stats.warn_facility"),
            (s.flags.weak, "stats.warn_weak"),
            (s.flags.negative, "stats.warn_negative"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, k)| tr(k))
        .collect();
        let question = slot_title(&s);
        view! {
            <tr class:flagged=s.flags.any()>
                <td data-label=l[0].clone()>{s.slot}</td>
                <td data-label=l[1].clone() class="question">{question}</td>
                <td data-label=l[2].clone()>{s.kind.map(|k| tr(&format!("question.kind.{}", k.as_str()))).unwrap_or_default()}</td>
                <td data-label=l[3].clone()>{s.attempts}</td>
                <td data-label=l[4].clone()>{pct(Some(s.facility))}</td>
                <td data-label=l[5].clone()>{pct(s.sd)}</td>
                <td data-label=l[6].clone()>{pct(s.random_guess)}</td>
                <td data-label=l[7].clone()>{pct(Some(s.intended_weight))}</td>
                <td data-label=l[8].clone()>{pct(s.effective_weight)}</td>
                <td data-label=l[9].clone()>{num(s.discrimination, 2)}</td>
                <td data-label=l[10].clone()>{num(s.efficiency, 2)}</td>
                <td data-label=l[11].clone() class="warnings">
                    {(!warnings.is_empty()).then(|| view! { <span class="badge warn">"⚠ "{warnings.join(" · ")}</span> })}
                </td>
            </tr>
        }
    }).collect_view();
    view! {
        <section class="card wide">
            <h2>{tr("stats.slots")}</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label=tr("stats.slots")>
                <table class="list stats">
                    <thead><tr>{labels.clone().into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="hint">{tr("stats.slots_help")}</p>
        </section>
    }
}

/// Per choice question, each option's share of the attempts shown it, as a bar and a number.
#[component]
fn Distractors(slots: Vec<SlotSummary>) -> impl IntoView {
    let blocks = slots.into_iter().filter(|s| !s.options.is_empty()).map(|s| {
        let rows = s.options.iter().map(|o| {
            let text = match &o.option {
                Picked::Text(t) => t.clone(),
                Picked::True => tr("stats.true"),
                Picked::False => tr("stats.false"),
                Picked::NoAnswer => tr("stats.no_answer"),
            };
            let prefix = if o.question.is_empty() { String::new() } else { format!("{} · ", o.question) };
            view! {
                <tr class:correct=o.correct>
                    <td>{prefix}{text}{o.correct.then(|| view! { " "<span class="badge ok">{tr("stats.correct")}</span> })}</td>
                    <td class="num">{o.picks}</td>
                    <td class="bar-cell">
                        // A progress bar, not a styled span: the CSP allows no inline style.
                        <progress class="share" max="100" value=format!("{:.1}", o.share.clamp(0.0, 100.0)) aria-hidden="true"></progress>
                        <span class="num">{format!("{:.1} %", o.share)}</span>
                    </td>
                </tr>
            }
        }).collect_view();
        view! {
            <details class="distractor">
                <summary>{tr_with("stats.slot_n", &[("n", s.slot.to_string())])}" · "{slot_title(&s)}</summary>
                <table class="list options">
                    <thead><tr><th scope="col">{tr("stats.option")}</th><th scope="col">{tr("stats.picks")}</th><th scope="col">{tr("stats.share")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        }
    }).collect_view();
    view! {
        <section class="card">
            <h2>{tr("stats.distractors")}</h2>
            <p class="hint">{tr("stats.distractors_help")}</p>
            {blocks}
        </section>
    }
}
