pub mod learn;
