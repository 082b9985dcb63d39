//! The cleared-for-floor status as people see it: the trainee's path (a checklist on the home
//! page), a person's certification page with evidence, history and manual decisions, the
//! printable certificate, its public verification page, the manager's floor roster and the
//! notices of approaching expiry.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::cert::*;
use crate::components::error_note::{action_error, error_text, ErrorNote};
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{tr, tr_with};
use crate::model::cert::{CertStatus, Check, Decision, PersonStatus, Phase, StatusView};
use crate::model::user::{Me, Role};
use crate::pages::{done_note, param, succeeded};

/// A date for people (UTC, like every time in the app).
pub fn day(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn badge(status: CertStatus) -> impl IntoView {
    let class = match status {
        CertStatus::Certified => "badge status-ok",
        CertStatus::Expiring => "badge status-warn",
        CertStatus::Expired | CertStatus::Suspended | CertStatus::Revoked => "badge status-bad",
        CertStatus::NotStarted | CertStatus::InTraining => "badge",
    };
    view! { <span class=class>{tr(status.label_key())}</span> }
}

fn check_item(c: Check) -> impl IntoView {
    let args: Vec<(&str, String)> = c.detail_args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let detail = tr_with(&c.detail_key, &args);
    let title = c.title.clone();
    view! {
        <li class=if c.met { "check met" } else { "check missing" }>
            <span class="mark" aria-hidden="true">{if c.met { "✓" } else { "○" }}</span>
            <span class="kind">{tr(c.kind.label_key())}</span>" "
            {match c.link { Some(href) => view! { <a href=href>{title}</a> }.into_any(), None => view! { <span>{title}</span> }.into_any() }}
            <span class="hint">" — "{detail}</span>
            <span class="sr-only">{tr(if c.met { "cert.met" } else { "cert.missing" })}</span>
        </li>
    }
}

/// One program: status, certificate, and the checklist of what is met and missing.
fn program_card(v: StatusView) -> impl IntoView {
    let total = v.checks.len();
    let met = v.met();
    let cert = v.certificate.clone();
    view! {
        <section class="card program">
            <h3>{v.program.clone()}" "{badge(v.status)}</h3>
            <p class="hint">{format!("{} · {}", v.position, v.level)}</p>
            {(!v.hold_reason.is_empty()).then(|| view! { <p class="alert error">{tr_with("cert.hold_reason", &[("reason", v.hold_reason.clone())])}</p> })}
            {cert.map(|c| view! {
                <p>
                    {tr_with(if v.status.cleared() { "cert.valid_until" } else { "cert.last_certificate" }, &[("date", day(c.expires_at))])}" · "
                    <a href=format!("/certificates/{}", c.number)>{tr("cert.view_certificate")}</a>
                    {c.exempted.then(|| view! { " · "<span class="badge">{tr("cert.exempted")}</span> })}
                </p>
            })}
            {v.window_opens_at.map(|w| view! { <p class="hint">{tr_with("cert.window_opens", &[("date", day(w))])}</p> })}
            {v.prerequisite.clone().map(|(name, ok)| view! {
                <p class=if ok { "check met" } else { "check missing" }>
                    {tr_with(if ok { "cert.prerequisite_met" } else { "cert.prerequisite_missing" }, &[("name", name)])}
                </p>
            })}
            <p class="progress">
                <progress max=total.max(1) value=met></progress>
                {tr_with(if v.phase == Phase::Recert { "cert.progress_recert" } else { "cert.progress" },
                    &[("met", met.to_string()), ("total", total.to_string())])}
            </p>
            <ul class="checklist">{v.checks.into_iter().map(check_item).collect_view()}</ul>
        </section>
    }
}

/// The trainee's path to the floor, on the home page.
#[component]
pub fn MyPath() -> impl IntoView {
    let data = Resource::new(|| (), |_| my_certification());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(p) = data.await else { return ().into_any() };
                if p.programs.is_empty() {
                    return ().into_any();
                }
                let cleared: Vec<String> = p.programs.iter().filter(|v| v.status.cleared()).map(|v| v.program.clone()).collect();
                view! {
                    <section class="path">
                        <h2>{tr("cert.my_path")}</h2>
                        {if cleared.is_empty() {
                            view! { <p class="alert">{tr("cert.not_cleared_yet")}</p> }.into_any()
                        } else {
                            view! { <p class="alert ok">{tr_with("cert.cleared_for", &[("programs", cleared.join(", "))])}</p> }.into_any()
                        }}
                        <div class="grid">{p.programs.into_iter().map(program_card).collect_view()}</div>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn PersonCertificationPage() -> impl IntoView {
    view! { <RequireRole view=person/> }
}

fn person(_me: Me) -> impl IntoView {
    let id = param("id");
    let decide = ServerAction::<DecideCertification>::new();
    let data = Resource::new(move || decide.version().get(), move |_| person_certification(id));
    view! {
        {done_note("decided", succeeded(decide), "cert.decided")}
        <ErrorNote error=action_error(decide.value())/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="alert error">{error_text(&e)}</p> }.into_any(),
                    Ok(p) => person_view(p, decide).into_any(),
                }
            })}
        </Suspense>
    }
}

