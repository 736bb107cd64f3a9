//! Hostile input for the lifecycle's bodies: every malformed validate, activate and deactivate
//! call (public and the developer's) is a 4xx JSON error with a message, never a `valid` field
//! (the original Node SDK exits on `valid: false`), and changes nothing.

use serde_json::{json, Value};

use crate::support::licenses::{activate, issue_license, key_of, stored_seats, stored_status};
use crate::support::{request, token};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![malformed_lifecycle_calls_get_4xx_json_and_change_nothing]
}

/// Bodies that must be refused whatever the path: `(what, bytes)`.
fn bodies(key: &str) -> Vec<(String, Vec<u8>)> {
    let mut bodies = Vec::new();
    let wrong = [
        json!(true),
        json!(0),
        json!(1.5),
        json!([]),
        json!(["m"]),
        json!({}),
        json!({"$ne": null}),
        json!({"$gt": ""}),
        json!(""),
        json!("x".repeat(129)),
        json!("a\u{0000}b"),
        json!("line\nbreak"),
        json!("\u{001b}[31m"),
    ];
    for field in ["machineId", "instanceId"] {
        for value in &wrong {
            let mut body = json!({"key": key, "productName": "app"});
            body[field] = value.clone();
            bodies.push((
                format!("{field} = {value:.30}"),
                body.to_string().into_bytes(),
            ));
        }
    }
    for value in [
        json!(null),
        json!(""),
        json!(42),
        json!(true),
        json!([key]),
        json!({"$ne": null}),
        json!({"$regex": ".*"}),
    ] {
        let body = json!({"key": value, "machineId": "m"});
        bodies.push((format!("key = {value:.30}"), body.to_string().into_bytes()));
    }
    let valid = json!({"key": key, "machineId": "m"}).to_string();
    for (what, text) in [
        ("truncated", valid[..valid.len() - 1].to_owned()),
        ("trailing comma", valid.replace('}', ",}")),
        ("single quotes", valid.replace('"', "'")),
        ("two documents", format!("{valid}{valid}")),
        ("array", format!("[{valid}]")),
        ("string", "\"KB\"".into()),
        ("null", "null".into()),
        (
            "duplicate key",
            valid.replacen('{', "{\"key\":\"KB-other\",", 1),
        ),
        (
            "deep nesting",
            format!("{{\"key\":{}{}}}", "[".repeat(3000), "]".repeat(3000)),
        ),
        (
            "oversized",
            format!(
                "{{\"key\":\"{key}\",\"pad\":\"{}\"}}",
                "x".repeat(17 * 1024)
            ),
        ),
        ("empty object", "{}".into()),
    ] {
        bodies.push((what.into(), text.into_bytes()));
    }
    bodies.push(("invalid utf-8".into(), b"{\"key\":\"\xff\"}".to_vec()));
    bodies
}

fn malformed_lifecycle_calls_get_4xx_json_and_change_nothing() {
    let owner = "60f7b3b3e6b3a72e8c8e4a1a";
    let key = key_of(&issue_license(owner, json!({"maxMachines": 2})));
    assert_eq!(activate(&json!({"key": key, "machineId": "m"})).status, 200);
    let auth = format!("Bearer {}", token(owner));
    let owned = format!("/license/{key}/deactivate");
    let mut failures = Vec::new();
    let mut count = 0;
    for path in [
        "/validate",
        "/validate/activate",
        "/validate/deactivate",
        owned.as_str(),
    ] {
        for (what, body) in bodies(&key) {
            // The developer's body has no key: its key cases are valid seat bodies.
            if path == owned && (what.starts_with("key") || what == "empty object") {
                continue;
            }
            for content_type in ["application/json", "text/plain"] {
                if content_type != "application/json" && what != "array" {
                    continue;
                }
                count += 1;
                let headers = [
                    ("Content-Type", content_type),
                    ("Authorization", auth.as_str()),
                ];
                let reply = request("POST", path, &headers, Some(&body));
                let answer: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
                let ok = (400..500).contains(&reply.status)
                    && answer["message"].as_str().is_some_and(|m| !m.is_empty())
                    && answer.get("valid").is_none();
                if !ok {
                    failures.push(format!(
                        "{path} {what} → {} {:.120}",
                        reply.status, reply.body
                    ));
                }
            }
        }
    }
    assert!(count >= 150, "only {count} cases");
    assert!(
        failures.is_empty(),
        "{} of {count} misbehaved:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        stored_seats(&key),
        vec![(json!("m"), json!(null))],
        "no seat taken or freed"
    );
    assert_eq!(stored_status(&key), "ACTIVE");
}
