//! Licenses as canonical Extended JSON (EJSON v2) documents, with exactly the types the original
//! KeyBox Mongoose model stored: `_id`, `client`, `project` (and `user`, when it is an ObjectId
//! in its canonical spelling: see `ejson::user`) as ObjectIds, `issuedAt`/`expiresAt` as BSON dates,
//! `duration` as a 32-bit integer (what the Node driver writes for a Mongoose `Number` holding an
//! integer), `key`, `status` and `services` as strings. Written as JSON text by `ejson`,
//! whose writers the filters use too, so a query finds exactly what an insert stored.

use chrono::{DateTime, Utc};

use super::ejson::{date, int32, oid, user, Obj};
use crate::domain::{IdempotencyTag, License, SeatRef};

/// A license as the document the original Mongoose model stores (field order: `_id` first, as
/// MongoDB keeps it, then the schema's order), with the seat limit and the seats (machines)
/// taken, for activations' conditional updates, and on licenses created under an
/// `Idempotency-Key` (Mongoose ignores unknown paths) the request that created it, for replays:
/// `idempotency: {key, fingerprint, expiresAt}`.
pub(super) fn license_document(license: &License, idempotency: Option<&IdempotencyTag>) -> String {
    let mut document = Obj::new();
    document
        .raw("_id", &oid(&license.id))
        .str("key", license.key.as_str())
        .raw("duration", &int32(i32::from(license.duration.months())))
        .raw("issuedAt", &date(license.issued_at))
        .raw("expiresAt", &date(license.expires_at))
        .str("status", license.status.as_str())
        .raw("services", &license.services.to_json())
        .raw("user", &user(&license.user))
        .raw("client", &oid(&license.client))
        .raw("project", &oid(&license.project))
        .raw("maxMachines", &int32(i32::from(license.max_machines.get())))
        .raw("seats", "[]");
    if let Some(tag) = idempotency {
        let mut record = Obj::new();
        record
            .str("key", tag.key.as_str())
            .str("fingerprint", tag.fingerprint.as_str())
            .raw("expiresAt", &date(tag.expires_at));
        document.obj("idempotency", record);
    }
    document.end()
}

/// A seat as the documents store it: `{machineId, instanceId, activatedAt}`, absent names
/// as `null` (so that equality on `null` finds exactly the unnamed ones).
pub(super) fn seat_document(seat: &SeatRef, activated_at: DateTime<Utc>) -> String {
    Obj::new()
        .opt_str("machineId", seat.machine_str())
        .opt_str("instanceId", seat.instance_str())
        .raw("activatedAt", &date(activated_at))
        .end()
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::storage::mongo::testing::{license, tag};

    fn document(license: &License, idempotency: Option<&IdempotencyTag>) -> Value {
        serde_json::from_str(&license_document(license, idempotency)).unwrap()
    }

    #[test]
    fn a_license_is_stored_with_the_mongoose_models_ejson_types() {
        let license = license("60f7b3b3e6b3a72e8c8e4a1d");
        assert_eq!(
            document(&license, None),
            json!({
                "_id": {"$oid": "60f7b3b3e6b3a72e8c8e4a1c"},
                "key": license.key.as_str(),
                "duration": {"$numberInt": "12"},
                "issuedAt": {"$date": {"$numberLong": "1704067200123"}},
                "expiresAt": {"$date": {"$numberLong": "1735689600123"}},
                "status": "PENDING",
                "services": ["Hosting", "Domain"],
                "user": {"$oid": "60f7b3b3e6b3a72e8c8e4a1d"},
                "client": {"$oid": "60f7b3b3e6b3a72e8c8e4a1a"},
                "project": {"$oid": "60f7b3b3e6b3a72e8c8e4a1b"},
                "maxMachines": {"$numberInt": "1"},
                "seats": [],
            })
        );
    }

    #[test]
    fn the_document_starts_with_its_id_and_keeps_the_models_field_order() {
        let license = license("u");
        let text = license_document(&license, None);
        let order = [
            "_id",
            "key",
            "duration",
            "issuedAt",
            "expiresAt",
            "status",
            "services",
            "user",
            "client",
            "project",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|f| text.find(&format!("\"{f}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn a_user_id_that_is_not_an_object_id_is_stored_as_a_string() {
        let document = document(&license("auth0|12345"), None);
        assert_eq!(document["user"], json!("auth0|12345"));
    }

    #[test]
    fn only_the_canonical_lowercase_spelling_of_a_hex_user_id_is_stored_as_an_object_id() {
        let oid = json!({"$oid": "60f7b3b3e6b3a72e8c8e4a1d"});
        for (user, stored, why) in [
            (
                "60f7b3b3e6b3a72e8c8e4a1d",
                oid,
                "canonical: KeyBox's own users",
            ),
            (
                "60F7B3B3E6B3A72E8C8E4A1D",
                json!("60F7B3B3E6B3A72E8C8E4A1D"),
                "capitals",
            ),
            (
                "60f7B3b3e6b3a72e8c8e4a1D",
                json!("60f7B3b3e6b3a72e8c8e4a1D"),
                "mixed case",
            ),
            (
                "60f7b3b3e6b3a72e8c8e4a1",
                json!("60f7b3b3e6b3a72e8c8e4a1"),
                "23 digits",
            ),
        ] {
            assert_eq!(document(&license(user), None)["user"], stored, "{why}");
        }
    }

    #[test]
    fn an_idempotent_license_carries_its_request_record_and_a_plain_one_does_not() {
        let tag = tag();
        assert_eq!(
            document(&license("u"), Some(&tag))["idempotency"],
            json!({"key": "order-7", "fingerprint": tag.fingerprint.as_str(),
                   "expiresAt": {"$date": {"$numberLong": "1706781600000"}}})
        );
        assert!(document(&license("u"), None).get("idempotency").is_none());
    }
}
