//! Routes: unknown paths and wrong methods answer JSON, never HTML or an empty body.

use crate::support::{create_body, new_project, post_create, request, token};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        unknown_routes_are_404_json,
        wrong_methods_on_create_are_405_json_with_allow,
        a_trailing_slash_reaches_the_same_endpoint,
        responses_are_never_cached,
        health_answers_ok_to_anyone_without_a_token,
    ]
}

fn unknown_routes_are_404_json() {
    for (method, path) in [
        ("GET", "/"),
        ("POST", "/license"),
        ("POST", "/license/create/extra"),
        ("GET", "/licenses/all"),
        ("POST", "/LICENSE/CREATE"),
    ] {
        request(method, path, &[], None).assert_message(404, "Not found");
    }
}

fn wrong_methods_on_create_are_405_json_with_allow() {
    for method in ["GET", "PUT", "PATCH", "DELETE"] {
        let reply = request(
            method,
            "/license/create",
            &[("Authorization", &format!("Bearer {}", token("u")))],
            None,
        );
        reply.assert_message(405, "Method not allowed");
        assert_eq!(reply.header("allow"), Some("POST, OPTIONS"), "{method}");
    }
}

fn a_trailing_slash_reaches_the_same_endpoint() {
    let project = new_project("u");
    let reply = request(
        "POST",
        "/license/create/",
        &[
            ("Authorization", &format!("Bearer {}", token("u"))),
            ("Content-Type", "application/json"),
        ],
        Some(create_body(&project).as_bytes()),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
}

fn responses_are_never_cached() {
    let created = post_create(Some(&token("u")), &create_body(&new_project("u")));
    let refused = post_create(None, "{}");
    for reply in [created, refused] {
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    }
}

fn health_answers_ok_to_anyone_without_a_token() {
    let reply = request(
        "GET",
        "/health",
        &[("Origin", "https://status.example")],
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json(), serde_json::json!({"status": "ok"}));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let wrong = request("POST", "/health", &[], None);
    wrong.assert_message(405, "Method not allowed");
    assert_eq!(wrong.header("allow"), Some("GET, OPTIONS"));
}
