//! `verify` and `authenticate` on real tokens, one file per responsibility: the signature and
//! algorithm pinning, the token's structure and header, the claims, and keys from a JWKS.

mod claims;
mod remote_keys;
mod signatures;
mod structure;

use chrono::TimeZone;
use serde_json::json;

use super::*;
use crate::auth::keys::SignatureCheck;
use crate::auth::testing::{sign, SECRET};
use crate::auth::{authenticate, AuthError, NoRemoteKeys, RemoteKeys, Verifier};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// Seconds since the epoch, `offset` from [`now`].
fn at(offset: i64) -> i64 {
    now().timestamp() + offset
}

fn valid_claims() -> Value {
    json!({"sub": "user-1", "exp": at(3600)})
}

fn hs256(claims: &Value) -> String {
    sign(Alg::Hs256, None, claims)
}

/// The user id `authenticate` yields for `Bearer <token>`, or why the token was refused.
fn run(token: &str, verifier: &Verifier) -> Result<String, InvalidToken> {
    run_with_remote(token, verifier, &NoRemoteKeys)
}

fn run_with_remote(
    token: &str,
    verifier: &Verifier,
    remote: &impl RemoteKeys,
) -> Result<String, InvalidToken> {
    let header = format!("Bearer {token}");
    match pollster::block_on(authenticate(Some(&header), verifier, remote, now())) {
        Ok(user) => Ok(user.as_str().to_owned()),
        Err(AuthError::Invalid(why)) => Err(why),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

fn with_keys(keys: Vec<Key>) -> Verifier {
    Verifier {
        keys,
        ..Verifier::default()
    }
}

fn secret_verifier() -> Verifier {
    Verifier::hs256(SECRET)
}

fn secret() -> Vec<Key> {
    vec![Key::secret(SECRET, Alg::Hs256).unwrap()]
}

/// A signature check that accepts everything or nothing: claims tested without crypto.
struct Fixed(bool);

impl SignatureCheck for Fixed {
    fn verify(&self, _: &[u8], _: &[u8]) -> bool {
        self.0
    }
}

/// One row of a refusal table: the token, the keys configured, the outcome, and why.
type Case = (String, Vec<Key>, Result<String, InvalidToken>, &'static str);

fn assert_cases(cases: Vec<Case>) {
    for (token, keys, expected, why) in cases {
        assert_eq!(run(&token, &with_keys(keys)), expected, "{why}");
    }
}
