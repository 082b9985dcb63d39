use leptos::prelude::*;

use crate::i18n::{tr, use_locale};
use crate::model::position::Position;

/// A `position_id` select over the admin's positions list: live ones, plus an archived one the
/// object already holds (so an edit does not silently drop it).
#[component]
pub fn PositionPicker(
    positions: Vec<Position>,
    selected: Option<i64>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let locale = use_locale();
    let options = positions
        .into_iter()
        .filter(|p| !p.archived || selected == Some(p.id))
        .map(|p| {
            let mut label = p.name.shown(locale).to_string();
            if p.archived {
                label = format!("{label} ({})", tr("positions.archived"));
            }
            view! { <option value=p.id selected=selected == Some(p.id)>{label}</option> }
        })
        .collect_view();
    let none = if required { "positions.pick" } else { "positions.none" };
    view! {
        <select name="position_id" required=required>
            <option value="">{tr(none)}</option>
            {options}
        </select>
    }
}
