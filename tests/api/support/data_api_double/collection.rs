//! A collection in memory: documents exactly as received, the unique indexes the README tells
//! deployments to create, and the subset of MongoDB's query and update language the worker uses.

use serde_json::{Map, Value};

use super::query::{at_path, ordinal, text};

/// A unique index an insert would break, and the value that breaks it.
pub struct Duplicate<'a> {
    pub index: &'static str,
    pub field: &'static str,
    pub value: &'a Value,
}

/// Stores `document` unless its `_id`, its `key` or its `(user, idempotency.key)` (a partial
/// index: only documents with an idempotency record) is already taken.
pub fn insert<'a>(documents: &mut Vec<Value>, document: &'a Value) -> Result<(), Duplicate<'a>> {
    for (index, field) in [("_id_", "_id"), ("key_1", "key")] {
        if let Some(value) = document.get(field) {
            if documents.iter().any(|d| d.get(field) == Some(value)) {
                return Err(Duplicate {
                    index,
                    field,
                    value,
                });
            }
        }
    }
    // Clients: unique `(user, email)` under a case-insensitive collation (docs/mongodb.md).
    if let Some(email) = document.get("email").and_then(Value::as_str) {
        let lower = email.to_lowercase();
        let same = |d: &Value| {
            d.get("user") == document.get("user")
                && d.get("email")
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.to_lowercase() == lower)
        };
        if documents.iter().any(same) {
            return Err(Duplicate {
                index: "user_1_email_1",
                field: "email",
                value: &document["email"],
            });
        }
    }
    if let Some(key) = document.pointer("/idempotency/key") {
        let same = |d: &Value| {
            d.get("user") == document.get("user") && d.pointer("/idempotency/key") == Some(key)
        };
        if documents.iter().any(same) {
            return Err(Duplicate {
                index: "user_1_idempotency.key_1",
                field: "idempotency.key",
                value: key,
            });
        }
    }
    documents.push(document.clone());
    Ok(())
}

/// The documents matching `filter`, in insertion order.
pub fn find<'a>(
    documents: &'a [Value],
    filter: &'a Map<String, Value>,
) -> impl Iterator<Item = &'a Value> {
    documents.iter().filter(|d| matches(d, filter))
}

/// Whether setting `changes` on `documents[at]` would break the clients' unique email index.
fn breaks_email_index(documents: &[Value], at: usize, changes: &Map<String, Value>) -> bool {
    let Some(email) = changes.get("email").and_then(Value::as_str) else {
        return false;
    };
    let user = documents[at].get("user");
    documents.iter().enumerate().any(|(i, d)| {
        i != at
            && d.get("user") == user
            && d.get("email")
                .and_then(Value::as_str)
                .is_some_and(|e| e.to_lowercase() == email.to_lowercase())
    })
}

/// Removes the first match of `filter`: whether one was deleted.
pub fn delete_one(documents: &mut Vec<Value>, filter: &Map<String, Value>) -> bool {
    match documents.iter().position(|d| matches(d, filter)) {
        Some(at) => {
            documents.remove(at);
            true
        }
        None => false,
    }
}

/// `find` with `sort` (fields of `1` / `-1`, compared as `ordinal`s or text) and `limit`.
pub fn find_sorted<'a>(
    documents: &'a [Value],
    filter: &'a Map<String, Value>,
    sort: Option<&Map<String, Value>>,
    limit: Option<usize>,
) -> Vec<&'a Value> {
    let mut found: Vec<&Value> = find(documents, filter).collect();
    if let Some(sort) = sort {
        found.sort_by(|a, b| {
            for (field, direction) in sort {
                let order = compare(at_path(a, field), at_path(b, field));
                let order = if direction.as_i64() == Some(-1) {
                    order.reverse()
                } else {
                    order
                };
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    found.truncate(limit.unwrap_or(usize::MAX));
    found
}

/// MongoDB's order for the values the worker sorts and bounds on: dates and numbers by value,
/// ObjectIds and strings by their text.
fn compare(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    match (a.and_then(ordinal), b.and_then(ordinal)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.and_then(text).cmp(&b.and_then(text)),
    }
}

/// Applies `$unset` / `$set` of top-level fields, `$push` of an element and `$pull` of the
/// elements matching a condition to the first match of `filter`: whether one matched, or why
/// the update is refused.
pub fn update_one(
    documents: &mut [Value],
    filter: &Map<String, Value>,
    update: &Map<String, Value>,
) -> Result<bool, String> {
    let Some(at) = documents.iter().position(|d| matches(d, filter)) else {
        return Ok(false);
    };
    if let Some(set) = update.get("$set").and_then(Value::as_object) {
        if breaks_email_index(documents, at, set) {
            return Err(
                "E11000 duplicate key error index: user_1_email_1 dup key: { email }".into(),
            );
        }
    }
    let document = &mut documents[at];
    let fields = document.as_object_mut().expect("documents are objects");
    for (operator, changes) in update {
        let Some(changes) = changes.as_object() else {
            return Err("update operators take documents".into());
        };
        for (field, value) in changes {
            match operator.as_str() {
                "$unset" => {
                    fields.remove(field);
                }
                "$set" => {
                    fields.insert(field.clone(), value.clone());
                }
                "$push" => match fields
                    .entry(field.clone())
                    .or_insert(Value::Array(Vec::new()))
                {
                    Value::Array(items) => items.push(value.clone()),
                    _ => return Err(format!("The field '{field}' must be an array")),
                },
                "$pull" => {
                    if let Some(Value::Array(items)) = fields.get_mut(field) {
                        items.retain(|item| match value.as_object() {
                            Some(condition) => !matches(item, condition),
                            None => item != value,
                        });
                    }
                }
                other => {
                    return Err(format!(
                        "update operator not supported by the protocol double: {other}"
                    ))
                }
            }
        }
    }
    Ok(true)
}

/// The hex of a license document's `client` ObjectId (licenses carry a `key`).
pub fn license_client_of(document: &Value) -> Option<String> {
    document.get("key")?;
    document
        .get("client")?
        .get("$oid")?
        .as_str()
        .map(str::to_owned)
}

/// The hex of a document's `project` ObjectId.
pub fn project_of(document: &Value) -> Option<String> {
    document
        .get("project")?
        .get("$oid")?
        .as_str()
        .map(str::to_owned)
}

/// Whether `document` matches `filter` (see `query`).
fn matches(document: &Value, filter: &Map<String, Value>) -> bool {
    super::query::matches(document, filter)
}
