use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header};
use serde_json::{json, Value};

use super::worker;

/// Bytes of randomness in the secret each test run generates.
pub const SECRET_LEN: usize = 32;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// Signs arbitrary claims with HS256 under `secret`.
pub fn sign_token(claims: Value, secret: &[u8]) -> String {
    Hs256
        .token(
            &Header::empty(),
            &Claims::new(claims),
            &Hs256Key::new(secret),
        )
        .expect("signable claims")
}

/// A token the worker accepts, for user `sub`, valid for an hour.
pub fn token(sub: &str) -> String {
    token_with_claims(json!({ "sub": sub, "exp": now() + 3600 }))
}

/// `exp`, `nbf` and `iat` given as offsets from now made absolute.
pub fn absolute_times(mut claims: Value) -> Value {
    for claim in ["exp", "nbf", "iat"] {
        if let Some(offset) = claims.get(claim).and_then(|v| v.as_i64()) {
            claims[claim] = json!(now() + offset);
        }
    }
    claims
}

/// Claims signed with the worker's secret; `exp`/`nbf` given as offsets are made absolute.
pub fn token_with_claims(claims: Value) -> String {
    sign_token(absolute_times(claims), worker().secret.as_bytes())
}
