//! Positions (jobs) as the admin keeps them: people hold one, a certification program is for one.

use serde::{Deserialize, Serialize};

use super::Names;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub id: i64,
    pub name: Names,
    /// Archived positions stay on the people and programs that hold them, but are not offered.
    pub archived: bool,
    /// Active people holding it, and live programs for it.
    pub people: i64,
    pub programs: i64,
}

impl Position {
    /// Named `name` in either language, any case: how a CSV row names it (the same rule as
    /// `server::position::find_by_name`, which asks the database).
    pub fn answers_to(&self, name: &str) -> bool {
        self.name.answers_to(name)
    }
}
