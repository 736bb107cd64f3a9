//! The request bodies of the Data API actions the store sends: `insertOne` with a license
//! document, `findOne` and `updateOne` with an idempotency filter, each naming the
//! [`Namespace`]. Canonical EJSON, written by the same `ejson` writers as the documents.

use chrono::{DateTime, Utc};

use super::documents::license_document;
use super::ejson::{date, member, user, Obj};
use crate::domain::{IdempotencyKey, IdempotencyTag, License, UserId};

/// Where the Data API actions act: the `dataSource`, `database` and `collection` every
/// request body names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub data_source: String,
    pub database: String,
    pub collection: String,
}

impl Namespace {
    /// A request body naming this namespace; the action's own fields follow.
    pub(super) fn body(&self) -> Obj {
        let mut body = Obj::new();
        body.str("dataSource", &self.data_source)
            .str("database", &self.database)
            .str("collection", &self.collection);
        body
    }
}

/// The body of `POST /action/insertOne` for `license`, in canonical EJSON.
pub fn insert_one_body(
    namespace: &Namespace,
    license: &License,
    idempotency: Option<&IdempotencyTag>,
) -> String {
    namespace
        .body()
        .raw("document", &license_document(license, idempotency))
        .end()
}

/// The filter of `user`'s license tagged with idempotency `key`, expiring as `operator` (a
/// query operator on `idempotency.expiresAt`, `$gt` or `$lte`) says of `now`.
fn idempotency_filter(
    user_id: &UserId,
    key: &IdempotencyKey,
    operator: &str,
    now: DateTime<Utc>,
) -> Obj {
    let mut filter = Obj::new();
    filter
        .raw("user", &user(user_id))
        .str("idempotency.key", key.as_str())
        .raw("idempotency.expiresAt", &member(operator, &date(now)));
    filter
}

/// `POST /action/findOne` for `user`'s license under a live idempotency `key` at `now`.
pub fn find_idempotent_body(
    namespace: &Namespace,
    user: &UserId,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> String {
    namespace
        .body()
        .obj("filter", idempotency_filter(user, key, "$gt", now))
        .end()
}

/// `POST /action/updateOne` that removes an idempotency record expired by `now`.
pub fn release_expired_body(
    namespace: &Namespace,
    user: &UserId,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> String {
    namespace
        .body()
        .obj("filter", idempotency_filter(user, key, "$lte", now))
        .raw("update", r#"{"$unset":{"idempotency":""}}"#)
        .end()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::{json, Value};

    use super::*;
    use crate::storage::mongo::testing::{license, namespace, tag};

    #[test]
    fn the_insert_body_names_the_namespace_and_carries_the_license_document() {
        let license = license("auth0|7");
        let body: Value =
            serde_json::from_str(&insert_one_body(&namespace(), &license, Some(&tag()))).unwrap();
        let fields: Vec<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(fields, ["collection", "dataSource", "database", "document"]);
        assert_eq!(
            (&body["dataSource"], &body["database"], &body["collection"]),
            (
                &json!("mongodb-atlas"),
                &json!("keybox"),
                &json!("licenses")
            )
        );
        assert_eq!(
            body["document"]["_id"],
            json!({"$oid": "60f7b3b3e6b3a72e8c8e4a1c"})
        );
        assert_eq!(body["document"]["key"], license.key.as_str());
        assert_eq!(body["document"]["idempotency"]["key"], "order-7");
    }

    #[test]
    fn lookups_and_releases_filter_on_user_key_and_expiry() {
        let (user, key) = (
            UserId::parse("auth0|9").unwrap(),
            IdempotencyKey::parse("k").unwrap(),
        );
        let now = Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        let find: Value =
            serde_json::from_str(&find_idempotent_body(&namespace(), &user, &key, now)).unwrap();
        assert_eq!(
            find["filter"],
            json!({"user": "auth0|9", "idempotency.key": "k",
                   "idempotency.expiresAt": {"$gt": {"$date": {"$numberLong": "1700000000000"}}}})
        );
        assert_eq!(find["collection"], "licenses");
        let oid_user = UserId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap();
        let release: Value =
            serde_json::from_str(&release_expired_body(&namespace(), &oid_user, &key, now))
                .unwrap();
        assert_eq!(
            release["filter"]["user"],
            json!({"$oid": "60f7b3b3e6b3a72e8c8e4a1a"})
        );
        assert_eq!(
            release["filter"]["idempotency.expiresAt"],
            json!({"$lte": {"$date": {"$numberLong": "1700000000000"}}})
        );
        assert_eq!(release["update"], json!({"$unset": {"idempotency": ""}}));
    }

    #[test]
    fn filters_name_the_user_exactly_as_the_documents_store_it() {
        let key = IdempotencyKey::parse("k").unwrap();
        let now = Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        for user in [
            "60f7b3b3e6b3a72e8c8e4a1a",
            "60F7B3B3E6B3A72E8C8E4A1A",
            "60f7B3B3e6b3A72E8c8e4a1A",
            "auth0|9",
        ] {
            let insert: Value =
                serde_json::from_str(&insert_one_body(&namespace(), &license(user), None)).unwrap();
            let id = UserId::parse(user).unwrap();
            for body in [
                find_idempotent_body(&namespace(), &id, &key, now),
                release_expired_body(&namespace(), &id, &key, now),
            ] {
                let filter: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(
                    filter["filter"]["user"], insert["document"]["user"],
                    "{user}"
                );
            }
        }
    }
}
