pub mod banks;
pub mod courses;
pub mod gains;
pub mod programs;
pub mod quiz_stats;
pub mod quizzes;
pub mod roleplay;
