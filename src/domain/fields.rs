//! The named fields of JSON objects, each kept as raw JSON: one reader for every request body
//! and every D1 row, rather than a `Deserialize` struct per shape (each of those compiled its
//! own field matcher and error paths into the module: 7 KB gzip for the request bodies alone).

use std::fmt;

use serde::de::Visitor;
use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess};
use serde_json::Value;

/// Why JSON text could not be read as the expected fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldsError {
    /// One of the named fields is given twice.
    Duplicate,
    /// Not JSON, not of the expected shape (an object, or an array of objects), or with
    /// something after it.
    Malformed,
}

impl fmt::Display for FieldsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Duplicate => "a field is given twice",
            Self::Malformed => "not the JSON expected",
        })
    }
}

/// The fields `names` of the JSON object `json`; any other field is skipped unread.
pub fn read_object(json: &[u8], names: &'static [&'static str]) -> Result<Fields, FieldsError> {
    read(json, FieldsSeed(names)).map(|values| Fields::new(names, values))
}

/// The fields `names` of each object of the JSON array `json`.
pub fn read_array(json: &[u8], names: &'static [&'static str]) -> Result<Vec<Fields>, FieldsError> {
    let rows = read(json, ArraySeed(names))?;
    Ok(rows
        .into_iter()
        .map(|values| Fields::new(names, values))
        .collect())
}

fn read<T>(
    json: &[u8],
    seed: impl for<'de> DeserializeSeed<'de, Value = T>,
) -> Result<T, FieldsError> {
    let mut reader = serde_json::Deserializer::from_slice(json);
    match seed
        .deserialize(&mut reader)
        .and_then(|read| reader.end().map(|()| read))
    {
        Ok(read) => Ok(read),
        Err(e) if e.to_string().starts_with(DUPLICATE) => Err(FieldsError::Duplicate),
        Err(_) => Err(FieldsError::Malformed),
    }
}

/// The fields asked for, each taken once.
#[derive(Debug)]
pub struct Fields {
    /// The names asked for (the caller's constant list: not copied per read).
    names: &'static [&'static str],
    values: Vec<Option<Value>>,
}

impl Fields {
    /// None of `names` given (`{}`).
    pub fn empty(names: &'static [&'static str]) -> Self {
        Self::new(names, vec![None; names.len()])
    }

    fn new(names: &'static [&'static str], values: Vec<Option<Value>>) -> Self {
        Self { names, values }
    }

    /// Field `name`; `null` counts as absent.
    pub fn value(&mut self, name: &str) -> Option<Value> {
        self.present(name).filter(|value| !value.is_null())
    }

    /// Field `name`; `null` is `Some(Value::Null)`, told apart from a missing field (`None`), as
    /// a `PATCH` needs.
    pub fn present(&mut self, name: &str) -> Option<Value> {
        let index = self.names.iter().position(|n| *n == name)?;
        self.values[index].take()
    }

    /// Field `name` if it is a string.
    pub fn text(&mut self, name: &str) -> Option<String> {
        match self.value(name)? {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// Field `name` if it is an integer from 0 to `u64::MAX`.
    pub fn unsigned(&mut self, name: &str) -> Option<u64> {
        self.value(name)?.as_u64()
    }
}

const DUPLICATE: &str = "duplicate field";

/// The visits of every JSON value but the expected one, each refused with `$what` (a plain
/// message: serde's default names the value it saw, which links float formatting into the
/// module).
macro_rules! refuse_other_values {
    ($what:literal) => {
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Err(E::custom($what))
        }
    };
}
pub(crate) use refuse_other_values;

/// Reads an object, keeping the values of the named fields.
struct FieldsSeed<'n>(&'n [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldsSeed<'_> {
    type Value = Vec<Option<Value>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed<'_> {
    type Value = Vec<Option<Value>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    refuse_other_values!("not an object");

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(A::Error::custom("not an object"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = vec![None; self.0.len()];
        while let Some(index) = map.next_key_seed(NameSeed(self.0))? {
            match index {
                Some(i) if values[i].is_some() => return Err(A::Error::custom(DUPLICATE)),
                Some(i) => values[i] = Some(map.next_value::<Value>()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(values)
    }
}

/// Reads an array of objects, each through [`FieldsSeed`].
struct ArraySeed<'n>(&'n [&'static str]);

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = Vec<Vec<Option<Value>>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = Vec<Vec<Option<Value>>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of objects")
    }

    refuse_other_values!("not an array");

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(A::Error::custom("not an array"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut rows = Vec::new();
        while let Some(row) = seq.next_element_seed(FieldsSeed(self.0))? {
            rows.push(row);
        }
        Ok(rows)
    }
}

/// A field name: its index among the wanted names, `None` for any other.
struct NameSeed<'n>(&'n [&'static str]);

impl<'de> DeserializeSeed<'de> for NameSeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for NameSeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, name: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|n| *n == name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 3] = ["a", "b", "c"];

    #[test]
    fn fields_are_read_by_name_null_told_from_missing_and_only_known_ones_may_not_repeat() {
        let json = br#"{"x":1,"x":2,"\u0061":"escaped","b":null,"y":{"z":[]}}"#;
        let mut fields = read_object(json, &NAMES).unwrap();
        assert_eq!(fields.value("a"), Some(Value::from("escaped")));
        assert_eq!(fields.value("a"), None, "each field is taken once");
        assert_eq!(fields.present("b"), Some(Value::Null));
        assert_eq!((fields.present("c"), fields.value("x")), (None, None));
        let mut nulls = read_object(br#"{"b":null}"#, &NAMES).unwrap();
        assert_eq!(nulls.value("b"), None, "null is absent for value()");
        assert_eq!(
            read_object(br#"{"b":null,"b":1}"#, &NAMES).unwrap_err(),
            FieldsError::Duplicate
        );
        assert_eq!(
            read_object(br#"{"a":1,"\u0061":2}"#, &NAMES).unwrap_err(),
            FieldsError::Duplicate,
            "the same name, escaped"
        );
        assert!(Fields::empty(&NAMES).present("a").is_none());
    }

    #[test]
    fn anything_but_one_object_is_malformed() {
        for json in [
            &b"[]"[..],
            b"{\"a\":1} {}",
            b"{\"a\":",
            b"",
            b"null",
            b"{\"a\":\xff}",
        ] {
            assert_eq!(
                read_object(json, &NAMES).unwrap_err(),
                FieldsError::Malformed,
                "{json:?}"
            );
        }
    }

    #[test]
    fn arrays_of_objects_are_read_row_by_row_with_typed_accessors() {
        let json = br#"[{"a":"one","b":7,"c":-1},{"a":2,"b":"7","c":1.5},{}]"#;
        let mut rows = read_array(json, &NAMES).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].text("a").as_deref(), Some("one"));
        assert_eq!(
            (rows[0].unsigned("b"), rows[0].unsigned("c")),
            (Some(7), None)
        );
        assert_eq!((rows[1].text("a"), rows[1].unsigned("b")), (None, None));
        assert_eq!(rows[1].unsigned("c"), None);
        assert_eq!(rows[2].text("a"), None);
        assert_eq!(read_array(b"[]", &NAMES).unwrap().len(), 0);
        assert_eq!(
            read_array(b"[1]", &NAMES).unwrap_err(),
            FieldsError::Malformed
        );
        assert_eq!(
            read_array(b"{}", &NAMES).unwrap_err(),
            FieldsError::Malformed
        );
        assert_eq!(
            read_array(br#"[{"a":1,"a":1}]"#, &NAMES).unwrap_err(),
            FieldsError::Duplicate
        );
    }
}
