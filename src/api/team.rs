use leptos::prelude::*;

use crate::error::AppError;
use crate::model::team::TeamNode;

#[cfg(feature = "ssr")]
use crate::{
    model::{team::TeamKind, user::Role, Names},
    server::{ctx::Ctx, team as svc},
};

#[cfg(feature = "ssr")]
fn parse(parent_id: &str, kind: &str) -> Result<(Option<i64>, TeamKind), AppError> {
    let parent = match parent_id.trim() {
        "" => None,
        p => Some(p.parse().map_err(|_| AppError::validation("parent_id", "error.team_unknown"))?),
    };
    let kind = TeamKind::parse(kind).ok_or_else(|| AppError::validation("kind", "error.team_kind_invalid"))?;
    Ok((parent, kind))
}

/// The whole tree for admins and trainers (who enroll whole teams); a manager gets the teams they
/// oversee; trainees nothing.
#[server]
pub async fn list_teams() -> Result<Vec<TeamNode>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Admin, Role::Trainer, Role::Manager], "list_teams")?;
        let tree = svc::tree(&cx.state.db).await?;
        if me.has(Role::Admin) || me.has(Role::Trainer) {
            return Ok(tree);
        }
        let visible = crate::server::auth::guard::visible_team_ids(&cx.state.db, me.id).await?;
        Ok(tree.into_iter().filter(|t| visible.contains(&t.id)).collect())
    })
    .await
}

#[server]
pub async fn create_team(
    #[server(default)] name_zh: String,
    #[server(default)] name_en: String,
    #[server(default)] parent_id: String,
    kind: String,
    #[server(default)] time_zone: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "create_team")?;
        let (parent, kind) = parse(&parent_id, &kind)?;
        let zone = svc::site_zone(&time_zone)?;
        let id = svc::create(&cx.state.db, cx.actor(), parent, &Names::new(name_zh, name_en), kind).await?;
        if let (None, Some(zone)) = (parent, zone) {
            svc::set_zone(&cx.state.db, cx.actor(), id, zone).await?;
        }
        Ok(())
    })
    .await
}

#[server]
pub async fn update_team(
    id: i64,
    #[server(default)] name_zh: String,
    #[server(default)] name_en: String,
    #[server(default)] parent_id: String,
    kind: String,
    #[server(default)] time_zone: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "update_team")?;
        let (parent, kind) = parse(&parent_id, &kind)?;
        let zone = svc::site_zone(&time_zone)?;
        svc::update(&cx.state.db, cx.actor(), id, parent, &Names::new(name_zh, name_en), kind, zone).await
    })
    .await
}

#[server]
pub async fn delete_team(id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "delete_team")?;
        svc::delete(&cx.state.db, cx.actor(), id).await
    })
    .await
}
