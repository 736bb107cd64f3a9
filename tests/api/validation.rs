//! `POST /validate`: the verdicts in their fixed precedence, the SDKs' request shapes, bad
//! bodies, and expiry found on read.

use serde_json::json;

use crate::support::licenses::{
    activate, developer, force_past_expiry, force_status, issue_license, key_of, stored_status,
    validate, verdict,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        every_verdict_has_its_status_code_and_message,
        checks_run_in_the_documented_precedence,
        an_active_license_past_its_expiry_answers_expired_and_is_stored_so,
        the_three_sdks_request_shapes_activate_validate_and_see_a_revocation,
        bad_bodies_are_400_with_a_message_and_never_a_valid_field,
    ]
}

const USER: &str = "60f7b3b3e6b3a72e8c8e4a1a";

fn every_verdict_has_its_status_code_and_message() {
    let key = key_of(&issue_license(USER, json!({})));
    let pending = validate(&json!({"key": key})).json();
    assert_eq!(
        (
            &pending["valid"],
            &pending["status"],
            &pending["code"],
            &pending["message"]
        ),
        (
            &json!(false),
            &json!("pending"),
            &json!("NOT_ACTIVATED"),
            &json!("License has not been activated yet")
        )
    );
    assert!(pending["expiresAt"].is_string());
    activate(&json!({"key": key, "machineId": "m", "instanceId": "i"}));
    let cases = [
        (
            json!({"key": key}),
            true,
            "active",
            "VALID",
            "License is valid",
        ),
        (
            json!({"key": key, "machineId": "x"}),
            false,
            "machine_mismatch",
            "MACHINE_MISMATCH",
            "License is not valid for this machine",
        ),
        (
            json!({"key": key, "machineId": "m", "instanceId": "j"}),
            false,
            "instance_mismatch",
            "INSTANCE_MISMATCH",
            "License is not valid for this instance",
        ),
        (
            json!({"key": "KB-unknown"}),
            false,
            "invalid",
            "NOT_FOUND",
            "Key does not exist",
        ),
    ];
    for (body, valid, status, code, message) in cases {
        let answer = validate(&body);
        assert_eq!(answer.status, 200, "{body}");
        let answer = answer.json();
        assert_eq!(
            (
                &answer["valid"],
                &answer["status"],
                &answer["code"],
                &answer["message"]
            ),
            (&json!(valid), &json!(status), &json!(code), &json!(message)),
            "{body}"
        );
    }
    force_status(&key, "REVOKED");
    let revoked = validate(&json!({"key": key})).json();
    assert_eq!(
        (&revoked["status"], &revoked["code"], &revoked["message"]),
        (
            &json!("revoked"),
            &json!("REVOKED"),
            &json!("License revoked by developer")
        )
    );
}

fn checks_run_in_the_documented_precedence() {
    // A revoked license past its expiry, asked about another machine: REVOKED wins.
    let key = key_of(&issue_license(USER, json!({})));
    force_status(&key, "REVOKED");
    force_past_expiry(&key);
    let body = json!({"key": key, "machineId": "x", "instanceId": "y"});
    assert_eq!(verdict(&validate(&body)).1, "REVOKED");
    // Pending and past its expiry: EXPIRED before NOT_ACTIVATED.
    let pending = key_of(&issue_license(USER, json!({})));
    force_past_expiry(&pending);
    assert_eq!(
        verdict(&validate(&json!({"key": pending, "machineId": "x"}))).1,
        "EXPIRED"
    );
    // Active on m/i, asked about x/j: MACHINE_MISMATCH before INSTANCE_MISMATCH.
    let active = key_of(&issue_license(USER, json!({})));
    activate(&json!({"key": active, "machineId": "m", "instanceId": "i"}));
    assert_eq!(
        verdict(&validate(
            &json!({"key": active, "machineId": "x", "instanceId": "j"})
        ))
        .1,
        "MACHINE_MISMATCH"
    );
}

fn an_active_license_past_its_expiry_answers_expired_and_is_stored_so() {
    let key = key_of(&issue_license(USER, json!({})));
    activate(&json!({"key": key}));
    force_past_expiry(&key);
    assert_eq!(stored_status(&key), "ACTIVE");
    let answer = validate(&json!({"key": key}));
    assert_eq!(verdict(&answer), ("expired".into(), "EXPIRED".into()));
    assert_eq!(answer.json()["message"], "License has expired");
    assert_eq!(stored_status(&key), "EXPIRED");
}

fn the_three_sdks_request_shapes_activate_validate_and_see_a_revocation() {
    let dotnet_machine = "ab".repeat(32);
    let shapes = [
        ("node", json!({"productName": "app"})),
        (
            "python",
            json!({"productName": "app", "instanceId": "3f1c1d9e-8a43-4c1e-9b7a-2d4c5e6f7a8b"}),
        ),
        (
            "dotnet",
            json!({"machineId": dotnet_machine, "instanceId": "inst-1"}),
        ),
    ];
    for (sdk, shape) in shapes {
        let key = key_of(&issue_license(USER, json!({})));
        let mut body = shape.clone();
        body["key"] = json!(key);
        let activated = activate(&body);
        assert_eq!(activated.status, 200, "{sdk}: {}", activated.body);
        assert_eq!(activated.json()["success"], true, "{sdk}");
        let answer = validate(&body);
        assert_eq!(verdict(&answer), ("active".into(), "VALID".into()), "{sdk}");
        assert_eq!(answer.json()["valid"], true, "{sdk}");
        let revoked = developer(USER, "PATCH", &format!("/license/revoke/{key}"), None);
        assert_eq!(
            revoked.json()["status"],
            "REVOKED",
            "{sdk}: {}",
            revoked.body
        );
        let answer = validate(&body);
        assert_eq!(
            verdict(&answer),
            ("revoked".into(), "REVOKED".into()),
            "{sdk}"
        );
        assert_eq!(answer.json()["valid"], false, "{sdk}");
    }
}

fn bad_bodies_are_400_with_a_message_and_never_a_valid_field() {
    let cases = [
        (json!({}), "License key is required"),
        (json!({"key": null}), "License key is required"),
        (json!({"key": 12}), "Invalid key: expected a string"),
        (json!({"key": ["KB"]}), "Invalid key: expected a string"),
        (
            json!({"key": "KB", "machineId": ""}),
            "Invalid machineId: expected 1 to 128 characters, no control characters",
        ),
        (
            json!({"key": "KB", "machineId": "x".repeat(129)}),
            "Invalid machineId: expected 1 to 128 characters, no control characters",
        ),
        (
            json!({"key": "KB", "instanceId": {"$ne": null}}),
            "Invalid instanceId: expected 1 to 128 characters, no control characters",
        ),
    ];
    for (body, message) in cases {
        validate(&body).assert_message(400, message);
    }
}
