#![allow(dead_code)]
//! Shared set-up for the integration tests: real migrations, real services, real router.

use floorready::server::auth::password::Passwords;
use floorready::server::config::Config;
use floorready::server::db::Db;
use floorready::server::state::AppState;
use floorready::server::user::{self, Actor, UserInput};
use leptos::prelude::LeptosOptions;
use sqlx::SqlitePool;

pub const PASSWORD: &str = "lantern-orbit-maple";

pub fn state(pool: SqlitePool) -> AppState {
    state_with(pool, Config::for_tests())
}

pub fn state_with(pool: SqlitePool, config: Config) -> AppState {
    let options = LeptosOptions::builder().output_name("floorready").site_root("target/site").build();
    AppState::new(options, Db::from_pool(pool), config)
}

pub const SYSTEM: Actor<'static> = Actor { id: None, ip: "test" };

/// Creates a user with `roles` (comma separated) and the shared test password.
pub async fn user(state: &AppState, employee_no: &str, roles: &str, team_id: Option<i64>) -> i64 {
    let input = UserInput {
        email: format!("{}@example.com", employee_no.to_lowercase()),
        employee_no: employee_no.into(),
        display_name: format!("User {employee_no}"),
        roles: roles.split(',').map(str::to_string).collect(),
        ..Default::default()
    };
    user::create(&state.db, &state.passwords, SYSTEM, &input, team_id, PASSWORD).await.expect("create user")
}

pub fn passwords() -> Passwords {
    Passwords::new()
}

pub async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect("count query")
}
