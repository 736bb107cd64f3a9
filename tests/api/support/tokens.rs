//! Tokens for the suite's workers. Every worker pins `JWT_ISSUER` and `JWT_AUDIENCE`, so the
//! builders add them to every token (a test takes one out by setting it to `null`); times are
//! given as offsets from now.

use serde_json::{json, Value};

use super::keys::test_keys;
use super::{worker, AUDIENCE, ISSUER};

/// Bytes of randomness in the secret each test run generates.
pub const SECRET_LEN: usize = 32;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// `claims` as the workers expect them: `iss` and `aud` added unless given (a `null` one is left
/// out), and `exp`, `nbf` and `iat` given as offsets from now made absolute.
pub fn worker_claims(mut claims: Value) -> Value {
    for (claim, default) in [("iss", ISSUER), ("aud", AUDIENCE)] {
        match claims.get(claim) {
            None => claims[claim] = json!(default),
            Some(Value::Null) => {
                claims.as_object_mut().unwrap().remove(claim);
            }
            Some(_) => {}
        }
    }
    for claim in ["exp", "nbf", "iat"] {
        if let Some(offset) = claims.get(claim).and_then(|v| v.as_i64()) {
            claims[claim] = json!(now() + offset);
        }
    }
    claims
}

/// Signs `claims` exactly as given (nothing added) with HS256 under `secret`.
pub fn sign_token(claims: Value, secret: &[u8]) -> String {
    let header = test_keys::header("HS256", None).to_string();
    test_keys::sign_raw_with_secret("HS256", secret, &header, &claims.to_string())
}

/// [`worker_claims`] signed with `alg` (`HS256`, `HS384` or `HS512`) under `secret`.
pub fn hmac_token(alg: &str, secret: &[u8], claims: Value) -> String {
    let header = test_keys::header(alg, None).to_string();
    test_keys::sign_raw_with_secret(alg, secret, &header, &worker_claims(claims).to_string())
}

/// A token the worker accepts, for user `sub`, valid for an hour.
pub fn token(sub: &str) -> String {
    token_with_claims(json!({ "sub": sub, "exp": 3600 }))
}

/// [`worker_claims`] signed with HS256 under the worker's secret.
pub fn token_with_claims(claims: Value) -> String {
    hmac_token("HS256", worker().secret.as_bytes(), claims)
}
