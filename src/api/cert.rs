use leptos::prelude::*;

use crate::error::AppError;
use crate::model::cert::{
    CertificateView, NotificationView, PersonStatus, ProgramEditor, ProgramForm, ProgramSummary, Roster, RosterQuery,
    TokenView, Verification,
};

#[cfg(feature = "ssr")]
use crate::{
    model::cert::{Decision, Phase, ProgramFields, ReqKind},
    model::owners::Owned,
    model::user::Role,
    server::{cert as svc, ctx::Ctx, now},
};

#[cfg(feature = "ssr")]
const AUTHORS: &[Role] = &[Role::Trainer, Role::Admin];

/// The cookie that carries a just-created API token to the page that shows it once.
#[cfg(feature = "ssr")]
const NEW_TOKEN_COOKIE: &str = "floorready_new_token";

#[cfg(feature = "ssr")]
use super::{number, optional_number};

#[server]
pub async fn list_programs() -> Result<Vec<ProgramSummary>, AppError> {
    Ctx::serve(async |cx| {
        cx.role(AUTHORS, "list_programs")?;
        svc::list_programs(&cx.state.db).await
    })
    .await
}

/// The program editor; `id` 0 gives an empty one.
#[server]
pub async fn get_program_editor(id: i64) -> Result<ProgramEditor, AppError> {
    Ctx::serve(async |cx| {
        let can_change = cx.can_change(Owned::Program, id, "get_program_editor").await?;
        Ok(ProgramEditor { can_change, ..svc::editor(&cx.state.db, id).await? })
    })
    .await
}

#[server]
pub async fn save_program(id: i64, #[server(flatten)] form: ProgramForm) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        if id > 0 {
            cx.owner(Owned::Program, id, "save_program").await?;
        } else {
            cx.role(AUTHORS, "save_program")?;
        }
        let ProgramForm {
            name_zh,
            name_en,
            position_id,
            level_id,
            requires_program_id,
            validity_days,
            window_days,
            veteran_cycle_days,
            manager_cycle_days,
        } = form;
        let fields = (|| -> Result<_, AppError> {
            Ok(ProgramFields {
                name: crate::model::Names::new(name_zh, name_en),
                // Every program is for one position from the admin's list.
                position_id: position_id
                    .trim()
                    .parse()
                    .map_err(|_| AppError::validation("position_id", "error.position_required"))?,
                level_id: number("level_id", &level_id)?,
                requires_program_id: optional_number("requires_program_id", &requires_program_id)?,
                validity_days: number("validity_days", &validity_days)?,
                window_days: number("window_days", &window_days)?,
                veteran_cycle_days: optional_number("veteran_cycle_days", &veteran_cycle_days)?,
                manager_cycle_days: optional_number("manager_cycle_days", &manager_cycle_days)?,
            })
        })()?;
        let id = (id > 0).then_some(id);
        let id = svc::save_program(&cx.state.db, cx.actor(), id, fields).await?;
        leptos_axum::redirect(&format!("/trainer/programs/{id}?saved=1"));
        Ok(())
    })
    .await
}

/// `target` is `kind:id`, e.g. `quiz:3`, as the editor's grouped select sends it.
#[server]
pub async fn add_requirement(
    program_id: i64,
    phase: String,
    target: String,
    #[server(default)] min_percent: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.owner(Owned::Program, program_id, "add_requirement").await?;
        let parsed = (|| -> Result<_, AppError> {
            let phase = Phase::parse(&phase).ok_or_else(|| AppError::validation("phase", "error.choice_unknown"))?;
            let (kind, id) =
                target.split_once(':').ok_or_else(|| AppError::validation("target", "error.choice_unknown"))?;
            let kind = ReqKind::parse(kind).ok_or_else(|| AppError::validation("target", "error.choice_unknown"))?;
            Ok((phase, kind, number("target", id)?, optional_number("min_percent", &min_percent)?))
        })();
        let (phase, kind, target, min) = parsed?;
        svc::add_requirement(&cx.state.db, cx.actor(), program_id, phase, kind, target, min).await
    })
    .await
}

#[server]
pub async fn remove_requirement(program_id: i64, requirement_id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.owner(Owned::Program, program_id, "remove_requirement").await?;
        svc::remove_requirement(&cx.state.db, cx.actor(), program_id, requirement_id).await
    })
    .await
}

/// The caller's own path to the floor.
#[server]
pub async fn my_certification() -> Result<PersonStatus, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("my_certification")?;
        svc::status::person(&cx.state.db, me, me.id).await
    })
    .await
}

