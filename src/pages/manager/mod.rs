pub mod dashboard;
pub mod progress;
