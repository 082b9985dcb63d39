use leptos::prelude::*;

use crate::error::AppError;
use crate::model::organisation::Organisation;

#[cfg(feature = "ssr")]
use crate::{
    model::{organisation::OrgImage, user::Role},
    server::{ctx::Ctx, organisation as svc},
};

/// Public: the header of every page, the sign-in page included, names the organisation.
#[server]
pub async fn get_organisation() -> Result<Organisation, AppError> {
    Ctx::serve(async |cx| svc::get(&cx.state.db).await).await
}

#[server]
pub async fn save_organisation(name_zh: String, name_en: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "save_organisation")?;
        svc::save_name(&cx.state.db, cx.actor(), &name_zh, &name_en).await
    })
    .await
}

/// The responses a survey needs before its results appear (admins).
#[server]
pub async fn save_survey_threshold(survey_min_responses: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "save_survey_threshold")?;
        let k = super::number("survey_min_responses", &survey_min_responses)?;
        svc::save_survey_threshold(&cx.state.db, cx.actor(), k).await?;
        if cx.is_plain_form() {
            leptos_axum::redirect("/admin/organisation?k=1");
        }
        Ok(())
    })
    .await
}

#[server]
pub async fn remove_org_image(which: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "remove_org_image")?;
        let which = OrgImage::parse(&which).ok_or_else(|| AppError::validation("which", "error.choice_unknown"))?;
        svc::remove_image(&cx.state.db, cx.actor(), which).await
    })
    .await
}
