use leptos::prelude::*;

use crate::error::AppError;
use crate::model::audit::{AuditLog, AuditQuery};

#[cfg(feature = "ssr")]
use crate::{
    model::user::Role,
    server::{audit as svc, ctx::Ctx},
};

/// The audit log, for admins only: it names everyone's sign-ins and decisions.
#[server]
pub async fn get_audit_log(#[server(flatten)] query: AuditQuery) -> Result<AuditLog, AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "get_audit_log")?;
        svc::list(&cx.state.db, &query, cx.auth.zone).await
    })
    .await
}
