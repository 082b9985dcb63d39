//! Managers' and trainers' figures: Moodle's test statistics per quiz, pass rates, gains.

pub mod criteria;
pub mod dashboard;
pub mod digest;
pub mod floor;
pub mod gain;
pub mod outcomes;
pub mod quiz_stats;
pub mod report;
pub mod summary;
pub mod test_stats;
