//! The cleared-for-floor status as people see it: the trainee's path (a checklist on the home
//! page), a person's certification page with evidence, history and manual decisions, the
//! printable certificate, its public verification page, the manager's floor roster and the
//! notices of approaching expiry.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::cert::*;
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{join_list, shown, tr, tr_with, use_locale, Locale};
use crate::model::analytics::{Digest, PeriodPass};
use crate::model::cert::{CertStatus, Check, Decision, PersonStatus, Phase, RosterPerson, RosterQuery, StatusView};
use crate::model::user::{Me, Role};
use crate::model::Names;
use crate::pages::{done_note, param, succeeded};

/// A date for people, on the viewer's clock.
pub fn day(t: i64) -> String {
    crate::i18n::use_zone().local(t).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

fn badge(status: CertStatus) -> impl IntoView {
    let class = match status {
        CertStatus::Certified => "badge status-ok",
        CertStatus::Expiring => "badge status-warn",
        CertStatus::Expired | CertStatus::Suspended | CertStatus::Revoked | CertStatus::Reassess => "badge status-bad",
        CertStatus::NotStarted | CertStatus::InTraining => "badge",
    };
    view! { <span class=class>{tr(status.label_key())}</span> }
}

/// A status change's cause in the reader's language. The audit log keeps one fixed phrase per
/// cause (it is part of the hash chain, so old entries keep theirs); unknown ones show as stored.
pub fn why_text(why: &str) -> String {
    if let Some(decision) = why.strip_prefix("manual: ") {
        let label = Decision::parse(decision).map(|d| tr(d.label_key())).unwrap_or_else(|| decision.to_string());
        return tr_with("cert.cause.manual", &[("decision", label)]);
    }
    let key = match why {
        "enrolled in a course" => "cert.cause.enrolled",
        "course completed" => "cert.cause.course_completed",
        "joined a training plan" => "cert.cause.joined_plan",
        "attendance marked" => "cert.cause.attendance",
        "quiz attempt graded" => "cert.cause.graded",
        "role-play result final" => "cert.cause.roleplay",
        "user changed" => "cert.cause.user_changed",
        "program changed" => "cert.cause.program_changed",
        "program requirements changed" => "cert.cause.requirements_changed",
        "scheduled check" => "cert.cause.scheduled",
        "before a manual decision" => "cert.cause.before_decision",
        "prerequisite changed" => "cert.cause.prerequisite",
        "follow-up completed" => "cert.cause.followup_completed",
        "follow-up failed" => "cert.cause.followup_failed",
        _ => return why.to_string(),
    };
    tr(key)
}

fn check_item(c: Check) -> impl IntoView {
    let args: Vec<(&str, String)> = c.detail_args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let detail = tr_with(&c.detail_key, &args);
    let title = shown(&c.title);
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
            <h3>{shown(&v.program)}" "{badge(v.status)}</h3>
            <p class="hint">{format!("{} · {}", shown(&v.position), shown(&v.level))}</p>
            {(!v.hold_reason.is_empty()).then(|| view! { <p class="alert error">{tr_with("cert.hold_reason", &[("reason", v.hold_reason.clone())])}</p> })}
            {cert.map(|c| view! {
                <p>
                    {tr_with(if v.status.cleared() { "cert.valid_until" } else { "cert.last_certificate" }, &[("date", day(c.expires_at))])}" · "
                    <a href=format!("/certificates/{}", c.number)>{tr("cert.view_certificate")}</a>
                    {c.exempted.then(|| view! { " · "<span class="badge">{tr("cert.exempted")}</span> })}
                </p>
            })}
            {v.window_opens_at.map(|w| view! { <p class="hint">{tr_with("cert.window_opens", &[("date", day(w))])}</p> })}
            {v.reassess.filter(|_| v.status == CertStatus::Reassess).map(|(followup, since)| view! {
                <p class="alert error">
                    {tr_with("cert.reassess_since", &[("date", day(since))])}" "
                    <a href=format!("/followups/{followup}")>{tr("cert.reassess_followup")}</a>
                </p>
            })}
            {v.prerequisite.clone().map(|(name, ok)| view! {
                <p class=if ok { "check met" } else { "check missing" }>
                    {tr_with(if ok { "cert.prerequisite_met" } else { "cert.prerequisite_missing" }, &[("name", shown(&name))])}
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
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let p = match data.await { Ok(p) => p, Err(e) => return load_failed(e) };
                if p.programs.is_empty() {
                    return ().into_any();
                }
                let cleared: Vec<String> = p.programs.iter().filter(|v| v.status.cleared()).map(|v| shown(&v.program)).collect();
                view! {
                    <section class="path">
                        <h2>{tr("cert.my_path")}</h2>
                        {if cleared.is_empty() {
                            view! { <p class="alert">{tr("cert.not_cleared_yet")}</p> }.into_any()
                        } else {
                            view! { <p class="alert ok">{tr_with("cert.cleared_for", &[("programs", join_list(cleared.clone()))])}</p> }.into_any()
                        }}
                        <div class="grid">{p.programs.into_iter().map(program_card).collect_view()}</div>
                    </section>
                }.into_any()
            })}
        </Transition>
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
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => load_failed(e),
                    Ok(p) => person_view(p, decide).into_any(),
                }
            })}
        </Transition>
        <crate::pages::followups::PersonFollowups user_id=id/>
        <crate::pages::metrics::PersonMetricsCard user_id=id/>
    }
}

