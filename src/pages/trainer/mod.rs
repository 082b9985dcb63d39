pub mod banks;
pub mod courses;
pub mod quizzes;
pub mod roleplay;
