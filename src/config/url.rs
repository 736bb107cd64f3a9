//! The rule for URLs the worker sends requests to.

use super::{error, ConfigError};

/// `https://…`, or `http://` to a loopback host (local development and tests).
pub(super) fn jwks_url(url: &str) -> Result<String, ConfigError> {
    let loopback = [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://localhost/",
    ];
    if url.starts_with("https://") || loopback.iter().any(|p| url.starts_with(p)) {
        Ok(url.to_owned())
    } else {
        Err(error("JWT_JWKS_URL", "must be an https:// URL"))
    }
}
