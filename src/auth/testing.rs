//! Test keys for every algorithm and a token builder that signs any header and payload, so
//! that tests can forge exactly the token they need.

use std::sync::OnceLock;

use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::alg::{
    Ed25519, Es256, Hs256, Hs256Key, Hs384, Hs384Key, Hs512, Hs512Key, Rsa, RsaPrivateKey,
    RsaPublicKey,
};
use jwt_compact::{Algorithm, AlgorithmSignature};
use serde_json::{json, Value};

use super::keys::{Alg, Key};

pub const SECRET: &[u8] = b"test-secret-with-enough-entropy-0123456789";

/// One signing key per asymmetric algorithm family, generated once per test process.
pub struct TestKeys {
    pub rsa: RsaPrivateKey,
    pub p256: p256::ecdsa::SigningKey,
    pub ed25519: ed25519_compact::KeyPair,
}

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

/// The public JWK of the test key for `alg` (HMAC algorithms have none).
pub fn public_jwk(alg: Alg, kid: &str) -> Value {
    let keys = test_keys();
    match alg {
        Alg::Rs256 | Alg::Rs384 | Alg::Rs512 | Alg::Ps256 => {
            use rsa::traits::PublicKeyParts;
            let public = RsaPublicKey::from(&keys.rsa);
            json!({"kty": "RSA", "kid": kid, "alg": alg.name(), "use": "sig",
                   "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be())})
        }
        Alg::Es256 => {
            let point = keys.p256.verifying_key().to_encoded_point(false);
            json!({"kty": "EC", "crv": "P-256", "kid": kid,
                   "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())})
        }
        Alg::EdDsa => {
            json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(&keys.ed25519.pk[..])})
        }
        _ => panic!("{} has no public key", alg.name()),
    }
}

/// The verification key KeyBox would load for `alg`.
pub fn verifying_key(alg: Alg, kid: Option<&str>) -> Key {
    if alg.is_hmac() {
        return Key::secret(SECRET, alg).unwrap();
    }
    let mut jwk = public_jwk(alg, kid.unwrap_or("k"));
    if kid.is_none() {
        jwk.as_object_mut().unwrap().remove("kid");
    }
    Key::from_jwk(&jwk, Some(alg)).unwrap()
}

fn signature<A: Algorithm>(alg: A, key: &A::SigningKey, input: &str) -> Vec<u8> {
    alg.sign(key, input.as_bytes()).as_bytes().into_owned()
}

/// Signs `header.payload` (given as raw JSON text) with the test key of `alg`.
pub fn sign_raw(alg: Alg, header: &str, payload: &str) -> String {
    let keys = test_keys();
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig = match alg {
        Alg::Hs256 => signature(Hs256, &Hs256Key::new(SECRET), &input),
        Alg::Hs384 => signature(Hs384, &Hs384Key::new(SECRET), &input),
        Alg::Hs512 => signature(Hs512, &Hs512Key::new(SECRET), &input),
        Alg::Rs256 => signature(Rsa::rs256(), &keys.rsa, &input),
        Alg::Rs384 => signature(Rsa::rs384(), &keys.rsa, &input),
        Alg::Rs512 => signature(Rsa::rs512(), &keys.rsa, &input),
        Alg::Ps256 => signature(Rsa::ps256(), &keys.rsa, &input),
        Alg::Es256 => signature(Es256, &keys.p256, &input),
        Alg::EdDsa => signature(Ed25519, &keys.ed25519.sk, &input),
    };
    format!("{input}.{}", b64(&sig))
}

/// A token for `claims`, with header `{"alg": <alg>, "typ": "JWT"}` plus `kid` if given.
pub fn sign(alg: Alg, kid: Option<&str>, claims: &Value) -> String {
    let mut header = json!({"alg": alg.name(), "typ": "JWT"});
    if let Some(kid) = kid {
        header["kid"] = json!(kid);
    }
    sign_raw(alg, &header.to_string(), &claims.to_string())
}
