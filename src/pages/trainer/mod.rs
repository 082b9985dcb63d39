pub mod courses;
