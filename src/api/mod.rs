//! Server functions, one file per domain. Each checks who is calling and whether they may touch
//! the object, then calls a plain service in `server::`.

pub mod auth;
pub mod cert;
pub mod course;
pub mod plan;
pub mod quiz;
pub mod roleplay;
pub mod team;
pub mod user;
