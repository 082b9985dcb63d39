use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::i18n::Locale;
use crate::model::Names;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Manager,
    Trainer,
    Trainee,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Manager, Role::Trainer, Role::Trainee];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Trainer => "trainer",
            Role::Trainee => "trainee",
        }
    }

    /// Translation key of the role's display name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role.admin",
            Role::Manager => "role.manager",
            Role::Trainer => "role.trainer",
            Role::Trainee => "role.trainee",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim().to_ascii_lowercase()).ok_or(())
    }
}

/// The signed-in user as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub employee_no: String,
    pub roles: Vec<Role>,
    pub locale: Locale,
}

impl Me {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A row of the admin user list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub employee_no: String,
    pub position: Names,
    pub hire_date: Option<chrono::NaiveDate>,
    /// "Site / Department / Team", so two teams of the same name can be told apart.
    pub team_path: Option<Names>,
    pub roles: Vec<Role>,
    pub active: bool,
}

/// The user list's filters as the address carries them (a GET form, so they work without
/// JavaScript and can be shared); empty means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserQuery {
    pub q: String,
    /// A team id: that team and every team below it.
    pub team: String,
    pub role: String,
    /// "active" or "disabled".
    pub status: String,
    /// "team" or "position": people without one.
    pub missing: String,
    /// 1-based.
    pub page: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    pub users: Vec<UserSummary>,
    /// People matching the filters, across every page.
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// People per page of the user list.
pub const USERS_PER_PAGE: i64 = 50;

/// Everything an admin edits about a user (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub employee_no: String,
    pub position_id: Option<i64>,
    pub position: Names,
    pub hire_date: Option<String>,
    pub locale: Locale,
    pub team_id: Option<i64>,
    pub roles: Vec<Role>,
    pub managed_team_ids: Vec<i64>,
    pub active: bool,
}

/// Rows of a user CSV import that were stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: u32,
}

/// The user editor form as posted: every field is the text typed, so one parse (in `api::user`)
/// names each bad value's field. Unchecked boxes and empty fields may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserForm {
    pub email: String,
    pub employee_no: String,
    pub display_name: String,
    pub position_id: String,
    pub hire_date: String,
    pub locale: String,
    pub team_id: String,
}
