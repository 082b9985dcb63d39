//! Question banks: create, import GIFT, write or edit a question in GIFT, archive, regrade, export.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::pages::{cleared_on_success, param};

use crate::api::course::authored_courses;
use crate::api::quiz::*;
use crate::components::error_note::{action_error, load_failed, upload_errors, ErrorNote};
use crate::components::owners::OwnersCard;
use crate::components::require::RequireRole;
use crate::components::text_area::TextArea;
use crate::i18n::{shown, tr, tr_with};
use crate::model::owners::Owned;
use crate::model::user::{Me, Role};

#[component]
pub fn BanksPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=banks/> }
}

fn banks(_me: Me) -> impl IntoView {
    let create = ServerAction::<CreateBank>::new();
    let list = Resource::new(|| (), |_| list_banks());
    let courses = Resource::new(|| (), |_| authored_courses());
    view! {
        <h1>{tr("bank.title")}</h1>
        <p><a href="/trainer/quizzes">{tr("nav.quizzes")}</a>" · "<a href="/trainer/grading">{tr("nav.grading")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = match list.await { Ok(v) => v, Err(e) => return load_failed(e) };
                if list.is_empty() {
                    return view! { <p class="empty">{tr("bank.none")}</p> }.into_any();
                }
                view! {
                    <table class="list banks">
                        <thead><tr><th>{tr("field.name")}</th><th>{tr("nav.courses")}</th><th>{tr("bank.questions")}</th></tr></thead>
                        <tbody>{list.into_iter().map(|b| view! {
                            <tr>
                                <td><a href=format!("/trainer/banks/{}", b.id)>{b.name}</a></td>
                                <td>{b.course_title.as_ref().map(shown).unwrap_or_else(|| tr("bank.shared"))}</td>
                                <td>{b.question_count}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </Suspense>
        <section class="card">
            <h2>{tr("bank.new")}</h2>
            <ErrorNote error=action_error(create.value())/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let courses = match courses.await { Ok(v) => v, Err(e) => return load_failed(e) };
                    view! {
                        <ActionForm action=create attr:class="stack">
                            <label>{tr("field.name")}<input name="name" required maxlength="200"/></label>
                            <label>{tr("nav.courses")}
                                <select name="course_id">
                                    <option value="">{tr("bank.shared")}</option>
                                    {courses.into_iter().map(|c| view! { <option value=c.id>{shown(&c.title)}</option> }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="primary">{tr("bank.create")}</button>
                        </ActionForm>
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn BankPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Trainer, Role::Admin] view=bank/> }
}

fn bank(_me: Me) -> impl IntoView {
    let id = param("id");
    let import = ServerAction::<ImportGift>::new();
    let save = ServerAction::<SaveQuestion>::new();
    let archive = ServerAction::<ArchiveQuestion>::new();
    let regrade = ServerAction::<RegradeQuestion>::new();
    let query = use_query_map();
    let detail = Resource::new(
        move || (query.read().get("imported"), import.version().get() + save.version().get() + archive.version().get()),
        move |_| get_bank(id),
    );
    let imported = move || {
        query.read().get("imported").and_then(|n| n.parse::<u32>().ok()).map(|n| {
            view! { <p class="alert ok" role="status">{tr_with("bank.imported", &[("count", n.to_string())])}</p> }
        })
    };
    // Problems of a rejected file upload, as the upload route put them in the address.
    let import_errors = move || query.read().get("import_errors").map(|list| upload_errors(&list));
    let regraded = move || {
        regrade.value().get().and_then(|r| r.ok()).map(|n| {
            view! { <p class="alert ok" role="status">{tr_with("bank.regraded", &[("count", n.to_string())])}</p> }
        })
    };
    view! {
        <p><a href="/trainer/banks">{tr("bank.back")}</a></p>
        <ErrorNote error=action_error(import.value())/>
        <ErrorNote error=action_error(save.value())/>
        <ErrorNote error=action_error(archive.value())/>
        <ErrorNote error=action_error(regrade.value())/>
        {imported}
        {import_errors}
        {regraded}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let b = match detail.await {
                    Ok(b) => b,
                    Err(e) => return load_failed(e),
                };
                let bid = b.id;
                let count = b.questions.len();
                let questions = b.questions.into_iter().map(|q| {
                    let tags = q.tags.join(", ");
                    let label = if q.draft.title.is_empty() { q.draft.stem.chars().take(80).collect() } else { q.draft.title.clone() };
                    view! {
                        <li class="question-row">
                            <details>
                                <summary>
                                    {format!("#{} ", q.id)}<strong>{label}</strong>" · "{tr(q.draft.body.kind().label_key())}
                                    {(!q.category.is_empty()).then(|| format!(" · {}", q.category))}
                                    {(!tags.is_empty()).then(|| format!(" · #{tags}"))}
                                    {format!(" · v{}", q.version_no)}
                                </summary>
                                <ActionForm action=save attr:class="stack">
                                    <input type="hidden" name="bank_id" value=bid/>
                                    <input type="hidden" name="question_id" value=q.id/>
                                    <label>{tr("bank.gift_one")}<TextArea value=q.gift.clone() {..} name="gift" rows="8" class="code"/></label>
                                    <button type="submit">{tr("bank.save_version")}</button>
                                </ActionForm>
                                <div class="row">
                                    <ActionForm action=regrade>
                                        <input type="hidden" name="bank_id" value=bid/>
                                        <input type="hidden" name="question_id" value=q.id/>
                                        <button type="submit">{tr("bank.regrade")}</button>
                                    </ActionForm>
                                    <ActionForm action=archive>
                                        <input type="hidden" name="bank_id" value=bid/>
                                        <input type="hidden" name="question_id" value=q.id/>
                                        <button type="submit" class="danger">{tr("bank.archive")}</button>
                                    </ActionForm>
                                </div>
                            </details>
                        </li>
                    }
                }).collect_view();
                view! {
                    <div class="row">
                        <h1>{b.name.clone()}</h1>
                        <a class="button" href=format!("/banks/{bid}/export.gift") download>{tr("bank.export")}</a>
                    </div>
                    <p class="status">{tr_with("bank.count", &[("count", count.to_string())])}</p>
                    <ul class="questions">{questions}</ul>
                    <details class="card" open=b.categories.is_empty()>
                        <summary>{tr("bank.import")}</summary>
                        <ActionForm action=import node_ref=cleared_on_success(import) attr:class="stack">
                            <input type="hidden" name="bank_id" value=bid/>
                            <label>{tr("bank.gift_paste")}<TextArea keep=(ImportGift::PATH, "gift") {..} name="gift" rows="12" class="code" required=true/></label>
                            <p class="hint">{tr("bank.gift_help")}" "{tr("bank.import_limits")}</p>
                            <button type="submit" class="primary">{tr("bank.import_submit")}</button>
                        </ActionForm>
                    </details>
                    <section class="card">
                        <h2>{tr("bank.upload")}</h2>
                        <form method="post" action=format!("/banks/{bid}/import") enctype="multipart/form-data" class="row">
                            <input type="file" name="file" required aria-label=tr("bank.upload")
                                accept=".gift,.txt,.csv,.xlsx,text/plain,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>
                            <button type="submit">{tr("bank.import_submit")}</button>
                        </form>
                        <p class="hint">
                            {tr("bank.upload_help")}" "{tr("bank.import_limits")}" "
                            <a href="/banks/template.xlsx" download>{tr("bank.template_xlsx")}</a>" · "
                            <a href="/banks/template.csv" download>{tr("bank.template_csv")}</a>
                        </p>
                    </section>
                    <details class="card">
                        <summary>{tr("bank.add_question")}</summary>
                        <ActionForm action=save attr:class="stack">
                            <input type="hidden" name="bank_id" value=bid/>
                            <label>{tr("bank.gift_one")}
                                <TextArea {..} name="gift" rows="8" class="code" required=true
                                    placeholder="::三包::退货期限是几天？ {=7天 ~15天 ~30天}"/>
                            </label>
                            <button type="submit" class="primary">{tr("bank.add_question")}</button>
                        </ActionForm>
                    </details>
                }.into_any()
            })}
        </Suspense>
        // A shared bank names its editors (a course's bank shows nothing: its course's authors
        // own it). Outside the boundary above: a resource made inside it broke hydration.
        <OwnersCard what=Owned::SharedBank id=id/>
    }
}
