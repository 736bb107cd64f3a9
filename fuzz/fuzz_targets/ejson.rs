//! The Data API answer decoders (EJSON documents, error bodies) on arbitrary bytes: never
//! panic, and a decoded license always satisfies the domain's rules.
#![no_main]

use keybox::storage::mongo::answers::{find_idempotent_outcome, update_outcome};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&status, body)) = data.split_first() else { return };
    let Ok(body) = std::str::from_utf8(body) else { return };
    let status = 150 + u16::from(status) * 2; // 150..660: successes, errors and nonsense
    if let Ok(Some(found)) = find_idempotent_outcome(status, body) {
        let license = found.license;
        assert!((1..=12).contains(&license.duration.months()));
        assert!(!license.services.as_slice().is_empty());
        assert_eq!(license.id.to_string().len(), 24);
    }
    let _ = update_outcome(status, body);
});
