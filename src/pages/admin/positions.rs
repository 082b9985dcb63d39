use leptos::prelude::*;

use crate::api::position::{list_positions, AddPosition, RenamePosition, SetPositionArchived};
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::i18n::{tr, tr_with};
use crate::model::position::Position;
use crate::model::user::{Me, Role};
use crate::pages::{cleared_on_success, done_note, succeeded};

/// Admins keep the list of positions (jobs), named in both languages; people and programs pick
/// from it.
#[component]
pub fn PositionsPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=positions/> }
}

#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddPosition>,
    rename: ServerAction<RenamePosition>,
    archive: ServerAction<SetPositionArchived>,
}

fn positions(_me: Me) -> impl IntoView {
    let a = Actions {
        add: ServerAction::<AddPosition>::new(),
        rename: ServerAction::<RenamePosition>::new(),
        archive: ServerAction::<SetPositionArchived>::new(),
    };
    let changes = move || a.add.version().get() + a.rename.version().get() + a.archive.version().get();
    let list = Resource::new(changes, |_| list_positions());
    let saved =
        Signal::derive(move || succeeded(a.add).get() || succeeded(a.rename).get() || succeeded(a.archive).get());
    view! {
        <h1>{tr("positions.title")}</h1>
        <p class="hint">{tr("positions.help")}</p>
        {done_note("saved", saved, "positions.saved")}
        <ErrorNote error=action_error(a.add.value())/>
        <ErrorNote error=action_error(a.rename.value())/>
        <ErrorNote error=action_error(a.archive.value())/>
        <section class="card">
            <h2>{tr("positions.new")}</h2>
            <ActionForm action=a.add node_ref=cleared_on_success(a.add) attr:class="row wrap">
                <label>{tr("field.name_zh")}<input name="name_zh" required maxlength="100"/></label>
                <label>{tr("field.name_en")}<input name="name_en" required maxlength="100"/></label>
                <button type="submit" class="primary">{tr("positions.add")}</button>
            </ActionForm>
        </section>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await {
                    Ok(l) => l,
                    Err(e) => return load_failed(e),
                };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("positions.empty")}</p> }.into_any();
                }
                view! {
                    <ul class="plain positions">
                        {list.into_iter().map(|p| view! { <PositionRow p=p a=a/> }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn PositionRow(p: Position, a: Actions) -> impl IntoView {
    let held = tr_with("positions.held", &[("people", p.people.to_string()), ("programs", p.programs.to_string())]);
    view! {
        <li class="card position" class:archived=p.archived>
            <ActionForm action=a.rename attr:class="row wrap">
                <input type="hidden" name="id" value=p.id/>
                <label>{tr("field.name_zh")}<input name="name_zh" value=p.name.zh.clone() required maxlength="100"/></label>
                <label>{tr("field.name_en")}<input name="name_en" value=p.name.en.clone() required maxlength="100"/></label>
                <button type="submit">{tr("teams.save")}</button>
            </ActionForm>
            <p class="hint">
                {held}
                {p.archived.then(|| view! { " · "<strong>{tr("positions.archived")}</strong> })}
            </p>
            <ActionForm action=a.archive attr:class="inline">
                <input type="hidden" name="id" value=p.id/>
                <input type="hidden" name="archived" value=(!p.archived).to_string()/>
                <button type="submit" class="link">{tr(if p.archived { "positions.restore" } else { "positions.archive" })}</button>
            </ActionForm>
        </li>
    }
}
