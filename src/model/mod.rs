//! Types that cross the wire between server and browser. Nothing here may carry a secret.

pub mod team;
pub mod user;
