use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::api::course::get_team_progress;
use crate::components::error_note::load_failed;
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr, use_locale, use_zone};
use crate::model::course::TeamProgress;
use crate::model::user::{Me, Role};

#[component]
pub fn TeamProgressPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Manager, Role::Admin] view=page/> }
}

/// Per course: (title, enrolled, completed, lessons done, lessons total).
fn by_course(rows: &[TeamProgress]) -> Vec<(String, u32, u32, u32, u32)> {
    let mut courses: BTreeMap<i64, (String, u32, u32, u32, u32)> = BTreeMap::new();
    for r in rows {
        let c = courses.entry(r.course_id).or_insert_with(|| (shown(&r.course_title), 0, 0, 0, 0));
        c.1 += 1;
        c.2 += u32::from(r.completed_at.is_some());
        c.3 += r.done;
        c.4 += r.total;
    }
    courses.into_values().collect()
}

fn page(_me: Me) -> impl IntoView {
    let (locale, zone) = (use_locale(), use_zone());
    let rows = Resource::new(|| (), |_| get_team_progress());
    view! {
        <h1>{tr("progress.title")}</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let rows = match rows.await {
                    Ok(rows) => rows,
                    Err(e) => return load_failed(e),
                };
                if rows.is_empty() {
                    return view! { <p class="empty">{tr("progress.none")}</p> }.into_any();
                }
                let summary = by_course(&rows).into_iter().map(|(title, enrolled, completed, done, total)| view! {
                    <tr>
                        <td>{title}</td><td>{enrolled}</td><td>{completed}</td>
                        <td><progress max=total value=done></progress>" "{format!("{}%", done * 100 / total.max(1))}</td>
                    </tr>
                }).collect_view();
                let people = rows.into_iter().map(|r| view! {
                    <tr>
                        <td>{shown(&r.team)}</td><td>{r.display_name}</td><td>{r.employee_no}</td><td>{shown(&r.course_title)}</td>
                        <td><progress max=r.total value=r.done></progress>" "{format!("{}/{}", r.done, r.total)}</td>
                        <td>{r.completed_at.map(|t| locale.format_timestamp(zone, t)).unwrap_or_default()}</td>
                    </tr>
                }).collect_view();
                view! {
                    <section class="card">
                        <h2>{tr("progress.by_course")}</h2>
                        <table class="list">
                            <thead><tr>
                                <th>{tr("field.title")}</th><th>{tr("progress.enrolled")}</th>
                                <th>{tr("progress.completed")}</th><th>{tr("courses.progress")}</th>
                            </tr></thead>
                            <tbody>{summary}</tbody>
                        </table>
                    </section>
                    <section class="card">
                        <h2>{tr("progress.by_person")}</h2>
                        <table class="list">
                            <thead><tr>
                                <th>{tr("field.team_id")}</th><th>{tr("field.display_name")}</th>
                                <th>{tr("field.employee_no")}</th><th>{tr("field.title")}</th>
                                <th>{tr("courses.progress")}</th><th>{tr("progress.completed_at")}</th>
                            </tr></thead>
                            <tbody>{people}</tbody>
                        </table>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}
