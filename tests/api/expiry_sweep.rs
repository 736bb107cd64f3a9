//! The Cron Trigger's expiry sweep, run through `wrangler dev --test-scheduled`
//! (`GET /__scheduled?cron=…`): ACTIVE and PENDING licenses past their expiry become EXPIRED,
//! everything else is untouched, and the list shows it. Runs alone: the sweep sees every
//! license, and other tests force expiries of their own.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::exclusive_trials;
use crate::support::licenses::{
    activate, developer, force_past_expiry, issue_license, key_of, stored_status,
};
use crate::support::{random_object_id, request};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    exclusive_trials![the_scheduled_sweep_expires_due_active_and_pending_licenses_only]
}

fn the_scheduled_sweep_expires_due_active_and_pending_licenses_only() {
    let user = format!("auth0|sweep-{}", random_object_id());
    let [pending, active, revoked, live, fresh] =
        [(); 5].map(|()| key_of(&issue_license(&user, json!({}))));
    for key in [&active, &live] {
        assert_eq!(activate(&json!({"key": key})).status, 200);
    }
    let toggled = developer(&user, "PATCH", &format!("/license/revoke/{revoked}"), None);
    assert_eq!(toggled.status, 200, "{}", toggled.body);
    for key in [&pending, &active, &revoked] {
        force_past_expiry(key);
    }
    let ran = request("GET", "/__scheduled?cron=*/15+*+*+*+*", &[], None);
    assert_eq!(ran.status, 200, "{}", ran.body);
    let expected = [
        (&pending, "EXPIRED"),
        (&active, "EXPIRED"),
        (&revoked, "REVOKED"),
        (&live, "ACTIVE"),
        (&fresh, "PENDING"),
    ];
    // The run is awaited by wrangler; a short grace covers a slow log flush on a loaded machine.
    let deadline = Instant::now() + Duration::from_secs(5);
    while stored_status(&active) != "EXPIRED" && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    for (key, status) in expected {
        assert_eq!(stored_status(key), status, "{key}");
    }
    let listed = developer(&user, "GET", "/licenses?status=EXPIRED", None).json();
    let mut keys: Vec<String> = listed["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(key_of)
        .collect();
    keys.sort();
    let mut due = vec![pending.clone(), active.clone()];
    due.sort();
    assert_eq!(keys, due);
    let one = developer(&user, "GET", &format!("/license/{pending}"), None).json();
    assert_eq!(one["license"]["status"], "EXPIRED");
}
