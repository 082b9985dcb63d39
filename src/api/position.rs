use leptos::prelude::*;

use crate::error::AppError;
use crate::model::position::Position;

#[cfg(feature = "ssr")]
use crate::{
    model::user::Role,
    server::{ctx::Ctx, position as svc},
};

/// The positions, for the admin's list and the pickers on the user and program forms.
#[server]
pub async fn list_positions() -> Result<Vec<Position>, AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin, Role::Trainer, Role::Manager], "list_positions")?;
        svc::list(&cx.state.db).await
    })
    .await
}

#[server]
pub async fn add_position(name_zh: String, name_en: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "add_position")?;
        svc::add(&cx.state.db, cx.actor(), &name_zh, &name_en).await?;
        leptos_axum::redirect("/admin/positions?saved=1");
        Ok(())
    })
    .await
}

#[server]
pub async fn rename_position(id: i64, name_zh: String, name_en: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "rename_position")?;
        svc::rename(&cx.state.db, cx.actor(), id, &name_zh, &name_en).await?;
        leptos_axum::redirect("/admin/positions?saved=1");
        Ok(())
    })
    .await
}

#[server]
pub async fn set_position_archived(id: i64, archived: bool) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "set_position_archived")?;
        svc::set_archived(&cx.state.db, cx.actor(), id, archived).await?;
        leptos_axum::redirect("/admin/positions?saved=1");
        Ok(())
    })
    .await
}
