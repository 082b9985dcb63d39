use leptos::prelude::*;

use crate::error::AppError;
use crate::model::owners::Ownership;

#[cfg(feature = "ssr")]
use crate::{
    model::{owners::Owned, user::Role},
    server::{ctx::Ctx, owners as svc},
};

#[cfg(feature = "ssr")]
fn owned(what: &str) -> Result<Owned, AppError> {
    Owned::parse(what).ok_or_else(|| AppError::validation("what", "error.choice_unknown"))
}

/// Who owns a program, rubric, scenario or shared bank, and whether the caller may change it.
#[server]
pub async fn get_ownership(what: String, id: i64) -> Result<Ownership, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Trainer, Role::Admin], "get_ownership")?;
        let what = owned(&what)?;
        let owners = svc::names(&cx.state.db, what, id).await?;
        let can_change = svc::can_change(&cx.state.db, me, what, id).await?;
        let applies = svc::applies(&cx.state.db, what, id).await?;
        Ok(Ownership { owners, can_change, applies })
    })
    .await
}

/// An owner (or an admin) names another trainer as an owner.
#[server]
pub async fn add_owner(what: String, id: i64, employee_no: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Trainer, Role::Admin], "add_owner")?;
        let what = owned(&what)?;
        svc::require_change(&cx.state.db, me, what, id).await?;
        svc::add(&cx.state.db, cx.actor(), what, id, &employee_no).await
    })
    .await
}
