//! Hostile input for the client and project bodies: every field given every wrong type and
//! value, broken JSON, wrong shapes. Every answer is a 4xx JSON error with a message, never a
//! 5xx, and nothing the caller can list changes.

use serde_json::{json, Value};

use crate::hostile::is_json_error;
use crate::support::{call, client_of, new_project, random_object_id, request, token};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![malformed_client_and_project_bodies_get_4xx_json_and_change_nothing]
}

fn wrong_values() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e308),
        json!(""),
        json!(" \t"),
        json!([]),
        json!(["Acme"]),
        json!({}),
        json!({"$gt": ""}),
        json!({"$oid": random_object_id()}),
        json!("\u{0000}"),
        json!("x".repeat(2000)),
        json!("a@b"),
        json!("@example.com"),
        json!("dev@exämple.com"),
        json!("dev@example.com\u{202e}"),
        json!(format!("{}\u{200b}", random_object_id())),
        json!("NaN"),
    ]
}

/// Text the name rules accept (so not hostile to a name field).
fn is_a_name(value: &Value) -> bool {
    value.as_str().is_some_and(|t| {
        !t.trim().is_empty() && t.trim().chars().count() <= 100 && !t.chars().any(char::is_control)
    })
}

/// Everything the user can read about their objects.
fn snapshot(user: &str, client: &str, project: &str) -> Vec<String> {
    [
        "/clients?limit=100".to_owned(),
        format!("/clients/{client}"),
        format!("/projects?clientId={client}&limit=100"),
        format!("/projects/{project}"),
    ]
    .iter()
    .map(|path| call(user, "GET", path, None).body)
    .collect()
}

fn malformed_client_and_project_bodies_get_4xx_json_and_change_nothing() {
    let user = format!("hostile-{}", random_object_id());
    let project = new_project(&user);
    let client = client_of(&project);
    let before = snapshot(&user, &client, &project);
    let valid: [(&str, String, Value); 5] = [
        (
            "POST",
            "/clients".into(),
            json!({"name": "A", "email": "a@b.io"}),
        ),
        (
            "PATCH",
            format!("/clients/{client}"),
            json!({"name": "A", "email": "a@b.io"}),
        ),
        (
            "POST",
            "/projects".into(),
            json!({"name": "P", "clientId": client}),
        ),
        (
            "PATCH",
            format!("/projects/{project}"),
            json!({"name": "P"}),
        ),
        (
            "POST",
            "/projects/createProject".into(),
            json!({"clientId": client, "projectName": "P", "duration": 3, "services": ["Hosting"]}),
        ),
    ];
    let mut cases: Vec<(String, &str, String, Vec<u8>)> = Vec::new();
    for (method, path, body) in &valid {
        for field in body.as_object().unwrap().keys() {
            for value in wrong_values() {
                if field == "services" && value.is_null() {
                    continue; // null services means the default
                }
                if field.contains("ame") && is_a_name(&value) {
                    continue; // any short text is a fine name
                }
                let mut bad = body.clone();
                bad[field] = value.clone();
                let what = format!("{method} {path} {field} = {value:.40}");
                cases.push((what, method, path.clone(), bad.to_string().into_bytes()));
            }
        }
        let text = body.to_string();
        let first = body.as_object().unwrap().keys().next().unwrap();
        for (what, bytes) in [
            ("truncated", text.as_bytes()[..text.len() - 1].to_vec()),
            ("trailing comma", text.replace('}', ",}").into_bytes()),
            (
                "duplicate field",
                text.replacen('{', &format!("{{\"{first}\":null,"), 1)
                    .into_bytes(),
            ),
            ("array", format!("[{text}]").into_bytes()),
            ("string", b"\"text\"".to_vec()),
            ("empty object", b"{}".to_vec()),
            (
                "deep nesting",
                format!("{{\"name\":{}{}}}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            ),
            (
                "invalid utf-8",
                vec![b'{', b'"', b'n', 0xff, b'"', b':', b'1', b'}'],
            ),
            (
                "oversized",
                format!("{{\"pad\":\"{}\"}}", "x".repeat(17 * 1024)).into_bytes(),
            ),
        ] {
            cases.push((
                format!("{method} {path} {what}"),
                method,
                path.clone(),
                bytes,
            ));
        }
    }
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let auth = format!("Bearer {}", token(&user));
    let mut failures = Vec::new();
    for (what, method, path, body) in &cases {
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        let reply = request(method, path, &headers, Some(body));
        if !(400..500).contains(&reply.status) || !is_json_error(&reply) {
            failures.push(format!("{what} → {} {:.120}", reply.status, reply.body));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases misbehaved:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(
        snapshot(&user, &client, &project),
        before,
        "nothing changed"
    );
}
