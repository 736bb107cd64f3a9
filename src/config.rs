//! Typed settings, read once per request from the Worker's environment.

use std::fmt;

use crate::auth::JwtVerifier;

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

/// Everything a request needs from configuration.
#[derive(Debug)]
pub struct Config {
    /// Verifies bearer tokens; built from the `JWT_SECRET` secret.
    pub verifier: JwtVerifier,
}

impl Config {
    /// Builds the configuration from a name → value lookup (the Worker's vars and secrets).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let secret = lookup("JWT_SECRET").ok_or(ConfigError {
            setting: "JWT_SECRET",
            problem: "is not set",
        })?;
        if secret.is_empty() {
            return Err(ConfigError {
                setting: "JWT_SECRET",
                problem: "is empty",
            });
        }
        Ok(Self {
            verifier: JwtVerifier::hs256(secret.as_bytes()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_secret_is_named_without_its_value() {
        let missing = Config::from_lookup(|_| None).unwrap_err();
        assert_eq!(missing.to_string(), "JWT_SECRET is not set");
        let empty = Config::from_lookup(|_| Some(String::new())).unwrap_err();
        assert_eq!(empty.to_string(), "JWT_SECRET is empty");
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let config = Config::from_lookup(|_| Some("super-secret-value".into())).unwrap();
        assert!(!format!("{config:?}").contains("super-secret-value"));
    }
}
