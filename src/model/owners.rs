use serde::{Deserialize, Serialize};

/// What has owners besides courses (see `server::owners`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Owned {
    Program,
    Rubric,
    Scenario,
    /// A question bank shared by all courses; a course's bank belongs to the course's authors.
    SharedBank,
    /// An evaluation form (what trainees are asked after a course).
    Form,
}

impl Owned {
    pub const ALL: [Owned; 5] = [Owned::Program, Owned::Rubric, Owned::Scenario, Owned::SharedBank, Owned::Form];

    pub fn as_str(self) -> &'static str {
        match self {
            Owned::Program => "program",
            Owned::Rubric => "rubric",
            Owned::Scenario => "scenario",
            Owned::SharedBank => "bank",
            Owned::Form => "form",
        }
    }

    pub fn parse(s: &str) -> Option<Owned> {
        Owned::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// Who owns an object and whether the caller may change it (the page hides its forms otherwise;
/// the server checks again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Ownership {
    pub owners: Vec<String>,
    pub can_change: bool,
    /// The object has owners at all: a course's bank belongs to the course's authors instead.
    pub applies: bool,
}
