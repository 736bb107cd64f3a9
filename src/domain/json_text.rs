//! JSON text written directly, member by member: an object writer ([`Obj`]) and arrays of
//! values already written. For every JSON text the worker sends: the answers, the MongoDB
//! request bodies, the D1 bound values, the JWKs and the license-token claims. Building a
//! `serde_json::Value` first and printing it, or a `Serialize` implementation per shape, linked
//! serde_json's serializers into the wasm once per type, for text this small module writes in
//! order. Pure.
//!
//! Strings are escaped by `serde_json::to_string` on a `&str` (one instantiation, shared with
//! every other serialisation). Member names are the code's own literals (`"message"`,
//! `"dataSource"`, `"$gt"`...): nothing in them needs escaping, so they are written as given.

/// A JSON object being written: `{` and the members so far. Members keep the order they are
/// written in. [`Obj::end`] closes it and hands the text over.
pub(crate) struct Obj(String);

impl Obj {
    pub(crate) fn new() -> Self {
        Self(String::from("{"))
    }

    /// Member `name` with `json`, a value already written as JSON text.
    pub(crate) fn raw(&mut self, name: &str, json: &str) -> &mut Self {
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
    pub(crate) fn str(&mut self, name: &str, value: &str) -> &mut Self {
        self.raw(name, &quote(value))
    }

    /// Member `name` with the string `value`, or `null` without one.
    pub(crate) fn opt_str(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.str(name, value),
            None => self.raw(name, "null"),
        }
    }

    /// Member `name` with `true` or `false`.
    pub(crate) fn bool(&mut self, name: &str, value: bool) -> &mut Self {
        self.raw(name, if value { "true" } else { "false" })
    }

    /// Member `name` with the number `n`, a plain JSON number.
    pub(crate) fn int(&mut self, name: &str, n: u64) -> &mut Self {
        self.raw(name, &n.to_string())
    }

    /// Member `name` with the object `value`.
    pub(crate) fn obj(&mut self, name: &str, mut value: Obj) -> &mut Self {
        self.raw(name, &value.end())
    }

    /// The object's text, closed. Takes the text out (`&mut self`, so that a chain of
    /// members can end in it): the emptied `Obj` is not written to again.
    pub(crate) fn end(&mut self) -> String {
        self.0.push('}');
        std::mem::take(&mut self.0)
    }
}

/// `text` as a JSON string: quoted, with `"`, `\` and control characters escaped.
pub(crate) fn quote(text: &str) -> String {
    // Serialising a string cannot fail.
    serde_json::to_string(text).unwrap_or_default()
}

/// `{"<name>": <json>}`: an object of one member, a value already written as JSON text (a
/// query operator and its operand, an update operator and its fields).
pub(crate) fn member(name: &str, json: &str) -> String {
    Obj::new().raw(name, json).end()
}

/// `[a,b,...]` of values already written as JSON text.
pub(crate) fn array(items: &[String]) -> String {
    let mut text = String::from("[");
    text.push_str(&items.join(","));
    text.push(']');
    text
}

/// `["a","b",...]`: an array of strings, escaped.
pub(crate) fn strings(items: &[&str]) -> String {
    array(&items.iter().map(|item| quote(item)).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
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
            .raw(
                "objects",
                &array(&[
                    Obj::new().end(),
                    member("$oid", "\"60f7b3b3e6b3a72e8c8e4a1a\""),
                ]),
            )
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
}
