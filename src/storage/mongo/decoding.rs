//! License documents read back from the Data API, in canonical EJSON (what `Accept:
//! application/ejson` returns) or relaxed/plain JSON (what some gateways return). Pure.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::domain::{
    Duration, Fingerprint, License, LicenseKey, LicenseStatus, MaxMachines, ObjectId, Seat,
    SeatName, Services, UserId,
};
use crate::storage::IdempotentLicense;

/// The license and request fingerprint of a document written with an idempotency record, or
/// the field that could not be read (a foreign writer's document: a storage failure).
pub fn idempotent_license(document: &Value) -> Result<IdempotentLicense, String> {
    let license = license(document)?;
    let fingerprint = document
        .pointer("/idempotency/fingerprint")
        .and_then(Value::as_str)
        .ok_or_else(|| "unreadable idempotency.fingerprint in license document".to_owned())?;
    Ok(IdempotentLicense {
        license,
        fingerprint: Fingerprint::from_stored(fingerprint.to_owned()),
    })
}

/// The license a document holds, or the field that could not be read. Documents written
/// before seats existed (or by the original server) have the default seat limit and no seat.
pub fn license(document: &Value) -> Result<License, String> {
    let field = |name: &str| {
        document
            .get(name)
            .ok_or_else(|| format!("document has no {name}"))
    };
    let bad = |name: &str| format!("unreadable {name} in license document");
    let license = License {
        key: LicenseKey::from_stored(field("key")?.as_str().ok_or_else(|| bad("key"))?.to_owned()),
        duration: integer(field("duration")?)
            .and_then(|n| u8::try_from(n).ok())
            .and_then(Duration::from_months)
            .ok_or_else(|| bad("duration"))?,
        issued_at: date(field("issuedAt")?).ok_or_else(|| bad("issuedAt"))?,
        expires_at: date(field("expiresAt")?).ok_or_else(|| bad("expiresAt"))?,
        status: field("status")?
            .as_str()
            .and_then(LicenseStatus::parse)
            .ok_or_else(|| bad("status"))?,
        services: Services::parse(Some(field("services")?)).ok_or_else(|| bad("services"))?,
        user: user(field("user")?).ok_or_else(|| bad("user"))?,
        client: object_id(field("client")?).ok_or_else(|| bad("client"))?,
        project: object_id(field("project")?).ok_or_else(|| bad("project"))?,
        id: object_id(field("_id")?).ok_or_else(|| bad("_id"))?,
        max_machines: match document.get("maxMachines") {
            None | Some(Value::Null) => MaxMachines::DEFAULT,
            Some(value) => integer(value)
                .and_then(|n| u64::try_from(n).ok())
                .and_then(MaxMachines::from_count)
                .ok_or_else(|| bad("maxMachines"))?,
        },
        seats: match document.get("seats") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(seats)) => seats
                .iter()
                .map(seat)
                .collect::<Option<_>>()
                .ok_or_else(|| bad("seats"))?,
            Some(_) => return Err(bad("seats")),
        },
    };
    Ok(license)
}

/// `{machineId: string|null, instanceId: string|null, activatedAt: date}`.
fn seat(value: &Value) -> Option<Seat> {
    let name = |field: &str| match value.get(field) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(text)) => Some(Some(SeatName::from_stored(text.clone()))),
        Some(_) => None,
    };
    Some(Seat {
        machine: name("machineId")?,
        instance: name("instanceId")?,
        activated_at: date(value.get("activatedAt")?)?,
    })
}

/// The single `$name` wrapper of an EJSON value, if it is one.
pub(super) fn wrapped<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.as_object().filter(|map| map.len() == 1)?.get(name)
}

/// `{"$oid": hex}` or a plain hex string.
pub(super) fn object_id(value: &Value) -> Option<ObjectId> {
    let hex = wrapped(value, "$oid").unwrap_or(value).as_str()?;
    ObjectId::parse(hex).ok()
}

/// An ObjectId user (KeyBox's own, read as its canonical lowercase hex) or an identity
/// provider's string, exactly as spelled: a hex id with capitals is stored as a string (see
/// `ejson::user`) and must not come back lowercased. Plain JSON gives ObjectIds as lowercase
/// hex strings, which read the same either way.
pub(super) fn user(value: &Value) -> Option<UserId> {
    match wrapped(value, "$oid") {
        Some(hex) => UserId::parse(&ObjectId::parse(hex.as_str()?).ok()?.to_string()),
        None => UserId::parse(value.as_str()?),
    }
}

/// `{"$numberInt": "n"}`, `{"$numberLong": "n"}` or a JSON integer. (Doubles are refused:
/// the model stores integers, and float parsing would cost the module kilobytes.)
fn integer(value: &Value) -> Option<i64> {
    for name in ["$numberInt", "$numberLong"] {
        if let Some(text) = wrapped(value, name) {
            return text.as_str()?.parse().ok();
        }
    }
    value.as_i64()
}

