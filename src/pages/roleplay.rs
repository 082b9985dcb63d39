//! Role-plays as each person sees them: the list (trainers all, managers their teams', trainees
//! their own) and one role-play's page, whose content follows `RoleplayView::viewer`.

use leptos::prelude::*;

use crate::api::roleplay::*;
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{join_list, shown, tr, tr_with};
use crate::model::roleplay::{CriterionView, RatingView, RoleplayView, Status, Viewer};
use crate::model::user::{Me, Role};
use crate::pages::{done_note, param, percent, succeeded};

#[component]
pub fn RoleplaysPage() -> impl IntoView {
    view! { <RequireRole view=roleplays/> }
}

fn roleplays(me: Me) -> impl IntoView {
    let list = Resource::new(|| (), |_| list_roleplays());
    let author = me.has(Role::Trainer) || me.has(Role::Admin);
    view! {
        <h1>{tr("nav.roleplays")}</h1>
        {author.then(crate::pages::trainer::roleplay::subnav)}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await {
                    Err(e) => return load_failed(e),
                    Ok(l) => l,
                };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("roleplay.none")}</p> }.into_any();
                }
                view! {
                    <table class="list roleplays">
                        <thead><tr>
                            <th>{tr("field.title")}</th><th>{tr("roleplay.trainee")}</th><th>{tr("roleplay.mode_label")}</th>
                            <th>{tr("field.status")}</th><th>{tr("roleplay.ratings")}</th><th>{tr("roleplay.result")}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().map(|r| view! {
                            <tr>
                                <td><a href=format!("/roleplay/{}", r.id)>{shown(&r.title)}</a></td>
                                <td>{format!("{} ({})", r.trainee, r.employee_no)}</td>
                                <td>{tr(r.mode.label_key())}</td>
                                <td>{tr(r.status.label_key())}</td>
                                <td>{format!("{}/{}", r.ratings_in, r.raters_required)}</td>
                                <td>{match r.passed {
                                    Some(p) => format!("{} {}", percent(r.percent), tr(if p { "quiz.passed" } else { "quiz.failed" })),
                                    None => "—".to_string(),
                                }}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn RoleplayPage() -> impl IntoView {
    view! { <RequireRole view=roleplay/> }
}

/// The forms a role-play page may show. They live with the page so that the page reloads the
/// role-play after each of them (the redirect stays on the same route).
#[derive(Clone, Copy)]
struct Forms {
    rate: ServerAction<RateRoleplay>,
    assess: ServerAction<SelfAssessRoleplay>,
    reply: ServerAction<ReplyRoleplay>,
}

fn roleplay(_me: Me) -> impl IntoView {
    let id = param("id");
    let forms = Forms { rate: ServerAction::new(), assess: ServerAction::new(), reply: ServerAction::new() };
    let changes = move || forms.rate.version().get() + forms.assess.version().get() + forms.reply.version().get();
    let res = Resource::new(changes, move |_| get_roleplay(id));
    view! {
        <p><a href="/roleplays">{tr("roleplay.back")}</a></p>
        {done_note("rated", succeeded(forms.rate), "roleplay.rating_saved")}
        <ErrorNote error=action_error(forms.rate.value())/>
        <ErrorNote error=action_error(forms.assess.value())/>
        <ErrorNote error=action_error(forms.reply.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match res.await {
                    Err(e) => load_failed(e),
                    Ok(r) => roleplay_view(r, forms).into_any(),
                }
            })}
        </Transition>
    }
}

fn roleplay_view(r: RoleplayView, forms: Forms) -> impl IntoView {
    let facts = |label: &'static str, text: String| {
        (!text.is_empty()).then(|| view! { <dt>{tr(label)}</dt><dd class="pre">{text}</dd> })
    };
    let status_line = tr_with(
        "roleplay.status_line",
        &[
            ("status", tr(r.status.label_key())),
            ("in", r.ratings_in.to_string()),
            ("of", r.raters_required.to_string()),
        ],
    );
    let transcript = (!r.customer_turns.is_empty() && !r.replies.is_empty()).then(|| {
        let turns = r.customer_turns.clone();
        let replies = r.replies.clone();
        view! {
            <section class="card transcript">
                <h2>{tr("roleplay.transcript")}</h2>
                <ol>{turns.into_iter().zip(replies).map(|(t, a)| view! {
                    <li><p class="customer">{t}</p><p class="reply">{a}</p></li>
                }).collect_view()}</ol>
            </section>
        }
    });
    let result = r.result.clone().map(|res| {
        let verdict = if res.passed { "quiz.passed" } else { "quiz.failed" };
        view! {
            <section class="card result">
                <h2>{tr("roleplay.result")}</h2>
                <p class=if res.passed { "alert ok verdict" } else { "alert error verdict" }>
                    {format!("{} {}", tr(verdict), percent(Some(res.percent)))}
                </p>
                {(!res.critical_failed.is_empty()).then(|| view! {
                    <p class="alert error">{tr_with("roleplay.critical_failed", &[("names", join_list(res.critical_failed.iter().map(shown)))])}</p>
                })}
            </section>
        }
    });
    let gap = gap_table(&r);
    let ratings = (!r.ratings.is_empty()).then(|| {
        let criteria = r.criteria.clone();
        view! {
            <section class="card">
                <h2>{tr("roleplay.ratings")}</h2>
                {r.ratings.clone().into_iter().map(|g| rating_block(&criteria, g)).collect_view()}
            </section>
        }
    });
    let own_self = (r.viewer == Viewer::Trainee && r.result.is_none())
        .then(|| {
            r.self_rating.clone().map(|g| view! {
            <section class="card"><h2>{tr("roleplay.self_assessment")}</h2>{rating_block(&r.criteria, g)}</section>
        })
        })
        .flatten();
    let reply = r.can_reply.then(|| reply_form(forms.reply, r.id, r.customer_turns.clone()));
    let rate = r.can_rate.then(|| score_form(forms, r.id, r.criteria.clone(), false));
    let assess = r.can_self_assess.then(|| score_form(forms, r.id, r.criteria.clone(), true));
    let waiting = (r.viewer == Viewer::Rater && !r.can_rate && r.status == Status::Open)
        .then(|| view! { <p class="alert">{tr("roleplay.waiting_other")}</p> });
    view! {
        <h1>{shown(&r.title)}</h1>
        <p class="hint">
            {format!("{} ({}) · {} · {} · ", r.trainee, r.employee_no, tr(r.channel.label_key()), tr(r.mode.label_key()))}
            {tr_with("roleplay.minutes", &[("n", r.time_box_minutes.to_string())])}
            " · "{status_line}
        </p>
        {result}
        <section class="card scenario">
            <dl>
                {facts("roleplay.product", r.product.clone())}
                {facts("roleplay.situation", r.situation.clone())}
                {facts("roleplay.persona", r.persona.clone())}
                {facts("roleplay.mood", r.mood.clone())}
                {facts("roleplay.objective", r.objective.clone())}
                {r.cues.clone().and_then(|c| facts("roleplay.cues", c))}
                {r.facts.clone().and_then(|f| facts("roleplay.facts", f))}
            </dl>
            {r.pass_percent.map(|p| view! {
                <p class="hint">{tr_with("roleplay.pass_rule", &[
                    ("pass", p.to_string()),
                    ("rule", r.rule.map(|x| tr(x.label_key())).unwrap_or_default()),
                ])}</p>
            })}
        </section>
        {transcript}
        {reply}
        {waiting}
        {rate}
        {assess}
        {own_self}
        {gap}
        {ratings}
    }
}

