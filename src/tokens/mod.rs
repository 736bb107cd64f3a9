//! Offline-verifiable license tokens: a compact JWS (`EdDSA`, `typ` `license+jwt`) over the
//! license's claims, which any JOSE library checks against the published JWK Set. Pure: keys,
//! "now" and randomness are inputs.
//!
//! - `keys`: parsing `LICENSE_SIGNING_KEY` (PKCS#8 PEM, a private JWK, or a JWK Set).
//! - `thumbprint`: RFC 7638 thumbprints, the `kid` of every key.
//! - `jwks`: the published document.
//! - `claims` and `sign`: the token itself.

mod claims;
mod jwks;
mod keys;
mod sign;
#[cfg(target_arch = "wasm32")]
mod subtle;
mod thumbprint;

pub use claims::{LicenseClaims, Seat};
pub use jwks::{kid_of, public_jwk};
pub use keys::{parse_signing_keys, ConfiguredKeys, SigningKeyError};
pub use sign::{LicenseTokenSigner, TOKEN_TYPE};
pub use thumbprint::thumbprint;

use chrono::{DateTime, Utc};

use crate::domain::{EntropyUnavailable, License, RandomSource};

/// Default `LICENSE_TOKEN_TTL`: a week offline.
pub const DEFAULT_TTL_SECONDS: i64 = 7 * 24 * 3600;

/// Everything needed to issue tokens and publish their keys, built once per isolate from the
/// settings (`config::Config::tokens`).
#[derive(Debug)]
pub struct LicenseTokens {
    pub signer: LicenseTokenSigner,
    /// The JWK Set served at `/.well-known/jwks.json`, serialised once.
    pub jwks: String,
    /// `LICENSE_TOKEN_ISSUER`; `None`: the origin of the request.
    pub issuer: Option<String>,
    /// `LICENSE_TOKEN_TTL`, in seconds.
    pub ttl_seconds: i64,
}

impl LicenseTokens {
    /// Signs with the first of `keys`, publishes all of them.
    pub fn new(keys: ConfiguredKeys, issuer: Option<String>, ttl_seconds: i64) -> Self {
        let kid = keys.published.first().map(kid_of).unwrap_or_default();
        Self {
            jwks: jwks::document(&keys.published),
            signer: LicenseTokenSigner::new(keys.signing, kid),
            issuer,
            ttl_seconds,
        }
    }

    /// The token of a successful validate or activate of `license` at `now`. `request_origin`
    /// (`scheme://host[:port]`) is the issuer when `LICENSE_TOKEN_ISSUER` is not set. `None`
    /// when the runtime refused to sign (the answer then goes without a token).
    pub async fn issue(
        &self,
        license: &License,
        seat: Seat<'_>,
        now: DateTime<Utc>,
        request_origin: &str,
        random: &mut impl RandomSource,
    ) -> Result<Option<String>, EntropyUnavailable> {
        let issuer = self.issuer.as_deref().unwrap_or(request_origin);
        let claims = LicenseClaims::new(license, seat, now, self.ttl_seconds, issuer, random)?;
        Ok(self.signer.sign(&claims).await)
    }
}

#[cfg(test)]
mod tests;
