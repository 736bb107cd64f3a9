//! `GET /openapi.json`, and the check every reply of the suite goes through
//! (`support/openapi.rs`): it must refuse what the document does not describe.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::support::openapi::check;
use crate::support::{request, Reply};
use crate::{single_trials, trials};

pub fn tests() -> Vec<libtest_mimic::Trial> {
    let mut all = trials![the_document_is_served_to_any_origin_and_may_be_cached];
    // The check does not depend on the backend: once is enough.
    all.extend(single_trials![
        the_reply_check_refuses_undocumented_fields_statuses_and_routes
    ]);
    all
}

fn the_document_is_served_to_any_origin_and_may_be_cached() {
    let reply = request(
        "GET",
        "/openapi.json",
        &[("Origin", "https://tools.example")],
        None,
    );
    assert_eq!(reply.status, 200);
    // The committed document, served without the whitespace between its tokens.
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/openapi.json")).unwrap();
    assert_eq!(reply.json(), committed);
    assert!(!reply.body.contains('\n'), "served minified");
    assert_eq!(reply.header("cache-control"), Some("public, max-age=3600"));
    assert!(reply.header("access-control-allow-origin").is_some());
    assert_eq!(reply.json()["openapi"], "3.1.0");
}

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
    }
}

/// Whether `check` refuses the reply (it fails a test by panicking).
fn refused(method: &str, path: &str, reply: &Reply) -> bool {
    catch_unwind(AssertUnwindSafe(|| check(method, path, reply))).is_err()
}

fn the_reply_check_refuses_undocumented_fields_statuses_and_routes() {
    assert!(!refused(
        "GET",
        "/health",
        &reply(200, r#"{"status":"ok"}"#)
    ));
    let verdict = r#"{"valid":false,"status":"invalid","code":"NOT_FOUND","message":"Key does not exist","expiresAt":null}"#;
    assert!(!refused("POST", "/validate", &reply(200, verdict)));
    for (method, path, status, body, why) in [
        (
            "GET",
            "/health",
            200,
            r#"{"status":"ok","extra":1}"#,
            "an undocumented field",
        ),
        (
            "GET",
            "/health",
            418,
            r#"{"message":"teapot"}"#,
            "an undocumented status",
        ),
        ("GET", "/health", 200, "ok", "a body that is not JSON"),
        (
            "POST",
            "/validate",
            200,
            r#"{"valid":true}"#,
            "required fields missing",
        ),
        (
            "POST",
            "/validate",
            200,
            &verdict.replace("NOT_FOUND", "GONE"),
            "a code outside the enum",
        ),
        (
            "GET",
            "/no/such/route",
            200,
            "{}",
            "an undocumented route that answers",
        ),
        (
            "PUT",
            "/health",
            200,
            r#"{"status":"ok"}"#,
            "an undocumented method that answers",
        ),
        (
            "GET",
            "/license/KB-x",
            401,
            r#"{"message":"No token provided"}"#,
            "a required header missing",
        ),
    ] {
        assert!(refused(method, path, &reply(status, body)), "{why}");
    }
}
