use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::components::names_input::NamesInput;
use crate::model::Names;
use crate::pages::{cleared_on_success, param};

use crate::api::course::*;
use crate::api::team::list_teams;
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::error::AppError;
use crate::i18n::{join_list, shown, tr, tr_with, use_locale};
use crate::model::course::{
    CourseChoices, CourseEditor, CourseFields, CourseFile, CourseStatus, Learner, LessonEdit, ModuleEdit, TrainingType,
};
use crate::model::team::TeamNode;
use crate::model::user::{Me, Role};

#[component]
pub fn CoursesPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=courses/> }
}

fn courses(_me: Me) -> impl IntoView {
    let create = ServerAction::<CreateCourse>::new();
    let list = Resource::new(|| (), |_| authored_courses());
    let choices = Resource::new(|| (), |_| get_course_choices());
    view! {
        <h1>{tr("courses.title")}</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => load_failed(e),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{tr("courses.none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="list">
                            <thead><tr>
                                <th>{tr("field.title")}</th><th>{tr("field.status")}</th>
                                <th>{tr("courses.lessons")}</th><th>{tr("courses.enrolled")}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|c| view! {
                                    <tr>
                                        <td><a href=format!("/trainer/courses/{}", c.id)>{shown(&c.title)}</a></td>
                                        <td>
                                            {tr(c.status.label_key())}
                                            {c.published_version.map(|v| format!(" v{v}"))}
                                            {c.has_draft.then(|| format!(" · {}", tr("courses.has_draft")))}
                                        </td>
                                        <td>{c.lesson_count}</td>
                                        <td>{c.enrolled}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Transition>
        <section class="card">
            <h2>{tr("courses.new")}</h2>
            <ErrorNote error=action_error(create.value())/>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let choices = match choices.await { Ok(v) => v, Err(e) => return load_failed(e) };
                    view! {
                        <ActionForm action=create attr:class="stack">
                            <CourseFieldsForm fields=None choices=choices/>
                            <button type="submit" class="primary">{tr("courses.create")}</button>
                        </ActionForm>
                    }.into_any()
                })}
            </Transition>
        </section>
    }
}

/// Title, summary, category, level, type and duration, shared by the create and edit forms.
#[component]
fn CourseFieldsForm(fields: Option<CourseFields>, choices: CourseChoices) -> impl IntoView {
    let locale = use_locale();
    let f = fields.unwrap_or(CourseFields {
        title: Names::default(),
        summary: String::new(),
        category_id: choices.categories.first().map(|c| c.id).unwrap_or(0),
        level_id: choices.levels.first().map(|l| l.id).unwrap_or(0),
        training_type: TrainingType::PreJob,
        duration_minutes: 60,
    });
    let categories = choices
        .categories
        .iter()
        .map(|c| view! { <option value=c.id selected=c.id == f.category_id>{c.name(locale).to_string()}</option> })
        .collect_view();
    let levels = choices
        .levels
        .iter()
        .map(|l| view! { <option value=l.id selected=l.id == f.level_id>{l.name(locale).to_string()}</option> })
        .collect_view();
    let types = TrainingType::ALL
        .iter()
        .map(|t| view! { <option value=t.as_str() selected=*t == f.training_type>{tr(t.label_key())}</option> })
        .collect_view();
    view! {
        <NamesInput field="title" value=f.title/>
        <label>{tr("field.summary")}<TextArea value=f.summary {..} name="summary" rows="3"/></label>
        <label>{tr("field.category_id")}<select name="category_id">{categories}</select></label>
        <label>{tr("field.level_id")}<select name="level_id">{levels}</select></label>
        <label>{tr("field.training_type")}<select name="training_type">{types}</select></label>
        <label>{tr("field.duration_minutes")}
            <input type="number" name="duration_minutes" min="0" max="10000" value=f.duration_minutes required/>
        </label>
    }
}

#[component]
pub fn CourseEditorPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=editor/> }
}

