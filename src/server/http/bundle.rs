//! The browser bundle under `/pkg`: its name, its cache lifetime and its pre-compressed files.
//!
//! `build/bundle` gives the release bundle content-hashed names (`floorready.<hash>.js`,
//! `floorready.<hash>_bg.wasm`), writes that name to `pkg/bundle-name`, and leaves `.br` and
//! `.gz` siblings beside each file. A debug build has none of these and is served as it is.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;

/// wasm-bindgen's name for an unhashed bundle.
pub const PLAIN_NAME: &str = "floorready";

/// The bundle's file stem: the hashed name `build/bundle` recorded, or the plain one.
pub fn bundle_name(site_root: &Path) -> String {
    std::fs::read_to_string(site_root.join("pkg").join("bundle-name"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| is_hashed(s))
        .unwrap_or_else(|| PLAIN_NAME.to_string())
}

/// `floorready.` and 16 hex digits, nothing else: the name goes into every page's script tags.
fn is_hashed(name: &str) -> bool {
    name.strip_prefix("floorready.").is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `/pkg`: pre-compressed files when the browser takes them (brotli, else gzip; the compression
/// layer leaves an encoded response alone), hashed files cached for a year. The rest keep the
/// browser's own caching by Last-Modified: `no-cache` would revalidate the render-blocking
/// stylesheet on every page, a round trip per navigation on a phone.
pub fn service<S: Clone + Send + Sync + 'static>(site_root: &Path) -> Router<S> {
    let dir = ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip();
    Router::new().fallback_service(dir).layer(axum::middleware::from_fn(cache_hashed))
}

async fn cache_hashed(req: Request, next: Next) -> Response {
    let file = req.uri().path().rsplit('/').next().unwrap_or_default();
    let stem = file.split_once("_bg.wasm").map(|(s, _)| s).or_else(|| file.strip_suffix(".js")).unwrap_or_default();
    let immutable = is_hashed(stem);
    let mut res = next.run(req).await;
    if immutable && (res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED) {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_content_hash_makes_a_bundle_name() {
        assert!(is_hashed("floorready.0123456789abcdef"));
        assert!(!is_hashed("floorready"));
        assert!(!is_hashed("floorready.0123456789abcde"));
        assert!(!is_hashed("floorready.0123456789abcdeg"));
        assert!(!is_hashed("floorready.0123456789abcdef\"><script>"));
        assert!(!is_hashed("other.0123456789abcdef"));
    }

    #[test]
    fn a_missing_or_bad_name_file_means_the_plain_bundle() {
        let dir = std::env::temp_dir().join(format!("fr-bundle-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        assert_eq!(bundle_name(&dir), PLAIN_NAME);
        std::fs::write(dir.join("pkg/bundle-name"), "floorready.00112233aabbccdd\n").unwrap();
        assert_eq!(bundle_name(&dir), "floorready.00112233aabbccdd");
        std::fs::write(dir.join("pkg/bundle-name"), "../../etc/passwd").unwrap();
        assert_eq!(bundle_name(&dir), PLAIN_NAME);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
