//! The run's license-token signing keys: two Ed25519 key pairs, generated once, configured on
//! the main workers as the JWK Set `LICENSE_SIGNING_KEY` (the first signs, both are published),
//! so that rotation is exercised on every run.

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use ed25519_compact::KeyPair;
use serde_json::json;

/// The signing key, then the published-only second key.
pub fn license_signing_keys() -> &'static [KeyPair; 2] {
    static KEYS: OnceLock<[KeyPair; 2]> = OnceLock::new();
    KEYS.get_or_init(|| [KeyPair::generate(), KeyPair::generate()])
}

/// The `LICENSE_SIGNING_KEY` value of the main workers: a JWK Set of both private keys.
pub fn license_signing_setting() -> String {
    let keys: Vec<_> = license_signing_keys()
        .iter()
        .map(|pair| {
            json!({"kty": "OKP", "crv": "Ed25519",
                   "d": Base64UrlUnpadded::encode_string(&pair.sk.seed()[..]),
                   "x": Base64UrlUnpadded::encode_string(&pair.pk[..])})
        })
        .collect();
    json!({ "keys": keys }).to_string()
}
