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
    /// Reverse proxies and load balancers whose `X-Forwarded-For` is believed; from anyone else
    /// the header is ignored (it is trivial to forge).
    pub trusted_proxies: Vec<ipnet::IpNet>,
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
            trusted_proxies: Vec::new(),
        }
    }
}

/// `10.0.0.0/8` or a single address such as `10.0.0.7` (taken as /32 or /128).
pub fn parse_proxy(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s:?} is not an IP address or CIDR range (e.g. 10.0.0.0/8)"))
}

/// The address a request really comes from: the peer, or, when the peer is a trusted proxy, the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(peer: Option<std::net::IpAddr>, forwarded_for: &[&str], trusted: &[ipnet::IpNet]) -> String {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|net| net.contains(ip));
    let Some(mut client) = peer else { return String::new() };
    if !is_trusted(&client) {
        return client.to_string();
    }
    let hops = forwarded_for.iter().rev().flat_map(|h| h.rsplit(',')).map(str::trim);
    for hop in hops {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // A hop we cannot read ends the chain: what lies beyond it is not vouched for.
            Err(_) => break,
        }
    }
    client.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let lb = vec![parse_proxy("10.0.0.0/8").unwrap(), parse_proxy("192.0.2.1").unwrap()];
        let peer = |s: &str| Some(s.parse().unwrap());
        // Not from a proxy: the header is the client's own claim and is ignored.
        assert_eq!(client_ip(peer("203.0.113.5"), &["198.51.100.1"], &lb), "203.0.113.5");
        assert_eq!(client_ip(peer("10.1.2.3"), &["198.51.100.1"], &[]), "10.1.2.3");
        // Through the load balancer: the right-most untrusted hop is the client, whatever the
        // client wrote to the left of it.
        assert_eq!(client_ip(peer("10.1.2.3"), &["1.1.1.1, 198.51.100.1"], &lb), "198.51.100.1");
        assert_eq!(client_ip(peer("10.1.2.3"), &["1.1.1.1", "198.51.100.1, 10.9.9.9"], &lb), "198.51.100.1");
        assert_eq!(client_ip(peer("10.1.2.3"), &[], &lb), "10.1.2.3");
        assert_eq!(client_ip(peer("10.1.2.3"), &["garbage"], &lb), "10.1.2.3");
        assert!(parse_proxy("not-an-ip").is_err());
        assert_eq!(parse_proxy("2001:db8::1").unwrap().to_string(), "2001:db8::1/128");
    }
}
