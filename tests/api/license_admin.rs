//! The developer's calls on one license: read it with its seats, revoke (toggle and explicit),
//! reinstate, free a seat; expired licenses are frozen; another developer sees nothing.

use serde_json::json;

use crate::support::licenses::{
    activate, developer, force_past_expiry, issue_license, key_of, stored_seats, stored_status,
    validate, verdict,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        the_owner_reads_a_license_with_its_seat_limit_and_seats,
        the_revoke_toggle_moves_active_to_revoked_and_back,
        a_pending_license_toggled_twice_returns_to_pending_never_active,
        explicit_revoke_and_reinstate_are_idempotent,
        an_expired_license_cannot_change_state,
        the_owner_frees_a_seat,
        another_developer_cannot_read_revoke_reinstate_or_free_seats,
    ]
}

const OWNER: &str = "60f7b3b3e6b3a72e8c8e4a1a";
const STRANGER: &str = "auth0|stranger";

fn the_owner_reads_a_license_with_its_seat_limit_and_seats() {
    let created = issue_license(OWNER, json!({"maxMachines": 2}));
    let key = key_of(&created);
    activate(&json!({"key": key, "machineId": "m", "instanceId": "i"}));
    let reply = developer(OWNER, "GET", &format!("/license/{key}"), None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let license = &reply.json()["license"];
    for field in [
        "key",
        "duration",
        "issuedAt",
        "expiresAt",
        "services",
        "user",
        "client",
        "project",
        "_id",
    ] {
        assert_eq!(license[field], created[field], "{field}");
    }
    assert_eq!(license["status"], "ACTIVE");
    assert_eq!(license["maxMachines"], 2);
    let seats = license["seats"].as_array().unwrap();
    assert_eq!(seats.len(), 1);
    assert_eq!(
        (&seats[0]["machineId"], &seats[0]["instanceId"]),
        (&json!("m"), &json!("i"))
    );
    assert!(seats[0]["activatedAt"].as_str().unwrap().ends_with('Z'));
    let fields: Vec<&String> = license.as_object().unwrap().keys().collect();
    assert_eq!(fields.len(), 12, "{fields:?}");
}

fn toggle(user: &str, key: &str) -> crate::support::Reply {
    developer(user, "PATCH", &format!("/license/revoke/{key}"), None)
}

fn the_revoke_toggle_moves_active_to_revoked_and_back() {
    let key = key_of(&issue_license(OWNER, json!({})));
    activate(&json!({"key": key}));
    let revoked = toggle(OWNER, &key);
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(
        revoked.json(),
        json!({"message": "License status changed to REVOKED", "key": key, "status": "REVOKED"})
    );
    assert_eq!(verdict(&validate(&json!({"key": key}))).1, "REVOKED");
    let back = toggle(OWNER, &key);
    assert_eq!(back.json()["message"], "License status changed to ACTIVE");
    assert_eq!(verdict(&validate(&json!({"key": key}))).1, "VALID");
}

fn a_pending_license_toggled_twice_returns_to_pending_never_active() {
    let key = key_of(&issue_license(OWNER, json!({})));
    assert_eq!(toggle(OWNER, &key).json()["status"], "REVOKED");
    assert_eq!(toggle(OWNER, &key).json()["status"], "PENDING");
    assert_eq!(stored_status(&key), "PENDING");
}

fn explicit_revoke_and_reinstate_are_idempotent() {
    let key = key_of(&issue_license(OWNER, json!({})));
    activate(&json!({"key": key, "machineId": "m"}));
    for _ in 0..2 {
        let reply = developer(OWNER, "POST", &format!("/license/{key}/revoke"), None);
        assert_eq!(reply.json()["status"], "REVOKED", "{}", reply.body);
    }
    for _ in 0..2 {
        let reply = developer(OWNER, "POST", &format!("/license/{key}/reinstate"), None);
        assert_eq!(reply.json()["status"], "ACTIVE", "{}", reply.body);
    }
    assert_eq!(stored_status(&key), "ACTIVE");
}

fn an_expired_license_cannot_change_state() {
    let key = key_of(&issue_license(OWNER, json!({})));
    activate(&json!({"key": key}));
    force_past_expiry(&key);
    toggle(OWNER, &key).assert_message(400, "State of expired licenses cannot be changed");
    developer(OWNER, "POST", &format!("/license/{key}/revoke"), None)
        .assert_message(400, "State of expired licenses cannot be changed");
    assert_eq!(
        stored_status(&key),
        "ACTIVE",
        "unchanged (validate would expire it)"
    );
}

fn the_owner_frees_a_seat() {
    let key = key_of(&issue_license(OWNER, json!({})));
    activate(&json!({"key": key, "machineId": "lost-laptop"}));
    let path = format!("/license/{key}/deactivate");
    let freed = developer(
        OWNER,
        "POST",
        &path,
        Some(&json!({"machineId": "lost-laptop"})),
    );
    assert_eq!(freed.status, 200, "{}", freed.body);
    assert!(stored_seats(&key).is_empty());
    developer(
        OWNER,
        "POST",
        &path,
        Some(&json!({"machineId": "lost-laptop"})),
    )
    .assert_message(404, "No activation for this machine and instance");
    developer(OWNER, "POST", &path, Some(&json!({"machineId": 5}))).assert_message(
        400,
        "Invalid machineId: expected 1 to 128 characters, no control characters",
    );
}

fn another_developer_cannot_read_revoke_reinstate_or_free_seats() {
    let key = key_of(&issue_license(OWNER, json!({})));
    activate(&json!({"key": key, "machineId": "m"}));
    let calls = [
        ("GET", format!("/license/{key}")),
        ("PATCH", format!("/license/revoke/{key}")),
        ("POST", format!("/license/{key}/revoke")),
        ("POST", format!("/license/{key}/reinstate")),
        ("POST", format!("/license/{key}/deactivate")),
    ];
    for (method, path) in &calls {
        let body = json!({"machineId": "m"});
        developer(STRANGER, method, path, Some(&body)).assert_message(404, "License not found");
        let missing = path.replace(&key, "KB-missing");
        developer(STRANGER, method, &missing, Some(&body)).assert_message(404, "License not found");
    }
    assert_eq!(stored_status(&key), "ACTIVE");
    assert_eq!(stored_seats(&key).len(), 1);
}
