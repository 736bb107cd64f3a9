//! The request bodies' JSON text, written directly: an object writer ([`Obj`]), arrays, and
//! the canonical Extended JSON (EJSON v2) scalars the documents and filters use. Building a
//! `serde_json::Value` first and printing it linked serde_json's whole value serializer into
//! the wasm for text this small module writes in order. Pure.
//!
//! Strings are escaped by `serde_json::to_string` on a `&str` (the same instantiation the
//! HTTP answers use: no new code in the module). Member names are the code's own literals
//! (`"dataSource"`, `"$gt"`, `"idempotency.key"`...): nothing in them needs escaping, so they
//! are written as given.

use chrono::{DateTime, Utc};

use crate::domain::{ObjectId, UserId};

/// A JSON object being written: `{` and the members so far. Members keep the order they are
/// written in. [`Obj::end`] closes it and hands the text over.
pub(super) struct Obj(String);

impl Obj {
    pub(super) fn new() -> Self {
        Self(String::from("{"))
    }

    /// Member `name` with `json`, a value already written as JSON text.
    pub(super) fn raw(&mut self, name: &str, json: &str) -> &mut Self {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(name);
        self.0.push_str("\":");
        self.0.push_str(json);
        self
    }

    /// Member `name` with the string `value`, escaped.
    pub(super) fn str(&mut self, name: &str, value: &str) -> &mut Self {
        self.raw(name, &quote(value))
    }

    /// Member `name` with the string `value`, or `null` without one.
    pub(super) fn opt_str(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.str(name, value),
            None => self.raw(name, "null"),
        }
    }

    /// Member `name` with the number `n` (a plain JSON number: limits, not stored values).
    pub(super) fn int(&mut self, name: &str, n: u64) -> &mut Self {
        self.raw(name, &n.to_string())
    }

    /// Member `name` with the object `value`.
    pub(super) fn obj(&mut self, name: &str, mut value: Obj) -> &mut Self {
        self.raw(name, &value.end())
    }

    /// The object's text, closed. Takes the text out (`&mut self`, so that a chain of
    /// members can end in it): the emptied `Obj` is not written to again.
    pub(super) fn end(&mut self) -> String {
        self.0.push('}');
        std::mem::take(&mut self.0)
    }
}

/// `text` as a JSON string: quoted, with `"`, `\` and control characters escaped.
pub(super) fn quote(text: &str) -> String {
    // Serialising a string cannot fail.
    serde_json::to_string(text).unwrap_or_default()
}

/// `{"<name>": <json>}`: an object of one member, a value already written as JSON text (a
/// query operator and its operand, an update operator and its fields).
pub(super) fn member(name: &str, json: &str) -> String {
    Obj::new().raw(name, json).end()
}

/// `[a,b,...]` of values already written as JSON text.
pub(super) fn array(items: &[String]) -> String {
    let mut text = String::from("[");
    text.push_str(&items.join(","));
    text.push(']');
    text
}

/// `["a","b",...]`: an array of strings, escaped.
pub(super) fn strings(items: &[&str]) -> String {
    array(&items.iter().map(|item| quote(item)).collect::<Vec<_>>())
}

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

    #[test]
    fn strings_are_escaped_exactly_as_serde_json_escapes_them() {
        for text in [
            "",
            "plain",
            "quote \" inside",
            "back\\slash",
            "line\nbreak\r\ttab\u{8}bs\u{c}ff",
            "\u{0}\u{1}\u{1f}\u{7f}",
            "unicode é ü 日本 🔑 \u{2028}",
            "</script>",
        ] {
            let mut obj = Obj::new();
            obj.str("k", text);
            assert_eq!(obj.end(), json!({ "k": text }).to_string(), "{text:?}");
            assert_eq!(quote(text), serde_json::to_string(text).unwrap());
        }
    }

    #[test]
    fn objects_nest_keep_their_order_and_may_be_empty() {
        assert_eq!(Obj::new().end(), "{}");
        assert_eq!(array(&[]), "[]");
        assert_eq!(strings(&[]), "[]");
        let mut inner = Obj::new();
        inner.opt_str("none", None).opt_str("some", Some("s"));
        let text = Obj::new()
            .str("b", "x")
            .int("a", 4)
            .obj("inner", inner)
            .obj("empty", Obj::new())
            .raw("list", &strings(&["p", "q\""]))
            .raw("objects", &array(&[Obj::new().end(), oid_text()]))
            .raw("one", &member("$gt", "1"))
            .end();
        assert_eq!(
            text,
            r#"{"b":"x","a":4,"inner":{"none":null,"some":"s"},"empty":{},"list":["p","q\""],"objects":[{},{"$oid":"60f7b3b3e6b3a72e8c8e4a1a"}],"one":{"$gt":1}}"#
        );
        assert_eq!(
            parsed(&text),
            json!({"b": "x", "a": 4, "inner": {"none": null, "some": "s"}, "empty": {},
                   "list": ["p", "q\""], "objects": [{}, {"$oid": "60f7b3b3e6b3a72e8c8e4a1a"}],
                   "one": {"$gt": 1}})
        );
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
