//! The two inputs of an authored name (a title, a program's or a team's name): one per language,
//! posted as `{field}_zh` and `{field}_en`. Either may stay empty; the server refuses both empty.

use leptos::prelude::*;

use crate::i18n::tr;
use crate::model::Names;

#[component]
pub fn NamesInput(
    /// `title` or `name`: the form fields are `title_zh` / `title_en`.
    field: &'static str,
    #[prop(optional)] value: Names,
    #[prop(default = 200)] maxlength: u32,
) -> impl IntoView {
    view! {
        <div class="names-input">
            <label>
                {tr(&format!("field.{field}_zh"))}
                <input name=format!("{field}_zh") value=value.zh lang="zh-CN" maxlength=maxlength/>
            </label>
            <label>
                {tr(&format!("field.{field}_en"))}
                <input name=format!("{field}_en") value=value.en lang="en" maxlength=maxlength/>
            </label>
        </div>
    }
}
