//! The owners of a program, rubric, scenario or shared bank, and the form to add one.

use leptos::prelude::*;

use crate::api::owners::{get_ownership, AddOwner};
use crate::components::error_note::{action_error, ErrorNote};
use crate::i18n::tr;
use crate::model::owners::Owned;

/// Render it outside the page's own loading boundary: created inside the page's `Suspend` (while
/// the page's data resolves), its resource no longer lined up with the server's and the page
/// failed to hydrate (`end2end/tests/layout.spec.ts` caught it).
#[component]
pub fn OwnersCard(what: Owned, id: i64) -> impl IntoView {
    let add = ServerAction::<AddOwner>::new();
    let ownership = Resource::new(move || add.version().get(), move |_| get_ownership(what.as_str().into(), id));
    let (label, add_label) = if what == Owned::SharedBank {
        ("owners.editors", "owners.add_editor")
    } else {
        ("owners.owners", "owners.add")
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                ownership.await.ok().filter(|o| o.applies).map(|o| view! {
                    <section class="card owners">
                        <p>{tr(label)}": "{o.owners.join(", ")}</p>
                        {(!o.can_change).then(|| view! { <p class="alert info" role="note">{tr("owners.read_only")}</p> })}
                        {o.can_change.then(|| view! {
                            <ErrorNote error=action_error(add.value())/>
                            <ActionForm action=add attr:class="row">
                                <input type="hidden" name="what" value=what.as_str()/>
                                <input type="hidden" name="id" value=id/>
                                <input name="employee_no" required maxlength="50" placeholder=format!("{} T1002", tr("field.employee_no")) aria-label=tr("field.employee_no")/>
                                <button type="submit">{tr(add_label)}</button>
                            </ActionForm>
                        })}
                    </section>
                })
            })}
        </Suspense>
    }
}
