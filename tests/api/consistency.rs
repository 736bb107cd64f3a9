//! Read-your-writes on the validate path: validate reads the nearest copy of the store (on D1
//! a `withSession("first-unconstrained")` session, served by a replica when read replication is
//! on) and confirms any refusal on the primary, so each change below is seen by the validate
//! that follows it at once. Under `wrangler dev` there is one copy, which reports
//! `meta.served_by_primary: true`: these prove the session path runs and answers exactly, not
//! replica lag or the confirming read (unit tests in src/app/validate.rs cover those);
//! docs/consistency.md says what replica lag adds.

use serde_json::json;

use crate::support::licenses::{
    activate, deactivate, developer, force_past_expiry, issue_license, key_of, validate, verdict,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        a_license_is_found_by_the_validate_right_after_its_creation,
        validate_right_after_activate_sees_the_seat,
        validate_right_after_a_revoke_answers_revoked,
        validate_right_after_a_reinstatement_answers_valid,
        validate_right_after_renewing_an_expired_license_answers_valid,
        validate_right_after_a_deactivation_no_longer_finds_the_machine,
    ]
}

const USER: &str = "60f7b3b3e6b3a72e8c8e4a1a";

fn code_of(body: serde_json::Value) -> String {
    verdict(&validate(&body)).1
}

/// A fresh license, activated on machine `m`: its key.
fn active_on_m() -> String {
    let key = key_of(&issue_license(USER, json!({})));
    let reply = activate(&json!({"key": key, "machineId": "m"}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    key
}

fn a_license_is_found_by_the_validate_right_after_its_creation() {
    let key = key_of(&issue_license(USER, json!({})));
    assert_eq!(code_of(json!({"key": key})), "NOT_ACTIVATED");
}

fn validate_right_after_activate_sees_the_seat() {
    for machine in ["m-1", "m-2", "m-3"] {
        let key = key_of(&issue_license(USER, json!({})));
        let reply = activate(&json!({"key": key, "machineId": machine}));
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(code_of(json!({"key": key, "machineId": machine})), "VALID");
    }
}

fn validate_right_after_a_revoke_answers_revoked() {
    let key = active_on_m();
    assert_eq!(code_of(json!({"key": key, "machineId": "m"})), "VALID");
    let reply = developer(USER, "POST", &format!("/license/{key}/revoke"), None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(code_of(json!({"key": key, "machineId": "m"})), "REVOKED");
}

fn validate_right_after_a_reinstatement_answers_valid() {
    let key = active_on_m();
    developer(USER, "POST", &format!("/license/{key}/revoke"), None);
    assert_eq!(code_of(json!({"key": key, "machineId": "m"})), "REVOKED");
    let reply = developer(USER, "POST", &format!("/license/{key}/reinstate"), None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(code_of(json!({"key": key, "machineId": "m"})), "VALID");
}

fn validate_right_after_renewing_an_expired_license_answers_valid() {
    let key = active_on_m();
    force_past_expiry(&key);
    // This validate stores the license as EXPIRED (expiry found on read).
    assert_eq!(code_of(json!({"key": key, "machineId": "m"})), "EXPIRED");
    let reply = developer(USER, "PATCH", &format!("/license/renew/{key}"), None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(code_of(json!({"key": key, "machineId": "m"})), "VALID");
}

fn validate_right_after_a_deactivation_no_longer_finds_the_machine() {
    let key = active_on_m();
    let reply = deactivate(&json!({"key": key, "machineId": "m"}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        code_of(json!({"key": key, "machineId": "m"})),
        "MACHINE_MISMATCH"
    );
}
