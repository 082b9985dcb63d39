pub mod teams;
pub mod users;
