pub mod banks;
pub mod courses;
pub mod programs;
pub mod quizzes;
pub mod roleplay;
