//! The canonical Extended JSON (EJSON v2) scalars the MongoDB documents and filters use,
//! written as text with the crate's JSON writer (`domain::json_text`), re-exported here for
//! the request bodies. Pure.

use chrono::{DateTime, Utc};

pub(super) use crate::domain::json_text::{array, member, quote, strings, Obj};
use crate::domain::{ObjectId, UserId};

/// `{"$oid": "<24 hex>"}`.
pub(super) fn oid(id: &ObjectId) -> String {
    Obj::new().str("$oid", &id.to_string()).end()
}

/// `{"$date": {"$numberLong": "<milliseconds since the epoch>"}}`, canonical EJSON for a date.
pub(super) fn date(at: DateTime<Utc>) -> String {
    let millis = Obj::new()
        .str("$numberLong", &at.timestamp_millis().to_string())
        .end();
    member("$date", &millis)
}

/// `{"$numberInt": "<n>"}`, canonical EJSON for a BSON int32.
pub(super) fn int32(n: i32) -> String {
    Obj::new().str("$numberInt", &n.to_string()).end()
}

/// A user as the documents store it (licenses, clients, projects), and so as filters name it:
/// an ObjectId when the token's id is one in its canonical spelling (24 lowercase hex digits,
/// as KeyBox's own users are), otherwise the identity provider's string, stored as given. A
/// hex id with capitals stays a string: as an ObjectId it would read back lowercased (a replay
/// would differ from the first answer) and would be the same user as its lowercase twin,
/// whereas user ids are case-sensitive everywhere else (tokens, D1).
pub(super) fn user(user: &UserId) -> String {
    match ObjectId::parse(user.as_str()) {
        Ok(id) if id.to_string() == user.as_str() => oid(&id),
        _ => quote(user.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::{json, Value};

    use super::*;

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn oid_text() -> String {
        oid(&ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap())
    }

    #[test]
    fn scalars_are_canonical_extended_json() {
        assert_eq!(oid_text(), r#"{"$oid":"60f7b3b3e6b3a72e8c8e4a1a"}"#);
        let at = Utc.timestamp_millis_opt(1_700_000_000_123).unwrap();
        assert_eq!(date(at), r#"{"$date":{"$numberLong":"1700000000123"}}"#);
        let before = Utc.timestamp_millis_opt(-5).unwrap();
        assert_eq!(date(before), r#"{"$date":{"$numberLong":"-5"}}"#);
        assert_eq!(int32(12), r#"{"$numberInt":"12"}"#);
        assert_eq!(int32(-1), r#"{"$numberInt":"-1"}"#);
    }

    #[test]
    fn only_a_canonical_hex_user_is_an_object_id() {
        let user_of = |id: &str| parsed(&user(&UserId::parse(id).unwrap()));
        assert_eq!(
            user_of("60f7b3b3e6b3a72e8c8e4a1a"),
            json!({"$oid": "60f7b3b3e6b3a72e8c8e4a1a"})
        );
        for text in [
            "60F7B3B3E6B3A72E8C8E4A1A",
            "60f7B3B3e6b3A72E8c8e4a1A",
            "auth0|\"quoted\"\\",
        ] {
            assert_eq!(user_of(text), json!(text));
        }
    }
}
