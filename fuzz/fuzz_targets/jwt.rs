//! The Authorization header and JWT verifier on arbitrary input: never panics, and nothing
//! but a token signed with the secret is ever accepted.
#![no_main]

use chrono::{DateTime, Utc};
use keybox::auth::{authenticate, AuthError, JwtVerifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else { return };
    let now = DateTime::<Utc>::from_timestamp(1_750_000_000, 0).unwrap();
    let verifier = JwtVerifier::hs256(b"fuzzing-secret-not-guessable-by-the-fuzzer");
    match authenticate(Some(header), &verifier, now) {
        // A random input forging an HMAC-SHA256 signature would be a real finding.
        Ok(user) => panic!("accepted a token for {user:?}: {header:?}"),
        Err(AuthError::NoToken) => assert!(header.trim().is_empty() || header.trim().eq_ignore_ascii_case("bearer")),
        Err(AuthError::Invalid(_)) => {}
    }
});
