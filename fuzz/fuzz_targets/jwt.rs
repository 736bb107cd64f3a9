//! The Authorization header, JWT parser and verifier on arbitrary input: never panic, and
//! nothing but a token signed with the secret is ever accepted.
#![no_main]

use chrono::{DateTime, Utc};
use keybox::auth::{bearer_token, verify, Key, UntrustedJwt, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else { return };
    let Ok(token) = bearer_token(Some(header)) else { return };
    let Ok(jwt) = UntrustedJwt::parse(token) else { return };
    let now = DateTime::<Utc>::from_timestamp(1_750_000_000, 0).unwrap();
    let verifier = Verifier::hs256(b"fuzzing-secret-not-guessable-by-the-fuzzer");
    let keys: Vec<&Key> = verifier.keys.iter().collect();
    // A random input forging an HMAC-SHA256 signature would be a real finding.
    if let Ok(user) = verify(&jwt, &keys, &verifier.rules, now) {
        panic!("accepted a token for {user:?}: {header:?}");
    }
});
