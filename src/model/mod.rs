//! Types that cross the wire between server and browser. Nothing here may carry a secret.

pub mod cert;
pub mod course;
pub mod owners;
pub mod plan;
pub mod quiz;
pub mod roleplay;
pub mod team;
pub mod user;
