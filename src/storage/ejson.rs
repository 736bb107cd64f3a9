//! The MongoDB Data API's wire format, kept pure (no `worker::` types) so it is tested natively:
//! licenses as canonical Extended JSON (EJSON v2) documents, the request bodies of the actions,
//! and the classification of the gateway's answers into [`StoreError`]s.
//!
//! Documents have exactly the types the original KeyBox Mongoose model stored: `_id`, `client`,
//! `project` (and `user`, when it is an ObjectId) as ObjectIds, `issuedAt`/`expiresAt` as BSON
//! dates, `duration` as a 32-bit integer (what the Node driver writes for a Mongoose `Number`
//! holding an integer), `key`, `status` and `services` as strings.

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::{IdempotentLicense, StoreError};
use crate::domain::{IdempotencyKey, IdempotencyTag, License, ObjectId, Services, UserId};
use chrono::{DateTime, Utc};

/// `{"$oid": "<24 hex>"}`.
struct Oid<'a>(&'a ObjectId);

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
struct Date(i64);

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

/// The license's user: an ObjectId when the token's id is one (KeyBox's own users), otherwise
/// the identity provider's string, stored as given.
enum User<'a> {
    Oid(Oid<'a>),
    Text(&'a str),
}

impl<'a> User<'a> {
    /// `oid` is `user` parsed as an ObjectId, when it is one.
    fn of(user: &'a UserId, oid: &'a Option<ObjectId>) -> Self {
        match oid {
            Some(oid) => Self::Oid(Oid(oid)),
            None => Self::Text(user.as_str()),
        }
    }
}

impl Serialize for User<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Oid(oid) => oid.serialize(serializer),
            Self::Text(text) => serializer.serialize_str(text),
        }
    }
}

/// A license as the document the original Mongoose model stores (field order: `_id` first, as
/// MongoDB keeps it, then the schema's order).
#[derive(Serialize)]
struct LicenseDocument<'a> {
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
    fn new(
        license: &'a License,
        user_id: &'a Option<ObjectId>,
        idempotency: Option<&'a IdempotencyTag>,
    ) -> Self {
        Self {
            id: Oid(&license.id),
            key: license.key.as_str(),
            duration: Int32(i32::from(license.duration.months())),
            issued_at: Date(license.issued_at.timestamp_millis()),
            expires_at: Date(license.expires_at.timestamp_millis()),
            status: license.status.as_str(),
            services: &license.services,
            user: User::of(&license.user, user_id),
            client: Oid(&license.client),
            project: Oid(&license.project),
            idempotency: idempotency.map(|tag| IdempotencyDocument {
                key: tag.key.as_str(),
                fingerprint: tag.fingerprint.as_str(),
                expires_at: Date(tag.expires_at.timestamp_millis()),
            }),
        }
    }
}

/// Where the Data API actions act: the `dataSource`, `database` and `collection` every
/// request body names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Namespace {
    #[serde(rename = "dataSource")]
    pub data_source: String,
    pub database: String,
    pub collection: String,
}

/// The body of `POST /action/insertOne` for `license`, in canonical EJSON.
pub fn insert_one_body(
    namespace: &Namespace,
    license: &License,
    idempotency: Option<&IdempotencyTag>,
) -> String {
    #[derive(Serialize)]
    struct InsertOne<'a> {
        #[serde(flatten)]
        namespace: &'a Namespace,
        document: LicenseDocument<'a>,
    }
    let user_id = ObjectId::parse(license.user.as_str()).ok();
    let body = InsertOne {
        namespace,
        document: LicenseDocument::new(license, &user_id, idempotency),
    };
    // Plain strings, numbers and nested structs: serialising cannot fail.
    serde_json::to_string(&body).unwrap_or_default()
}

/// The outcome of `insertOne`, read from the gateway's status and body.
///
/// Success is a 2xx answering `{"insertedId": ...}` (an `{"$oid": ...}` in EJSON, a string in
/// plain JSON) naming the document's `_id`; errors are read by [`answer_of`].
pub fn insert_outcome(status: u16, body: &str, id: &ObjectId) -> Result<(), StoreError> {
    const OPERATION: &str = "insert license into MongoDB";
    let unavailable = |detail: String| StoreError::Unavailable {
        operation: OPERATION,
        detail,
    };
    let answer = answer_of(OPERATION, status, body)?;
    match answer.get("insertedId").map(oid_text) {
        Some(Some(inserted)) if inserted == id.to_string() => Ok(()),
        Some(_) => Err(unavailable(format!(
            "the Data API answered {status} with an insertedId other than {id}"
        ))),
        None => Err(unavailable(format!(
            "the Data API answered {status} without an insertedId"
        ))),
    }
}

