//! The Data API request bodies of the developer's and the scheduler's writes: a renewal
//! (compare-and-set `updateOne`), a page of the license list (`find`, sorted and limited), the
//! expiry sweep (`find` of ids, then `updateMany` guarded by the same condition). Pure.

use chrono::{DateTime, Utc};

use super::actions::Namespace;
use super::ejson::{array, date, member, oid, user, Obj};
use super::lifecycle_actions::{by_key, holding_seats, when, LIVE};
use super::owned_documents::older_than;
use crate::domain::{License, LicenseFilter, ObjectId, PageRequest, UserId};

/// `updateOne` renewing `owner`'s license `key` to expire at `until`, if its status and expiry
/// are still `seen`'s. An EXPIRED license is matched on whether it holds seats (`seats`) and
/// set to `status` in the same write.
pub fn renew_body(
    namespace: &Namespace,
    owner: &UserId,
    key: &str,
    seen: &License,
    seats: Option<bool>,
    status: Option<&str>,
    until: DateTime<Utc>,
) -> String {
    let mut filter = by_key(key, Some(owner));
    filter
        .str("status", seen.status.as_str())
        .raw("expiresAt", &date(seen.expires_at));
    holding_seats(&mut filter, seats);
    let mut set = Obj::new();
    set.raw("expiresAt", &date(until));
    if let Some(status) = status {
        set.str("status", status);
    }
    namespace
        .body()
        .obj("filter", filter)
        .raw("update", &member("$set", &set.end()))
        .end()
}

/// `find` of a page of `owner`'s licenses matching `filter`, newest first by
/// `(issuedAt, _id)` (the sort the `{user: 1, issuedAt: -1, _id: -1}` index serves), strictly
/// older than the cursor, at most [`PageRequest::fetch`] documents.
pub fn list_body(
    namespace: &Namespace,
    owner: &UserId,
    filter: &LicenseFilter,
    page: &PageRequest,
) -> String {
    let mut query = Obj::new();
    query.raw("user", &user(owner));
    if let Some(client) = filter.client {
        query.raw("client", &oid(&client));
    }
    if let Some(project) = filter.project {
        query.raw("project", &oid(&project));
    }
    if let Some(status) = filter.status {
        query.str("status", status.as_str());
    }
    if let Some(after) = page.after {
        query.raw("$or", &older_than("issuedAt", &after));
    }
    namespace
        .body()
        .obj("filter", query)
        // The order of the keys is the sort's: a document, not a map.
        .raw("sort", r#"{"issuedAt":-1,"_id":-1}"#)
        .int("limit", page.fetch() as u64)
        .end()
}

/// The sweep's condition: ACTIVE or PENDING and past its expiry at `now` (open: conditions
/// may follow).
fn due(now: DateTime<Utc>) -> Obj {
    let mut filter = Obj::new();
    filter
        .raw("status", LIVE)
        .raw("expiresAt", &when("$lte", now));
    filter
}

/// `find` of the ids of at most `batch` licenses due to expire at `now`.
pub fn due_ids_body(namespace: &Namespace, now: DateTime<Utc>, batch: u32) -> String {
    namespace
        .body()
        .obj("filter", due(now))
        .raw("projection", r#"{"_id":1}"#)
        .int("limit", u64::from(batch))
        .end()
}

/// `updateMany` expiring the licenses `ids` that are still due at `now` (the condition is
/// repeated, so a license revoked or renewed since the `find` is left alone).
pub fn expire_ids_body(namespace: &Namespace, ids: &[ObjectId], now: DateTime<Utc>) -> String {
    let ids: Vec<String> = ids.iter().map(oid).collect();
    let mut filter = due(now);
    filter.raw("_id", &member("$in", &array(&ids)));
    namespace
        .body()
        .obj("filter", filter)
        .raw("update", r#"{"$set":{"status":"EXPIRED"}}"#)
        .end()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::{Cursor, LicenseStatus};
    use crate::storage::mongo::testing::{license, namespace, parsed};

    #[test]
    fn the_sweep_expires_found_ids_only_if_still_due() {
        let now = Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        let find: Value = serde_json::from_str(&due_ids_body(&namespace(), now, 100)).unwrap();
        assert_eq!(
            find["filter"]["status"],
            json!({"$in": ["PENDING", "ACTIVE"]})
        );
        assert_eq!(
            (&find["limit"], &find["projection"]),
            (&json!(100), &json!({"_id": 1}))
        );
        let ids = [ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap()];
        let update: Value =
            serde_json::from_str(&expire_ids_body(&namespace(), &ids, now)).unwrap();
        assert_eq!(
            update["filter"]["_id"],
            json!({"$in": [{"$oid": "60f7b3b3e6b3a72e8c8e4a1c"}]})
        );
        assert_eq!(
            update["filter"]["expiresAt"],
            json!({"$lte": parsed(&date(now))})
        );
        assert_eq!(update["update"], json!({"$set": {"status": "EXPIRED"}}));
    }

    #[test]
    fn a_list_page_filters_on_the_owner_and_asks_for_one_more_than_the_page() {
        let owner = UserId::parse("auth0|7").unwrap();
        let filter = LicenseFilter {
            client: None,
            project: Some(ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1b").unwrap()),
            status: Some(LicenseStatus::Active),
        };
        let at = Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        let id = ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap();
        let page = PageRequest {
            limit: 3,
            after: Some(Cursor { at, id }),
        };
        let text = list_body(&namespace(), &owner, &filter, &page);
        // Newest first by issuedAt, then _id: a sort's keys are in order.
        assert!(
            text.contains(r#""sort":{"issuedAt":-1,"_id":-1}"#),
            "{text}"
        );
        let body = parsed(&text);
        assert_eq!(body["filter"]["user"], "auth0|7");
        assert_eq!(
            body["filter"]["project"],
            json!({"$oid": "60f7b3b3e6b3a72e8c8e4a1b"})
        );
        assert_eq!(body["filter"]["status"], "ACTIVE");
        assert!(body["filter"].get("client").is_none());
        assert_eq!(
            body["filter"]["$or"][1],
            json!({"issuedAt": parsed(&date(at)), "_id": {"$lt": {"$oid": "60f7b3b3e6b3a72e8c8e4a1c"}}})
        );
        assert_eq!(
            body["filter"]["$or"][0],
            json!({"issuedAt": {"$lt": parsed(&date(at))}})
        );
        assert_eq!(body["sort"], json!({"issuedAt": -1, "_id": -1}));
        assert_eq!(body["limit"], 4);
    }

    #[test]
    fn a_renewal_is_guarded_by_the_status_and_expiry_it_was_computed_from() {
        let seen = license("60f7b3b3e6b3a72e8c8e4a1a");
        let until = Utc.timestamp_millis_opt(1_800_000_000_000).unwrap();
        let body: Value = serde_json::from_str(&renew_body(
            &namespace(),
            &seen.user,
            seen.key.as_str(),
            &seen,
            Some(true),
            Some("ACTIVE"),
            until,
        ))
        .unwrap();
        assert_eq!(body["filter"]["status"], seen.status.as_str());
        assert_eq!(body["filter"]["expiresAt"], parsed(&date(seen.expires_at)));
        assert_eq!(
            body["filter"]["user"],
            json!({"$oid": "60f7b3b3e6b3a72e8c8e4a1a"})
        );
        assert_eq!(body["filter"]["seats.0"], json!({"$exists": true}));
        assert_eq!(
            body["update"],
            json!({"$set": {"expiresAt": {"$date": {"$numberLong": "1800000000000"}}, "status": "ACTIVE"}})
        );
    }
}
