//! The shared test keys ([`super::test_keys`]) in the crate's own types: algorithms as [`Alg`],
//! public keys as the [`Key`] KeyBox would load.

use serde_json::Value;

use super::keys::{Alg, Key};
use super::test_keys;
pub use super::test_keys::{b64, public_pem, sign_raw_with_secret, test_keys, SECRET};

/// The public JWK of the test key for `alg` (HMAC algorithms have none).
pub fn public_jwk(alg: Alg, kid: &str) -> Value {
    test_keys::public_jwk(alg.name(), kid)
}

/// The verification key KeyBox would load for `alg`: [`SECRET`], or the public JWK without
/// `kid` unless one is given.
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

/// Signs `header.payload` (raw JSON text) with the test key of `alg`.
pub fn sign_raw(alg: Alg, header: &str, payload: &str) -> String {
    test_keys::sign_raw(alg.name(), header, payload)
}

/// A token for `claims`, with header `{"alg": <alg>, "typ": "JWT"}` plus `kid` if given.
pub fn sign(alg: Alg, kid: Option<&str>, claims: &Value) -> String {
    test_keys::sign(alg.name(), kid, claims)
}