#[server]
pub async fn person_certification(user_id: i64) -> Result<PersonStatus, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("person_certification")?;
        svc::status::person(&cx.state.db, me, user_id).await
    })
    .await
}

/// A manual decision (exempt, suspend, revoke, reinstate); the reason is required.
#[server]
pub async fn decide_certification(
    user_id: i64,
    program_id: i64,
    decision: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Manager, Role::Admin], "decide_certification")?;
        let decision =
            Decision::parse(&decision).ok_or_else(|| AppError::validation("decision", "error.choice_unknown"))?;
        svc::status::decide(&cx.state.db, cx.actor(), me, user_id, program_id, decision, &reason).await?;
        leptos_axum::redirect(&format!("/people/{user_id}/certification?decided=1"));
        Ok(())
    })
    .await
}

/// The floor roster for the caller's teams, narrowed as the page's filters say.
#[server]
pub async fn get_roster(#[server(flatten)] query: RosterQuery) -> Result<Roster, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.role(&[Role::Manager, Role::Admin], "get_roster")?;
        let filter = svc::status::RosterFilter::parse(&query)?;
        svc::status::roster(&cx.state.db, me, &filter).await
    })
    .await
}

#[server]
pub async fn get_certificate(number: String) -> Result<CertificateView, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("get_certificate")?;
        let url = cx.state.config.public_url.clone();
        svc::certificate::view(&cx.state.db, me, &number, &url, now()).await
    })
    .await
}

/// Public: what the QR code on a certificate leads to.
#[server]
pub async fn verify_certificate(number: String) -> Result<Verification, AppError> {
    Ctx::serve(async |cx| svc::certificate::verify(&cx.state.db, &number, now()).await).await
}

/// The API tokens, and a token created just now (shown once, then gone).
#[server]
pub async fn list_tokens() -> Result<(Vec<TokenView>, Option<String>), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "list_tokens")?;
        let fresh = cx.cookie(NEW_TOKEN_COOKIE).filter(|v| !v.is_empty()).map(String::from);
        if fresh.is_some() {
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                let gone = format!("{NEW_TOKEN_COOKIE}=; Path=/admin/tokens; Max-Age=0; HttpOnly; SameSite=Strict");
                res.append_header(
                    http::header::SET_COOKIE,
                    http::HeaderValue::from_str(&gone).map_err(crate::error::internal)?,
                );
            }
        }
        let list = svc::clearance::list(&cx.state.db).await?;
        Ok((list, fresh))
    })
    .await
}

#[server]
pub async fn create_token(
    name: String,
    #[server(default)] team_id: String,
    #[server(default)] valid_days: String,
    #[server(default)] scope: String,
) -> Result<String, AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "create_token")?;
        let team = optional_number("team_id", &team_id)?;
        let days = optional_number("valid_days", &valid_days)?.unwrap_or(svc::clearance::DEFAULT_VALID_DAYS);
        let scope = if scope.is_empty() { svc::clearance::SCOPE_CLEARANCE } else { scope.as_str() };
        let token = svc::clearance::create_with_scope(&cx.state.db, cx.actor(), &name, scope, team, days).await?;
        // With JavaScript the page shows the returned token. Without, the page after the redirect
        // shows it: a short-lived cookie for that page only, cleared when shown.
        if cx.is_plain_form() {
            let secure = if cx.state.config.secure_cookies { "; Secure" } else { "" };
            let cookie = format!(
                "{NEW_TOKEN_COOKIE}={token}; Path=/admin/tokens; Max-Age=120; HttpOnly; SameSite=Strict{secure}"
            );
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.append_header(
                    http::header::SET_COOKIE,
                    http::HeaderValue::from_str(&cookie).map_err(crate::error::internal)?,
                );
            }
        }
        leptos_axum::redirect("/admin/tokens?created=1");
        Ok(token)
    })
    .await
}

#[server]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        cx.role(&[Role::Admin], "revoke_token")?;
        svc::clearance::revoke(&cx.state.db, cx.actor(), id).await
    })
    .await
}

#[server]
pub async fn my_notifications() -> Result<Vec<NotificationView>, AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("my_notifications")?;
        svc::notify::list(&cx.state.db, me.id).await
    })
    .await
}

#[server]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    Ctx::serve(async |cx| {
        let me = cx.user("mark_notifications_read")?;
        svc::notify::mark_read(&cx.state.db, me.id, now()).await
    })
    .await
}