/// One rating: level and comment per criterion.
fn rating_block(criteria: &[CriterionView], g: RatingView) -> impl IntoView {
    let who = if g.is_self { tr("roleplay.self_assessment") } else { g.rater.clone() };
    let rows = criteria
        .iter()
        .zip(g.levels.iter().zip(g.comments.iter().chain(std::iter::repeat(&String::new()))))
        .map(|(c, (level, comment))| {
            let descriptor = c.levels.get(usize::from(*level)).cloned().unwrap_or_default();
            view! {
                <tr>
                    <td>{shown(&c.name)}</td>
                    <td>{format!("{level} / {}", c.levels.len().saturating_sub(1))}</td>
                    <td>{descriptor}</td>
                    <td>{comment.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="rating">
            <h3>{match g.percent {
                Some(p) => format!("{who} · {}", percent(Some(p))),
                None => who.to_string(),
            }}</h3>
            <table class="list">
                <thead><tr>
                    <th>{tr("roleplay.criterion")}</th><th>{tr("roleplay.level")}</th>
                    <th>{tr("roleplay.descriptor")}</th><th>{tr("roleplay.comment")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {(!g.overall.is_empty()).then(|| view! { <p class="hint">{g.overall.clone()}</p> })}
        </div>
    }
}

/// The trainee's view of their own assessment against the final levels, once final.
fn gap_table(r: &RoleplayView) -> Option<impl IntoView> {
    let (result, own) = (r.result.as_ref()?, r.self_rating.as_ref()?);
    let rows = r
        .criteria
        .iter()
        .zip(own.levels.iter().zip(&result.levels))
        .map(|(c, (mine, theirs))| {
            let gap = f64::from(*mine) - theirs;
            let class = if gap > 0.25 {
                "over"
            } else if gap < -0.25 {
                "under"
            } else {
                "match"
            };
            view! {
                <tr class=class>
                    <td>{shown(&c.name)}</td>
                    <td>{*mine}</td>
                    <td>{format!("{theirs:.1}")}</td>
                    <td>{format!("{gap:+.1}")}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <section class="card gap">
            <h2>{tr("roleplay.gap")}</h2>
            <p class="hint">{tr("roleplay.gap_help")}</p>
            <table class="list">
                <thead><tr>
                    <th>{tr("roleplay.criterion")}</th><th>{tr("roleplay.self_assessment")}</th>
                    <th>{tr("roleplay.trainer_score")}</th><th>{tr("roleplay.difference")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    })
}

/// The rubric as a form: one radio group per criterion (levels with descriptors, best last) and a
/// comment. Used by raters and, for the self-assessment, by the trainee.
fn score_form(forms: Forms, id: i64, criteria: Vec<CriterionView>, self_assessment: bool) -> impl IntoView {
    let rows = criteria
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let name = format!("scores[{i}][level]");
            let flag = c.critical.unwrap_or(false).then(|| {
                view! { <span class="badge warn">{tr_with("roleplay.critical_min", &[("n", c.pass_level.unwrap_or(0).to_string())])}</span> }
            });
            let weight = c.weight.map(|w| view! { <span class="hint">{tr_with("roleplay.weight_n", &[("n", w.to_string())])}</span> });
            let levels = c
                .levels
                .into_iter()
                .enumerate()
                .map(|(level, text)| {
                    let name = name.clone();
                    view! {
                        <label class="level">
                            <input type="radio" name=name value=level required/>
                            <strong>{level}</strong>" "{text}
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="criterion">
                    <legend>{shown(&c.name)}" "{flag}" "{weight}</legend>
                    <div class="levels">{levels}</div>
                    <label>{tr("roleplay.comment")}<TextArea {..} name=format!("scores[{i}][comment]") rows="2" maxlength="2000"/></label>
                </fieldset>
            }
        })
        .collect_view();
    let body = view! {
        <input type="hidden" name="id" value=id/>
        {rows}
        <label>{tr("roleplay.overall")}<TextArea {..} name="overall" rows="3" maxlength="4000"/></label>
    };
    if self_assessment {
        let action = forms.assess;
        view! {
            <section class="card score">
                <h2>{tr("roleplay.self_assessment")}</h2>
                <p class="hint">{tr("roleplay.self_help")}</p>
                <ActionForm action=action attr:class="stack">
                    {body}
                    <button type="submit" class="primary">{tr("roleplay.submit_self")}</button>
                </ActionForm>
            </section>
        }
        .into_any()
    } else {
        let action = forms.rate;
        view! {
            <section class="card score">
                <h2>{tr("roleplay.your_rating")}</h2>
                <p class="hint">{tr("roleplay.blind_help")}</p>
                <ActionForm action=action attr:class="stack">
                    {body}
                    <button type="submit" class="primary">{tr("roleplay.submit_rating")}</button>
                </ActionForm>
            </section>
        }
        .into_any()
    }
}

/// Written mode: one reply per customer turn.
fn reply_form(action: ServerAction<ReplyRoleplay>, id: i64, turns: Vec<String>) -> impl IntoView {
    let rows = turns
        .into_iter()
        .enumerate()
        .map(|(i, t)| view! {
            <li>
                <p class="customer">{t}</p>
                <label>{tr("roleplay.your_reply")}<TextArea {..} name=format!("replies[{i}]") rows="3" required=true maxlength="2000"/></label>
            </li>
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{tr("roleplay.written")}</h2>
            <p class="hint">{tr("roleplay.written_help")}</p>
            <ActionForm action=action attr:class="stack">
                <input type="hidden" name="id" value=id/>
                <ol class="turns">{rows}</ol>
                <button type="submit" class="primary">{tr("roleplay.send_replies")}</button>
            </ActionForm>
        </section>
    }
}
