//! A post-test's gain over its pre-test: matched pairs only, Hake's <g>, the mean individual
//! gain and Marx & Cummings' c; by team, hire month, training plan and instructor; per person and
//! per question.

use leptos::prelude::*;

use crate::i18n::{shown, tr, tr_with};
use crate::model::analytics::{GainLine, GainReport, GainSummary};

fn score(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1} %")).unwrap_or_else(|| "—".into())
}

fn fraction(v: Option<f64>) -> String {
    v.map(|x| format!("{x:+.2}")).unwrap_or_else(|| "—".into())
}

#[component]
fn Figures(s: GainSummary) -> impl IntoView {
    let figure = |key: &'static str, value: String| view! { <div><dt>{tr(key)}</dt><dd>{value}</dd></div> };
    view! {
        <dl class="figures">
            {figure("gain.pairs", s.pairs.to_string())}
            {figure("gain.mean_pre", score(s.mean_pre))}
            {figure("gain.mean_post", score(s.mean_post))}
            {figure("gain.class_gain", fraction(s.class_gain))}
            {figure("gain.mean_gain", format!("{} ({})", fraction(s.mean_gain), tr_with("gain.of", &[("n", s.gain_pairs.to_string())])))}
            {figure("gain.mean_change", format!("{} ({})", fraction(s.mean_change), tr_with("gain.of", &[("n", s.change_pairs.to_string())])))}
        </dl>
    }
    .into_any()
}

#[component]
fn Lines(title: String, lines: Vec<GainLine>) -> impl IntoView {
    (!lines.is_empty()).then(|| view! {
        <h3>{title}</h3>
        <table class="list">
            <thead><tr>
                <th scope="col"></th><th scope="col">{tr("gain.pairs")}</th><th scope="col">{tr("gain.mean_pre")}</th>
                <th scope="col">{tr("gain.mean_post")}</th><th scope="col">{tr("gain.class_gain")}</th><th scope="col">{tr("gain.mean_change")}</th>
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|l| view! {
                    <tr>
                        <td>{if l.label.zh.is_empty() && l.label.en.is_empty() { tr("report.unknown") } else { shown(&l.label) }}</td>
                        <td class="num" data-label=tr("gain.pairs")>{l.summary.pairs}</td>
                        <td class="num" data-label=tr("gain.mean_pre")>{score(l.summary.mean_pre)}</td>
                        <td class="num" data-label=tr("gain.mean_post")>{score(l.summary.mean_post)}</td>
                        <td class="num" data-label=tr("gain.class_gain")>{fraction(l.summary.class_gain)}</td>
                        <td class="num" data-label=tr("gain.mean_change")>{fraction(l.summary.mean_change)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    })
}

#[component]
pub fn GainSection(g: GainReport) -> impl IntoView {
    // Erased: the section's full type is deeper than the compiler's query limit.
    view! {
        <section class="card gains">
            <h2>{tr_with("gain.title", &[("pre", shown(&g.pre_test))])}</h2>
            <p class="hint">{tr_with("gain.matched", &[
                ("n", g.summary.pairs.to_string()), ("pre_only", g.pre_only.to_string()), ("post_only", g.post_only.to_string()),
            ])}</p>
            <Figures s=g.summary/>
            <p class="hint">{tr("gain.help")}</p>
            <div class="columns">
                <div><Lines title=tr("gain.by_team") lines=g.by_team.clone()/></div>
                <div><Lines title=tr("gain.by_hire_month") lines=g.by_hire_month.clone()/></div>
                <div><Lines title=tr("gain.by_plan") lines=g.by_plan.clone()/></div>
                <div><Lines title=tr("gain.by_instructor") lines=g.by_instructor.clone()/></div>
            </div>
            {(!g.questions.is_empty()).then(|| view! {
                <h3>{tr("gain.per_question")}</h3>
                <table class="list gain-questions">
                    <thead><tr>
                        <th scope="col">{tr("stats.question")}</th><th scope="col">{tr("gain.pairs")}</th>
                        <th scope="col">{tr("gain.right_before")}</th><th scope="col">{tr("gain.right_after")}</th>
                        <th scope="col">{tr("gain.wrong_to_right")}</th><th scope="col">{tr("gain.right_to_wrong")}</th>
                    </tr></thead>
                    <tbody>
                        {g.questions.iter().map(|q| view! {
                            <tr>
                                <td>{q.question.clone()}</td>
                                <td class="num" data-label=tr("gain.pairs")>{q.pairs}</td>
                                <td class="num" data-label=tr("gain.right_before")>{format!("{:.0} %", q.right_before)}</td>
                                <td class="num" data-label=tr("gain.right_after")>{format!("{:.0} %", q.right_after)}</td>
                                <td class="num" data-label=tr("gain.wrong_to_right")>{q.wrong_to_right}</td>
                                <td class="num" data-label=tr("gain.right_to_wrong")>{q.right_to_wrong}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <h3>{tr("gain.people")}</h3>
            <table class="list gain-people">
                <thead><tr>
                    <th scope="col">{tr("field.display_name")}</th><th scope="col">{tr("field.employee_no")}</th>
                    <th scope="col">{tr("quiz.kind.pre_test")}</th><th scope="col">{tr("quiz.kind.post_test")}</th>
                    <th scope="col">{tr("gain.change")}</th>
                </tr></thead>
                <tbody>
                    {g.people.iter().map(|p| view! {
                        <tr>
                            <td>{p.display_name.clone()}</td>
                            <td data-label=tr("field.employee_no")>{p.employee_no.clone()}</td>
                            <td class="num" data-label=tr("quiz.kind.pre_test")>{score(p.pre)}</td>
                            <td class="num" data-label=tr("quiz.kind.post_test")>{score(p.post)}</td>
                            <td class="num gain" data-label=tr("gain.change")>{fraction(p.change)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
