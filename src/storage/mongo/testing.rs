//! A license, a namespace and an idempotency tag for the wire format's unit tests, and the
//! parsing of the text written.

use chrono::{TimeZone, Utc};

use super::actions::Namespace;
use crate::domain::{
    CreateLicenseRequest, Fingerprint, IdempotencyKey, IdempotencyTag, License, LicenseKey,
    ObjectId, OsRandom, UserId,
};

/// A written body or value parsed back, for comparing with `json!`.
pub fn parsed(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

pub fn namespace() -> Namespace {
    Namespace {
        data_source: "mongodb-atlas".into(),
        database: "keybox".into(),
        collection: "licenses".into(),
    }
}

/// A 12-month license with `_id` `…4a1c`, issued 2024-01-01T00:00:00.123Z to `user`.
pub fn license(user: &str) -> License {
    let request = CreateLicenseRequest::parse(
        br#"{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b","services":["Hosting","Domain"]}"#,
    )
    .unwrap();
    let issued = Utc.timestamp_millis_opt(1_704_067_200_123).unwrap();
    let id = ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap();
    let key = LicenseKey::generate(&request.project, &mut OsRandom).unwrap();
    License::issue(&request, UserId::parse(user).unwrap(), issued, id, key)
}

/// Key `order-7`, expiring 2024-02-01T10:00:00Z.
pub fn tag() -> IdempotencyTag {
    let user = UserId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap();
    let at = Utc.with_ymd_and_hms(2024, 1, 31, 10, 0, 0).unwrap();
    IdempotencyTag::new(
        IdempotencyKey::parse("order-7").unwrap(),
        Fingerprint::of(&user, b"{}"),
        at,
    )
}