/// `{"$date": {"$numberLong": ms}}` (canonical), `{"$date": "ISO-8601"}` (relaxed),
/// `{"$date": ms}`, or a plain ISO-8601 string.
pub(super) fn date(value: &Value) -> Option<DateTime<Utc>> {
    let inner = wrapped(value, "$date").unwrap_or(value);
    if let Some(text) = inner.as_str() {
        return DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc));
    }
    DateTime::from_timestamp_millis(integer(inner)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::storage::mongo::documents::license_document;
    use crate::storage::mongo::testing::{license, tag};

    fn canonical() -> Value {
        json!({
            "_id": {"$oid": "60f7b3b3e6b3a72e8c8e4a1c"},
            "key": "KB-60f7b3b3e6b3a72e8c8e4a1b-A1B2-C3D4-E5F6",
            "duration": {"$numberInt": "12"},
            "issuedAt": {"$date": {"$numberLong": "1706695200123"}},
            "expiresAt": {"$date": {"$numberLong": "1738317600123"}},
            "status": "PENDING",
            "services": ["Hosting", "Domain"],
            "user": {"$oid": "60f7b3b3e6b3a72e8c8e4a1a"},
            "client": {"$oid": "60f7b3b3e6b3a72e8c8e4a1a"},
            "project": {"$oid": "60f7b3b3e6b3a72e8c8e4a1b"},
            "idempotency": {"key": "k", "fingerprint": "f00d", "expiresAt": {"$date": {"$numberLong": "1706781600123"}}}
        })
    }

    fn expected() -> Value {
        json!({
            "key": "KB-60f7b3b3e6b3a72e8c8e4a1b-A1B2-C3D4-E5F6", "duration": 12,
            "issuedAt": "2024-01-31T10:00:00.123Z", "expiresAt": "2025-01-31T10:00:00.123Z",
            "status": "PENDING", "services": ["Hosting", "Domain"],
            "user": "60f7b3b3e6b3a72e8c8e4a1a", "client": "60f7b3b3e6b3a72e8c8e4a1a",
            "project": "60f7b3b3e6b3a72e8c8e4a1b", "_id": "60f7b3b3e6b3a72e8c8e4a1c"
        })
    }

    #[test]
    fn a_canonical_ejson_document_reads_back_as_the_license_returned_at_creation() {
        let read = idempotent_license(&canonical()).unwrap();
        assert_eq!(serde_json::to_value(&read.license).unwrap(), expected());
        assert_eq!(read.fingerprint.as_str(), "f00d");
    }

    #[test]
    fn relaxed_and_plain_json_documents_read_the_same() {
        let mut relaxed = canonical();
        relaxed["_id"] = json!("60f7b3b3e6b3a72e8c8e4a1c");
        relaxed["duration"] = json!(12);
        relaxed["issuedAt"] = json!({"$date": "2024-01-31T10:00:00.123Z"});
        relaxed["expiresAt"] = json!("2025-01-31T10:00:00.123Z");
        relaxed["user"] = json!("60f7b3b3e6b3a72e8c8e4a1a");
        let read = idempotent_license(&relaxed).unwrap();
        assert_eq!(serde_json::to_value(&read.license).unwrap(), expected());
    }

    #[test]
    fn a_string_user_stays_a_string() {
        let mut document = canonical();
        document["user"] = json!("auth0|42");
        assert_eq!(
            idempotent_license(&document).unwrap().license.user.as_str(),
            "auth0|42"
        );
    }

    #[test]
    fn a_hex_user_stored_as_a_string_keeps_its_capitals() {
        for user in ["60F7B3B3E6B3A72E8C8E4A1A", "60f7B3B3e6b3A72E8c8e4a1A"] {
            let mut document = canonical();
            document["user"] = json!(user);
            let read = idempotent_license(&document).unwrap();
            assert_eq!(read.license.user.as_str(), user);
        }
    }

    #[test]
    fn every_user_reads_back_exactly_as_the_token_spelled_it() {
        let tag = tag();
        for user in [
            "60f7b3b3e6b3a72e8c8e4a1a",
            "60F7B3B3E6B3A72E8C8E4A1A",
            "60f7B3B3e6b3A72E8c8e4a1A",
            "auth0|42",
        ] {
            let license = license(user);
            let stored = serde_json::from_str(&license_document(&license, Some(&tag))).unwrap();
            let read = idempotent_license(&stored).unwrap();
            assert_eq!(read.license, license, "{user}");
        }
    }

    #[test]
    fn an_unreadable_field_is_named_not_a_panic() {
        for (field, value, expected) in [
            ("duration", json!({"$numberInt": "13"}), "duration"),
            ("duration", json!("12"), "duration"),
            ("issuedAt", json!({"$date": "yesterday"}), "issuedAt"),
            ("status", json!("LOST"), "status"),
            ("client", json!({"$oid": "nope"}), "client"),
            ("services", json!([]), "services"),
            ("idempotency", json!({}), "idempotency.fingerprint"),
        ] {
            let mut document = canonical();
            document[field] = value;
            let error = idempotent_license(&document).unwrap_err();
            assert!(error.contains(expected), "{field}: {error}");
        }
        let mut missing = canonical();
        missing.as_object_mut().unwrap().remove("key");
        assert_eq!(
            idempotent_license(&missing).unwrap_err(),
            "document has no key"
        );
    }
}
