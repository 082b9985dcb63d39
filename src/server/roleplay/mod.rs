//! Role-play scoring with rubrics and rater agreement (issue 5). Pure functions so far; the
//! scenarios, ratings and pages that use them are not built yet.

pub mod kappa;
pub mod score;
