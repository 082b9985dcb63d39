//! Authentication (passwords, sessions, throttling) and the one authorization layer.

pub mod device;
pub mod guard;
pub mod login;
pub mod password;
pub mod session;
pub mod throttle;

pub use guard::{require_role, require_team_scope, require_user, CurrentUser};
