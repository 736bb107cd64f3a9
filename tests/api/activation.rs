//! `POST /validate/activate` and `POST /validate/deactivate`: seats taken, refused, freed.

use serde_json::json;

use crate::support::licenses::{
    activate, deactivate, force_past_expiry, force_status, issue_license, key_of, stored_seats,
    stored_status, validate, verdict,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        a_pending_license_activates_and_a_repeat_is_idempotent,
        a_full_license_refuses_another_machine_and_names_another_instance,
        a_three_seat_license_takes_three_machines_and_refuses_the_fourth,
        revoked_and_expired_licenses_refuse_activation,
        unknown_and_missing_keys_are_refused,
        deactivate_frees_a_seat_that_another_machine_then_takes,
        deactivate_of_an_unknown_seat_or_key_is_404,
    ]
}

const USER: &str = "60f7b3b3e6b3a72e8c8e4a1a";

fn a_pending_license_activates_and_a_repeat_is_idempotent() {
    let license = issue_license(USER, json!({}));
    let key = key_of(&license);
    let first = activate(&json!({"key": key, "productName": "app"}));
    assert_eq!(first.status, 200, "{}", first.body);
    let body = first.json();
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "License activated successfully");
    assert_eq!(
        (&body["machineId"], &body["instanceId"]),
        (&json!(null), &json!(null))
    );
    assert_eq!(body["expiresAt"], license["expiresAt"]);
    assert!(body["activatedAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(stored_status(&key), "ACTIVE");

    let again = activate(&json!({"key": key, "productName": "app"}));
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["message"], "License already activated");
    assert_eq!(
        again.json()["activatedAt"],
        body["activatedAt"],
        "the first seat's time"
    );
    assert_eq!(stored_seats(&key).len(), 1, "no second seat");
}

fn a_full_license_refuses_another_machine_and_names_another_instance() {
    let key = key_of(&issue_license(USER, json!({})));
    let taken = activate(&json!({"key": key, "machineId": "m-1", "instanceId": "i-1"}));
    assert_eq!(taken.status, 200, "{}", taken.body);
    assert_eq!(
        (&taken.json()["machineId"], &taken.json()["instanceId"]),
        (&json!("m-1"), &json!("i-1"))
    );
    activate(&json!({"key": key, "machineId": "m-2", "instanceId": "i-1"}))
        .assert_message(403, "License already activated on another machine");
    activate(&json!({"key": key, "machineId": "m-1", "instanceId": "i-2"}))
        .assert_message(403, "License already activated on another instance");
    assert_eq!(stored_seats(&key), vec![(json!("m-1"), json!("i-1"))]);
}

fn a_three_seat_license_takes_three_machines_and_refuses_the_fourth() {
    let key = key_of(&issue_license(USER, json!({"maxMachines": 3})));
    for machine in ["a", "b", "c"] {
        let reply = activate(&json!({"key": key, "machineId": machine}));
        assert_eq!(
            reply.json()["message"],
            "License activated successfully",
            "{machine}"
        );
    }
    activate(&json!({"key": key, "machineId": "d"}))
        .assert_message(403, "License already activated on another machine");
    assert_eq!(stored_seats(&key).len(), 3);
    for machine in ["a", "b", "c"] {
        let reply = validate(&json!({"key": key, "machineId": machine}));
        assert_eq!(
            verdict(&reply),
            ("active".into(), "VALID".into()),
            "{machine}"
        );
    }
}

fn revoked_and_expired_licenses_refuse_activation() {
    let revoked = key_of(&issue_license(USER, json!({})));
    force_status(&revoked, "REVOKED");
    activate(&json!({"key": revoked})).assert_message(403, "License has been revoked");
    assert!(stored_seats(&revoked).is_empty());

    let expired = key_of(&issue_license(USER, json!({})));
    force_past_expiry(&expired);
    activate(&json!({"key": expired})).assert_message(403, "License has expired");
    assert!(stored_seats(&expired).is_empty());
    assert_eq!(stored_status(&expired), "EXPIRED", "stored as found");
}

fn unknown_and_missing_keys_are_refused() {
    activate(&json!({"key": "KB-nothing-here"})).assert_message(404, "License not found");
    activate(&json!({"productName": "app"})).assert_message(400, "License key is required");
    activate(&json!({"key": ""})).assert_message(400, "License key is required");
    activate(&json!({"key": 7})).assert_message(400, "Invalid key: expected a string");
}

fn deactivate_frees_a_seat_that_another_machine_then_takes() {
    let key = key_of(&issue_license(USER, json!({})));
    assert_eq!(
        activate(&json!({"key": key, "machineId": "old"})).status,
        200
    );
    activate(&json!({"key": key, "machineId": "new"}))
        .assert_message(403, "License already activated on another machine");
    let freed = deactivate(&json!({"key": key, "machineId": "old"}));
    assert_eq!(freed.status, 200, "{}", freed.body);
    assert_eq!(
        freed.json(),
        json!({"success": true, "message": "License deactivated"})
    );
    assert!(stored_seats(&key).is_empty());
    let moved = activate(&json!({"key": key, "machineId": "new"}));
    assert_eq!(moved.json()["message"], "License activated successfully");
    let old = validate(&json!({"key": key, "machineId": "old"}));
    assert_eq!(verdict(&old).1, "MACHINE_MISMATCH");
}

fn deactivate_of_an_unknown_seat_or_key_is_404() {
    let key = key_of(&issue_license(USER, json!({})));
    assert_eq!(activate(&json!({"key": key, "machineId": "m"})).status, 200);
    deactivate(&json!({"key": key, "machineId": "other"}))
        .assert_message(404, "No activation for this machine and instance");
    deactivate(&json!({"key": key}))
        .assert_message(404, "No activation for this machine and instance");
    deactivate(&json!({"key": "KB-none", "machineId": "m"}))
        .assert_message(404, "License not found");
    assert_eq!(stored_seats(&key).len(), 1, "nothing freed");
}
