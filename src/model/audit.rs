//! The audit log as an admin reads it: filtered by person, action and date, with the state of the
//! hash chain that makes editing it detectable.

use serde::{Deserialize, Serialize};

/// Entries on one page of the log.
pub const AUDIT_PER_PAGE: i64 = 50;

/// The filters, as the page's GET form sends them (so a filtered log is a link). Empty is "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// Part of a name or an employee number: entries that person made, or that were about them.
    pub person: String,
    pub action: String,
    /// Days (`YYYY-MM-DD`) on the reader's clock, both included.
    pub from: String,
    pub to: String,
    /// 1-based.
    pub page: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    /// "王经理 (M1001)"; `None` for the server itself (a scheduled check).
    pub actor: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    /// When the subject is a person: their name and employee number.
    pub subject_person: Option<String>,
    pub detail: String,
    pub ip: String,
}

/// What recomputing the hash chain found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainState {
    /// Every entry matches its content and its predecessor; how many were checked.
    Intact { checked: u64 },
    /// The first entry that does not: it, or one before it, was changed or removed.
    BrokenAt { id: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
    /// Entries matching the filters, across every page.
    pub total: i64,
    /// 0-based.
    pub page: u32,
    pub pages: u32,
    /// Every action the log holds, for the filter.
    pub actions: Vec<String>,
    pub chain: ChainState,
}
