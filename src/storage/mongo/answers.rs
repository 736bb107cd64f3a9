//! The gateway's answers read into outcomes or [`StoreError`]s: a 2xx body is the action's
//! result, an `{"error", "error_code"}` body is a failure, except MongoDB's duplicate-key error,
//! which is a collision to resolve. Found documents are decoded by `decoding`. Also [`redact`],
//! which keeps the API key out of every failure's detail.

use serde_json::Value;

use super::decoding::idempotent_license;
use crate::domain::ObjectId;
use crate::storage::{IdempotentLicense, StoreError};

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

/// A Data API answer: the parsed body of a 2xx, or the failure (naming `operation`) it reports.
///
/// Errors are JSON objects `{"error": "...", "error_code": "...", "link": "..."}`; a unique-index
/// violation is MongoDB's `E11000 duplicate key error`, which gateways pass on in `error` (Atlas
/// also gave it the `error_code` `DuplicateKey`): that one is a collision to resolve, everything
/// else a failure.
pub(super) fn answer_of(
    operation: &'static str,
    status: u16,
    body: &str,
) -> Result<Value, StoreError> {
    let unavailable = |detail: String| StoreError::Unavailable { operation, detail };
    let answer = serde_json::from_slice::<Value>(body.as_bytes()).map_err(|_| {
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
        Some(document) => {
            idempotent_license(document)
                .map(Some)
                .map_err(|detail| StoreError::Unavailable {
                    operation: OPERATION,
                    detail,
                })
        }
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
    use serde_json::json;

    use super::*;

    fn id() -> ObjectId {
        ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap()
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

    #[test]
    fn a_duplicate_on_the_idempotency_index_is_a_conflict_not_a_collision() {
        let answer = json!({"error": "Failed to insert document: E11000 duplicate key error collection: keybox.licenses index: user_1_idempotency.key_1 dup key: { user: ObjectId('60f7b3b3e6b3a72e8c8e4a1a'), idempotency.key: \"order-7\" }", "error_code": "DuplicateKey"});
        assert_eq!(
            insert_outcome(400, &answer.to_string(), &id()),
            Err(StoreError::IdempotencyConflict)
        );
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