fn person_view(p: PersonStatus, decide: ServerAction<DecideCertification>) -> impl IntoView {
    let decisions = p.can_decide.then(|| {
        let programs = p.programs.iter().map(|v| view! { <option value=v.program_id>{v.program.clone()}</option> }).collect_view();
        view! {
            <section class="card">
                <h2>{tr("cert.decision_title")}</h2>
                <p class="hint">{tr("cert.decision_help")}</p>
                <ActionForm action=decide attr:class="stack">
                    <input type="hidden" name="user_id" value=p.user_id/>
                    <label>{tr("cert.program")}<select name="program_id">{programs}</select></label>
                    <label>{tr("cert.decision_label")}
                        <select name="decision">
                            {Decision::ALL.iter().map(|d| view! { <option value=d.as_str()>{tr(d.label_key())}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{tr("cert.reason")}<TextArea {..} name="reason" rows="3" required=true minlength="3" maxlength="1000"/></label>
                    <button type="submit" class="primary">{tr("cert.record_decision")}</button>
                </ActionForm>
            </section>
        }
    });
    let history = p
        .history
        .into_iter()
        .map(|e| view! {
            <tr>
                <td>{day(e.at)}</td>
                <td>{e.program}</td>
                <td>{e.before.map(|b| tr(b.label_key())).unwrap_or_else(|| "—".into())}" → "{tr(e.after.label_key())}</td>
                <td>{e.actor.unwrap_or_else(|| tr("cert.automatic"))}</td>
                <td>{e.why}</td>
            </tr>
        })
        .collect_view();
    view! {
        <h1>{p.display_name.clone()}</h1>
        <p class="hint">{format!("{} · {} · {}", p.employee_no, p.position, p.team)}</p>
        {if p.programs.is_empty() {
            view! { <p class="empty">{tr("cert.no_programs")}</p> }.into_any()
        } else {
            view! { <div class="grid">{p.programs.into_iter().map(program_card).collect_view()}</div> }.into_any()
        }}
        {decisions}
        <section class="card">
            <h2>{tr("cert.history")}</h2>
            <table class="list">
                <thead><tr>
                    <th>{tr("cert.when")}</th><th>{tr("cert.program")}</th><th>{tr("field.status")}</th>
                    <th>{tr("cert.by")}</th><th>{tr("cert.why")}</th>
                </tr></thead>
                <tbody>{history}</tbody>
            </table>
        </section>
    }
}

fn number_param() -> String {
    use_params_map().read_untracked().get("number").unwrap_or_default()
}

#[component]
pub fn CertificatePage() -> impl IntoView {
    view! { <RequireRole view=certificate/> }
}

fn certificate(_me: Me) -> impl IntoView {
    let number = number_param();
    let data = Resource::new(|| (), move |_| get_certificate(number.clone()));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let c = match data.await {
                    Err(e) => return view! { <p class="alert error">{error_text(&e)}</p> }.into_any(),
                    Ok(c) => c,
                };
                let valid = c.status.cleared();
                view! {
                    <p class="no-print hint">{tr("cert.print")}</p>
                    <article class="certificate" lang="zh-CN">
                        <h1>"上岗合格证书"<span lang="en">"Certificate of Qualification"</span></h1>
                        <p class="holder">{c.holder.clone()}</p>
                        <p class="statement">
                            {format!("工号 {} 已完成「{}」的培训与考核，取得{}岗位{}上岗资格。", c.employee_no, c.program, c.position, c.level_zh)}
                        </p>
                        <p class="statement" lang="en">
                            {format!("Employee {} has completed the training and assessment of “{}” and is qualified to work as {} ({}).", c.employee_no, c.program, c.position, c.level_en)}
                        </p>
                        <dl class="facts">
                            <dt>"证书编号 Number"</dt><dd class="number">{c.number.clone()}</dd>
                            <dt>"发证日期 Issued"</dt><dd>{day(c.issued_at)}</dd>
                            <dt>"有效期至 Valid until"</dt><dd>{day(c.expires_at)}</dd>
                            <dt>"当前状态 Status"</dt><dd class=if valid { "valid" } else { "invalid" }>{tr(c.status.label_key())}</dd>
                        </dl>
                        {c.exempted.then(|| view! { <p class="hint">"经批准免考 Granted by exemption"</p> })}
                        <figure class="qr">
                            <div inner_html=c.qr_svg.clone()></div>
                            <figcaption>"扫码验证 Scan to verify"<br/><a href=c.verify_path.clone()>{c.verify_path.clone()}</a></figcaption>
                        </figure>
                    </article>
                }.into_any()
            })}
        </Suspense>
    }
}

