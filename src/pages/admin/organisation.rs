//! The organisation's name, logo and seal (admin): shown in the header, on certificates and on
//! the training record.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::organisation::{RemoveOrgImage, SaveOrganisation, SaveSurveyThreshold};
use crate::app::OrgResource;
use crate::components::error_note::{action_error, load_failed, ErrorNote};
use crate::components::require::RequireRole;
use crate::i18n::tr;
use crate::model::organisation::{OrgImage, Organisation};
use crate::model::user::{Me, Role};
use crate::pages::{done_note, succeeded};

#[component]
pub fn OrganisationPage() -> impl IntoView {
    view! { <RequireRole roles=vec![Role::Admin] view=organisation/> }
}

/// What the upload route reported in the query; only known keys are shown.
fn upload_outcome() -> Option<(bool, &'static str)> {
    let query = use_query_map().read_untracked();
    if query.get("uploaded").is_some() {
        return Some((true, "org.image_saved"));
    }
    let key = query.get("file_error")?;
    ["error.file_empty", "error.file_too_large", "error.image_too_large", "error.image_type"]
        .into_iter()
        .find(|k| *k == key)
        .map(|k| (false, k))
}

fn organisation(_me: Me) -> impl IntoView {
    let org = expect_context::<OrgResource>().0;
    let save = ServerAction::<SaveOrganisation>::new();
    let remove = ServerAction::<RemoveOrgImage>::new();
    let threshold = ServerAction::<SaveSurveyThreshold>::new();
    // The header reads the same resource: saving refreshes both.
    Effect::new(move |_| {
        if save.version().get() + remove.version().get() + threshold.version().get() > 0 {
            org.refetch();
        }
    });
    let outcome = upload_outcome().map(|(ok, key)| {
        let class = if ok { "alert ok" } else { "alert error" };
        view! { <p class=class role=if ok { "status" } else { "alert" }>{tr(key)}</p> }
    });
    view! {
        <h1>{tr("org.title")}</h1>
        <p class="hint">{tr("org.help")}</p>
        {outcome}
        {done_note("saved", succeeded(save), "org.saved")}
        <ErrorNote error=action_error(save.value())/>
        <ErrorNote error=action_error(remove.value())/>
        <ErrorNote error=action_error(threshold.value())/>
        {done_note("k", succeeded(threshold), "org.survey_saved")}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let o = match org.await { Ok(o) => o, Err(e) => return load_failed(e) };
                let (zh, en) = (o.name.zh.clone(), o.name.en.clone());
                view! {
                    <section class="card">
                        <h2>{tr("org.name")}</h2>
                        <ActionForm action=save attr:class="stack">
                            <label>{tr("field.name_zh")}<input name="name_zh" value=zh maxlength="200"/></label>
                            <label>{tr("field.name_en")}<input name="name_en" value=en maxlength="200"/></label>
                            <button type="submit" class="primary">{tr("org.save")}</button>
                        </ActionForm>
                    </section>
                    <div class="grid">
                        <ImageCard org=o.clone() which=OrgImage::Logo remove=remove/>
                        <ImageCard org=o.clone() which=OrgImage::Seal remove=remove/>
                    </div>
                    <section class="card">
                        <h2>{tr("org.surveys")}</h2>
                        <p class="hint">{tr("org.surveys_help")}</p>
                        <ActionForm action=threshold attr:class="row">
                            <label>{tr("field.survey_min_responses")}
                                <input type="number" name="survey_min_responses" min="1" max="100" value=o.survey_min_responses required/>
                            </label>
                            <button type="submit">{tr("org.save")}</button>
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

/// One picture: what is set now, a plain multipart upload (works without JavaScript), removal.
#[component]
fn ImageCard(org: Organisation, which: OrgImage, remove: ServerAction<RemoveOrgImage>) -> impl IntoView {
    let (title, help) = match which {
        OrgImage::Logo => ("org.logo", "org.logo_help"),
        OrgImage::Seal => ("org.seal", "org.seal_help"),
    };
    let current = org.image_url(which);
    view! {
        <section class="card org-image">
            <h2>{tr(title)}</h2>
            <p class="hint">{tr(help)}</p>
            {match current {
                Some(src) => view! {
                    <img class=format!("preview {}", which.as_str()) src=src alt=tr(title)/>
                    <ActionForm action=remove>
                        <input type="hidden" name="which" value=which.as_str()/>
                        <button type="submit" class="danger">{tr("org.remove")}</button>
                    </ActionForm>
                }.into_any(),
                None => view! { <p class="empty">{tr("org.no_image")}</p> }.into_any(),
            }}
            <form method="post" action=format!("/admin/organisation/{}", which.as_str()) enctype="multipart/form-data" class="row">
                <input type="file" name="file" required accept="image/png,image/jpeg" aria-label=tr(title)/>
                <button type="submit">{tr("org.upload")}</button>
            </form>
        </section>
    }
}
