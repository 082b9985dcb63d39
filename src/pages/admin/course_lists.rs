use leptos::prelude::*;

use crate::pages::cleared_on_success;

use crate::api::course::{get_course_choices, AddCourseChoice, DeleteCourseChoice, RenameCourseChoice};
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::i18n::tr;
use crate::model::course::Named;
use crate::model::user::{Me, Role};

/// Admins edit the course categories and levels, each named in both languages.
#[component]
pub fn CourseListsPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=lists/> }
}

#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddCourseChoice>,
    rename: ServerAction<RenameCourseChoice>,
    delete: ServerAction<DeleteCourseChoice>,
}

fn lists(_me: Me) -> impl IntoView {
    let actions = Actions {
        add: ServerAction::<AddCourseChoice>::new(),
        rename: ServerAction::<RenameCourseChoice>::new(),
        delete: ServerAction::<DeleteCourseChoice>::new(),
    };
    let changes = move || actions.add.version().get() + actions.rename.version().get() + actions.delete.version().get();
    let choices = Resource::new(changes, |_| get_course_choices());
    view! {
        <h1>{tr("course_lists.title")}</h1>
        <ErrorNote error=action_error(actions.add.value())/>
        <ErrorNote error=action_error(actions.rename.value())/>
        <ErrorNote error=action_error(actions.delete.value())/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match choices.await {
                    Err(e) => load_failed(e),
                    Ok(c) => view! {
                        {list_section("category", "course_lists.categories", c.categories, actions)}
                        {list_section("level", "course_lists.levels", c.levels, actions)}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn list_section(list: &'static str, title: &'static str, entries: Vec<Named>, a: Actions) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{tr(title)}</h2>
            {entries.into_iter().map(|e| view! {
                <div class="row choice">
                    <ActionForm action=a.rename attr:class="row">
                        <input type="hidden" name="list" value=list/>
                        <input type="hidden" name="id" value=e.id/>
                        <input name="name_zh" value=e.name_zh required aria-label=tr("field.name_zh")/>
                        <input name="name_en" value=e.name_en required aria-label=tr("field.name_en")/>
                        <button type="submit">{tr("teams.save")}</button>
                    </ActionForm>
                    <ActionForm action=a.delete attr:class="inline">
                        <input type="hidden" name="list" value=list/>
                        <input type="hidden" name="id" value=e.id/>
                        <button type="submit" class="link">{tr("teams.delete")}</button>
                    </ActionForm>
                </div>
            }).collect_view()}
            <ActionForm action=a.add node_ref=cleared_on_success(a.add) attr:class="row">
                <input type="hidden" name="list" value=list/>
                <input name="name_zh" required placeholder=tr("field.name_zh") aria-label=tr("field.name_zh")/>
                <input name="name_en" required placeholder=tr("field.name_en") aria-label=tr("field.name_en")/>
                <button type="submit" class="primary">{tr("course_lists.add")}</button>
            </ActionForm>
        </section>
    }
}
