//! A **protocol double** of the MongoDB Data API — not MongoDB, and no database at all.
//!
//! It speaks the published Data API v1 shapes over HTTP on 127.0.0.1 so the worker's Mongo
//! backend can be tested end to end without a cluster or a gateway:
//!
//! - `POST /action/insertOne|findOne|find|updateOne`, JSON bodies naming `dataSource`,
//!   `database`, `collection` (+ `document` / `filter` / `update`); filters in the subset of
//!   MongoDB's query language `query` implements (comparisons, `$in`, `$elemMatch`, `$expr`
//!   with `$size`…), updates with `$set`/`$unset`/`$push`/`$pull`;
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
//!
//! `server` frames HTTP, `protocol` checks requests and shapes answers, `collection` stores,
//! matches and updates documents, `faults` holds the injected failures.

mod collection;
mod faults;
mod protocol;
mod query;
mod server;

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use collection::project_of;
use faults::FaultRule;
pub use faults::{Fault, SLOW_ANSWER};
pub use protocol::plain_json;
use protocol::ServerConfig;

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
        server::listen(listener, state, config);
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

impl DataApiDouble {
    /// The stored document whose `key` is `key` (EJSON, as stored).
    pub fn document_by_key(&self, key: &str) -> Option<Value> {
        let state = self.state.lock().unwrap();
        state
            .collections
            .get(&self.namespace())?
            .iter()
            .find(|d| d.get("key").and_then(Value::as_str) == Some(key))
            .cloned()
    }

    /// Sets `field` of the document whose `key` is `key` (a test forcing a date or status).
    pub fn set_field(&self, key: &str, field: &str, value: Value) {
        let mut state = self.state.lock().unwrap();
        let namespace = self.namespace();
        let document = state
            .collections
            .get_mut(&namespace)
            .and_then(|docs| {
                docs.iter_mut()
                    .find(|d| d.get("key").and_then(Value::as_str) == Some(key))
            })
            .unwrap_or_else(|| panic!("no document with key {key}"));
        document[field] = value;
    }
}
