//! The Data API v1 protocol: `POST {prefix}/action/{action}` authenticated by `api-key`, a JSON
//! body naming the namespace, answers in canonical EJSON or plain JSON, errors as
//! `{"error", "error_code", "link"}`.

use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::collection::{self, license_client_of, project_of, Duplicate};
use super::faults::{faulted, take_fault};
use super::server::HttpRequest;
use super::{RecordedInsert, State};

const LINK: &str = "https://data-api-double.invalid/logs";

/// What the double answers to: its URL path prefix, API key and data source.
pub struct ServerConfig {
    pub prefix: String,
    pub api_key: String,
    pub data_source: String,
}

/// An answer to send, after `delay` when a fault asks for one.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub delay: Option<Duration>,
}

impl Answer {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: body.to_string(),
            delay: None,
        }
    }

    pub(super) fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            json!({"error": message, "error_code": code, "link": LINK}),
        )
    }
}

/// The answer to one request: its path, method, API key and namespace checked, then the action
/// run on the namespace's collection.
pub fn answer(request: &HttpRequest, state: &Mutex<State>, config: &ServerConfig) -> Answer {
    let Some(action) = request
        .path
        .strip_prefix(&config.prefix)
        .and_then(|p| p.strip_prefix("/action/"))
    else {
        return Answer::error(404, "NotFound", "no such endpoint");
    };
    if request.method != "POST" {
        return Answer::error(405, "InvalidParameter", "actions are POST only");
    }
    let key = request
        .headers
        .get("api-key")
        .or_else(|| request.headers.get("apikey"));
    match key {
        None => {
            return Answer::error(
                400,
                "MissingParameter",
                "must specify some form of authentication (either email+password, api-key, or jwt) in the request header or body",
            )
        }
        Some(key) if *key != config.api_key => {
            return Answer::error(
                401,
                "InvalidSession",
                "invalid session: error finding user for endpoint",
            )
        }
        Some(_) => {}
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return Answer::error(400, "InvalidParameter", "request body is not valid JSON");
    };
    let mut names = Vec::new();
    for field in ["dataSource", "database", "collection"] {
        match body.get(field).and_then(Value::as_str) {
            Some(name) if !name.is_empty() => names.push(name),
            _ => {
                return Answer::error(
                    400,
                    "MissingParameter",
                    &format!("missing required field: {field}"),
                )
            }
        }
    }
    if names[0] != config.data_source {
        return Answer::error(
            404,
            "DataSourceNotFound",
            &format!("data source not found: {}", names[0]),
        );
    }
    let namespace = names.join("/");
    let ejson = request.wants_ejson();
    let mut state = state.lock().unwrap();
    match action {
        "insertOne" => insert_one(&mut state, &namespace, request, &body, ejson),
        "findOne" | "find" => find(&state, &namespace, action, &body, ejson),
        "updateOne" => update_one(&mut state, &namespace, &body),
        "deleteOne" => delete_one(&mut state, &namespace, &body),
        "updateMany" => update_many(&mut state, &namespace, &body),
        other => Answer::error(
            400,
            "InvalidParameter",
            &format!("action not supported by the protocol double: {other}"),
        ),
    }
}

/// Records the insert, then answers its project's fault, or stores the document.
fn insert_one(
    state: &mut State,
    namespace: &str,
    request: &HttpRequest,
    body: &Value,
    ejson: bool,
) -> Answer {
    let Some(document) = body.get("document").filter(|d| d.is_object()) else {
        return Answer::error(400, "MissingParameter", "missing required field: document");
    };
    let project = project_of(document);
    state.inserts.push(RecordedInsert {
        project: project.clone(),
        headers: request.headers.clone(),
        body: body.clone(),
    });
    // A fault is keyed by the license's project, or (for a project created in the same
    // request, whose id the test cannot know) by its client.
    let fault = project
        .and_then(|p| take_fault(state, &p))
        .or_else(|| license_client_of(document).and_then(|c| take_fault(state, &c)));
    if let Some(fault) = fault {
        return faulted(fault, namespace, document);
    }
    let Some(id) = document.get("_id").cloned() else {
        return Answer::error(400, "InvalidParameter", "the protocol double needs an _id");
    };
    let documents = state.collections.entry(namespace.to_owned()).or_default();
    if let Err(Duplicate {
        index,
        field,
        value,
    }) = collection::insert(documents, document)
    {
        return duplicate(namespace, index, field, value);
    }
    let inserted = if ejson { id } else { plain_json(&id) };
    Answer::json(201, json!({ "insertedId": inserted }))
}

