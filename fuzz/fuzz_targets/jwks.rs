//! A JWKS provider's answer on arbitrary input: the document and its `Cache-Control` (the
//! input's first line, when it has one). Never panics, and whatever is accepted has keys and a
//! freshness within the policy's bounds.
#![no_main]

use keybox::auth::jwks::{JwksDocument, JwksPolicy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (cache_control, body) = match text.split_once('\n') {
        Some((header, body)) => (Some(header.to_owned()), body),
        None => (None, text),
    };
    let policy = JwksPolicy::default();
    let ttl = policy.ttl(cache_control.as_deref());
    assert!(policy.min_ttl <= ttl && ttl <= policy.max_ttl, "{ttl:?}");
    let document = JwksDocument { body: body.to_owned(), cache_control };
    if let Some((keys, ttl)) = document.parse(&policy) {
        assert!(!keys.is_empty());
        assert!(policy.min_ttl <= ttl && ttl <= policy.max_ttl, "{ttl:?}");
    }
});
