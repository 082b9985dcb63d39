//! Server-only code: state, database, authentication and one plain service module per domain.
//! Nothing here knows about Leptos except `ctx`, which adapts services to server functions.

pub mod analytics;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod cert;
pub mod cli;
pub mod config;
pub mod course;
pub mod ctx;
pub mod db;
pub mod demo;
pub mod followup;
pub mod gen;
pub mod http;
pub mod metric;
pub mod organisation;
pub mod owners;
pub mod plan;
pub mod position;
pub mod quiz;
pub mod roleplay;
pub mod spreadsheet;
pub mod state;
pub mod survey;
pub mod sweep;
pub mod team;
pub mod text;
pub mod todo;
pub mod transfer;
pub mod user;

/// Seconds since the Unix epoch: the one clock every service uses.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
