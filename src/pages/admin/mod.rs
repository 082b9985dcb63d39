pub mod course_lists;
pub mod teams;
pub mod tokens;
pub mod users;
