use serde::{Deserialize, Serialize};

use super::Names;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeamKind {
    Site,
    Department,
    Team,
}

impl TeamKind {
    pub const ALL: [TeamKind; 3] = [TeamKind::Site, TeamKind::Department, TeamKind::Team];

    pub fn as_str(self) -> &'static str {
        match self {
            TeamKind::Site => "site",
            TeamKind::Department => "department",
            TeamKind::Team => "team",
        }
    }

    pub fn parse(s: &str) -> Option<TeamKind> {
        TeamKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            TeamKind::Site => "team.kind.site",
            TeamKind::Department => "team.kind.department",
            TeamKind::Team => "team.kind.team",
        }
    }
}

/// One team in depth-first order; `depth` lets a flat list draw the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: Names,
    pub kind: TeamKind,
    pub depth: u32,
    /// "Site / Department / Team", for pickers and imports.
    pub path: Names,
    pub member_count: i64,
    /// A site's time zone (`None` below the top, where the site's applies).
    pub time_zone: Option<crate::i18n::Zone>,
}