fn person_view(p: PersonStatus, decide: ServerAction<DecideCertification>) -> impl IntoView {
    let decisions = p.can_decide.then(|| {
        let programs = p.programs.iter().map(|v| view! { <option value=v.program_id>{shown(&v.program)}</option> }).collect_view();
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
                    <label>{tr("cert.reason")}<TextArea keep=(DecideCertification::PATH, "reason") {..} name="reason" rows="3" required=true minlength="3" maxlength="1000"/></label>
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
                <td>{shown(&e.program)}</td>
                <td>{e.before.map(|b| tr(b.label_key())).unwrap_or_else(|| "—".into())}" → "{tr(e.after.label_key())}</td>
                <td>{e.actor.unwrap_or_else(|| tr("cert.automatic"))}</td>
                <td>{why_text(&e.why)}{(!e.reason.is_empty()).then(|| format!(" — {}", e.reason))}</td>
            </tr>
        })
        .collect_view();
    view! {
        <h1>{p.display_name.clone()}</h1>
        <p class="hint">{format!("{} · {} · {}", p.employee_no, shown(&p.position), shown(&p.team))}</p>
        {if p.programs.is_empty() {
            view! { <p class="empty">{tr("cert.no_programs")}</p> }.into_any()
        } else {
            view! { <div class="grid">{p.programs.into_iter().map(program_card).collect_view()}</div> }.into_any()
        }}
        {decisions}
        <section class="card">
            <h2>{tr("cert.history")}</h2>
            <table class="list history">
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
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let c = match data.await {
                    Err(e) => return load_failed(e),
                    Ok(c) => c,
                };
                let valid = c.status.cleared();
                // A certificate that is not valid says so on screen and in print, in both languages.
                let stamp = match c.status {
                    CertStatus::Revoked => "作废 REVOKED",
                    CertStatus::Suspended => "暂停 SUSPENDED",
                    CertStatus::Expired => "已过期 EXPIRED",
                    _ => "无效 NOT VALID",
                };
                view! {
                    <p class="no-print hint">{tr("cert.print")}</p>
                    {(!valid).then(|| view! { <p class="alert error no-print" role="alert">{tr("cert.not_valid_now")}</p> })}
                    <article class="certificate" class:void=!valid lang="zh-CN">
                        {(!valid).then(|| view! { <p class="void-stamp" aria-hidden="true">{stamp}</p> })}
                        <OrgHeading/>
                        <h1>"上岗合格证书"<span lang="en">"Certificate of Qualification"</span></h1>
                        <p class="holder">{c.holder.clone()}</p>
                        <p class="statement">
                            {format!("工号 {} 已完成「{}」的培训与考核，取得{}岗位{}上岗资格。", c.employee_no, c.program.shown(Locale::ZhCn), c.position.shown(Locale::ZhCn), c.level.shown(Locale::ZhCn))}
                        </p>
                        <p class="statement" lang="en">
                            {format!("Employee {} has completed the training and assessment of “{}” and is qualified to work as {} ({}).", c.employee_no, c.program.shown(Locale::En), c.position.shown(Locale::En), c.level.shown(Locale::En))}
                        </p>
                        <dl class="facts">
                            <dt>"证书编号 Number"</dt><dd class="number">{c.number.clone()}</dd>
                            <dt>"发证日期 Issued"</dt><dd>{day(c.issued_at)}</dd>
                            <dt>"有效期至 Valid until"</dt><dd>{day(c.expires_at)}</dd>
                            <dt>"当前状态 Status"</dt><dd class=if valid { "valid" } else { "invalid" }>{tr(c.status.label_key())}</dd>
                        </dl>
                        {c.exempted.then(|| view! { <p class="hint">"经批准免考 Granted by exemption"</p> })}
                        <OrgSeal/>
                        <figure class="qr">
                            <div inner_html=c.qr_svg.clone()></div>
                            <figcaption>"扫码验证 Scan to verify"<br/><a href=c.verify_path.clone()>{c.verify_path.clone()}</a></figcaption>
                        </figure>
                    </article>
                }.into_any()
            })}
        </Transition>
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
            <Transition fallback=|| ()>
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
                                    <dt>{tr("cert.program")}</dt><dd>{shown(&v.program)}</dd>
                                    <dt>{tr("cert.validity")}</dt><dd>{format!("{} – {}", day(v.issued_at), day(v.expires_at))}</dd>
                                    <dt>{tr("field.status")}</dt><dd>{tr(v.status.label_key())}</dd>
                                </dl>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn RosterPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Manager, Role::Admin] view=roster/> }
}

