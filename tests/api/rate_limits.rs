//! Rate limits on the public lifecycle calls, on a worker of its own with small limits (3 calls
//! per key and 5 per client IP per 10 seconds, through the real Rate Limiting binding under
//! `wrangler dev`): reached, answered 429 `{"message": "Too many requests"}` with
//! `Retry-After` and never a `valid` field, and recovered in the next window.

use std::time::Duration;

use serde_json::json;

use crate::support::licenses::now_millis;
use crate::support::{
    backend, random_object_id, request_to, start_scratch_worker_with_config, storage_settings,
    Reply, Worker,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![per_key_and_per_ip_limits_are_reached_and_recovered]
}

/// The limits' period, in milliseconds (windows are aligned to the clock).
const PERIOD_MS: i64 = 10_000;

fn call(worker: &Worker, path: &str, key: &str) -> Reply {
    let body = json!({"key": key, "productName": "app"}).to_string();
    let headers = [
        ("Content-Type", "application/json"),
        ("CF-Connecting-IP", "203.0.113.7"),
    ];
    request_to(worker, "POST", path, &headers, Some(body.as_bytes()))
}

fn assert_limited(reply: &Reply, what: &str) {
    reply.assert_message(429, "Too many requests");
    assert_eq!(reply.header("retry-after"), Some("60"), "{what}");
    assert!(!reply.body.contains("valid"), "{what}: {}", reply.body);
}

fn assert_admitted(reply: &Reply, what: &str) {
    assert_ne!(reply.status, 429, "{what}: {}", reply.body);
    assert!(
        reply.status < 500,
        "{what}: {} {}",
        reply.status,
        reply.body
    );
}

/// Sleeps into the start of the next window.
fn next_window() {
    let left = PERIOD_MS - now_millis().rem_euclid(PERIOD_MS);
    std::thread::sleep(Duration::from_millis(u64::try_from(left).unwrap() + 100));
}

fn per_key_and_per_ip_limits_are_reached_and_recovered() {
    let settings = storage_settings().expect("the backend's settings");
    let scratch = start_scratch_worker_with_config(
        &format!("rate-limits-{}", backend().name()),
        &settings,
        |config| {
            let small = config
                .replace(
                    "simple = { limit = 60, period = 60 }",
                    "simple = { limit = 3, period = 10 }",
                )
                .replace(
                    "simple = { limit = 600, period = 60 }",
                    "simple = { limit = 5, period = 10 }",
                );
            assert_ne!(small, config, "wrangler.toml's limits moved");
            small
        },
    )
    .expect("a scratch worker");
    let worker = scratch.worker();
    let [first, second, third, fourth] = [(); 4].map(|()| format!("KB-{}", random_object_id()));
    next_window();
    for n in 1..=3 {
        assert_admitted(&call(worker, "/validate", &first), &format!("call {n}"));
    }
    for path in ["/validate", "/validate/activate", "/validate/deactivate"] {
        assert_limited(
            &call(worker, path, &first),
            &format!("{path} over the key's limit"),
        );
    }
    // The refused calls did not count against the IP: 3 used, 2 left.
    assert_admitted(&call(worker, "/validate", &second), "fourth from the IP");
    assert_admitted(
        &call(worker, "/validate/activate", &third),
        "fifth from the IP",
    );
    assert_limited(&call(worker, "/validate", &fourth), "over the IP's limit");
    next_window();
    assert_admitted(&call(worker, "/validate", &first), "the key recovered");
    assert_admitted(&call(worker, "/validate", &fourth), "the IP recovered");
}
