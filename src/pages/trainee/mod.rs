pub mod learn;
pub mod quiz;