fn roster(_me: Me) -> impl IntoView {
    let locale = use_locale();
    let url = use_query_map();
    // The filters live in the address, so a filtered roster is a link and works without JavaScript.
    let query = move || {
        let m = url.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        RosterQuery {
            team: get("team"),
            program: get("program"),
            status: get("status"),
            q: get("q"),
            within: get("within"),
            page: get("page"),
        }
    };
    let data = Resource::new(query, get_roster);
    view! {
        <h1>{tr("cert.roster")}</h1>
        <p class="hint">{tr("cert.roster_help")}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let r = match data.await {
                    Err(e) => return load_failed(e),
                    Ok(r) => r,
                };
                let q = query();
                let export = roster_link(&q);
                view! {
                    <RosterFilters q=q.clone() teams=r.teams.clone() programs=r.programs.clone()/>
                    <p class="roster-counts">
                        <strong>{tr_with("cert.roster_people", &[("cleared", r.cleared.to_string()), ("total", r.total.to_string())])}</strong>
                        {(r.without_program > 0).then(|| view! {
                            " · "<a href=roster_link(&RosterQuery { status: "no_program".into(), ..Default::default() })>
                                {tr_with("cert.roster_without_program", &[("count", r.without_program.to_string())])}
                            </a>
                        })}
                        " · "<a href=format!("/team/roster.csv{export}") download>"CSV"</a>
                        " · "<a href=format!("/team/roster.xlsx{export}") download>"XLSX"</a>
                    </p>
                    {if r.people.is_empty() {
                        view! { <p class="empty">{tr("cert.roster_empty")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="list roster">
                                <thead><tr>
                                    <th>{tr("field.display_name")}</th><th>{tr("field.team")}</th><th>{tr("field.position")}</th>
                                    <th>{tr("cert.cleared_today")}</th><th>{tr("cert.programs_status")}</th>
                                </tr></thead>
                                <tbody>{r.people.into_iter().map(|p| view! { <RosterLine p=p locale=locale/> }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }}
                    <crate::components::pager::Pager path="/team/roster" filters=roster_filters(&q) page=r.page pages=r.pages/>
                }.into_any()
            })}
        </Transition>
    }
}

/// The roster's filters as address parameters.
fn roster_filters(q: &RosterQuery) -> Vec<(&'static str, String)> {
    vec![
        ("team", q.team.clone()),
        ("program", q.program.clone()),
        ("status", q.status.clone()),
        ("q", q.q.clone()),
        ("within", q.within.clone()),
    ]
}

/// `?team=..&status=..` for the roster with these filters.
fn roster_link(q: &RosterQuery) -> String {
    crate::components::pager::query_string(&roster_filters(q), None)
}

#[component]
fn RosterFilters(q: RosterQuery, teams: Vec<(i64, Names)>, programs: Vec<(i64, Names)>) -> impl IntoView {
    let option = move |value: String, label: String, current: &str| {
        let selected = value == current;
        view! { <option value=value selected=selected>{label}</option> }
    };
    let team_options = teams.into_iter().map(|(id, path)| option(id.to_string(), shown(&path), &q.team)).collect_view();
    let program_options =
        programs.into_iter().map(|(id, name)| option(id.to_string(), shown(&name), &q.program)).collect_view();
    let status_options = [
        ("", "cert.roster_all"),
        ("cleared", "cert.filter_cleared"),
        ("not_cleared", "cert.filter_not_cleared"),
        ("expiring", "cert.filter_expiring"),
        ("no_program", "cert.filter_no_program"),
    ]
    .into_iter()
    .map(|(v, label)| option(v.to_string(), tr(label), &q.status))
    .collect_view();
    view! {
        // A GET form: the filters are the address.
        <form method="get" class="filters card" role="search" aria-label=tr("cert.roster_filters")>
            <label>{tr("field.team")}
                <select name="team"><option value="">{tr("cert.all_teams")}</option>{team_options}</select>
            </label>
            <label>{tr("cert.program")}
                <select name="program"><option value="">{tr("cert.all_programs")}</option>{program_options}</select>
            </label>
            <label>{tr("field.status")}<select name="status">{status_options}</select></label>
            <label>{tr("cert.expiring_within")}
                <select name="within">
                    {["30", "60", "90"].into_iter().map(|d| option(d.into(), tr_with("cert.days", &[("n", d.into())]), &q.within)).collect_view()}
                </select>
            </label>
            <label>{tr("users.search")}<input type="search" name="q" value=q.q.clone() placeholder=tr("cert.roster_search")/></label>
            <button type="submit" class="primary">{tr("cert.apply_filters")}</button>
            <a href="/team/roster">{tr("cert.clear_filters")}</a>
        </form>
    }
}

#[component]
fn RosterLine(p: RosterPerson, locale: Locale) -> impl IntoView {
    let cleared = p.cleared();
    let programs = if p.programs.is_empty() {
        let why = if p.position.zh.is_empty() && p.position.en.is_empty() {
            "cert.no_position"
        } else {
            "cert.no_program_for_position"
        };
        view! { <p class="alert warn">{tr(why)}</p> }.into_any()
    } else {
        p.programs
            .into_iter()
            .map(|g| {
                let why = if !g.hold_reason.is_empty() {
                    g.hold_reason.clone()
                } else {
                    g.missing.iter().map(shown).collect::<Vec<_>>().join(" · ")
                };
                view! {
                    <div class="roster-program">
                        <span class="program-name">{format!("{} · {}", shown(&g.program), shown(&g.level))}</span>" "{badge(g.status)}
                        // An expiry date only where it means "cleared until then".
                        {g.expires_at.filter(|_| g.status.cleared()).map(|e| view! { " "<span class="hint">{tr_with("cert.until", &[("date", day(e))])}</span> })}
                        {(!why.is_empty()).then(|| view! { <p class="hint why">{why}</p> })}
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <tr class:not-cleared=!cleared>
            <td><a href=format!("/people/{}/certification", p.user_id)>{format!("{} ({})", p.display_name, p.employee_no)}</a></td>
            <td>{shown(&p.team)}</td>
            <td>{p.position.shown(locale).to_string()}</td>
            <td>{tr(if cleared { "cert.answer_yes" } else { "cert.answer_no" })}</td>
            <td>{programs}</td>
        </tr>
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
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match data.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("cert.no_notifications")}</p> }.into_any();
                }
                view! {
                    <ul class="notices">{list.into_iter().map(|n| {
                        if let Some(d) = n.digest {
                            return view! { <li class:unread=!n.read><DigestNotice d=d link=n.link/></li> }.into_any();
                        }
                        let key = match n.kind.as_str() {
                            "expired" => "cert.notice_expired",
                            "revoked" => "cert.notice_revoked",
                            "suspended" => "cert.notice_suspended",
                            "survey" => "survey.notice",
                            "survey_reminder" => "survey.notice_reminder",
                            "reassess" => "cert.notice_reassess",
                            "followup_due" => "followup.notice_due",
                            "followup_overdue" => "followup.notice_overdue",
                            "followup_escalated" => "followup.notice_escalated",
                            _ => "cert.notice_expiring",
                        };
                        view! {
                            <li class:unread=!n.read>
                                <a href=n.link>{tr_with(key, &[("holder", n.holder), ("program", shown(&n.program)), ("date", day(n.expires_at))])}</a>
                                <span class="hint">" · "{day(n.created_at)}</span>
                            </li>
                        }.into_any()
                    }).collect_view()}</ul>
                }.into_any()
            })}
        </Transition>
    }
}

