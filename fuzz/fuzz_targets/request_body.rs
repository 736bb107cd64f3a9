//! The create-body parser on arbitrary bytes: never panics, and whatever it accepts obeys
//! the contract's rules.
#![no_main]

use keybox::domain::{CreateLicenseRequest, MAX_BODY_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = CreateLicenseRequest::parse(data) {
        assert!(data.len() <= MAX_BODY_BYTES);
        assert!((1..=12).contains(&request.duration.months()));
        assert!(!request.services.as_slice().is_empty());
        assert_eq!(request.client.to_string().len(), 24);
        assert_eq!(request.project.to_string().len(), 24);
    }
});
