//! The JWT settings: where keys come from (`JWT_SECRET`, `JWT_PUBLIC_KEY`, `JWT_JWKS_URL`) and
//! the claim rules tokens must satisfy.

use std::time::Duration;

use chrono::TimeDelta;

use super::{error, list, seconds, url, ConfigError};
use crate::auth::jwks::JwksPolicy;
use crate::auth::keys::keys_from_setting;
use crate::auth::{Alg, ClaimRules, Key, Verifier};

/// Where a JWKS deployment fetches its keys, and how it caches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksSettings {
    pub url: String,
    pub policy: JwksPolicy,
    pub timeout: Duration,
}

/// How long the worker waits for the JWKS endpoint.
pub const JWKS_TIMEOUT: Duration = Duration::from_secs(5);
/// Upper bound of `JWT_LEEWAY_SECONDS`.
pub const MAX_LEEWAY_SECONDS: i64 = 600;

/// Everything a request needs from configuration.
#[derive(Debug)]
pub struct Config {
    /// Verifies bearer tokens: keys from `JWT_SECRET` / `JWT_PUBLIC_KEY`, claim rules.
    pub verifier: Verifier,
    /// Set when `JWT_JWKS_URL` is.
    pub jwks: Option<JwksSettings>,
}

impl Config {
    /// Builds the configuration from a name → value lookup (the Worker's vars and secrets).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let alg = match get("JWT_ALGORITHM") {
            None => None,
            Some(name) => Some(
                Alg::from_name(name.trim())
                    .ok_or(error("JWT_ALGORITHM", "is not a supported algorithm"))?,
            ),
        };
        let mut keys: Vec<Key> = Vec::new();
        match lookup("JWT_SECRET") {
            Some(secret) if secret.is_empty() => return Err(error("JWT_SECRET", "is empty")),
            Some(secret) => {
                let hmac = alg.filter(|a| a.is_hmac()).unwrap_or(Alg::Hs256);
                keys.push(
                    Key::secret(secret.as_bytes(), hmac)
                        .map_err(|_| error("JWT_ALGORITHM", "does not suit JWT_SECRET"))?,
                );
            }
            None => {}
        }
        if let Some(text) = get("JWT_PUBLIC_KEY") {
            let public_alg = alg.filter(|a| !a.is_hmac());
            let parsed =
                keys_from_setting(&text, public_alg).map_err(|e| error("JWT_PUBLIC_KEY", e.0))?;
            keys.extend(parsed);
        }
        let jwks = match get("JWT_JWKS_URL") {
            None => None,
            Some(url) => Some(JwksSettings {
                url: url::remote_url("JWT_JWKS_URL", url.trim())?,
                policy: JwksPolicy {
                    min_refetch: TimeDelta::seconds(seconds(
                        &get,
                        "JWT_JWKS_REFETCH_SECONDS",
                        30,
                        1..=3600,
                    )?),
                    ..JwksPolicy::default()
                },
                timeout: JWKS_TIMEOUT,
            }),
        };
        if keys.is_empty() && jwks.is_none() {
            return Err(error("JWT_SECRET", "is not set"));
        }
        let user_claims = match list(get("JWT_USER_CLAIM")) {
            claims if claims.is_empty() => ClaimRules::default().user_claims,
            claims => claims,
        };
        let rules = ClaimRules {
            leeway: TimeDelta::seconds(seconds(
                &get,
                "JWT_LEEWAY_SECONDS",
                crate::auth::DEFAULT_LEEWAY_SECONDS,
                0..=MAX_LEEWAY_SECONDS,
            )?),
            issuer: get("JWT_ISSUER").map(|s| s.trim().to_owned()),
            audiences: list(get("JWT_AUDIENCE")),
            user_claims,
        };
        Ok(Self {
            verifier: Verifier {
                keys,
                rules,
                remote: jwks.is_some(),
            },
            jwks,
        })
    }
}

#[cfg(test)]
mod tests;
