//! The one authorization layer: who is calling, what may they do, which teams may they see.
//! Every server function goes through these; a denial is logged with who and what.

use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use crate::model::user::{Me, Role};
use crate::server::db::Db;

/// The signed-in user of a request, resolved from the session cookie by the HTTP layer.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub session_id: i64,
    pub display_name: String,
    pub email: String,
    pub employee_no: String,
    pub locale: Locale,
    pub roles: Vec<Role>,
}

impl CurrentUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Everyone's figures, for work the sweep does outside a request (the floor's daily count):
    /// an admin who is nobody. Never a request's caller, and never used to write.
    pub fn system_reader() -> CurrentUser {
        CurrentUser {
            id: 0,
            session_id: 0,
            display_name: String::new(),
            email: String::new(),
            employee_no: String::new(),
            locale: Locale::default(),
            roles: vec![Role::Admin],
        }
    }

    pub fn me(&self) -> Me {
        Me {
            id: self.id,
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            employee_no: self.employee_no.clone(),
            roles: self.roles.clone(),
            locale: self.locale,
        }
    }
}

pub fn require_user<'a>(user: Option<&'a CurrentUser>, what: &str) -> AppResult<&'a CurrentUser> {
    user.ok_or_else(|| {
        tracing::warn!(what, "denied: not signed in");
        AppError::Unauthorized
    })
}

/// The caller must hold at least one of `roles`.
pub fn require_role<'a>(user: Option<&'a CurrentUser>, roles: &[Role], what: &str) -> AppResult<&'a CurrentUser> {
    let user = require_user(user, what)?;
    if roles.iter().any(|r| user.has(*r)) {
        Ok(user)
    } else {
        tracing::warn!(user_id = user.id, ?roles, what, "denied: missing role");
        Err(AppError::Forbidden)
    }
}

/// Admins see every team; a manager sees the teams they manage and everything below them.
#[tracing::instrument(skip_all, fields(caller = user.id, team_id))]
pub async fn require_team_scope(db: &Db, user: &CurrentUser, team_id: i64, what: &str) -> AppResult<()> {
    if user.has(Role::Admin) {
        return Ok(());
    }
    if user.has(Role::Manager) && visible_team_ids(db, user.id).await?.contains(&team_id) {
        return Ok(());
    }
    tracing::warn!(user_id = user.id, team_id, what, "denied: team out of scope");
    Err(AppError::Forbidden)
}

/// Every team inside the subtrees a manager oversees.
#[tracing::instrument(skip_all, fields(manager_id))]
pub async fn visible_team_ids(db: &Db, manager_id: i64) -> AppResult<Vec<i64>> {
    let ids = sqlx::query_scalar!(
        r#"with recursive scope(id) as (
               select team_id from team_managers where user_id = $1
               union
               select t.id from teams t join scope s on t.parent_id = s.id
           )
           select id as "id!: i64" from scope order by id"#,
        manager_id
    )
    .fetch_all(&db.read)
    .await?;
    Ok(ids)
}

/// A user as the services see a caller, for work done on their behalf outside a request (the
/// demo seed); there is no session behind it.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn acting_as(db: &Db, user_id: i64) -> AppResult<CurrentUser> {
    let row = sqlx::query!("select display_name, email, employee_no, locale from users where id = $1", user_id)
        .fetch_optional(&db.read)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(CurrentUser {
        id: user_id,
        session_id: 0,
        display_name: row.display_name,
        email: row.email,
        employee_no: row.employee_no,
        locale: Locale::parse(&row.locale).unwrap_or_default(),
        roles: roles_of(&db.read, user_id).await?,
    })
}

/// A person's roles, sorted.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn roles_of<'e>(
    conn: impl sqlx::Executor<'e, Database = crate::server::db::Backend>,
    user_id: i64,
) -> AppResult<Vec<Role>> {
    let rows = sqlx::query_scalar!("select role from user_roles where user_id = $1 order by role", user_id)
        .fetch_all(conn)
        .await?;
    let mut roles: Vec<Role> = rows.iter().filter_map(|r| r.parse().ok()).collect();
    roles.sort();
    Ok(roles)
}
