//! Asymmetric test keys, generated once per run, and tokens signed with them. The main worker
//! gets their public halves as a JWKS in `JWT_PUBLIC_KEY`, one entry (and `kid`) per algorithm.

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::alg::{Ed25519, Es256, Rsa, RsaPrivateKey};
use jwt_compact::{Algorithm, AlgorithmSignature};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};

use super::absolute_times;

/// The asymmetric algorithms, each with the `kid` of its key on the main worker.
pub const ASYMMETRIC: [(&str, &str); 6] = [
    ("RS256", "rsa-rs256"),
    ("RS384", "rsa-rs384"),
    ("RS512", "rsa-rs512"),
    ("PS256", "rsa-ps256"),
    ("ES256", "ec-p256"),
    ("EdDSA", "okp-ed25519"),
];

struct Keys {
    rsa: RsaPrivateKey,
    p256: p256::ecdsa::SigningKey,
    ed25519: ed25519_compact::KeyPair,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        rsa: RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA key"),
        p256: p256::ecdsa::SigningKey::random(&mut rand_core::OsRng),
        ed25519: ed25519_compact::KeyPair::generate(),
    })
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// A fresh Ed25519 key pair (rotation tests use several).
pub fn new_ed25519() -> ed25519_compact::KeyPair {
    ed25519_compact::KeyPair::generate()
}

/// The public JWK of an Ed25519 key pair.
pub fn ed25519_jwk(pair: &ed25519_compact::KeyPair, kid: &str) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "x": b64(&pair.pk[..])})
}

/// The public JWK of the run's key for `alg`.
pub fn jwk(alg: &str, kid: &str) -> Value {
    let keys = keys();
    match alg {
        "ES256" => {
            let point = keys.p256.verifying_key().to_encoded_point(false);
            json!({"kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256",
                   "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())})
        }
        "EdDSA" => ed25519_jwk(&keys.ed25519, kid),
        rsa_alg => {
            let public = keys.rsa.to_public_key();
            json!({"kty": "RSA", "kid": kid, "alg": rsa_alg,
                   "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be())})
        }
    }
}

/// Every asymmetric key of the run, as the main worker's `JWT_PUBLIC_KEY`.
pub fn public_jwks() -> Value {
    let keys: Vec<Value> = ASYMMETRIC.iter().map(|(alg, kid)| jwk(alg, kid)).collect();
    json!({ "keys": keys })
}

fn finish<A: Algorithm>(alg: A, key: &A::SigningKey, input: String) -> String {
    let signature = alg.sign(key, input.as_bytes());
    format!("{input}.{}", b64(&signature.as_bytes()))
}

fn signing_input(alg: &str, kid: &str, claims: Value) -> String {
    let header = json!({"alg": alg, "typ": "JWT", "kid": kid});
    let claims = absolute_times(claims);
    format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

/// A token signed by the run's key for `alg` (times as offsets, see `absolute_times`).
pub fn signed(alg: &str, kid: &str, claims: Value) -> String {
    let keys = keys();
    let input = signing_input(alg, kid, claims);
    match alg {
        "ES256" => finish(Es256, &keys.p256, input),
        "EdDSA" => finish(Ed25519, &keys.ed25519.sk, input),
        rsa_alg => finish(Rsa::with_name(rsa_alg), &keys.rsa, input),
    }
}

/// An EdDSA token signed by `pair`.
pub fn signed_ed25519(pair: &ed25519_compact::KeyPair, kid: &str, claims: Value) -> String {
    finish(Ed25519, &pair.sk, signing_input("EdDSA", kid, claims))
}