/// The `{"error", "error_code"}` of an error answer.
#[derive(Debug, PartialEq, Eq)]
struct DataApiError<'a> {
    message: &'a str,
    code: Option<&'a str>,
}

impl DataApiError<'_> {
    fn is_duplicate_key(&self) -> bool {
        self.message.contains("E11000") || self.code == Some("DuplicateKey")
    }
}

impl std::fmt::Display for DataApiError<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.code {
            Some(code) => write!(f, "{code}: {}", self.message),
            None => f.write_str(self.message),
        }
    }
}

fn error_of(answer: &Value) -> Option<DataApiError<'_>> {
    let message = answer.get("error")?.as_str()?;
    Some(DataApiError {
        message,
        code: answer.get("error_code").and_then(Value::as_str),
    })
}

/// The hex of an ObjectId given as `{"$oid": "..."}` (EJSON) or as a plain string (JSON).
fn oid_text(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text),
        Value::Object(map) if map.len() == 1 => map.get("$oid")?.as_str(),
        _ => None,
    }
}

/// The user as stored: an ObjectId for a 24-hex id, else the string (as in the documents).
/// The user as the documents store it (see [`User`]).
fn stored_user(user: &UserId) -> Value {
    let oid = ObjectId::parse(user.as_str()).ok();
    serde_json::to_value(User::of(user, &oid)).unwrap_or_default()
}

fn date(at: DateTime<Utc>) -> Value {
    serde_json::to_value(Date(at.timestamp_millis())).unwrap_or_default()
}

/// The filter of `user`'s license tagged with idempotency `key`, expiring `expiry` (a query
/// operator on `idempotency.expiresAt`, e.g. `{"$gt": date}`).
fn idempotency_filter(user: &UserId, key: &IdempotencyKey, expiry: Value) -> Value {
    serde_json::json!({
        "user": stored_user(user),
        "idempotency.key": key.as_str(),
        "idempotency.expiresAt": expiry,
    })
}

