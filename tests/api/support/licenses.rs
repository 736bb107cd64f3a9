//! Licenses for the lifecycle tests: created through ONE function ([`issue_license`], so a
//! change to what creating needs changes one place), the public calls, the developer calls,
//! and backend-neutral looks at (and forced changes to) what is stored.

use serde_json::{json, Value};

use super::{backend, d1::d1_rows, d1_execute, data_api, request, token};
use super::{client_of, new_project};
use super::{Backend, Reply};

/// Creates a license for `user` (in a fresh client and project of theirs each time) with
/// `overrides` merged into a valid body (e.g. `{"maxMachines": 3}`); returns the created license.
pub fn issue_license(user: &str, overrides: Value) -> Value {
    let project = new_project(user);
    let mut body = json!({
        "duration": 12,
        "clientId": client_of(&project),
        "projectId": project,
        "services": ["Hosting"],
    });
    for (field, value) in overrides.as_object().into_iter().flatten() {
        body[field] = value.clone();
    }
    let reply = developer(user, "POST", "/license/create", Some(&body));
    assert_eq!(reply.status, 201, "create: {}", reply.body);
    reply.json()["license"].clone()
}

/// The key of a license [`issue_license`] returned.
pub fn key_of(license: &Value) -> String {
    license["key"].as_str().expect("a key").to_owned()
}

/// A public call (no token) with a JSON body.
pub fn public(path: &str, body: &Value) -> Reply {
    request(
        "POST",
        path,
        &[("Content-Type", "application/json")],
        Some(body.to_string().as_bytes()),
    )
}

pub fn activate(body: &Value) -> Reply {
    public("/validate/activate", body)
}

pub fn validate(body: &Value) -> Reply {
    public("/validate", body)
}

pub fn deactivate(body: &Value) -> Reply {
    public("/validate/deactivate", body)
}

/// A developer call with `user`'s token (and a JSON body when given).
pub fn developer(user: &str, method: &str, path: &str, body: Option<&Value>) -> Reply {
    let auth = format!("Bearer {}", token(user));
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let body = body.map(Value::to_string);
    request(method, path, &headers, body.as_deref().map(str::as_bytes))
}

/// The `(status, code)` of a validate answer, after checking it is a 200 verdict.
pub fn verdict(reply: &Reply) -> (String, String) {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    (
        body["status"].as_str().unwrap_or_default().to_owned(),
        body["code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The stored status of license `key`.
pub fn stored_status(key: &str) -> String {
    match backend() {
        Backend::D1 => d1_rows(&format!("SELECT status FROM licenses WHERE key = '{key}'"))[0]
            ["status"]
            .as_str()
            .unwrap()
            .to_owned(),
        Backend::Mongo => data_api().document_by_key(key).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

/// The stored seats of license `key` as `(machineId, instanceId)` pairs.
pub fn stored_seats(key: &str) -> Vec<(Value, Value)> {
    let seats = match backend() {
        Backend::D1 => {
            let row = &d1_rows(&format!("SELECT seats FROM licenses WHERE key = '{key}'"))[0];
            serde_json::from_str(row["seats"].as_str().unwrap()).unwrap()
        }
        Backend::Mongo => data_api().document_by_key(key).unwrap()["seats"].clone(),
    };
    seats
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["machineId"].clone(), s["instanceId"].clone()))
        .collect()
}

/// Sets license `key`'s stored expiry to `millis` since the epoch.
pub fn force_expiry(key: &str, millis: i64) {
    match backend() {
        Backend::D1 => {
            let at = chrono::DateTime::from_timestamp_millis(millis)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            // issued_at moves too when needed: the schema keeps expires_at after it.
            d1_execute(&format!(
                "UPDATE licenses SET issued_at = min(issued_at, '2000-01-01T00:00:00.000Z'), \
                 expires_at = '{at}' WHERE key = '{key}'"
            ));
        }
        Backend::Mongo => data_api().set_field(
            key,
            "expiresAt",
            json!({"$date": {"$numberLong": millis.to_string()}}),
        ),
    }
}

/// Moves license `key`'s expiry an hour into the past.
pub fn force_past_expiry(key: &str) {
    force_expiry(key, now_millis() - 3_600_000);
}

pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Sets license `key`'s stored status (a state the test cannot reach through the API yet).
pub fn force_status(key: &str, status: &str) {
    match backend() {
        Backend::D1 => {
            d1_execute(&format!(
                "UPDATE licenses SET status = '{status}' WHERE key = '{key}'"
            ));
        }
        Backend::Mongo => data_api().set_field(key, "status", json!(status)),
    }
}
