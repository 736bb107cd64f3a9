//! A **protocol double** of the MongoDB Data API — not MongoDB, and no database at all.
//!
//! It speaks the published Data API v1 shapes over HTTP on 127.0.0.1 so the worker's Mongo
//! backend can be tested end to end without a cluster or a gateway:
//!
//! - `POST /action/insertOne|findOne|find|updateOne`, JSON bodies naming `dataSource`,
//!   `database`, `collection` (+ `document` / `filter` / `update`); filters of equalities and
//!   `$gt`/`$gte`/`$lt`/`$lte` on dotted paths, updates with `$set`/`$unset`;
//! - authentication by the `api-key` (or `apiKey`) header, else 401
//!   `{"error": "invalid session: error finding user for endpoint", "error_code": "InvalidSession", ...}`;
//! - errors as `{"error", "error_code", "link"}`; a duplicate `_id`, `key` or `(user,
//!   idempotency.key)` (the unique indexes the README tells deployments to create) as MongoDB's
//!   `E11000 duplicate key error`;
//! - answers in canonical EJSON when the request sends `Accept: application/ejson`, plain JSON
//!   otherwise (`insertedId` as `{"$oid"}` or a string).
//!
//! Documents live in memory, exactly as received. Tests inspect them directly
//! ([`DataApiDouble::documents_of_project`]) and inject faults scoped to one project id, so
//! parallel tests never see each other's faults.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// How long a [`Fault::SlowAnswer`] waits: longer than the worker's 5 s timeout.
pub const SLOW_ANSWER: Duration = Duration::from_secs(8);

const LINK: &str = "https://data-api-double.invalid/logs";

/// A failure to inject into the next inserts of one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 500 with a Data API error body.
    ServerError,
    /// Answers only after [`SLOW_ANSWER`], storing nothing (a gateway that never got through).
    SlowAnswer,
    /// 200 with a truncated, non-JSON body; stores nothing.
    MalformedJson,
    /// The `E11000` duplicate-key error, as if the drawn key already existed; stores nothing.
    DuplicateKey,
    /// 401 `InvalidSession`, as for a revoked API key.
    Unauthorized,
}

struct FaultRule {
    project: String,
    fault: Fault,
    /// `None`: until cleared.
    remaining: Option<usize>,
}

/// What the worker sent with one insert (for header assertions).
#[derive(Debug, Clone)]
pub struct RecordedInsert {
    pub project: Option<String>,
    pub headers: HashMap<String, String>,
    pub body: Value,
}

#[derive(Default)]
struct State {
    /// Collections by `dataSource/database/collection`.
    collections: HashMap<String, Vec<Value>>,
    faults: Vec<FaultRule>,
    inserts: Vec<RecordedInsert>,
}

/// The running double; it serves until the test process exits.
pub struct DataApiDouble {
    pub base_url: String,
    pub api_key: String,
    pub data_source: String,
    pub database: String,
    pub collection: String,
    state: Arc<Mutex<State>>,
}

impl DataApiDouble {
    /// Listens on a free 127.0.0.1 port; the base URL carries an Atlas-like path prefix, so
    /// the worker's URL joining is exercised too.
    pub fn start(api_key: String) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(Mutex::new(State::default()));
        let double = Self {
            base_url: format!("http://127.0.0.1:{port}/app/data-double/endpoint/data/v1"),
            api_key,
            data_source: "mongodb-atlas".into(),
            database: "keybox".into(),
            collection: "licenses".into(),
            state: state.clone(),
        };
        let config = Arc::new(ServerConfig {
            prefix: "/app/data-double/endpoint/data/v1".into(),
            api_key: double.api_key.clone(),
            data_source: double.data_source.clone(),
        });
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (state, config) = (state.clone(), config.clone());
                std::thread::spawn(move || serve(stream, &state, &config));
            }
        });
        Ok(double)
    }

    fn namespace(&self) -> String {
        format!("{}/{}/{}", self.data_source, self.database, self.collection)
    }

    /// Every stored document of `project` (an ObjectId hex), as stored (EJSON).
    pub fn documents_of_project(&self, project: &str) -> Vec<Value> {
        let state = self.state.lock().unwrap();
        state
            .collections
            .get(&self.namespace())
            .map(|docs| {
                docs.iter()
                    .filter(|d| project_of(d).as_deref() == Some(project))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Makes the next `times` inserts of `project` fail with `fault` (`None`: until cleared).
    pub fn inject(&self, project: &str, fault: Fault, times: Option<usize>) {
        self.state.lock().unwrap().faults.push(FaultRule {
            project: project.to_owned(),
            fault,
            remaining: times,
        });
    }

    /// Removes every fault of `project`.
    pub fn clear_faults(&self, project: &str) {
        self.state
            .lock()
            .unwrap()
            .faults
            .retain(|rule| rule.project != project);
    }

    /// The inserts the worker sent for `project`, in order (faulted ones included).
    pub fn inserts_of_project(&self, project: &str) -> Vec<RecordedInsert> {
        self.state
            .lock()
            .unwrap()
            .inserts
            .iter()
            .filter(|i| i.project.as_deref() == Some(project))
            .cloned()
            .collect()
    }
}

struct ServerConfig {
    prefix: String,
    api_key: String,
    data_source: String,
}

struct HttpRequest {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

struct Answer {
    status: u16,
    body: String,
    delay: Option<Duration>,
}

impl Answer {
    fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: body.to_string(),
            delay: None,
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            json!({"error": message, "error_code": code, "link": LINK}),
        )
    }
}

fn read_request(stream: &TcpStream) -> Option<HttpRequest> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(HttpRequest {
        method,
        path,
        headers,
        body,
    })
}