/// `findOne` (`{"document": … | null}`) or `find` (`{"documents": […]}`, with its optional
/// `sort`, `limit` and `projection`).
fn find(state: &State, namespace: &str, action: &str, body: &Value, ejson: bool) -> Answer {
    let Some(filter) = body.get("filter").and_then(Value::as_object) else {
        return Answer::error(400, "MissingParameter", "missing required field: filter");
    };
    let documents = state
        .collections
        .get(namespace)
        .map_or(&[][..], Vec::as_slice);
    let mut found: Vec<&Value> = collection::find(documents, filter).collect();
    if let Some(sort) = body.get("sort").and_then(Value::as_object) {
        found = collection::sorted(found, sort);
    }
    // A limit of 0 is no limit, as in MongoDB.
    if let Some(limit) = body.get("limit").and_then(Value::as_u64).filter(|n| *n > 0) {
        found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    let projection = body.get("projection").and_then(Value::as_object);
    let matches: Vec<Value> = found
        .into_iter()
        .map(|d| projection.map_or_else(|| d.clone(), |p| collection::project(d, p)))
        .map(|d| if ejson { d } else { plain_json(&d) })
        .collect();
    if action == "findOne" {
        Answer::json(200, json!({"document": matches.into_iter().next()}))
    } else {
        Answer::json(200, json!({"documents": matches}))
    }
}

/// `updateOne`: `{"matchedCount", "modifiedCount"}`, both 0 or 1.
fn update_one(state: &mut State, namespace: &str, body: &Value) -> Answer {
    let (Some(filter), Some(update)) = (
        body.get("filter").and_then(Value::as_object),
        body.get("update").and_then(Value::as_object),
    ) else {
        return Answer::error(
            400,
            "MissingParameter",
            "missing required field: filter or update",
        );
    };
    let documents = state.collections.entry(namespace.to_owned()).or_default();
    match collection::update_one(documents, filter, update) {
        Ok(matched) => {
            let count = u8::from(matched);
            Answer::json(200, json!({"matchedCount": count, "modifiedCount": count}))
        }
        Err(message) if message.contains("E11000") => Answer::error(
            400,
            "DuplicateKey",
            &format!("Failed to update document: {message}"),
        ),
        Err(message) => Answer::error(400, "InvalidParameter", &message),
    }
}

/// `deleteOne`: `{"deletedCount"}`, 0 or 1.
fn delete_one(state: &mut State, namespace: &str, body: &Value) -> Answer {
    let Some(filter) = body.get("filter").and_then(Value::as_object) else {
        return Answer::error(400, "MissingParameter", "missing required field: filter");
    };
    let documents = state.collections.entry(namespace.to_owned()).or_default();
    let deleted = u8::from(collection::delete_one(documents, filter));
    Answer::json(200, json!({ "deletedCount": deleted }))
}

/// `updateMany`: `{"matchedCount", "modifiedCount"}` over every match.
fn update_many(state: &mut State, namespace: &str, body: &Value) -> Answer {
    let (Some(filter), Some(update)) = (
        body.get("filter").and_then(Value::as_object),
        body.get("update").and_then(Value::as_object),
    ) else {
        return Answer::error(
            400,
            "MissingParameter",
            "missing required field: filter or update",
        );
    };
    let documents = state.collections.entry(namespace.to_owned()).or_default();
    match collection::update_many(documents, filter, update) {
        Ok(count) => Answer::json(200, json!({"matchedCount": count, "modifiedCount": count})),
        Err(message) => Answer::error(400, "InvalidParameter", &message),
    }
}

/// MongoDB's duplicate-key error, passed on the way Atlas did.
pub(super) fn duplicate(namespace: &str, index: &str, field: &str, value: &Value) -> Answer {
    let collection = namespace.split_once('/').map_or(namespace, |(_, c)| c);
    Answer::error(
        400,
        "DuplicateKey",
        &format!(
            "Failed to insert document: FunctionError: (DuplicateKey) E11000 duplicate key error collection: {} index: {index} dup key: {{ {field}: {value} }}",
            collection.replace('/', ".")
        ),
    )
}

/// Canonical EJSON → plain JSON, as the Data API answers without `Accept: application/ejson`
/// (ObjectIds as hex strings, dates as ISO-8601 with milliseconds, numbers as numbers).
pub fn plain_json(value: &Value) -> Value {
    match value {
        Value::Object(map) if map.len() == 1 => {
            let (name, inner) = map.iter().next().unwrap();
            match (name.as_str(), inner) {
                ("$oid", Value::String(hex)) => Value::String(hex.clone()),
                ("$numberInt" | "$numberLong", Value::String(n)) => {
                    n.parse::<i64>().map(Value::from).unwrap_or(Value::Null)
                }
                ("$date", date) => {
                    let millis = date
                        .get("$numberLong")
                        .and_then(Value::as_str)
                        .and_then(|n| n.parse::<i64>().ok());
                    millis
                        .and_then(chrono::DateTime::from_timestamp_millis)
                        .map(|at| {
                            Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                        })
                        .unwrap_or(Value::Null)
                }
                _ => plain_object(map),
            }
        }
        Value::Object(map) => plain_object(map),
        Value::Array(items) => Value::Array(items.iter().map(plain_json).collect()),
        other => other.clone(),
    }
}

fn plain_object(map: &Map<String, Value>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), plain_json(v)))
            .collect(),
    )
}
