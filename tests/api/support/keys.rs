//! The shared test keys (`src/auth/test_keys.rs`, the file the unit tests use), generated once
//! per run, and tokens signed with them. The main workers get their public halves as a JWKS in
//! `JWT_PUBLIC_KEY`, one entry (and `kid`) per asymmetric algorithm.

#[path = "../../../src/auth/test_keys.rs"]
pub mod test_keys;

use serde_json::Value;

pub use test_keys::{ed25519_jwk, new_ed25519, public_jwk, public_jwks, ASYMMETRIC};

use super::tokens::worker_claims;

/// A token signed by the run's key for `alg`, with the `kid` of that key on the main workers
/// (see [`worker_claims`] for what is added to `claims`).
pub fn signed(alg: &str, kid: &str, claims: Value) -> String {
    test_keys::sign(alg, Some(kid), &worker_claims(claims))
}

/// An EdDSA token signed by `pair` (see [`worker_claims`]).
pub fn signed_ed25519(pair: &ed25519_compact::KeyPair, kid: &str, claims: Value) -> String {
    let header = test_keys::header("EdDSA", Some(kid)).to_string();
    test_keys::sign_raw_with_ed25519(pair, &header, &worker_claims(claims).to_string())
}