fn serve(mut stream: TcpStream, state: &Mutex<State>, config: &ServerConfig) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let answer = answer(&request, state, config);
    if let Some(delay) = answer.delay {
        std::thread::sleep(delay);
    }
    let reason = match answer.status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    let content_type = if request
        .headers
        .get("accept")
        .is_some_and(|a| a.contains("application/ejson"))
    {
        "application/ejson"
    } else {
        "application/json"
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.status,
        answer.body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(answer.body.as_bytes());
    let _ = stream.flush();
}

fn answer(request: &HttpRequest, state: &Mutex<State>, config: &ServerConfig) -> Answer {
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
    let ejson = request
        .headers
        .get("accept")
        .is_some_and(|a| a.contains("application/ejson"));
    let mut state = state.lock().unwrap();
    match action {
        "insertOne" => insert_one(&mut state, &namespace, request, &body, ejson),
        "findOne" | "find" => {
            let Some(filter) = body.get("filter").and_then(Value::as_object) else {
                return Answer::error(400, "MissingParameter", "missing required field: filter");
            };
            let matches: Vec<Value> = state
                .collections
                .get(&namespace)
                .into_iter()
                .flatten()
                .filter(|d| matches(d, filter))
                .map(|d| if ejson { d.clone() } else { relaxed(d) })
                .collect();
            if action == "findOne" {
                Answer::json(200, json!({"document": matches.into_iter().next()}))
            } else {
                Answer::json(200, json!({"documents": matches}))
            }
        }
        "updateOne" => update_one(&mut state, &namespace, &body),
        other => Answer::error(
            400,
            "InvalidParameter",
            &format!("action not supported by the protocol double: {other}"),
        ),
    }
}

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
    if let Some(fault) = project.and_then(|p| take_fault(state, &p)) {
        return faulted(fault, namespace, document);
    }
    let Some(id) = document.get("_id").cloned() else {
        return Answer::error(400, "InvalidParameter", "the protocol double needs an _id");
    };
    let docs = state.collections.entry(namespace.to_owned()).or_default();
    for (index, field) in [("_id_", "_id"), ("key_1", "key")] {
        if let Some(value) = document.get(field) {
            if docs.iter().any(|d| d.get(field) == Some(value)) {
                return duplicate(namespace, index, field, value);
            }
        }
    }
    // The partial unique index the README creates on (user, idempotency.key).
    if let Some(key) = document.pointer("/idempotency/key") {
        let same = |d: &Value| {
            d.get("user") == document.get("user") && d.pointer("/idempotency/key") == Some(key)
        };
        if docs.iter().any(same) {
            return duplicate(
                namespace,
                "user_1_idempotency.key_1",
                "idempotency.key",
                key,
            );
        }
    }
    docs.push(document.clone());
    let inserted = if ejson { id } else { relaxed(&id) };
    Answer::json(201, json!({ "insertedId": inserted }))
}

fn take_fault(state: &mut State, project: &str) -> Option<Fault> {
    let rule = state.faults.iter_mut().find(|r| r.project == project)?;
    let fault = rule.fault;
    if let Some(n) = rule.remaining.as_mut() {
        *n = n.saturating_sub(1);
    }
    state.faults.retain(|r| r.remaining != Some(0));
    Some(fault)
}

