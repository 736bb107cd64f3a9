//! Licenses as canonical Extended JSON (EJSON v2) documents, with exactly the types the original
//! KeyBox Mongoose model stored: `_id`, `client`, `project` (and `user`, when it is an ObjectId
//! in its canonical spelling: see [`User`]) as ObjectIds, `issuedAt`/`expiresAt` as BSON dates,
//! `duration` as a 32-bit integer (what the Node driver writes for a Mongoose `Number` holding an
//! integer), `key`, `status` and `services` as strings. Filters write users and dates through
//! the same serializers, so a query finds exactly what an insert stored.

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::domain::{IdempotencyTag, License, ObjectId, SeatRef, Services, UserId};

/// `{"$oid": "<24 hex>"}`.
pub(super) struct Oid<'a>(pub(super) &'a ObjectId);

impl Serialize for Oid<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Canonical {
            #[serde(rename = "$oid")]
            oid: String,
        }
        Canonical {
            oid: self.0.to_string(),
        }
        .serialize(serializer)
    }
}

/// `{"$date": {"$numberLong": "<milliseconds since the epoch>"}}`, canonical EJSON for a date.
pub(super) struct Date(pub(super) i64);

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct NumberLong {
            #[serde(rename = "$numberLong")]
            number_long: String,
        }
        #[derive(Serialize)]
        struct Canonical {
            #[serde(rename = "$date")]
            date: NumberLong,
        }
        Canonical {
            date: NumberLong {
                number_long: self.0.to_string(),
            },
        }
        .serialize(serializer)
    }
}

/// `{"$numberInt": "<n>"}`, canonical EJSON for a BSON int32.
struct Int32(i32);

impl Serialize for Int32 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Canonical {
            #[serde(rename = "$numberInt")]
            number_int: String,
        }
        Canonical {
            number_int: self.0.to_string(),
        }
        .serialize(serializer)
    }
}

/// The license's user: an ObjectId when the token's id is one in its canonical spelling (24
/// lowercase hex digits, as KeyBox's own users are), otherwise the identity provider's string,
/// stored as given. A hex id with capitals stays a string: as an ObjectId it would read back
/// lowercased (a replay would differ from the first answer) and would be the same user as its
/// lowercase twin, whereas user ids are case-sensitive everywhere else (tokens, D1).
pub(super) enum User<'a> {
    Oid(ObjectId),
    Text(&'a str),
}

impl<'a> User<'a> {
    pub(super) fn of(user: &'a UserId) -> Self {
        match ObjectId::parse(user.as_str()) {
            Ok(oid) if oid.to_string() == user.as_str() => Self::Oid(oid),
            _ => Self::Text(user.as_str()),
        }
    }
}

impl Serialize for User<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Oid(oid) => Oid(oid).serialize(serializer),
            Self::Text(text) => serializer.serialize_str(text),
        }
    }
}

/// A license as the document the original Mongoose model stores (field order: `_id` first, as
/// MongoDB keeps it, then the schema's order).
#[derive(Serialize)]
pub(super) struct LicenseDocument<'a> {
    #[serde(rename = "_id")]
    id: Oid<'a>,
    key: &'a str,
    duration: Int32,
    #[serde(rename = "issuedAt")]
    issued_at: Date,
    #[serde(rename = "expiresAt")]
    expires_at: Date,
    status: &'static str,
    services: &'a Services,
    user: User<'a>,
    client: Oid<'a>,
    project: Oid<'a>,
    /// The seat limit and the seats (machines) taken, for activations' conditional updates.
    #[serde(rename = "maxMachines")]
    max_machines: Int32,
    seats: [(); 0],
    /// Only on licenses created under an `Idempotency-Key` (Mongoose ignores unknown paths).
    #[serde(skip_serializing_if = "Option::is_none")]
    idempotency: Option<IdempotencyDocument<'a>>,
}

/// `{"key", "fingerprint", "expiresAt"}`: the request that created the license, for replays.
#[derive(Serialize)]
struct IdempotencyDocument<'a> {
    key: &'a str,
    fingerprint: &'a str,
    #[serde(rename = "expiresAt")]
    expires_at: Date,
}

impl<'a> LicenseDocument<'a> {
    pub(super) fn new(license: &'a License, idempotency: Option<&'a IdempotencyTag>) -> Self {
        Self {
            id: Oid(&license.id),
            key: license.key.as_str(),
            duration: Int32(i32::from(license.duration.months())),
            issued_at: Date(license.issued_at.timestamp_millis()),
            expires_at: Date(license.expires_at.timestamp_millis()),
            status: license.status.as_str(),
            services: &license.services,
            user: User::of(&license.user),
            client: Oid(&license.client),
            project: Oid(&license.project),
            max_machines: Int32(i32::from(license.max_machines.get())),
            seats: [],
            idempotency: idempotency.map(|tag| IdempotencyDocument {
                key: tag.key.as_str(),
                fingerprint: tag.fingerprint.as_str(),
                expires_at: Date(tag.expires_at.timestamp_millis()),
            }),
        }
    }
}

/// The user as the documents store it (see [`User`]), for filters.
pub(super) fn stored_user(user: &UserId) -> Value {
    serde_json::to_value(User::of(user)).unwrap_or_default()
}

/// A seat as the documents store it: `{machineId, instanceId, activatedAt}`, absent names
/// as `null` (so that equality on `null` finds exactly the unnamed ones).
pub(super) fn seat_document(seat: &SeatRef, activated_at: DateTime<Utc>) -> Value {
    serde_json::json!({
        "machineId": seat.machine_str(),
        "instanceId": seat.instance_str(),
        "activatedAt": date(activated_at),
    })
}

/// An ObjectId as the documents store it (`client`, `project`, `_id`), for filters.
pub(super) fn oid(id: &ObjectId) -> Value {
    serde_json::to_value(Oid(id)).unwrap_or_default()
}

/// A date as the documents store it, for filters.
pub(super) fn date(at: DateTime<Utc>) -> Value {
    serde_json::to_value(Date(at.timestamp_millis())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::storage::mongo::testing::{license, tag};

    fn document(license: &License, idempotency: Option<&IdempotencyTag>) -> Value {
        serde_json::to_value(LicenseDocument::new(license, idempotency)).unwrap()
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
        let text = serde_json::to_string(&LicenseDocument::new(&license, None)).unwrap();
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
