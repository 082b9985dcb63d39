pub mod audit;
pub mod course_lists;
pub mod organisation;
pub mod positions;
pub mod teams;
pub mod tokens;
pub mod users;
