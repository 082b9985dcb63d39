use leptos::prelude::*;

use crate::error::AppError;
use crate::model::user::{ImportReport, UserDetail, UserForm, UserList, UserQuery};

#[cfg(feature = "ssr")]
use crate::{
    model::user::Role,
    server::{ctx::Ctx, user as svc},
};

#[server]
pub async fn list_users(#[server(flatten)] query: UserQuery) -> Result<UserList, AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "list_users")?;
        svc::list(&cx.state.db, &query).await
    })
    .await
}

#[server]
pub async fn get_user(id: i64) -> Result<UserDetail, AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "get_user")?;
        svc::get(&cx.state.db, id).await
    })
    .await
}

/// The user editor's fields and its role checkboxes (an indexed list); the team as chosen.
#[cfg(feature = "ssr")]
fn input(form: UserForm, roles: Vec<String>) -> Result<(svc::UserInput, Option<i64>), AppError> {
    let UserForm { email, employee_no, display_name, position_id, hire_date, locale, team_id } = form;
    let position_id = match position_id.trim() {
        "" => None,
        p => Some(p.parse().map_err(|_| AppError::validation("position_id", "error.position_unknown"))?),
    };
    let input = svc::UserInput {
        email,
        employee_no,
        display_name,
        position_id,
        position: String::new(),
        hire_date,
        locale,
        roles,
    };
    Ok((input, team(&team_id)?))
}

#[cfg(feature = "ssr")]
fn team(team_id: &str) -> Result<Option<i64>, AppError> {
    match team_id.trim() {
        "" => Ok(None),
        t => t.parse().map(Some).map_err(|_| AppError::validation("team_id", "error.team_unknown")),
    }
}

#[server]
pub async fn create_user(
    #[server(flatten)] form: UserForm,
    #[server(default)] roles: Vec<String>,
    password: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "create_user")?;
        let (input, team_id) = input(form, roles)?;
        let id = svc::create(&cx.state.db, &cx.state.passwords, cx.actor(), &input, team_id, &password).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
    .await
}

#[server]
pub async fn update_user(
    id: i64,
    #[server(flatten)] form: UserForm,
    #[server(default)] roles: Vec<String>,
    #[server(default)] managed_teams: Vec<i64>,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "update_user")?;
        let (input, team_id) = input(form, roles)?;
        svc::update(&cx.state.db, cx.actor(), id, &input, team_id, &managed_teams).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
    .await
}

#[server]
pub async fn set_user_active(id: i64, active: bool) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "set_user_active")?;
        svc::set_active(&cx.state.db, cx.actor(), id, active).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
    .await
}

#[server]
pub async fn reset_user_password(id: i64, password: String) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "reset_user_password")?;
        svc::reset_password(&cx.state.db, &cx.state.passwords, cx.actor(), id, &password).await?;
        leptos_axum::redirect(&format!("/admin/users/{id}?saved=1"));
        Ok(())
    })
    .await
}

/// Imports users from pasted CSV text (see `server::user::IMPORT_COLUMNS`).
#[server]
pub async fn import_users(csv: String) -> Result<ImportReport, AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "import_users")?;
        let report = svc::import_csv(&cx.state.db, &cx.state.passwords, cx.actor(), csv.as_bytes()).await?;
        leptos_axum::redirect(&format!("/admin/users?imported={}", report.created));
        Ok(report)
    })
    .await
}
