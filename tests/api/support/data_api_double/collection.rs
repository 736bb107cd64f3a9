//! A collection in memory: documents exactly as received, the unique indexes the README tells
//! deployments to create, and the subset of MongoDB's query and update language the worker uses.

use serde_json::{Map, Value};

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

/// Applies `update` to the first match of `filter`: whether one matched, or why the update
/// is refused.
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
    apply(&mut documents[at], update).map(|()| true)
}

/// Applies `update` to every match of `filter`: how many matched.
pub fn update_many(
    documents: &mut [Value],
    filter: &Map<String, Value>,
    update: &Map<String, Value>,
) -> Result<usize, String> {
    let mut matched = 0;
    for document in documents.iter_mut().filter(|d| matches(d, filter)) {
        apply(document, update)?;
        matched += 1;
    }
    Ok(matched)
}

/// `$unset` / `$set` of top-level fields, `$push` of an element and `$pull` of the elements
/// matching a condition.
fn apply(document: &mut Value, update: &Map<String, Value>) -> Result<(), String> {
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
    Ok(())
}

/// `documents` ordered by `sort` (`{"field": 1 | -1, ...}`, later fields breaking ties), as
/// MongoDB orders within a type; a missing field sorts first ascending.
pub fn sorted<'a>(mut documents: Vec<&'a Value>, sort: &Map<String, Value>) -> Vec<&'a Value> {
    documents.sort_by(|a, b| {
        sort.iter()
            .map(|(field, direction)| {
                let key =
                    |d: &Value| super::query::at_path(d, field).and_then(super::query::sort_key);
                let order = key(a).cmp(&key(b));
                if direction.as_i64() == Some(-1) {
                    order.reverse()
                } else {
                    order
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    documents
}

/// A `projection` of only included fields (`{"field": 1}`), `_id` kept unless excluded.
pub fn project(document: &Value, projection: &Map<String, Value>) -> Value {
    let keep = |name: &str| match projection.get(name) {
        Some(flag) => flag.as_i64() == Some(1) || flag.as_bool() == Some(true),
        None => name == "_id",
    };
    let fields = document.as_object().expect("documents are objects");
    Value::Object(
        fields
            .iter()
            .filter(|(name, _)| keep(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
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
