//! What each person's home page puts first: the work waiting for them.

use serde::{Deserialize, Serialize};

use super::Names;

/// A trainer's day: essays to grade, role-plays waiting for their rating, sessions they run today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TrainerTodo {
    pub essays: usize,
    pub roleplays: usize,
    pub sessions: Vec<TodaySession>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodaySession {
    pub plan_id: i64,
    pub plan_title: Names,
    pub session_id: i64,
    pub topic: String,
    pub start_time: String,
    pub end_time: String,
    pub venue: String,
}

/// What is missing for the product to work for everyone: people nobody can put on a path to the
/// floor, programs that clear people without asking anything of them, sites without a clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AdminTodo {
    pub people_without_team: i64,
    pub trainees_without_position: i64,
    pub programs_without_requirements: Vec<(i64, Names)>,
    pub sites_without_time_zone: Vec<Names>,
    /// Live API tokens that expire within [`TOKEN_WARNING_DAYS`] or have expired.
    pub expiring_tokens: Vec<ExpiringToken>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringToken {
    pub name: String,
    pub expires_at: i64,
    /// Already expired (told apart on the server: the browser's clock is not the judge).
    pub expired: bool,
}

/// How far ahead the admin's home page warns of an API token's expiry.
pub const TOKEN_WARNING_DAYS: i64 = 30;

impl AdminTodo {
    pub fn is_empty(&self) -> bool {
        self.people_without_team == 0
            && self.trainees_without_position == 0
            && self.programs_without_requirements.is_empty()
            && self.sites_without_time_zone.is_empty()
            && self.expiring_tokens.is_empty()
    }
}

/// Why a trainee has no path to the floor yet, and whom to ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraineeNext {
    pub position: Option<Names>,
    /// Programs that apply to the trainee's position.
    pub programs: i64,
    /// The managers of the trainee's team and the teams above it.
    pub managers: Vec<String>,
}
