//! MongoDB's query language, the subset the worker sends, with MongoDB's semantics: equality
//! (a `null` matches a missing field; an array field matches when an element equals the
//! value), `$gt`/`$gte`/`$lt`/`$lte` on dates, numbers, ObjectIds and strings (within a type),
//! `$in`, `$nin`, `$ne`, `$not`, `$exists`, `$size`, `$elemMatch`, top-level `$and`/`$or`, and
//! `$expr` with `$lt`/`$lte`/`$gt`/`$gte`/
//! `$eq`, `$size` and `$ifNull` over `"$field"` paths.

use serde_json::{Map, Value};

/// The value at a dotted path (`idempotency.key`), as MongoDB resolves it.
pub fn at_path<'a>(document: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(document, |value, field| match value {
            Value::Array(items) => items.get(field.parse::<usize>().ok()?),
            other => other.get(field),
        })
}

/// A comparable number for an EJSON date or number (canonical or relaxed).
pub fn ordinal(value: &Value) -> Option<i64> {
    let inner = value.get("$date").unwrap_or(value);
    let inner = inner
        .get("$numberLong")
        .or_else(|| inner.get("$numberInt"))
        .unwrap_or(inner);
    inner.as_i64().or_else(|| inner.as_str()?.parse().ok())
}

/// Whether `document` matches `filter`.
pub fn matches(document: &Value, filter: &Map<String, Value>) -> bool {
    filter.iter().all(|(key, condition)| match key.as_str() {
        "$expr" => truthy(&evaluate(document, condition)),
        "$and" => each_filter(condition).all(|f| matches(document, f)),
        "$or" => each_filter(condition).any(|f| matches(document, f)),
        path => condition_holds(at_path(document, path), condition),
    })
}

fn each_filter(list: &Value) -> impl Iterator<Item = &Map<String, Value>> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// An operator document (`{"$gt": …}`), as opposed to a value to compare with.
fn operators(condition: &Value) -> Option<&Map<String, Value>> {
    condition
        .as_object()
        .filter(|m| !m.is_empty() && m.keys().all(|k| k.starts_with('$')))
        .filter(|m| !m.contains_key("$oid") && !m.contains_key("$date"))
}

fn condition_holds(value: Option<&Value>, condition: &Value) -> bool {
    match operators(condition) {
        Some(ops) => ops.iter().all(|(op, arg)| operator_holds(value, op, arg)),
        None => equals(value, condition),
    }
}

/// MongoDB equality: `null` matches a missing field; an array matches by an element too.
fn equals(value: Option<&Value>, wanted: &Value) -> bool {
    match value {
        None => wanted.is_null(),
        Some(Value::Array(items)) if !wanted.is_array() => items.contains(wanted),
        Some(v) => v == wanted,
    }
}

fn operator_holds(value: Option<&Value>, op: &str, arg: &Value) -> bool {
    match op {
        "$gt" | "$gte" | "$lt" | "$lte" => {
            // MongoDB compares within a type only (dates with dates, ObjectIds with ObjectIds).
            match (value.and_then(sort_key), sort_key(arg)) {
                (Some(v), Some(b)) => compare_keys(op, &v, &b),
                _ => false,
            }
        }
        "$in" => arg
            .as_array()
            .is_some_and(|options| options.iter().any(|o| equals(value, o))),
        "$nin" => !arg
            .as_array()
            .is_some_and(|options| options.iter().any(|o| equals(value, o))),
        "$ne" => !equals(value, arg),
        "$not" => !condition_holds(value, arg),
        "$exists" => value.is_some() == arg.as_bool().unwrap_or(true),
        "$size" => value
            .and_then(Value::as_array)
            .is_some_and(|items| Some(items.len() as i64) == ordinal(arg)),
        "$elemMatch" => {
            let (Some(items), Some(filter)) = (value.and_then(Value::as_array), arg.as_object())
            else {
                return false;
            };
            items.iter().any(|item| matches(item, filter))
        }
        other => panic!("query operator not supported by the protocol double: {other}"),
    }
}

/// What MongoDB orders a value by, within its type: dates and numbers by value, ObjectIds and
/// strings by their text (an ObjectId's lowercase hex sorts as its bytes).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Number(i64),
    ObjectId(String),
    Text(String),
}

pub fn sort_key(value: &Value) -> Option<SortKey> {
    if let Some(hex) = value.get("$oid").and_then(Value::as_str) {
        return Some(SortKey::ObjectId(hex.to_ascii_lowercase()));
    }
    if let Some(text) = value.as_str() {
        return Some(SortKey::Text(text.to_owned()));
    }
    ordinal(value).map(SortKey::Number)
}

/// `op` between keys of the same type; keys of different types never compare.
fn compare_keys(op: &str, v: &SortKey, b: &SortKey) -> bool {
    if std::mem::discriminant(v) != std::mem::discriminant(b) {
        return false;
    }
    match op {
        "$gt" => v > b,
        "$gte" => v >= b,
        "$lt" => v < b,
        "$lte" => v <= b,
        _ => v == b,
    }
}

fn compare(op: &str, v: i64, b: i64) -> bool {
    match op {
        "$gt" => v > b,
        "$gte" => v >= b,
        "$lt" => v < b,
        "$lte" => v <= b,
        _ => v == b,
    }
}

fn truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

/// An aggregation expression's value (`Null` for what MongoDB would call missing).
fn evaluate(document: &Value, expression: &Value) -> Value {
    if let Some(path) = expression.as_str().and_then(|s| s.strip_prefix('$')) {
        return at_path(document, path).cloned().unwrap_or(Value::Null);
    }
    let Some((op, args)) = expression
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.iter().next())
        .filter(|(op, _)| op.starts_with('$'))
    else {
        return expression.clone();
    };
    let arg = |i: usize| evaluate(document, args.get(i).unwrap_or(&Value::Null));
    match op.as_str() {
        "$lt" | "$lte" | "$gt" | "$gte" | "$eq" => {
            let (Some(a), Some(b)) = (ordinal(&arg(0)), ordinal(&arg(1))) else {
                return Value::Bool(false);
            };
            Value::Bool(compare(op, a, b))
        }
        "$size" => match evaluate(document, args) {
            Value::Array(items) => Value::from(items.len()),
            other => panic!("$size of a non-array ({other}): MongoDB fails the query"),
        },
        "$ifNull" => match arg(0) {
            Value::Null => arg(1),
            value => value,
        },
        other => panic!("expression operator not supported by the protocol double: {other}"),
    }
}
