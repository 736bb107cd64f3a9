//! The published JWK Set (`GET /.well-known/jwks.json`): the public half of every configured
//! key, each with its RFC 7638 thumbprint as `kid`, built once when the settings are read.

use ed25519_compact::PublicKey;
use serde_json::{json, Value};

use super::thumbprint::thumbprint;
use crate::domain::base64url;

/// The public JWK of an Ed25519 key: `kty`, `crv`, `x`, `kid` (its thumbprint), `alg`, `use`.
pub fn public_jwk(key: &PublicKey) -> Value {
    let mut jwk = json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64url::encode(&key[..]),
        "alg": "EdDSA",
        "use": "sig",
    });
    jwk["kid"] = json!(kid_of(key));
    jwk
}

/// The `kid` of an Ed25519 key: its RFC 7638 thumbprint.
pub fn kid_of(key: &PublicKey) -> String {
    let members = json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64url::encode(&key[..]),
    });
    // The three members are present strings, so there is always a thumbprint.
    thumbprint(&members).unwrap_or_default()
}

/// The JWK Set document of `keys`, in their order (the signing key first).
pub fn document(keys: &[PublicKey]) -> String {
    let keys: Vec<Value> = keys.iter().map(public_jwk).collect();
    // Compact JSON through the writer every answer uses (`Value`'s `Display` would link a
    // second one); a `Value` always serialises.
    serde_json::to_string(&json!({ "keys": keys })).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use base64ct::{Base64UrlUnpadded, Encoding};

    use super::*;

    #[test]
    fn a_published_key_is_an_eddsa_signature_jwk_named_by_its_thumbprint() {
        // RFC 8037 appendix A.2 and A.3.
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        let key = PublicKey::from_slice(&Base64UrlUnpadded::decode_vec(x).unwrap()).unwrap();
        assert_eq!(
            public_jwk(&key),
            json!({"kty": "OKP", "crv": "Ed25519", "x": x, "alg": "EdDSA", "use": "sig",
                   "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"})
        );
        let doc: Value = serde_json::from_str(&document(&[key])).unwrap();
        assert_eq!(doc, json!({"keys": [public_jwk(&key)]}));
    }
}
