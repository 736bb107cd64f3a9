//! Typed settings, read once per isolate from the Worker's environment: the JWT settings
//! (`jwt.rs`), the storage backend (`storage.rs`), the rule for remote URLs (`url.rs`) and the
//! license-token keys (`tokens.rs`).
//! Errors name the setting, never its value.

mod jwt;
mod storage;
mod tokens;
mod url;

use std::fmt;

pub use jwt::{
    Config, JwksSettings, ANY_AUDIENCE, JWKS_TIMEOUT, MAX_LEEWAY_SECONDS, MIN_SECRET_BYTES,
};
pub use storage::{MongoSettings, StorageConfig, DEFAULT_COLLECTION};
pub use tokens::TOKEN_TTL_RANGE;

/// A required setting is missing or unusable. Names the setting, never its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigError {
    pub setting: &'static str,
    pub problem: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.setting, self.problem)
    }
}

fn error(setting: &'static str, problem: &'static str) -> ConfigError {
    ConfigError { setting, problem }
}

/// A comma-separated list, blanks dropped.
pub fn list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A whole number of seconds within `range`, `default` when unset.
fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|s| range.contains(s))
            .ok_or(error(
                name,
                "is not a number of seconds in the allowed range",
            )),
    }
}