/// Every action the course editor posts; each one's success reloads the editor.
#[derive(Clone, Copy)]
struct EditorActions {
    update: ServerAction<UpdateCourse>,
    draft: ServerAction<StartCourseDraft>,
    add_module: ServerAction<AddModule>,
    rename_module: ServerAction<RenameModule>,
    delete_module: ServerAction<DeleteModule>,
    add_lesson: ServerAction<AddLesson>,
    update_lesson: ServerAction<UpdateLesson>,
    delete_lesson: ServerAction<DeleteLesson>,
    publish: ServerAction<PublishCourse>,
    archive: ServerAction<ArchiveCourse>,
    enroll: ServerAction<EnrollCourse>,
    add_owner: ServerAction<AddCourseOwner>,
    delete_file: ServerAction<DeleteCourseFile>,
}

impl EditorActions {
    fn new() -> Self {
        EditorActions {
            update: ServerAction::new(),
            draft: ServerAction::new(),
            add_module: ServerAction::new(),
            rename_module: ServerAction::new(),
            delete_module: ServerAction::new(),
            add_lesson: ServerAction::new(),
            update_lesson: ServerAction::new(),
            delete_lesson: ServerAction::new(),
            publish: ServerAction::new(),
            archive: ServerAction::new(),
            enroll: ServerAction::new(),
            add_owner: ServerAction::new(),
            delete_file: ServerAction::new(),
        }
    }

    /// Changes whenever any action completes: the editor and the learner list reload.
    fn changes(&self) -> usize {
        self.update.version().get()
            + self.draft.version().get()
            + self.add_module.version().get()
            + self.rename_module.version().get()
            + self.delete_module.version().get()
            + self.add_lesson.version().get()
            + self.update_lesson.version().get()
            + self.delete_lesson.version().get()
            + self.publish.version().get()
            + self.archive.version().get()
            + self.enroll.version().get()
            + self.add_owner.version().get()
            + self.delete_file.version().get()
    }

    fn errors(&self) -> impl IntoView {
        view! {
            <ErrorNote error=action_error(self.update.value())/>
            <ErrorNote error=action_error(self.draft.value())/>
            <ErrorNote error=action_error(self.add_module.value())/>
            <ErrorNote error=action_error(self.rename_module.value())/>
            <ErrorNote error=action_error(self.delete_module.value())/>
            <ErrorNote error=action_error(self.add_lesson.value())/>
            <ErrorNote error=action_error(self.update_lesson.value())/>
            <ErrorNote error=action_error(self.delete_lesson.value())/>
            <ErrorNote error=action_error(self.publish.value())/>
            <ErrorNote error=action_error(self.archive.value())/>
            <ErrorNote error=action_error(self.enroll.value())/>
            <ErrorNote error=action_error(self.add_owner.value())/>
            <ErrorNote error=action_error(self.delete_file.value())/>
        }
    }
}

fn editor(_me: Me) -> impl IntoView {
    let id = param("id");
    let act = EditorActions::new();
    let course = Resource::new(move || act.changes(), move |_| get_course_editor(id));
    let learners = Resource::new(move || act.changes(), move |_| course_learners(id));
    let choices = Resource::new(|| (), |_| get_course_choices());
    let teams = Resource::new(|| (), |_| list_teams());
    let files = Resource::new(move || act.delete_file.version().get(), move |_| course_files(id));
    let enrolled_note = move || {
        act.enroll.value().get().and_then(|r| r.ok()).map(|n| {
            view! { <p class="alert ok" role="status">{tr_with("courses.enrolled_now", &[("count", n.to_string())])}</p> }
        })
    };
    view! {
        <p><a href="/trainer/courses">{tr("courses.back")}</a></p>
        {act.errors()}
        {enrolled_note}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let choices = match choices.await { Ok(v) => v, Err(e) => return load_failed(e) };
                let teams = match teams.await { Ok(v) => v, Err(e) => return load_failed(e) };
                match course.await {
                    Ok(c) => view! { <CourseEditorBody c=c choices=choices teams=teams act=act/> }.into_any(),
                    Err(e) => load_failed(e),
                }
            })}
        </Transition>
        <CourseFiles course_id=id files=files delete=act.delete_file/>
        // Outside the editor's boundary: a resource made inside it breaks hydration.
        <crate::pages::surveys::SurveyCard course_id=id/>
        <CourseLearners learners=learners/>
    }
}

