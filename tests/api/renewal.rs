//! `PATCH /license/renew/:key`: extends by calendar months from the later of now and the
//! current expiry; an expired license comes back (ACTIVE with seats, else PENDING), a revoked
//! one stays revoked; validate agrees afterwards; another developer gets 404 and nothing moves.

use chrono::{DateTime, Months, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::support::licenses::{
    activate, developer, force_past_expiry, issue_license, key_of, now_millis, stored_status,
    validate, verdict,
};
use crate::support::Reply;
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        renewing_an_active_license_extends_its_current_expiry_and_keeps_it_valid,
        renewing_without_a_duration_uses_the_licenses_own,
        an_expired_license_with_a_seat_is_renewed_from_now_back_to_active_and_valid,
        an_expired_license_without_seats_is_renewed_to_pending,
        a_revoked_license_stays_revoked_when_renewed_and_validates_after_reinstate,
        another_developer_cannot_renew_and_nothing_changes,
        bad_durations_are_400_with_a_message,
        hostile_renew_bodies_get_4xx_json_and_change_nothing,
    ]
}

const OWNER: &str = "60f7b3b3e6b3a72e8c8e4a1a";
const STRANGER: &str = "auth0|stranger";

fn renew(user: &str, key: &str, body: Option<&Value>) -> Reply {
    developer(user, "PATCH", &format!("/license/renew/{key}"), body)
}

fn date(text: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text.as_str().expect("a date"))
        .unwrap()
        .with_timezone(&Utc)
}

fn plus_months(at: DateTime<Utc>, months: u32) -> String {
    at.checked_add_months(Months::new(months))
        .unwrap()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The renewed license of a 200 answer, after checking its message.
fn renewed(reply: &Reply) -> Value {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["message"], "License renewed successfully");
    body["license"].clone()
}