/// Public: no sign-in. Only what is needed to verify.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let number = number_param();
    let data = Resource::new(|| (), move |_| verify_certificate(number.clone()));
    view! {
        <section class="card narrow verify">
            <h1>{tr("cert.verify_title")}</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(_) => view! { <p class="alert error">{tr("cert.verify_unknown")}</p> }.into_any(),
                        Ok(v) => {
                            let valid = v.status.cleared();
                            view! {
                                <p class=if valid { "alert ok verdict" } else { "alert error verdict" }>
                                    {tr(if valid { "cert.verify_valid" } else { "cert.verify_invalid" })}
                                </p>
                                <dl>
                                    <dt>{tr("cert.number")}</dt><dd>{v.number}</dd>
                                    <dt>{tr("cert.holder")}</dt><dd>{v.holder}</dd>
                                    <dt>{tr("cert.program")}</dt><dd>{v.program}</dd>
                                    <dt>{tr("cert.validity")}</dt><dd>{format!("{} – {}", day(v.issued_at), day(v.expires_at))}</dd>
                                    <dt>{tr("field.status")}</dt><dd>{tr(v.status.label_key())}</dd>
                                </dl>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn RosterPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Manager, Role::Admin] view=roster/> }
}

fn roster(_me: Me) -> impl IntoView {
    let within = use_query_map().read_untracked().get("within").unwrap_or_default();
    let w = within.clone();
    let data = Resource::new(|| (), move |_| get_roster(w.clone()));
    let query = if within.is_empty() { String::new() } else { format!("?within={within}") };
    let filter = |days: &'static str, label: &'static str| {
        let current = within.clone();
        view! { <a href=format!("/team/roster?within={days}") aria-current=move || (current == days).then_some("page")>{tr(label)}</a> }
    };
    view! {
        <h1>{tr("cert.roster")}</h1>
        <p class="hint">{tr("cert.roster_help")}</p>
        <p class="subnav">
            <a href="/team/roster">{tr("cert.roster_all")}</a>" · "
            {filter("30", "cert.within_30")}" · "{filter("60", "cert.within_60")}" · "{filter("90", "cert.within_90")}
            " · "<a href=format!("/team/roster.csv{query}")>"CSV"</a>
            " · "<a href=format!("/team/roster.xlsx{query}")>"XLSX"</a>
        </p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let rows = match data.await {
                    Err(e) => return view! { <p class="alert error">{error_text(&e)}</p> }.into_any(),
                    Ok(r) => r,
                };
                if rows.is_empty() {
                    return view! { <p class="empty">{tr("cert.roster_empty")}</p> }.into_any();
                }
                let cleared = rows.iter().filter(|r| r.status.cleared()).count();
                view! {
                    <p>{tr_with("cert.roster_count", &[("cleared", cleared.to_string()), ("total", rows.len().to_string())])}</p>
                    <table class="list roster">
                        <thead><tr>
                            <th>{tr("field.display_name")}</th><th>{tr("field.team")}</th><th>{tr("cert.program")}</th>
                            <th>{tr("field.status")}</th><th>{tr("cert.cleared_today")}</th><th>{tr("cert.expires")}</th>
                            <th>{tr("cert.why_not")}</th>
                        </tr></thead>
                        <tbody>{rows.into_iter().map(|r| {
                            let cleared = r.status.cleared();
                            let why = if !r.hold_reason.is_empty() { r.hold_reason.clone() } else { r.missing.join(" · ") };
                            view! {
                                <tr class:not-cleared=!cleared>
                                    <td><a href=format!("/people/{}/certification", r.user_id)>{format!("{} ({})", r.display_name, r.employee_no)}</a></td>
                                    <td>{r.team}</td>
                                    <td>{format!("{} · {}", r.program, r.level)}</td>
                                    <td>{badge(r.status)}</td>
                                    <td>{tr(if cleared { "cert.answer_yes" } else { "cert.answer_no" })}</td>
                                    <td>{r.expires_at.map(day).unwrap_or_default()}</td>
                                    <td>{why}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! { <RequireRole view=notifications/> }
}

fn notifications(_me: Me) -> impl IntoView {
    let read = ServerAction::<MarkNotificationsRead>::new();
    let data = Resource::new(move || read.version().get(), |_| my_notifications());
    view! {
        <h1>{tr("cert.notifications")}</h1>
        <ActionForm action=read attr:class="inline"><button type="submit">{tr("cert.mark_read")}</button></ActionForm>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = data.await.unwrap_or_default();
                if list.is_empty() {
                    return view! { <p class="empty">{tr("cert.no_notifications")}</p> }.into_any();
                }
                view! {
                    <ul class="notices">{list.into_iter().map(|n| {
                        let key = if n.kind == "expired" { "cert.notice_expired" } else { "cert.notice_expiring" };
                        view! {
                            <li class:unread=!n.read>
                                <a href=n.link>{tr_with(key, &[("holder", n.holder), ("program", n.program), ("date", day(n.expires_at))])}</a>
                                <span class="hint">" · "{day(n.created_at)}</span>
                            </li>
                        }
                    }).collect_view()}</ul>
                }.into_any()
            })}
        </Suspense>
    }
}
