//! The integration tests, one binary: each test binary links the whole app (about 2 GB with
//! line tables), so fourteen of them filled the disk and took most of the build's link time.
//! Each module tests one domain through the real services, database and router.

mod analytics;
mod auth;
mod batch;
mod cert;
// The command line (backup and restore among it) on a SQLite data directory.
#[cfg(not(feature = "postgres"))]
mod cli;
mod common;
mod courses;
mod field;
mod files;
mod followups;
// Compares whole SQLite files generated twice.
#[cfg(not(feature = "postgres"))]
mod gen;
mod http;
mod i18n;
mod limits;
mod metrics;
mod plans;
mod quizzes;
mod roleplays;
mod surveys;
mod sweep;
mod text_area;
mod todo;
mod unique;
mod users;