/// The loaded course: its version and details, modules and lessons, enrolment and settings.
#[component]
fn CourseEditorBody(
    c: CourseEditor,
    choices: CourseChoices,
    teams: Vec<TeamNode>,
    act: EditorActions,
) -> impl IntoView {
    let editable = c.is_draft;
    let status = format!(
        "{} · v{}{}",
        tr(c.status.label_key()),
        c.version_no,
        if c.is_draft { format!(" ({})", tr("courses.draft_version")) } else { String::new() }
    );
    let cid = c.id;
    let modules = c
        .modules
        .into_iter()
        .map(|m| view! { <ModuleCard course_id=cid module=m editable=editable act=act/> })
        .collect_view();
    let archived = c.status == CourseStatus::Archived;
    view! {
        <div class="row">
            <h1>{shown(&c.fields.title)}</h1>
            <a class="button" href=format!("/trainer/courses/{cid}/preview")>{tr("courses.preview")}</a>
        </div>
        <p class="status">{status}" · "{tr("courses.owners")}": "{join_list(c.owners.clone())}</p>
        {if editable {
            view! {
                <section class="card">
                    <ActionForm action=act.publish>
                        <input type="hidden" name="id" value=cid/>
                        <button type="submit" class="primary">{tr("courses.publish")}</button>
                        " "<span class="hint">{tr("courses.publish_help")}</span>
                    </ActionForm>
                </section>
                <details class="card">
                    <summary>{tr("courses.edit_details")}</summary>
                    <ActionForm action=act.update attr:class="stack">
                        <input type="hidden" name="id" value=cid/>
                        <CourseFieldsForm fields=Some(c.fields) choices=choices/>
                        <button type="submit">{tr("courses.save")}</button>
                    </ActionForm>
                </details>
            }.into_any()
        } else {
            view! {
                <section class="card">
                    <ActionForm action=act.draft>
                        <input type="hidden" name="id" value=cid/>
                        <button type="submit">{tr("courses.new_version")}</button>
                        " "<span class="hint">{tr("courses.new_version_help")}</span>
                    </ActionForm>
                </section>
            }.into_any()
        }}
        <h2>{tr("courses.modules")}</h2>
        {modules}
        {editable.then(|| view! {
            <ActionForm action=act.add_module node_ref=cleared_on_success(act.add_module) attr:class="stack card">
                <h3>{tr("courses.module_title")}</h3>
                <input type="hidden" name="course_id" value=cid/>
                <NamesInput field="title"/>
                <button type="submit">{tr("courses.add_module")}</button>
            </ActionForm>
        })}
        {c.has_published.then(|| view! { <EnrollCard course_id=cid teams=teams enroll=act.enroll/> })}
        <section class="card">
            <ActionForm action=act.add_owner node_ref=cleared_on_success(act.add_owner) attr:class="row">
                <input type="hidden" name="course_id" value=cid/>
                <input name="employee_no" required placeholder="T1002" aria-label=tr("courses.add_owner")/>
                <button type="submit">{tr("courses.add_owner")}</button>
            </ActionForm>
        </section>
        <section class="card">
            <ActionForm action=act.archive>
                <input type="hidden" name="id" value=cid/>
                <input type="hidden" name="archived" value=(!archived).to_string()/>
                <button type="submit">{tr(if archived { "courses.unarchive" } else { "courses.archive" })}</button>
            </ActionForm>
        </section>
    }
}

