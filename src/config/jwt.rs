//! The JWT settings: where keys come from (`JWT_SECRET`, `JWT_PUBLIC_KEY`, `JWT_JWKS_URL`) and
//! the claim rules tokens must satisfy.

use std::time::Duration;

use chrono::TimeDelta;

use super::{error, list, seconds, url, ConfigError};
use crate::auth::jwks::JwksPolicy;
use crate::auth::keys::keys_from_setting;
use crate::auth::{Alg, ClaimRules, Key, Verifier};
use crate::tokens::LicenseTokens;

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
    /// Set when `LICENSE_SIGNING_KEY` is: signs license tokens, publishes their keys.
    pub tokens: Option<LicenseTokens>,
}

/// `JWT_SECRET` shorter than this is refused: RFC 7518 §3.2 requires an HMAC key of at least
/// the hash's size, 256 bits for HS256.
pub const MIN_SECRET_BYTES: usize = 32;
/// `JWT_AUDIENCE` that accepts any `aud`, for a deployment whose issuer signs for it alone.
pub const ANY_AUDIENCE: &str = "*";

impl Config {
    /// Builds the configuration from a name → value lookup (the Worker's vars and secrets).
    ///
    /// Public keys (`JWT_PUBLIC_KEY`, `JWT_JWKS_URL`) require `JWT_ISSUER` and `JWT_AUDIENCE`:
    /// providers such as Firebase or a Cognito region sign every tenant's tokens with the same
    /// keys, so without both pinned anyone's token from the same provider would be accepted.
    /// A secret is this deployment's alone, so a secret-only deployment needs neither (the
    /// original KeyBox tokens carry no `iss` or `aud`).
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
        if let Some(secret) = lookup("JWT_SECRET") {
            keys.push(secret_key(&secret, alg)?);
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
        let public_keys = jwks.is_some() || get("JWT_PUBLIC_KEY").is_some();
        let rules = claim_rules(&get, public_keys)?;
        let tokens = super::tokens::license_tokens(&get)?;
        Ok(Self {
            verifier: Verifier {
                keys,
                rules,
                remote: jwks.is_some(),
            },
            jwks,
            tokens,
        })
    }
}

/// The key of `JWT_SECRET`: HS256, or the HMAC algorithm `JWT_ALGORITHM` names.
fn secret_key(secret: &str, alg: Option<Alg>) -> Result<Key, ConfigError> {
    if secret.trim().is_empty() {
        return Err(error("JWT_SECRET", "is empty or only whitespace"));
    }
    if secret.len() < MIN_SECRET_BYTES {
        return Err(error(
            "JWT_SECRET",
            "is shorter than 32 bytes (RFC 7518, section 3.2)",
        ));
    }
    let alg = match alg {
        None => Alg::Hs256,
        Some(alg) if alg.is_hmac() => alg,
        // Silently verifying HS256 instead would hide the mistake until tokens are refused.
        Some(_) => {
            return Err(error(
                "JWT_ALGORITHM",
                "names an asymmetric algorithm while JWT_SECRET is set (a secret verifies HS256, HS384 or HS512)",
            ))
        }
    };
    Key::secret(secret.as_bytes(), alg)
        .map_err(|_| error("JWT_ALGORITHM", "does not suit JWT_SECRET"))
}

/// `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_LEEWAY_SECONDS` and `JWT_USER_CLAIM`; issuer and
/// audience are required when public keys are configured.
fn claim_rules(
    get: &impl Fn(&str) -> Option<String>,
    public_keys: bool,
) -> Result<ClaimRules, ConfigError> {
    const ISSUER_REQUIRED: &str = "is required with JWT_PUBLIC_KEY or JWT_JWKS_URL";
    const AUDIENCE_REQUIRED: &str =
        "is required with JWT_PUBLIC_KEY or JWT_JWKS_URL (\"*\" accepts any audience)";
    let issuer = get("JWT_ISSUER").map(|s| s.trim().to_owned());
    match issuer.as_deref() {
        None if public_keys => return Err(error("JWT_ISSUER", ISSUER_REQUIRED)),
        Some("*") => {
            return Err(error(
                "JWT_ISSUER",
                "must name the issuer (\"*\" is no wildcard)",
            ))
        }
        _ => {}
    }
    let audiences = list(get("JWT_AUDIENCE"));
    let any_audience = audiences.iter().any(|a| a == ANY_AUDIENCE);
    if any_audience && audiences.len() > 1 {
        return Err(error(
            "JWT_AUDIENCE",
            "mixes \"*\" (any audience) with audiences",
        ));
    }
    if audiences.is_empty() && public_keys {
        return Err(error("JWT_AUDIENCE", AUDIENCE_REQUIRED));
    }
    // `*` is never compared with a token's `aud`: an empty list is not checked at all.
    let audiences = if any_audience { Vec::new() } else { audiences };
    let user_claims = match list(get("JWT_USER_CLAIM")) {
        claims if claims.is_empty() => ClaimRules::default().user_claims,
        claims => claims,
    };
    Ok(ClaimRules {
        leeway: TimeDelta::seconds(seconds(
            get,
            "JWT_LEEWAY_SECONDS",
            crate::auth::DEFAULT_LEEWAY_SECONDS,
            0..=MAX_LEEWAY_SECONDS,
        )?),
        issuer,
        audiences,
        user_claims,
    })
}

// Test keys come from native-only dev-dependencies.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
