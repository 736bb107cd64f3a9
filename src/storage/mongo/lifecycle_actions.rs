//! The Data API request bodies of the lifecycle: a license found by key (of an owner), a seat
//! taken or freed, a status changed, each one conditional `updateOne` whose filter carries the
//! decision. Pure.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::actions::Namespace;
use super::documents::{date, seat_document, stored_user};
use crate::domain::{SeatRef, UserId};

fn body(namespace: &Namespace, filter: Value) -> Value {
    let mut body = serde_json::to_value(namespace).unwrap_or_default();
    body["filter"] = filter;
    body
}

/// The filter of license `key`, of `owner` when given.
pub fn by_key(key: &str, owner: Option<&UserId>) -> Value {
    let mut filter = json!({ "key": key });
    if let Some(owner) = owner {
        filter["user"] = stored_user(owner);
    }
    filter
}

/// The match of exactly the seat `seat` names (absent names are stored as `null`).
fn the_seat(seat: &SeatRef) -> Value {
    json!({"machineId": seat.machine_str(), "instanceId": seat.instance_str()})
}

/// `findOne` of license `key` (of `owner`, when given).
pub fn find_by_key_body(namespace: &Namespace, key: &str, owner: Option<&UserId>) -> String {
    body(namespace, by_key(key, owner)).to_string()
}

/// `updateOne` taking `seat` at `now`: PENDING or ACTIVE, not expired, fewer seats than
/// `maxMachines` (documents without the fields count as none taken of one), and not this seat
/// already; pushes the seat and sets ACTIVE.
pub fn activate_body(
    namespace: &Namespace,
    key: &str,
    seat: &SeatRef,
    now: DateTime<Utc>,
) -> String {
    let filter = json!({
        "key": key,
        "status": {"$in": ["PENDING", "ACTIVE"]},
        "expiresAt": {"$gt": date(now)},
        "seats": {"$not": {"$elemMatch": the_seat(seat)}},
        "$expr": {"$lt": [
            {"$size": {"$ifNull": ["$seats", []]}},
            {"$ifNull": ["$maxMachines", 1]}
        ]},
    });
    let mut body = body(namespace, filter);
    body["update"] = json!({
        "$set": {"status": "ACTIVE"},
        "$push": {"seats": seat_document(seat, now)},
    });
    body.to_string()
}

/// `updateOne` freeing `seat` of license `key` (of `owner`): matches only if the seat is taken.
pub fn deactivate_body(
    namespace: &Namespace,
    key: &str,
    seat: &SeatRef,
    owner: Option<&UserId>,
) -> String {
    let mut filter = by_key(key, owner);
    filter["seats"] = json!({"$elemMatch": the_seat(seat)});
    let mut body = body(namespace, filter);
    body["update"] = json!({"$pull": {"seats": the_seat(seat)}});
    body.to_string()
}

/// `updateOne` storing license `key` as EXPIRED if PENDING or ACTIVE past its expiry at `now`.
pub fn expire_body(namespace: &Namespace, key: &str, now: DateTime<Utc>) -> String {
    let filter = json!({
        "key": key,
        "status": {"$in": ["PENDING", "ACTIVE"]},
        "expiresAt": {"$lte": date(now)},
    });
    let mut body = body(namespace, filter);
    body["update"] = json!({"$set": {"status": "EXPIRED"}});
    body.to_string()
}

/// `updateOne` setting `owner`'s license `key` to `to` if its status is one of `from`, it is
/// not past its expiry at `now`, and (when given) it holds seats or none (`seats`).
pub fn set_status_body(
    namespace: &Namespace,
    owner: &UserId,
    key: &str,
    from: &[&str],
    seats: Option<bool>,
    to: &str,
    now: DateTime<Utc>,
) -> String {
    let mut filter = by_key(key, Some(owner));
    filter["status"] = json!({ "$in": from });
    filter["expiresAt"] = json!({"$gt": date(now)});
    if let Some(held) = seats {
        filter["seats.0"] = json!({ "$exists": held });
    }
    let mut body = body(namespace, filter);
    body["update"] = json!({"$set": {"status": to}});
    body.to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::SeatName;
    use crate::storage::mongo::testing::namespace;

    #[test]
    fn an_activation_is_one_update_whose_filter_checks_status_expiry_seat_and_count() {
        let now = Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        let seat = SeatRef {
            machine: SeatName::parse("m"),
            instance: None,
        };
        let body: Value =
            serde_json::from_str(&activate_body(&namespace(), "KB-1", &seat, now)).unwrap();
        assert_eq!(
            body["filter"]["status"],
            json!({"$in": ["PENDING", "ACTIVE"]})
        );
        assert_eq!(
            body["filter"]["seats"],
            json!({"$not": {"$elemMatch": {"machineId": "m", "instanceId": null}}})
        );
        assert_eq!(
            body["filter"]["$expr"]["$lt"][1],
            json!({"$ifNull": ["$maxMachines", 1]})
        );
        assert_eq!(
            body["update"]["$push"]["seats"],
            json!({"machineId": "m", "instanceId": null,
                   "activatedAt": {"$date": {"$numberLong": "1700000000000"}}})
        );
    }

    #[test]
    fn an_owners_filter_names_the_user_as_stored() {
        let owner = UserId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap();
        let body: Value = serde_json::from_str(&deactivate_body(
            &namespace(),
            "KB-1",
            &SeatRef::default(),
            Some(&owner),
        ))
        .unwrap();
        assert_eq!(
            body["filter"]["user"],
            json!({"$oid": "60f7b3b3e6b3a72e8c8e4a1a"})
        );
        assert_eq!(
            body["update"],
            json!({"$pull": {"seats": {"machineId": null, "instanceId": null}}})
        );
    }
}