/// One module with its lessons; in a draft, forms to add, edit and remove them.
#[component]
fn ModuleCard(course_id: i64, module: ModuleEdit, editable: bool, act: EditorActions) -> impl IntoView {
    let lessons = module
        .lessons
        .into_iter()
        .map(|l| {
            if editable {
                view! { <LessonEditor course_id=course_id lesson=l act=act/> }.into_any()
            } else {
                view! { <p class="lesson-title">{shown(&l.title)}</p> }.into_any()
            }
        })
        .collect_view();
    let mid = module.id;
    view! {
        <section class="card module">
            <h3>{shown(&module.title)}</h3>
            {lessons}
            {editable.then(|| view! {
                <details>
                    <summary>{tr("courses.add_lesson")}</summary>
                    <ActionForm action=act.add_lesson node_ref=cleared_on_success(act.add_lesson) attr:class="stack">
                        <input type="hidden" name="course_id" value=course_id/>
                        <input type="hidden" name="module_id" value=mid/>
                        <NamesInput field="title"/>
                        <label>{tr("field.body_md")}<TextArea {..} name="body_md" rows="10"/></label>
                        <button type="submit" class="primary">{tr("courses.add_lesson")}</button>
                    </ActionForm>
                </details>
                <details>
                    <summary>{tr("courses.edit_module")}</summary>
                    <ActionForm action=act.rename_module attr:class="stack">
                        <input type="hidden" name="course_id" value=course_id/>
                        <input type="hidden" name="module_id" value=mid/>
                        <NamesInput field="title" value=module.title.clone()/>
                        <button type="submit">{tr("courses.rename_module")}</button>
                    </ActionForm>
                    <ActionForm action=act.delete_module>
                        <input type="hidden" name="course_id" value=course_id/>
                        <input type="hidden" name="module_id" value=mid/>
                        <button type="submit" class="danger">{tr("courses.delete_module")}</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}

/// A draft lesson, folded: its title and Markdown body, and removing it.
#[component]
fn LessonEditor(course_id: i64, lesson: LessonEdit, act: EditorActions) -> impl IntoView {
    view! {
        <details class="lesson-edit">
            <summary>{shown(&lesson.title)}</summary>
            <ActionForm action=act.update_lesson attr:class="stack">
                <input type="hidden" name="course_id" value=course_id/>
                <input type="hidden" name="lesson_id" value=lesson.id/>
                <NamesInput field="title" value=lesson.title.clone()/>
                <label>{tr("field.body_md")}<TextArea value=lesson.body_md {..} name="body_md" rows="10"/></label>
                <button type="submit">{tr("courses.save_lesson")}</button>
            </ActionForm>
            <ActionForm action=act.delete_lesson>
                <input type="hidden" name="course_id" value=course_id/>
                <input type="hidden" name="lesson_id" value=lesson.id/>
                <button type="submit" class="danger">{tr("courses.delete_lesson")}</button>
            </ActionForm>
        </details>
    }
}

/// Enrolling people in a published course, by employee number or a whole team.
#[component]
fn EnrollCard(course_id: i64, teams: Vec<TeamNode>, enroll: ServerAction<EnrollCourse>) -> impl IntoView {
    let team_options = teams.into_iter().map(|t| view! { <option value=t.id>{shown(&t.path)}</option> }).collect_view();
    view! {
        <section class="card">
            <h2>{tr("courses.enroll")}</h2>
            <ActionForm action=enroll node_ref=cleared_on_success(enroll) attr:class="stack">
                <input type="hidden" name="course_id" value=course_id/>
                <label>{tr("field.employee_numbers")}
                    <TextArea keep=(EnrollCourse::PATH, "employee_numbers") {..} name="employee_numbers" rows="2" placeholder="E1001 E1002"/>
                </label>
                <label>{tr("courses.enroll_team")}
                    <select name="team_id"><option value="">{tr("users.no_team")}</option>{team_options}</select>
                </label>
                <button type="submit">{tr("courses.enroll_submit")}</button>
            </ActionForm>
        </section>
    }
}

/// Who is enrolled, on which version, and how far they are.
#[component]
fn CourseLearners(learners: Resource<Result<Vec<Learner>, AppError>>) -> impl IntoView {
    // Nothing at all when the list cannot be read: the editor above says why (403, 404).
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(list) = learners.await else { return ().into_any() };
                view! {
                    <section class="card" id="learners">
                        <h2>{tr("courses.learners")}</h2>
                        {learner_table(list)}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

fn learner_table(list: Vec<Learner>) -> AnyView {
    if list.is_empty() {
        return view! { <p class="empty">{tr("courses.no_learners")}</p> }.into_any();
    }
    view! {
        <table class="list">
            <thead><tr><th>{tr("field.display_name")}</th><th>{tr("field.employee_no")}</th><th>{tr("courses.version")}</th><th>{tr("courses.progress")}</th></tr></thead>
            <tbody>{list.into_iter().map(|l| view! {
                <tr>
                    <td>{l.display_name}</td><td>{l.employee_no}</td><td>{format!("v{}", l.version_no)}</td>
                    <td><progress max=l.total value=l.done></progress>" "{format!("{}/{}", l.done, l.total)}</td>
                </tr>
            }).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

/// The upload outcome the upload route put in the query string; only known keys are shown.
fn upload_outcome() -> Option<(bool, &'static str)> {
    let query = use_query_map().read_untracked();
    if query.get("uploaded").is_some() {
        return Some((true, "courses.file_uploaded"));
    }
    let key = query.get("file_error")?;
    ["error.file_empty", "error.file_too_large", "error.file_type"].into_iter().find(|k| *k == key).map(|k| (false, k))
}

/// Images and attachments: a plain multipart form (works without JavaScript) and the list with
/// the Markdown to paste into a lesson.
#[component]
fn CourseFiles(
    course_id: i64,
    files: Resource<Result<Vec<CourseFile>, AppError>>,
    delete: ServerAction<DeleteCourseFile>,
) -> impl IntoView {
    // Kept as data; the view is built where it is shown, so it never has to be cloned.
    let outcome = upload_outcome();
    // Nothing at all when the files cannot be read: the editor above says why (403, 404).
    view! {
        <Transition fallback=|| ()>
            {move || {
                Suspend::new(async move {
                    let Ok(list) = files.await else { return ().into_any() };
                    let outcome = outcome.map(|(ok, key)| {
                        let (class, text) = if ok {
                            ("alert ok", tr(key))
                        } else {
                            ("alert error", format!("{}: {}", tr("field.file"), tr(key)))
                        };
                        view! { <p class=class role="status">{text}</p> }
                    });
                    view! {
                        <section class="card" id="files">
                            <h2>{tr("courses.files")}</h2>
                            {outcome}
                            <form method="post" action=format!("/courses/{course_id}/files") enctype="multipart/form-data" class="row">
                                <input type="file" name="file" required aria-label=tr("courses.file")
                                    accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,.docx,.xlsx,.pptx"/>
                                <button type="submit">{tr("courses.upload")}</button>
                            </form>
                            <p class="hint">{tr("courses.files_help")}</p>
                            {file_table(course_id, list, delete)}
                        </section>
                    }.into_any()
                })
            }}
        </Transition>
    }
}

fn file_table(course_id: i64, list: Vec<CourseFile>, delete: ServerAction<DeleteCourseFile>) -> AnyView {
    if list.is_empty() {
        return view! { <p class="empty">{tr("courses.no_files")}</p> }.into_any();
    }
    view! {
        <table class="list">
            <thead><tr>
                <th>{tr("courses.file")}</th><th>{tr("courses.file_size")}</th>
                <th>{tr("courses.file_markdown")}</th><th></th>
            </tr></thead>
            <tbody>{list.into_iter().map(|f| view! {
                <tr>
                    <td><a href=f.url() rel="external">{f.name.clone()}</a></td>
                    <td>{format!("{:.1} KB", f.size_bytes as f64 / 1024.0)}</td>
                    <td><code class="snippet">{f.markdown()}</code></td>
                    <td>
                        <ActionForm action=delete>
                            <input type="hidden" name="course_id" value=course_id/>
                            <input type="hidden" name="file_id" value=f.id/>
                            <button type="submit" class="danger">{tr("courses.delete_file")}</button>
                        </ActionForm>
                    </td>
                </tr>
            }).collect_view()}</tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn CoursePreviewPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=preview/> }
}

fn preview(_me: Me) -> impl IntoView {
    let id = param("id");
    let course = Resource::new(|| (), move |_| preview_course(id));
    view! {
        <p><a href=format!("/trainer/courses/{id}")>{tr("courses.back_to_editor")}</a></p>
        <p class="alert ok">{tr("courses.preview_note")}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match course.await {
                    Err(e) => load_failed(e),
                    Ok(p) => view! {
                        <h1>{shown(&p.title)}</h1>
                        <p>{p.summary}</p>
                        {p.modules.into_iter().map(|m| view! {
                            <h2>{shown(&m.title)}</h2>
                            {m.lessons.into_iter().map(|l| view! {
                                <article class="card lesson">
                                    <h3>{shown(&l.title)}</h3>
                                    // Rendered from Markdown and sanitized (ammonia) on the server.
                                    <div class="lesson-body" inner_html=l.html></div>
                                </article>
                            }).collect_view()}
                        }).collect_view()}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
