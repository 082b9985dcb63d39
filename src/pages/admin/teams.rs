use leptos::prelude::*;

use crate::components::names_input::NamesInput;
use crate::pages::cleared_on_success;

use crate::api::team::{list_teams, CreateTeam, DeleteTeam, UpdateTeam};
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::i18n::{shown, tr};
use crate::model::team::{TeamKind, TeamNode};
use crate::model::user::{Me, Role};

#[component]
pub fn TeamsPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=teams/> }
}

fn teams(_me: Me) -> impl IntoView {
    let create = ServerAction::<CreateTeam>::new();
    let update = ServerAction::<UpdateTeam>::new();
    let delete = ServerAction::<DeleteTeam>::new();
    let tree = Resource::new(
        move || (create.version().get(), update.version().get(), delete.version().get()),
        |_| list_teams(),
    );
    view! {
        <h1>{tr("teams.title")}</h1>
        {zone_suggestions()}
        <ErrorNote error=action_error(create.value())/>
        <ErrorNote error=action_error(update.value())/>
        <ErrorNote error=action_error(delete.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match tree.await {
                    Err(e) => load_failed(e),
                    Ok(teams) => view! {
                        <ul class="tree">
                            {teams.iter().map(|t| view! {
                                <li class=format!("depth-{}", t.depth.min(4))>
                                    <TeamRow team=t.clone() all=teams.clone() update=update delete=delete/>
                                </li>
                            }).collect_view()}
                        </ul>
                        <section class="card">
                            <h2>{tr("teams.new")}</h2>
                            <ActionForm action=create node_ref=cleared_on_success(create) attr:class="stack">
                                <NamesInput field="name" maxlength=80/>
                                <label>{tr("teams.parent")}
                                    <select name="parent_id">{parent_options(&teams, None, None)}</select>
                                </label>
                                <label>{tr("teams.kind")}<select name="kind">{kind_options(TeamKind::Team)}</select></label>
                                <ZoneField value=String::new()/>
                                <button type="submit" class="primary">{tr("teams.create")}</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn parent_options(teams: &[TeamNode], selected: Option<i64>, exclude: Option<i64>) -> impl IntoView {
    let root = view! { <option value="">{tr("teams.top_level")}</option> };
    let rest = teams
        .iter()
        .filter(|t| Some(t.id) != exclude)
        .map(|t| view! { <option value=t.id selected=selected == Some(t.id)>{shown(&t.path)}</option> })
        .collect_view();
    (root, rest)
}

fn kind_options(selected: TeamKind) -> impl IntoView {
    TeamKind::ALL
        .iter()
        .map(|k| view! { <option value=k.as_str() selected=*k == selected>{tr(k.label_key())}</option> })
        .collect_view()
}

#[component]
fn TeamRow(
    team: TeamNode,
    all: Vec<TeamNode>,
    update: ServerAction<UpdateTeam>,
    delete: ServerAction<DeleteTeam>,
) -> impl IntoView {
    view! {
        <details>
            <summary>
                <strong>{shown(&team.name)}</strong>
                " · "{tr(team.kind.label_key())}" · "{team.member_count}" "{tr("teams.members")}
                {team.time_zone.map(|z| format!(" · {}", z.name()))}
            </summary>
            <ActionForm action=update attr:class="row">
                <input type="hidden" name="id" value=team.id/>
                <NamesInput field="name" value=team.name.clone() maxlength=80/>
                <select name="parent_id" aria-label=tr("teams.parent")>{parent_options(&all, team.parent_id, Some(team.id))}</select>
                <select name="kind" aria-label=tr("teams.kind")>{kind_options(team.kind)}</select>
                {team.parent_id.is_none().then(|| view! {
                    <ZoneField value=team.time_zone.map(|z| z.name().to_string()).unwrap_or_default()/>
                })}
                <button type="submit">{tr("teams.save")}</button>
            </ActionForm>
            <ActionForm action=delete attr:class="row">
                <input type="hidden" name="id" value=team.id/>
                <button type="submit" class="danger">{tr("teams.delete")}</button>
            </ActionForm>
        </details>
    }
}

/// A site's time zone, typed as its IANA name (the browser suggests the common ones).
#[component]
fn ZoneField(value: String) -> impl IntoView {
    view! {
        <label>{tr("teams.time_zone")}
            <input name="time_zone" value=value list="time-zones" placeholder="Asia/Shanghai" autocomplete="off"/>
            <small class="hint">{tr("teams.time_zone_help")}</small>
        </label>
    }
}

/// The suggestions every `ZoneField` on the page shares (one list, one id).
fn zone_suggestions() -> impl IntoView {
    view! {
        <datalist id="time-zones">
            {COMMON_ZONES.iter().map(|z| view! { <option value=*z/> }).collect_view()}
        </datalist>
    }
}

const COMMON_ZONES: &[&str] = &[
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Bangkok",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
];
