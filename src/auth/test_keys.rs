//! Test keys for every JWS algorithm KeyBox verifies, generated once per process, their public
//! halves (JWK, JWKS, PEM), and a signer for any header and payload, so that a test can forge
//! exactly the token it needs.
//!
//! Self-contained on purpose (external crates only, no `crate::` path): the unit tests include it
//! as `auth::test_keys`, and the HTTP suite and the benches include the same file with
//! `#[path = "…/src/auth/test_keys.rs"] mod test_keys;`. Algorithms are named by their JWS names
//! (`"RS256"`), the one vocabulary all three share.
// Each includer uses a different part.
#![allow(dead_code)]

use std::sync::OnceLock;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use jwt_compact::alg::{
    Ed25519, Es256, Hs256, Hs256Key, Hs384, Hs384Key, Hs512, Hs512Key, Rsa, RsaPrivateKey,
};
use jwt_compact::{Algorithm, AlgorithmSignature};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

/// The shared secret of HMAC test tokens: 42 bytes, above RFC 7518's 32-byte minimum.
pub const SECRET: &[u8] = b"test-secret-with-enough-entropy-0123456789";

/// Every algorithm, by JWS name.
pub const ALGORITHMS: [&str; 9] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "ES256", "EdDSA",
];

/// The asymmetric algorithms, each with the `kid` its key has in [`public_jwks`].
pub const ASYMMETRIC: [(&str, &str); 6] = [
    ("RS256", "rsa-rs256"),
    ("RS384", "rsa-rs384"),
    ("RS512", "rsa-rs512"),
    ("PS256", "rsa-ps256"),
    ("ES256", "ec-p256"),
    ("EdDSA", "okp-ed25519"),
];

/// One signing key per asymmetric key type (the RSA algorithms share one 2048-bit key).
pub struct TestKeys {
    pub rsa: RsaPrivateKey,
    pub p256: p256::ecdsa::SigningKey,
    pub ed25519: ed25519_compact::KeyPair,
}

/// The process's keys, generated on first use (RSA generation takes a moment).
pub fn test_keys() -> &'static TestKeys {
    static KEYS: OnceLock<TestKeys> = OnceLock::new();
    KEYS.get_or_init(|| TestKeys {
        rsa: RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA key"),
        p256: p256::ecdsa::SigningKey::random(&mut rand_core::OsRng),
        ed25519: ed25519_compact::KeyPair::generate(),
    })
}

pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

pub fn is_hmac(alg: &str) -> bool {
    alg.starts_with("HS")
}

/// The public JWK of the test key for `alg`, with its `alg` and `kid`; HMAC algorithms have none.
pub fn public_jwk(alg: &str, kid: &str) -> Value {
    let keys = test_keys();
    match alg {
        "RS256" | "RS384" | "RS512" | "PS256" => {
            let public = keys.rsa.to_public_key();
            json!({"kty": "RSA", "kid": kid, "alg": alg, "use": "sig",
                   "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be())})
        }
        "ES256" => {
            let point = keys.p256.verifying_key().to_encoded_point(false);
            json!({"kty": "EC", "crv": "P-256", "kid": kid, "alg": alg, "use": "sig",
                   "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())})
        }
        "EdDSA" => ed25519_jwk(&keys.ed25519, kid),
        other => panic!("{other} has no public key"),
    }
}

/// A JWKS document holding every asymmetric test key, each under its [`ASYMMETRIC`] `kid`.
pub fn public_jwks() -> Value {
    let keys: Vec<Value> = ASYMMETRIC
        .iter()
        .map(|(alg, kid)| public_jwk(alg, kid))
        .collect();
    json!({ "keys": keys })
}

/// The SPKI PEM (`-----BEGIN PUBLIC KEY-----`) of the test key for `alg`.
pub fn public_pem(alg: &str) -> String {
    use p256::pkcs8::EncodePublicKey;
    // RFC 8410 §4: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING } around the 32 bytes.
    const ED25519_SPKI: [u8; 12] = [
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    let keys = test_keys();
    let der = match alg {
        "RS256" | "RS384" | "RS512" | "PS256" => keys.rsa.to_public_key().to_public_key_der(),
        "ES256" => keys.p256.verifying_key().to_public_key_der(),
        "EdDSA" => return pem(&[&ED25519_SPKI[..], &keys.ed25519.pk[..]].concat()),
        other => panic!("{other} has no public key"),
    };
    pem(der.expect("SPKI encoding").as_bytes())
}

fn pem(der: &[u8]) -> String {
    let body = Base64::encode_string(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

/// A fresh Ed25519 key pair, for tests that rotate keys.
pub fn new_ed25519() -> ed25519_compact::KeyPair {
    ed25519_compact::KeyPair::generate()
}

/// The public JWK of an Ed25519 key pair.
pub fn ed25519_jwk(pair: &ed25519_compact::KeyPair, kid: &str) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "alg": "EdDSA", "use": "sig",
           "x": b64(&pair.pk[..])})
}

/// `{"alg": alg, "typ": "JWT"}`, plus `kid` when given.
pub fn header(alg: &str, kid: Option<&str>) -> Value {
    let mut header = json!({"alg": alg, "typ": "JWT"});
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    header
}

/// A token for `claims` under [`header`], signed with the test key of `alg` ([`SECRET`] for
/// HMAC).
pub fn sign(alg: &str, kid: Option<&str>, claims: &Value) -> String {
    sign_raw(alg, &header(alg, kid).to_string(), &claims.to_string())
}

/// Signs `header.payload`, given as raw JSON text (duplicates and all), with the test key of
/// `alg`; the header is not looked at, so it may lie about the algorithm.
pub fn sign_raw(alg: &str, header: &str, payload: &str) -> String {
    let keys = test_keys();
    let input = signing_input(header, payload);
    let signature = match alg {
        "ES256" => signature(Es256, &keys.p256, &input),
        "EdDSA" => signature(Ed25519, &keys.ed25519.sk, &input),
        "RS256" | "RS384" | "RS512" | "PS256" => signature(Rsa::with_name(alg), &keys.rsa, &input),
        hmac => return sign_raw_with_secret(hmac, SECRET, header, payload),
    };
    format!("{input}.{}", b64(&signature))
}

/// Signs `header.payload` with `HS256`, `HS384` or `HS512` under `secret`.
pub fn sign_raw_with_secret(alg: &str, secret: &[u8], header: &str, payload: &str) -> String {
    let input = signing_input(header, payload);
    let signature = match alg {
        "HS256" => signature(Hs256, &Hs256Key::new(secret), &input),
        "HS384" => signature(Hs384, &Hs384Key::new(secret), &input),
        "HS512" => signature(Hs512, &Hs512Key::new(secret), &input),
        other => panic!("{other} is not an HMAC algorithm"),
    };
    format!("{input}.{}", b64(&signature))
}

/// Signs `header.payload` with an Ed25519 key pair of the test's own.
pub fn sign_raw_with_ed25519(
    pair: &ed25519_compact::KeyPair,
    header: &str,
    payload: &str,
) -> String {
    let input = signing_input(header, payload);
    format!("{input}.{}", b64(&signature(Ed25519, &pair.sk, &input)))
}

fn signing_input(header: &str, payload: &str) -> String {
    format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()))
}

fn signature<A: Algorithm>(alg: A, key: &A::SigningKey, input: &str) -> Vec<u8> {
    alg.sign(key, input.as_bytes()).as_bytes().into_owned()
}
