//! The Data API request bodies of the lifecycle: a license found by key (of an owner), a seat
//! taken or freed, a status changed, each one conditional `updateOne` whose filter carries the
//! decision. Pure.

use chrono::{DateTime, Utc};

use super::actions::Namespace;
use super::documents::seat_document;
use super::ejson::{date, member, strings, user, Obj};
use crate::domain::{SeatRef, UserId};

/// PENDING or ACTIVE: the statuses a seat can be taken in and a sweep expires.
pub(super) const LIVE: &str = r#"{"$in":["PENDING","ACTIVE"]}"#;

/// The filter of license `key`, of `owner` when given (open: conditions may follow).
pub(super) fn by_key(key: &str, owner: Option<&UserId>) -> Obj {
    let mut filter = Obj::new();
    filter.str("key", key);
    if let Some(owner) = owner {
        filter.raw("user", &user(owner));
    }
    filter
}

/// The match of exactly the seat `seat` names (absent names are stored as `null`).
fn the_seat(seat: &SeatRef) -> String {
    Obj::new()
        .opt_str("machineId", seat.machine_str())
        .opt_str("instanceId", seat.instance_str())
        .end()
}

/// `{"<operator>": <date>}`: a query on a date field.
pub(super) fn when(operator: &str, at: DateTime<Utc>) -> String {
    member(operator, &date(at))
}

/// `findOne` of license `key` (of `owner`, when given).
pub fn find_by_key_body(namespace: &Namespace, key: &str, owner: Option<&UserId>) -> String {
    namespace.body().obj("filter", by_key(key, owner)).end()
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
    let mut filter = by_key(key, None);
    filter
        .raw("status", LIVE)
        .raw("expiresAt", &when("$gt", now))
        .raw(
            "seats",
            &member("$not", &member("$elemMatch", &the_seat(seat))),
        )
        .raw(
            "$expr",
            r#"{"$lt":[{"$size":{"$ifNull":["$seats",[]]}},{"$ifNull":["$maxMachines",1]}]}"#,
        );
    let mut update = Obj::new();
    update
        .raw("$set", r#"{"status":"ACTIVE"}"#)
        .raw("$push", &member("seats", &seat_document(seat, now)));
    namespace
        .body()
        .obj("filter", filter)
        .obj("update", update)
        .end()
}

/// `updateOne` freeing `seat` of license `key` (of `owner`): matches only if the seat is taken.
pub fn deactivate_body(
    namespace: &Namespace,
    key: &str,
    seat: &SeatRef,
    owner: Option<&UserId>,
) -> String {
    let the_seat = the_seat(seat);
    let mut filter = by_key(key, owner);
    filter.raw("seats", &member("$elemMatch", &the_seat));
    namespace
        .body()
        .obj("filter", filter)
        .raw("update", &member("$pull", &member("seats", &the_seat)))
        .end()
}

/// `updateOne` storing license `key` as EXPIRED if PENDING or ACTIVE past its expiry at `now`.
pub fn expire_body(namespace: &Namespace, key: &str, now: DateTime<Utc>) -> String {
    let mut filter = by_key(key, None);
    filter
        .raw("status", LIVE)
        .raw("expiresAt", &when("$lte", now));
    namespace
        .body()
        .obj("filter", filter)
        .raw("update", r#"{"$set":{"status":"EXPIRED"}}"#)
        .end()
}

/// Adds to `filter` whether the license holds seats (`Some(true)`: `seats.0` exists) or none
/// (`Some(false)`); nothing when `seats` asks neither.
pub(super) fn holding_seats(filter: &mut Obj, seats: Option<bool>) {
    match seats {
        Some(true) => filter.raw("seats.0", r#"{"$exists":true}"#),
        Some(false) => filter.raw("seats.0", r#"{"$exists":false}"#),
        None => filter,
    };
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
    filter
        .raw("status", &member("$in", &strings(from)))
        .raw("expiresAt", &when("$gt", now));
    holding_seats(&mut filter, seats);
    let set = Obj::new().str("status", to).end();
    namespace
        .body()
        .obj("filter", filter)
        .raw("update", &member("$set", &set))
        .end()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::{json, Value};

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
