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
