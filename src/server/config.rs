use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Runtime settings, from flags and `FLOORREADY_*` environment variables (see the README).
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub addr: SocketAddr,
    /// Behind HTTPS: cookies get `Secure` and the `__Host-` prefix.
    pub secure_cookies: bool,
    /// Directory with the built site (`pkg/`, stylesheet, static files).
    pub site_root: PathBuf,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// The address people reach the app at, for QR codes and links in emails.
    pub public_url: String,
    /// `smtp://`, `smtps://` or `smtp://...?tls=required` URL; none means notices stay in the app.
    pub smtp_url: Option<String>,
    pub smtp_from: String,
}

impl Config {
    pub fn session_cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-floorready_session"
        } else {
            "floorready_session"
        }
    }

    /// A configuration for tests and tools that never binds a socket.
    pub fn for_tests() -> Config {
        Config {
            database_url: "sqlite::memory:".into(),
            data_dir: std::env::temp_dir(),
            addr: "127.0.0.1:0".parse().expect("static address"),
            secure_cookies: false,
            site_root: PathBuf::from("target/site"),
            session_idle: Duration::from_secs(2 * 3600),
            session_absolute: Duration::from_secs(12 * 3600),
            public_url: "http://127.0.0.1:3000".into(),
            smtp_url: None,
            smtp_from: "Floorready <noreply@localhost>".into(),
        }
    }
}