/// A manager's weekly digest: the dashboard's headline figures as they stood that Monday.
#[component]
fn DigestNotice(d: Digest, link: String) -> impl IntoView {
    let rate = |p: PeriodPass| p.first_rate().map_or("—".to_string(), |r| format!("{r:.0}%"));
    let worst = d
        .worst_quiz
        .map(|w| tr_with("digest.worst_quiz", &[("quiz", shown(&w.title)), ("rate", format!("{:.0}%", w.first_rate))]));
    view! {
        <div class="digest">
            <strong>{tr_with("digest.title", &[("week", d.week)])}</strong>
            <ul>
                <li>{tr_with("digest.cleared", &[("cleared", d.cleared.to_string()), ("people", d.people.to_string())])}</li>
                <li>{tr_with("digest.expiring", &[
                    ("n", d.expiring_30.to_string()), ("expired", d.expired.to_string()), ("held", d.suspended_or_revoked.to_string()),
                ])}</li>
                <li>{tr_with("digest.pass_rate", &[("rate", rate(d.this_period)), ("previous", rate(d.previous))])}</li>
                {worst.map(|w| view! { <li>{w}</li> })}
                <li>{tr_with("digest.overdue", &[("essays", d.essays_overdue.to_string()), ("roleplays", d.roleplays_overdue.to_string())])}</li>
            </ul>
            <a href=link>{tr("digest.open")}</a>
        </div>
    }
}

/// The issuing organisation at the top of a certificate: its logo and its name in both languages.
#[component]
fn OrgHeading() -> impl IntoView {
    let org = expect_context::<crate::app::OrgResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let o = org.await.unwrap_or_default();
                let named = !o.name.both().is_empty();
                (named || o.has_logo).then(|| view! {
                    <div class="issuer">
                        {o.image_url(crate::model::organisation::OrgImage::Logo).map(|src| view! { <img class="logo" src=src alt=""/> })}
                        <p>
                            <span>{o.name.zh.clone()}</span>
                            {(!o.name.en.is_empty() && o.name.en != o.name.zh).then(|| view! { <span lang="en">{o.name.en.clone()}</span> })}
                        </p>
                    </div>
                })
            })}
        </Suspense>
    }
}

/// The organisation's seal, when an admin has set one.
#[component]
fn OrgSeal() -> impl IntoView {
    let org = expect_context::<crate::app::OrgResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let o = org.await.unwrap_or_default();
                o.image_url(crate::model::organisation::OrgImage::Seal)
                    .map(|src| view! { <img class="seal" src=src alt="印章 Seal"/> })
            })}
        </Suspense>
    }
}
