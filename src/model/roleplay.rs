//! Role-play rubrics (issue 5). The scoring and agreement math lives in `server::roleplay`.

use serde::{Deserialize, Serialize};

/// One weighted rubric criterion with ordered levels `0..=max_level`, each with a descriptor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    pub weight: f64,
    /// Descriptors for levels 0, 1, ..., in order; the highest index is the best level.
    pub levels: Vec<String>,
    /// Scoring below `pass_level` on a critical criterion fails the role-play whatever the total.
    pub critical: bool,
    pub pass_level: u8,
}

impl Criterion {
    pub fn max_level(&self) -> u8 {
        self.levels.len().saturating_sub(1) as u8
    }
}

/// How two raters' scores of one performance become the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondRaterRule {
    /// The mean of the two (per criterion, so a critical criterion fails on the mean level).
    Average,
    /// The lower of the two totals, with that rater's critical failures.
    Lower,
}
