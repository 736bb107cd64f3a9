//! The published JWK Set (`GET /.well-known/jwks.json`): the public half of every configured
//! key, each with its RFC 7638 thumbprint as `kid`, built once when the settings are read.

use ed25519_compact::PublicKey;

use super::thumbprint::thumbprint_of;
use crate::domain::base64url;
use crate::domain::json_text::{array, Obj};

/// The public JWK of an Ed25519 key, as JSON text: `kty`, `crv`, `x`, `alg`, `use`, `kid` (its
/// thumbprint).
pub fn public_jwk(key: &PublicKey) -> String {
    Obj::new()
        .str("kty", "OKP")
        .str("crv", "Ed25519")
        .str("x", &base64url::encode(&key[..]))
        .str("alg", "EdDSA")
        .str("use", "sig")
        .str("kid", &kid_of(key))
        .end()
}

/// The `kid` of an Ed25519 key: its RFC 7638 thumbprint.
pub fn kid_of(key: &PublicKey) -> String {
    let x = base64url::encode(&key[..]);
    thumbprint_of(&[("crv", "Ed25519"), ("kty", "OKP"), ("x", &x)])
}

/// The JWK Set document of `keys`, in their order (the signing key first).
pub fn document(keys: &[PublicKey]) -> String {
    let keys: Vec<String> = keys.iter().map(public_jwk).collect();
    Obj::new().raw("keys", &array(&keys)).end()
}

#[cfg(test)]
mod tests {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use serde_json::{json, Value};

    use super::*;
    use crate::tokens::thumbprint;

    #[test]
    fn a_published_key_is_an_eddsa_signature_jwk_named_by_its_thumbprint() {
        // RFC 8037 appendix A.2 and A.3.
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        let key = PublicKey::from_slice(&Base64UrlUnpadded::decode_vec(x).unwrap()).unwrap();
        let jwk: Value = serde_json::from_str(&public_jwk(&key)).unwrap();
        assert_eq!(
            jwk,
            json!({"kty": "OKP", "crv": "Ed25519", "x": x, "alg": "EdDSA", "use": "sig",
                   "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"})
        );
        let doc: Value = serde_json::from_str(&document(&[key])).unwrap();
        assert_eq!(doc, json!({ "keys": [jwk] }));
        assert_eq!(kid_of(&key), thumbprint(&jwk).unwrap());
    }
}
