//! RFC 7638 JWK thumbprints: the SHA-256 of the key's required members, as compact JSON with
//! the members in lexicographic order, base64url-encoded. Used as the `kid` of every published
//! key, so that a `kid` names exactly one key and anyone can recompute it from the JWK.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::domain::base64url;
use crate::domain::json_text::Obj;

/// The members RFC 7638 §3.2 hashes for each key type (RFC 8037 §2 for `OKP`), already in
/// lexicographic order.
fn required_members(kty: &str) -> Option<&'static [&'static str]> {
    match kty {
        "RSA" => Some(&["e", "kty", "n"]),
        "EC" => Some(&["crv", "kty", "x", "y"]),
        "OKP" => Some(&["crv", "kty", "x"]),
        "oct" => Some(&["k", "kty"]),
        _ => None,
    }
}

/// The RFC 7638 SHA-256 thumbprint of `jwk`; `None` for an unknown `kty` or a required member
/// that is missing or not a string. Other members (`kid`, `alg`, `d`, …) are ignored.
pub fn thumbprint(jwk: &Value) -> Option<String> {
    let members = required_members(jwk.get("kty")?.as_str()?)?;
    let values = members
        .iter()
        .map(|name| Some((*name, jwk.get(*name)?.as_str()?)))
        .collect::<Option<Vec<_>>>()?;
    Some(thumbprint_of(&values))
}

/// The thumbprint of a key's required members, given in lexicographic order by name.
pub fn thumbprint_of(members: &[(&str, &str)]) -> String {
    // Compact JSON, each name and value escaped as RFC 7638 asks.
    let mut canonical = Obj::new();
    for (name, value) in members {
        canonical.str(name, value);
    }
    base64url::encode(&Sha256::digest(canonical.end().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_rfc_7638_example_rsa_key_has_the_rfc_thumbprint() {
        // RFC 7638 §3.1.
        let jwk = json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            thumbprint(&jwk).as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
    }

    #[test]
    fn the_rfc_8037_example_ed25519_key_has_the_rfc_thumbprint() {
        // RFC 8037 appendix A.3; the private `d` is not part of the thumbprint.
        let jwk = json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
        });
        assert_eq!(
            thumbprint(&jwk).as_deref(),
            Some("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
        );
    }

    #[test]
    fn unknown_key_types_and_missing_members_have_no_thumbprint() {
        for jwk in [
            json!({"kty": "XYZ", "x": "AA"}),
            json!({"kty": "OKP", "crv": "Ed25519"}),
            json!({"kty": "RSA", "n": "AQAB", "e": 65537}),
            json!({"crv": "Ed25519", "x": "AA"}),
        ] {
            assert_eq!(thumbprint(&jwk), None, "{jwk}");
        }
    }
}