fn faulted(fault: Fault, namespace: &str, document: &Value) -> Answer {
    match fault {
        Fault::ServerError => Answer::error(
            500,
            "InternalServerError",
            "Failed to insert document: storage failure forced by the test (protocol double fault)",
        ),
        Fault::SlowAnswer => Answer {
            delay: Some(SLOW_ANSWER),
            ..Answer::error(
                500,
                "InternalServerError",
                "answered too late (fault injected by the protocol double)",
            )
        },
        Fault::MalformedJson => Answer {
            status: 200,
            body: r#"{"insertedId": {"$oid": "#.into(),
            delay: None,
        },
        Fault::DuplicateKey => duplicate(
            namespace,
            "key_1",
            "key",
            document.get("key").unwrap_or(&Value::Null),
        ),
        Fault::Unauthorized => Answer::error(
            401,
            "InvalidSession",
            "invalid session: error finding user for endpoint",
        ),
    }
}

/// MongoDB's duplicate-key error, passed on the way Atlas did.
fn duplicate(namespace: &str, index: &str, field: &str, value: &Value) -> Answer {
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

/// The hex of a document's `project` ObjectId.
fn project_of(document: &Value) -> Option<String> {
    document
        .get("project")?
        .get("$oid")?
        .as_str()
        .map(str::to_owned)
}

/// Canonical EJSON → plain JSON, as the Data API answers without `Accept: application/ejson`
/// (ObjectIds as hex strings, dates as ISO-8601 with milliseconds, numbers as numbers).
pub fn plain_json(value: &Value) -> Value {
    relaxed(value)
}

fn relaxed(value: &Value) -> Value {
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
                _ => Value::Object(map.iter().map(|(k, v)| (k.clone(), relaxed(v))).collect()),
            }
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), relaxed(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(relaxed).collect()),
        other => other.clone(),
    }
}

/// The value at a dotted path (`idempotency.key`), as MongoDB resolves it.
fn at_path<'a>(document: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(document, |value, field| value.get(field))
}

/// A comparable number for an EJSON date or number (canonical or relaxed).
fn ordinal(value: &Value) -> Option<i64> {
    let inner = value.get("$date").unwrap_or(value);
    let inner = inner
        .get("$numberLong")
        .or_else(|| inner.get("$numberInt"))
        .unwrap_or(inner);
    inner.as_i64().or_else(|| inner.as_str()?.parse().ok())
}

/// Whether `document` matches a filter of equalities and `$gt`/`$gte`/`$lt`/`$lte` on dotted
/// paths (the subset of MongoDB's query language the worker uses).
fn matches(document: &Value, filter: &serde_json::Map<String, Value>) -> bool {
    filter.iter().all(|(path, condition)| {
        let value = at_path(document, path);
        let operators = condition.as_object().filter(|m| {
            m.keys()
                .all(|k| ["$gt", "$gte", "$lt", "$lte"].contains(&k.as_str()))
        });
        match operators {
            Some(operators) if !operators.is_empty() => operators.iter().all(|(op, bound)| {
                let (Some(v), Some(b)) = (value.and_then(ordinal), ordinal(bound)) else {
                    return false;
                };
                match op.as_str() {
                    "$gt" => v > b,
                    "$gte" => v >= b,
                    "$lt" => v < b,
                    _ => v <= b,
                }
            }),
            _ => value == Some(condition),
        }
    })
}

/// `updateOne` with `$unset` / `$set` of top-level fields on the first match.
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
    let docs = state.collections.entry(namespace.to_owned()).or_default();
    let Some(document) = docs.iter_mut().find(|d| matches(d, filter)) else {
        return Answer::json(200, json!({"matchedCount": 0, "modifiedCount": 0}));
    };
    let fields = document.as_object_mut().expect("documents are objects");
    for (operator, changes) in update {
        let Some(changes) = changes.as_object() else {
            return Answer::error(400, "InvalidParameter", "update operators take documents");
        };
        for (field, value) in changes {
            match operator.as_str() {
                "$unset" => {
                    fields.remove(field);
                }
                "$set" => {
                    fields.insert(field.clone(), value.clone());
                }
                other => {
                    return Answer::error(
                        400,
                        "InvalidParameter",
                        &format!("update operator not supported by the protocol double: {other}"),
                    )
                }
            }
        }
    }
    Answer::json(200, json!({"matchedCount": 1, "modifiedCount": 1}))
}