/// `POST /action/findOne` for `user`'s license under a live idempotency `key` at `now`.
pub fn find_idempotent_body(
    namespace: &Namespace,
    user: &UserId,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> String {
    let mut body = serde_json::to_value(namespace).unwrap_or_default();
    body["filter"] = idempotency_filter(user, key, serde_json::json!({ "$gt": date(now) }));
    body.to_string()
}

/// `POST /action/updateOne` that removes an idempotency record expired by `now`.
pub fn release_expired_body(
    namespace: &Namespace,
    user: &UserId,
    key: &IdempotencyKey,
    now: DateTime<Utc>,
) -> String {
    let mut body = serde_json::to_value(namespace).unwrap_or_default();
    body["filter"] = idempotency_filter(user, key, serde_json::json!({ "$lte": date(now) }));
    body["update"] = serde_json::json!({ "$unset": { "idempotency": "" } });
    body.to_string()
}

/// A Data API answer: the parsed body of a 2xx, or the failure (naming `operation`) it reports.
///
/// Errors are JSON objects `{"error": "...", "error_code": "...", "link": "..."}`; a unique-index
/// violation is MongoDB's `E11000 duplicate key error`, which gateways pass on in `error` (Atlas
/// also gave it the `error_code` `DuplicateKey`): that one is a collision to resolve, everything
/// else a failure.
fn answer_of(operation: &'static str, status: u16, body: &str) -> Result<Value, StoreError> {
    let unavailable = |detail: String| StoreError::Unavailable { operation, detail };
    let answer = serde_json::from_str::<Value>(body).map_err(|_| {
        unavailable(format!(
            "the Data API answered {status} with a body that is not JSON ({} bytes)",
            body.len()
        ))
    })?;
    if let Some(error) = error_of(&answer) {
        if error.is_duplicate_key() {
            // The index named in the E11000 message tells a reused idempotency key
            // (`user_1_idempotency.key_1`) from a colliding license key or id.
            return Err(if error.message.contains("idempotency") {
                StoreError::IdempotencyConflict
            } else {
                StoreError::Duplicate
            });
        }
        return Err(unavailable(format!(
            "the Data API answered {status}: {error}"
        )));
    }
    if !(200..300).contains(&status) {
        return Err(unavailable(format!(
            "the Data API answered {status} without an error message"
        )));
    }
    Ok(answer)
}

/// The `findOne` answer `{"document": {...} | null}` as a license and its request fingerprint.
pub fn find_idempotent_outcome(
    status: u16,
    body: &str,
) -> Result<Option<IdempotentLicense>, StoreError> {
    const OPERATION: &str = "find idempotent license in MongoDB";
    let answer = answer_of(OPERATION, status, body)?;
    match answer.get("document") {
        Some(Value::Null) => Ok(None),
        Some(document) => super::ejson_decode::idempotent_license(document)
            .map(Some)
            .map_err(|detail| StoreError::Unavailable {
                operation: OPERATION,
                detail,
            }),
        None => Err(StoreError::Unavailable {
            operation: OPERATION,
            detail: format!("the Data API answered {status} without a document field"),
        }),
    }
}

/// The `updateOne` answer `{"matchedCount", "modifiedCount"}`: any count is fine.
pub fn update_outcome(status: u16, body: &str) -> Result<(), StoreError> {
    const OPERATION: &str = "release idempotency key in MongoDB";
    let answer = answer_of(OPERATION, status, body)?;
    if answer.get("matchedCount").is_none() {
        return Err(StoreError::Unavailable {
            operation: OPERATION,
            detail: format!("the Data API answered {status} without a matchedCount"),
        });
    }
    Ok(())
}

/// `text` with every occurrence of `secret` replaced, for messages that go to the log.
pub fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    text.replace(secret, "[redacted]")
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;
    use crate::domain::{CreateLicenseRequest, LicenseKey, OsRandom, UserId};

    fn namespace() -> Namespace {
        Namespace {
            data_source: "mongodb-atlas".into(),
            database: "keybox".into(),
            collection: "licenses".into(),
        }
    }

    fn license(user: &str) -> License {
        let request = CreateLicenseRequest::parse(
            br#"{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b","services":["Hosting","Domain"]}"#,
        )
        .unwrap();
        let issued = Utc.timestamp_millis_opt(1_704_067_200_123).unwrap(); // 2024-01-01T00:00:00.123Z
        let id = ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap();
        let key = LicenseKey::generate(&request.project, &mut OsRandom).unwrap();
        License::issue(&request, UserId::parse(user).unwrap(), issued, id, key)
    }

    fn id() -> ObjectId {
        ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap()
    }

    #[test]
    fn the_insert_body_names_the_namespace_and_carries_a_canonical_ejson_document() {
        let license = license("60F7B3B3E6B3A72E8C8E4A1D");
        let body: Value =
            serde_json::from_str(&insert_one_body(&namespace(), &license, None)).unwrap();
        assert_eq!(
            body,
            json!({
                "dataSource": "mongodb-atlas",
                "database": "keybox",
                "collection": "licenses",
                "document": {
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
                }
            })
        );
    }

    #[test]
    fn the_document_starts_with_its_id_and_keeps_the_models_field_order() {
        let text = insert_one_body(&namespace(), &license("u"), None);
        let document = &text[text.find("\"document\":").unwrap()..];
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
            .map(|f| document.find(&format!("\"{f}\":")).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{document}");
    }

    #[test]
    fn a_user_id_that_is_not_an_object_id_is_stored_as_a_string() {
        let body: Value = serde_json::from_str(&insert_one_body(
            &namespace(),
            &license("auth0|12345"),
            None,
        ))
        .unwrap();
        assert_eq!(body["document"]["user"], json!("auth0|12345"));
    }

    #[test]
    fn an_inserted_id_in_ejson_or_plain_json_is_a_success() {
        assert_eq!(
            insert_outcome(
                201,
                r#"{"insertedId":{"$oid":"60f7b3b3e6b3a72e8c8e4a1c"}}"#,
                &id()
            ),
            Ok(())
        );
        assert_eq!(
            insert_outcome(200, r#"{"insertedId":"60f7b3b3e6b3a72e8c8e4a1c"}"#, &id()),
            Ok(())
        );
    }

    #[test]
    fn a_duplicate_key_error_is_a_collision_to_retry_whatever_the_status() {
        let atlas = r#"{"error":"Failed to insert document: FunctionError: (DuplicateKey) E11000 duplicate key error collection: keybox.licenses index: key_1 dup key: { key: \"KB-x\" }","error_code":"DuplicateKey","link":"https://example.invalid/logs"}"#;
        assert_eq!(
            insert_outcome(409, atlas, &id()),
            Err(StoreError::Duplicate)
        );
        let gateway = r#"{"error":"Failed to insert document: E11000 duplicate key error collection: keybox.licenses index: _id_ dup key: { _id: ObjectId('60f7b3b3e6b3a72e8c8e4a1c') }","error_code":"INSERT_ONE_ERROR"}"#;
        assert_eq!(
            insert_outcome(400, gateway, &id()),
            Err(StoreError::Duplicate)
        );
    }

    fn detail(outcome: Result<(), StoreError>) -> String {
        match outcome {
            Err(StoreError::Unavailable { operation, detail }) => {
                assert_eq!(operation, "insert license into MongoDB");
                detail
            }
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }

    #[test]
    fn other_error_answers_are_failures_that_name_status_and_code() {
        let refused = detail(insert_outcome(
            401,
            r#"{"error":"invalid session: error finding user for endpoint","error_code":"InvalidSession","link":"x"}"#,
            &id(),
        ));
        assert_eq!(
            refused,
            "the Data API answered 401: InvalidSession: invalid session: error finding user for endpoint"
        );
        let broken = detail(insert_outcome(500, r#"{"error":"no primary"}"#, &id()));
        assert_eq!(broken, "the Data API answered 500: no primary");
    }

    #[test]
    fn a_body_that_is_not_json_is_a_failure_that_does_not_echo_the_body() {
        let d = detail(insert_outcome(200, "<html>Bad gateway</html>", &id()));
        assert!(d.contains("not JSON"), "{d}");
        assert!(!d.contains("Bad gateway"));
        assert!(detail(insert_outcome(502, "", &id())).contains("502"));
    }

    #[test]
    fn a_success_status_without_the_right_inserted_id_is_a_failure() {
        assert!(detail(insert_outcome(200, "{}", &id())).contains("without an insertedId"));
        assert!(detail(insert_outcome(
            200,
            r#"{"insertedId":{"$oid":"000000000000000000000000"}}"#,
            &id()
        ))
        .contains("other than"));
        assert!(detail(insert_outcome(503, r#"{"status":"down"}"#, &id()))
            .contains("without an error message"));
    }

    #[test]
    fn redaction_removes_every_copy_of_the_secret() {
        assert_eq!(
            redact("key s3cret and again s3cret", "s3cret"),
            "key [redacted] and again [redacted]"
        );
        assert_eq!(redact("nothing here", ""), "nothing here");
    }

    fn tag() -> IdempotencyTag {
        let user = UserId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap();
        let at = Utc.with_ymd_and_hms(2024, 1, 31, 10, 0, 0).unwrap();
        IdempotencyTag::new(
            IdempotencyKey::parse("order-7").unwrap(),
            crate::domain::Fingerprint::of(&user, b"{}"),
            at,
        )
    }

    #[test]
    fn an_idempotent_insert_carries_its_request_record_and_a_plain_one_does_not() {
        let tag = tag();
        let body: Value =
            serde_json::from_str(&insert_one_body(&namespace(), &license("u"), Some(&tag)))
                .unwrap();
        assert_eq!(
            body["document"]["idempotency"],
            json!({"key": "order-7", "fingerprint": tag.fingerprint.as_str(),
                   "expiresAt": {"$date": {"$numberLong": "1706781600000"}}})
        );
        let plain: Value =
            serde_json::from_str(&insert_one_body(&namespace(), &license("u"), None)).unwrap();
        assert!(plain["document"].get("idempotency").is_none());
    }

    #[test]
    fn a_duplicate_on_the_idempotency_index_is_a_conflict_not_a_collision() {
        let answer = json!({"error": "Failed to insert document: E11000 duplicate key error collection: keybox.licenses index: user_1_idempotency.key_1 dup key: { user: ObjectId('60f7b3b3e6b3a72e8c8e4a1a'), idempotency.key: \"order-7\" }", "error_code": "DuplicateKey"});
        assert_eq!(
            insert_outcome(400, &answer.to_string(), &id()),
            Err(StoreError::IdempotencyConflict)
        );
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
    fn find_and_update_answers_are_read_or_reported() {
        assert_eq!(
            find_idempotent_outcome(200, r#"{"document":null}"#),
            Ok(None)
        );
        assert!(matches!(
            find_idempotent_outcome(200, "{\"document\":"),
            Err(StoreError::Unavailable { .. })
        ));
        assert!(matches!(
            find_idempotent_outcome(
                401,
                r#"{"error":"invalid session","error_code":"InvalidSession"}"#
            ),
            Err(StoreError::Unavailable { .. })
        ));
        assert!(matches!(
            find_idempotent_outcome(200, r#"{"document":{"key":"x"}}"#),
            Err(StoreError::Unavailable { .. })
        ));
        assert_eq!(
            update_outcome(200, r#"{"matchedCount":0,"modifiedCount":0}"#),
            Ok(())
        );
        assert!(matches!(
            update_outcome(500, r#"{"error":"boom"}"#),
            Err(StoreError::Unavailable { .. })
        ));
        assert!(matches!(
            update_outcome(200, "{}"),
            Err(StoreError::Unavailable { .. })
        ));
    }
}