fn renewing_an_active_license_extends_its_current_expiry_and_keeps_it_valid() {
    let created = issue_license(OWNER, json!({"duration": 3, "maxMachines": 2}));
    let key = key_of(&created);
    activate(&json!({"key": key, "machineId": "m"}));
    let license = renewed(&renew(OWNER, &key, Some(&json!({"duration": 2}))));
    assert_eq!(
        license["expiresAt"],
        plus_months(date(&created["expiresAt"]), 2)
    );
    assert_eq!(license["status"], "ACTIVE");
    assert_eq!(
        (&license["key"], &license["duration"]),
        (&json!(key), &json!(3))
    );
    assert_eq!(
        license["maxMachines"], 2,
        "the developer's view, with seats"
    );
    assert_eq!(license["seats"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        verdict(&validate(&json!({"key": key, "machineId": "m"}))).1,
        "VALID"
    );
}

fn renewing_without_a_duration_uses_the_licenses_own() {
    let created = issue_license(OWNER, json!({"duration": 5}));
    let key = key_of(&created);
    let license = renewed(&renew(OWNER, &key, None));
    assert_eq!(
        license["expiresAt"],
        plus_months(date(&created["expiresAt"]), 5)
    );
    assert_eq!(license["status"], "PENDING");
    let again = renewed(&renew(OWNER, &key, Some(&json!({"duration": null}))));
    assert_eq!(
        again["expiresAt"],
        plus_months(date(&created["expiresAt"]), 10)
    );
}

/// Renews `key` by `months` and checks the new expiry is `months` after the call.
fn renew_from_now(key: &str, months: u32) -> Value {
    let before = DateTime::from_timestamp_millis(now_millis()).unwrap();
    let license = renewed(&renew(OWNER, key, Some(&json!({"duration": months}))));
    let after = DateTime::from_timestamp_millis(now_millis()).unwrap();
    let expires = license["expiresAt"].as_str().unwrap().to_owned();
    assert!(
        plus_months(before, months) <= expires && expires <= plus_months(after, months),
        "{expires} is not {months} months after the renewal"
    );
    license
}

fn an_expired_license_with_a_seat_is_renewed_from_now_back_to_active_and_valid() {
    let key = key_of(&issue_license(OWNER, json!({})));
    activate(&json!({"key": key}));
    force_past_expiry(&key);
    assert_eq!(verdict(&validate(&json!({"key": key}))).1, "EXPIRED");
    assert_eq!(stored_status(&key), "EXPIRED");
    let license = renew_from_now(&key, 1);
    assert_eq!(license["status"], "ACTIVE");
    assert_eq!(stored_status(&key), "ACTIVE");
    assert_eq!(verdict(&validate(&json!({"key": key}))).1, "VALID");
}

fn an_expired_license_without_seats_is_renewed_to_pending() {
    let key = key_of(&issue_license(OWNER, json!({})));
    force_past_expiry(&key);
    validate(&json!({"key": key}));
    assert_eq!(stored_status(&key), "EXPIRED");
    let license = renew_from_now(&key, 12);
    assert_eq!(license["status"], "PENDING");
    assert_eq!(verdict(&validate(&json!({"key": key}))).1, "NOT_ACTIVATED");
    let activated = activate(&json!({"key": key}));
    assert_eq!(activated.status, 200, "{}", activated.body);
}

fn a_revoked_license_stays_revoked_when_renewed_and_validates_after_reinstate() {
    let key = key_of(&issue_license(OWNER, json!({})));
    activate(&json!({"key": key}));
    let revoked = developer(OWNER, "POST", &format!("/license/{key}/revoke"), None);
    assert_eq!(revoked.json()["status"], "REVOKED", "{}", revoked.body);
    force_past_expiry(&key);
    let license = renew_from_now(&key, 2);
    assert_eq!(license["status"], "REVOKED");
    assert_eq!(verdict(&validate(&json!({"key": key}))).1, "REVOKED");
    let back = developer(OWNER, "POST", &format!("/license/{key}/reinstate"), None);
    assert_eq!(back.json()["status"], "ACTIVE", "{}", back.body);
    assert_eq!(verdict(&validate(&json!({"key": key}))).1, "VALID");
}

fn another_developer_cannot_renew_and_nothing_changes() {
    let created = issue_license(OWNER, json!({}));
    let key = key_of(&created);
    renew(STRANGER, &key, Some(&json!({"duration": 1}))).assert_message(404, "License not found");
    renew(OWNER, "KB-NOPE-NOPE-NOPE", None).assert_message(404, "License not found");
    let mine = developer(OWNER, "GET", &format!("/license/{key}"), None).json();
    assert_eq!(mine["license"]["expiresAt"], created["expiresAt"]);
    assert_eq!(mine["license"]["status"], "PENDING");
}

fn bad_durations_are_400_with_a_message() {
    let key = key_of(&issue_license(OWNER, json!({})));
    for duration in [
        json!(0),
        json!(13),
        json!(-1),
        json!(1.5),
        json!("3"),
        json!(true),
        json!([1]),
    ] {
        renew(OWNER, &key, Some(&json!({ "duration": duration })))
            .assert_message(400, "Invalid duration");
    }
}

fn hostile_renew_bodies_get_4xx_json_and_change_nothing() {
    let created = issue_license(OWNER, json!({}));
    let key = key_of(&created);
    let valid = json!({"duration": 2}).to_string();
    let mut bodies: Vec<(String, Vec<u8>)> = [
        json!({"duration": {"$gt": 0}}),
        json!({"duration": 1e308}),
        json!({"duration": "12"}),
        json!({"duration": ""}),
        json!({"duration": 12.0001}),
        json!({"duration": -12}),
        json!({"duration": u64::MAX}),
    ]
    .iter()
    .map(|b| (b.to_string(), b.to_string().into_bytes()))
    .collect();
    for (what, text) in [
        ("truncated", valid[..valid.len() - 1].to_owned()),
        ("trailing comma", valid.replace('}', ",}")),
        ("two documents", format!("{valid}{valid}")),
        ("array", format!("[{valid}]")),
        ("string", "\"12\"".into()),
        ("number", "12".into()),
        ("duplicate field", r#"{"duration":1,"duration":2}"#.into()),
        (
            "deep nesting",
            format!("{{\"duration\":{}{}}}", "[".repeat(3000), "]".repeat(3000)),
        ),
        (
            "oversized",
            format!("{{\"duration\":1,\"pad\":\"{}\"}}", "x".repeat(17 * 1024)),
        ),
    ] {
        bodies.push((what.into(), text.into_bytes()));
    }
    bodies.push(("invalid utf-8".into(), b"{\"duration\":\"\xff\"}".to_vec()));
    let auth = format!("Bearer {}", crate::support::token(OWNER));
    let path = format!("/license/renew/{key}");
    let mut failures = Vec::new();
    for (what, body) in &bodies {
        for content_type in ["application/json", "text/plain"] {
            let headers = [
                ("Authorization", auth.as_str()),
                ("Content-Type", content_type),
            ];
            let reply = crate::support::request("PATCH", &path, &headers, Some(body));
            let answer: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
            if !((400..500).contains(&reply.status)
                && answer["message"].as_str().is_some_and(|m| !m.is_empty()))
            {
                failures.push(format!(
                    "{what} ({content_type}) → {} {:.120}",
                    reply.status, reply.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let after = developer(OWNER, "GET", &format!("/license/{key}"), None).json();
    assert_eq!(
        after["license"]["expiresAt"], created["expiresAt"],
        "nothing renewed"
    );
}
