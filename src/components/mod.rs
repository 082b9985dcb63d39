pub mod error_note;
pub mod nav;
pub mod require;
