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

#[server]
pub async fn remove_org_image(which: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "remove_org_image")?;
        let which = OrgImage::parse(&which).ok_or_else(|| AppError::validation("which", "error.choice_unknown"))?;
        svc::remove_image(&cx.state.db, cx.actor(), which).await
    })
    .await
}
