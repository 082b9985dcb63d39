pub mod error_note;
pub mod names_input;
pub mod nav;
pub mod owners;
pub mod pager;
pub mod position_picker;
pub mod require;
pub mod text_area;
