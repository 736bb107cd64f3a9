//! Clients and projects for the tests, made through the API: a license can only be created for
//! a project of the token's user, so every test that expects a 201 first makes one.
//!
//! [`new_project`] remembers each project's client, so `create_body(&project)` names the right
//! client; a project id it never made (a random one, for requests refused before the ownership
//! check) gets the contract's example client id.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{json, Value};

use super::{random_object_id, request_to, token, worker, Reply, Worker};

static CLIENTS: Mutex<Option<HashMap<String, String>>> = Mutex::new(None);

/// The contract's example client id, for project ids no test made.
pub const EXAMPLE_CLIENT: &str = "60f7b3b3e6b3a72e8c8e4a1a";

/// `method path` on `target` with `token` and a JSON body.
pub fn call_on(
    target: &Worker,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Reply {
    let auth = format!("Bearer {token}");
    let text = body.map(Value::to_string);
    request_to(
        target,
        method,
        path,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        text.as_deref().map(str::as_bytes),
    )
}

/// `method path` on the current backend's worker as `user`.
pub fn call(user: &str, method: &str, path: &str, body: Option<&Value>) -> Reply {
    call_on(worker(), &token(user), method, path, body)
}

/// A fresh client of the token's user on `target`: its id.
pub fn new_client_on(target: &Worker, token: &str) -> String {
    let email = format!("{}@clients.test", random_object_id());
    let body = json!({"name": "Test client", "email": email});
    let reply = call_on(target, token, "POST", "/clients", Some(&body));
    assert_eq!(reply.status, 201, "create client: {}", reply.body);
    reply.json()["client"]["_id"].as_str().unwrap().to_owned()
}

/// A fresh client and project of the token's user on `target`: the project's id.
pub fn new_project_on(target: &Worker, token: &str) -> String {
    let client = new_client_on(target, token);
    let body = json!({"name": "Test project", "clientId": client});
    let reply = call_on(target, token, "POST", "/projects", Some(&body));
    assert_eq!(reply.status, 201, "create project: {}", reply.body);
    let project = reply.json()["project"]["_id"].as_str().unwrap().to_owned();
    CLIENTS
        .lock()
        .unwrap()
        .get_or_insert_with(HashMap::new)
        .insert(project.clone(), client);
    project
}

/// A fresh client and project of `user` on the current backend: the project's id.
pub fn new_project(user: &str) -> String {
    new_project_on(worker(), &token(user))
}

/// A fresh client of `user` on the current backend: its id.
pub fn new_client(user: &str) -> String {
    new_client_on(worker(), &token(user))
}

/// The client [`new_project`] made `project` under ([`EXAMPLE_CLIENT`] for any other id).
pub fn client_of(project: &str) -> String {
    CLIENTS
        .lock()
        .unwrap()
        .as_ref()
        .and_then(|m| m.get(project).cloned())
        .unwrap_or_else(|| EXAMPLE_CLIENT.to_owned())
}
