//! `LICENSE_SIGNING_KEY`: the Ed25519 keys license tokens are signed with. Three forms: a PKCS#8
//! PEM private key (`openssl genpkey -algorithm ed25519`), one private JWK (`"d"`), or a JWK Set
//! for rotation, whose first key signs and whose every key is published (retiring keys may be
//! public halves only). Errors name the problem, never the material.

use std::fmt;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use ed25519_compact::{KeyPair, PublicKey, SecretKey, Seed};
use serde_json::Value;

/// Why `LICENSE_SIGNING_KEY` is unusable: a phrase completing "LICENSE_SIGNING_KEY …".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningKeyError(pub &'static str);

impl fmt::Display for SigningKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The keys of the setting: the one that signs, and the public half of every key, signer first.
pub struct ConfiguredKeys {
    pub signing: SecretKey,
    pub published: Vec<PublicKey>,
}

impl fmt::Debug for ConfiguredKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfiguredKeys")
            .field("published", &self.published.len())
            .finish_non_exhaustive()
    }
}

/// `SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING` : the
/// RFC 8410 PKCS#8 prefix of an Ed25519 seed (the whole key is this and 32 bytes).
const PKCS8_V1_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
/// The same in OneAsymmetricKey v2 form (RFC 5958), which adds the public key after the seed.
const PKCS8_V2_PREFIX: [u8; 16] = [
    0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
/// `[1] IMPLICIT BIT STRING` holding the 32-byte public key, after the seed in v2.
const PKCS8_V2_PUBLIC_TAG: [u8; 3] = [0x81, 0x21, 0x00];

/// Parses the setting's text: PEM, one private JWK, or a JWK Set.
pub fn parse_signing_keys(text: &str) -> Result<ConfiguredKeys, SigningKeyError> {
    let text = text.trim();
    if text.starts_with("-----BEGIN") {
        let pair = from_pem(text)?;
        return Ok(ConfiguredKeys {
            published: vec![pair.pk],
            signing: pair.sk,
        });
    }
    let value: Value = serde_json::from_slice(text.as_bytes()).map_err(|_| {
        SigningKeyError("is neither a PEM private key nor JSON (a JWK or a JWK Set)")
    })?;
    let Some(keys) = value.get("keys") else {
        let pair = private_jwk(&value)?;
        return Ok(ConfiguredKeys {
            published: vec![pair.pk],
            signing: pair.sk,
        });
    };
    let keys = keys
        .as_array()
        .filter(|keys| !keys.is_empty())
        .ok_or(SigningKeyError("is a JWK Set without keys"))?;
    if keys[0].get("d").is_none() {
        return Err(SigningKeyError(
            "is a JWK Set whose first key (the one that signs) has no private part (\"d\")",
        ));
    }
    let signing = private_jwk(&keys[0])?;
    let mut published = vec![signing.pk];
    for jwk in &keys[1..] {
        let public = match jwk.get("d") {
            Some(_) => private_jwk(jwk)?.pk,
            None => public_jwk(jwk)?,
        };
        if published.contains(&public) {
            return Err(SigningKeyError("lists the same key twice"));
        }
        published.push(public);
    }
    Ok(ConfiguredKeys {
        signing: signing.sk,
        published,
    })
}

/// A PKCS#8 `PRIVATE KEY` PEM block holding an Ed25519 key.
fn from_pem(pem: &str) -> Result<KeyPair, SigningKeyError> {
    let malformed = SigningKeyError("is a malformed PEM block");
    let rest = pem.strip_prefix("-----BEGIN ").ok_or(malformed)?;
    let (label, rest) = rest.split_once("-----").ok_or(malformed)?;
    match label {
        "PRIVATE KEY" => {}
        "ENCRYPTED PRIVATE KEY" => {
            return Err(SigningKeyError(
                "is an encrypted PEM key (export it unencrypted, PKCS#8)",
            ))
        }
        "PUBLIC KEY" => {
            return Err(SigningKeyError(
                "is a public key (the server signs: configure the private key)",
            ))
        }
        _ => {
            return Err(SigningKeyError(
                "is not a PKCS#8 PEM private key (\"BEGIN PRIVATE KEY\")",
            ))
        }
    }
    let body = rest
        .trim_end()
        .strip_suffix("-----END PRIVATE KEY-----")
        .ok_or(malformed)?;
    let body: String = body.split_whitespace().collect();
    let der = Base64::decode_vec(&body).map_err(|_| malformed)?;
    let not_ed25519 = SigningKeyError("is not an Ed25519 private key");
    if let Some(seed) = der.strip_prefix(&PKCS8_V1_PREFIX[..]) {
        return key_pair(seed);
    }
    let rest = der.strip_prefix(&PKCS8_V2_PREFIX[..]).ok_or(not_ed25519)?;
    let (seed, public) = rest.split_at_checked(32).ok_or(not_ed25519)?;
    let public = public
        .strip_prefix(&PKCS8_V2_PUBLIC_TAG[..])
        .ok_or(not_ed25519)?;
    let pair = key_pair(seed)?;
    if public != &pair.pk[..] {
        return Err(SigningKeyError(
            "holds a public key that does not match its private key",
        ));
    }
    Ok(pair)
}

/// An `OKP`/`Ed25519` JWK with `d`; its `x`, when given, must be `d`'s public key.
fn private_jwk(jwk: &Value) -> Result<KeyPair, SigningKeyError> {
    check_ed25519_jwk(jwk)?;
    let d = b64url(jwk, "d")?;
    let pair = key_pair(&d)?;
    if jwk.get("x").is_some() && b64url(jwk, "x")? != pair.pk[..] {
        return Err(SigningKeyError(
            "holds a JWK whose \"x\" is not the public key of its \"d\"",
        ));
    }
    Ok(pair)
}

/// An `OKP`/`Ed25519` JWK's public key (`x`).
fn public_jwk(jwk: &Value) -> Result<PublicKey, SigningKeyError> {
    check_ed25519_jwk(jwk)?;
    PublicKey::from_slice(&b64url(jwk, "x")?)
        .map_err(|_| SigningKeyError("holds a JWK whose \"x\" is not an Ed25519 public key"))
}

/// `kty` `OKP`, `crv` `Ed25519`, and no `alg` or `use` that says otherwise.
fn check_ed25519_jwk(jwk: &Value) -> Result<(), SigningKeyError> {
    let field = |name: &str| jwk.get(name).and_then(Value::as_str);
    if !jwk.is_object() || field("kty") != Some("OKP") || field("crv") != Some("Ed25519") {
        return Err(SigningKeyError(
            "holds a JWK that is not an Ed25519 key (\"kty\":\"OKP\",\"crv\":\"Ed25519\")",
        ));
    }
    if jwk.get("alg").is_some_and(|alg| alg != "EdDSA") {
        return Err(SigningKeyError("holds a JWK whose \"alg\" is not EdDSA"));
    }
    if jwk.get("use").is_some_and(|u| u != "sig") {
        return Err(SigningKeyError("holds a JWK whose \"use\" is not \"sig\""));
    }
    Ok(())
}

fn b64url(jwk: &Value, name: &str) -> Result<Vec<u8>, SigningKeyError> {
    let text = jwk
        .get(name)
        .and_then(Value::as_str)
        .ok_or(SigningKeyError("holds a JWK missing \"x\" or \"d\""))?;
    Base64UrlUnpadded::decode_vec(text)
        .map_err(|_| SigningKeyError("holds a JWK whose \"x\" or \"d\" is not base64url"))
}

/// The key pair of a 32-byte seed (an all-zero seed is refused).
fn key_pair(seed: &[u8]) -> Result<KeyPair, SigningKeyError> {
    let invalid = SigningKeyError("holds an invalid Ed25519 private key (32 bytes expected)");
    let seed = Seed::from_slice(seed).map_err(|_| invalid)?;
    KeyPair::try_from_seed(seed).map_err(|_| invalid)
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
